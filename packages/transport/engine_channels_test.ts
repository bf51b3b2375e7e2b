/**
 * Channels through the transport (a Hush client and a Hush server over a socket-like in-memory
 * duplex): exec with its output and exit status, many channels at once, and a peer's larger
 * maximum packet size.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { drain, MiB, pump, text } from "./testdata/byte_streams.ts";
import { connectedPair } from "./testdata/connected_pair.ts";
import { sessionServer } from "./testdata/exec_server.ts";
import { withResolvers } from "./testdata/with_resolvers.ts";

test("exec through transport and channels: stdout, stderr and exit status", async () => {
  const p = await connectedPair({ serverConnection: sessionServer });
  const ok = await p.c.openSession();
  await ok.exec("echo hello");
  assert.deepEqual(await Promise.all([text(ok.readable), text(ok.stderr)]), ["hello\n", ""]);
  assert.equal(await ok.exitStatus, 0);
  const bad = await p.c.openSession();
  await bad.exec("frobnicate");
  assert.deepEqual(await Promise.all([text(bad.readable), text(bad.stderr)]), [
    "some output\n",
    "frobnicate: failed\n",
  ]);
  assert.equal(await bad.exitStatus, 3);
  assert.equal(await bad.exitSignal, null);
  await p.c.close();
  assert.equal(await p.server.closed, undefined);
});

test("100 channels at once, each with its own data", async () => {
  const p = await connectedPair({ serverConnection: sessionServer });
  const results = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
    const session = await p.c.openSession();
    await session.exec("cat");
    const w = session.writable.getWriter();
    const payload = new Uint8Array(20_000 + i * 100).fill(i);
    const writing = (async () => {
      await w.write(payload);
      await w.close();
    })();
    const [got] = await Promise.all([drain(session.readable), writing]);
    assert.equal(await session.exitStatus, 0);
    return { got, want: createHash("sha256").update(payload).digest("hex"), n: payload.length };
  }));
  for (const r of results) assert.deepEqual(r.got, { hash: r.want, bytes: r.n });
  assert.equal(p.c.channelCount, 0);
  await p.c.close();
});

test("a peer that announces a larger max packet gets fewer, larger packets through the transport", async () => {
  const received = withResolvers<{ hash: string; bytes: number }>();
  const p = await connectedPair({
    serverConnection: {
      maxPacket: 128 * 1024,
      onChannelOpen: () => true,
      onChannel: (ch) => drain(ch.readable).then(received.resolve, received.reject),
    },
  });
  const ch = await p.c.openDirectTcpip({
    host: "h",
    port: 1,
    originatorAddress: "o",
    originatorPort: 2,
  });
  const before = p.client.bytes.out;
  const sent = await pump(ch.writable, 8 * MiB, 256 * 1024);
  const got = await received.promise;
  assert.deepEqual(got, { hash: sent, bytes: 8 * MiB });
  assert.ok(p.client.bytes.out - before < 8 * MiB * 1.01);
  await p.c.close();
});
