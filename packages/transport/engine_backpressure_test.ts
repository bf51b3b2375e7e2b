/**
 * Backpressure through the transport and the connection layer: a reader that stalls, a peer
 * that sends but never reads, and a duplex that buffers nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Connection, DEFAULT_WINDOW } from "@hush/channels";
import { loadChaChaPolyWasm } from "@hush/cipher";
import { type Message, WRITE_BATCH_LIMIT } from "@hush/wire";
import { CONTROL_BACKLOG_LIMIT, startTransport, UPSTREAM_HIGH_WATER_MARK } from "./mod.ts";
import { memoryDuplexPair } from "./testing.ts";
import { drain, MiB, pump } from "./testdata/byte_streams.ts";
import { connectedPair } from "./testdata/connected_pair.ts";
import { hostKey, read } from "./testdata/transport_pair.ts";
import { withResolvers } from "./testdata/with_resolvers.ts";

test("a reader that stalls: the sender stops within the window, memory stays bounded", async () => {
  let serverChannel!: import("@hush/channels").Channel;
  const p = await connectedPair({
    serverConnection: {
      onChannelOpen: () => true,
      onChannel: (ch) => (serverChannel = ch),
    },
  });
  const ch = await p.c.openDirectTcpip({
    host: "h",
    port: 1,
    originatorAddress: "o",
    originatorPort: 2,
  });
  const w = ch.writable.getWriter();
  let written = 0;
  let stopped = false;
  const writing = (async () => {
    const chunk = new Uint8Array(64 * 1024).fill(1);
    for (let i = 0; i < 200; i++) { // 12.5 MiB, far more than the window
      await w.write(chunk);
      written += chunk.length;
    }
  })().catch(() => (stopped = true));
  // let it run until it cannot go on
  for (let last = -1; last !== written;) {
    last = written;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(ch.sendWindow, 0, "sender should have used the whole window");
  assert.ok(written <= DEFAULT_WINDOW, `wrote ${written} bytes past a ${DEFAULT_WINDOW} window`);
  // everything the sender wrote is somewhere between the two ends: nothing beyond the window
  // plus what sits in transit (the chunk in the writer, byte buffers, packets not yet decoded)
  assert.ok(serverChannel.queuedBytes <= DEFAULT_WINDOW);
  const inFlight = p.a.buffered + p.b.buffered;
  assert.ok(inFlight <= 512 * 1024, `${inFlight} bytes in the pipes`);
  assert.ok(
    serverChannel.queuedBytes + inFlight <= DEFAULT_WINDOW + UPSTREAM_HIGH_WATER_MARK * 32 * 1024,
  );
  // the reader wakes up: the rest flows
  const reading = drain(serverChannel.readable);
  await writing;
  assert.equal(stopped, false);
  await w.close();
  const got = await reading;
  assert.equal(got.bytes, 200 * 64 * 1024);
  await p.c.close();
});

test("a peer that sends but never reads: our replies stop at CONTROL_BACKLOG_LIMIT, then we stop reading", async () => {
  const p = await connectedPair();
  p.a.pause(); // the client stops reading what the server sends
  const ping = { type: "ping", data: new Uint8Array(1000) } as const;
  let sent = 0;
  const flooding = (async () => {
    for (let i = 0; i < 5000; i++) { // ~5 MB of PINGs, each asking for a 1 KB PONG
      await p.client.send(ping);
      sent++;
    }
  })();
  for (let last = -1; last !== sent;) {
    last = sent;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(sent < 5000, "the client should have been stopped by the server not reading");
  // what the server wrote and the client has not read: the pipe's buffer, the batch in hand
  // (one socket write takes up to WRITE_BATCH_LIMIT), and the PONGs queued for writing —
  // bounded, whatever the client sends
  const pongBytes = 1000 + 64;
  const inFlight = 256 * 1024 + WRITE_BATCH_LIMIT + pongBytes;
  const bound = inFlight + CONTROL_BACKLOG_LIMIT + 4 * pongBytes;
  assert.ok(p.b.buffered <= inFlight, `${p.b.buffered} bytes in the pipe`);
  // sealed bytes the server produced (the pipe's share of the bound; the rest, at most
  // CONTROL_BACKLOG_LIMIT, waits in its writer) — the handshake is the 64 KiB slack
  const serverSent = p.server.bytes.out;
  assert.ok(serverSent < bound + 64 * 1024, `server produced ${serverSent} bytes`);
  p.a.resume();
  await flooding;
  assert.equal(sent, 5000);
  await p.c.close();
});

for (
  const [what, request] of [
    ["GLOBAL_REQUESTs with want-reply", (i: number): Message => ({
      type: "globalRequest",
      request: "other",
      name: `flood-${i}@example.org`,
      wantReply: true,
      data: new Uint8Array(0),
    } as Message)],
    ["refused CHANNEL_OPENs", (i: number): Message => ({
      type: "channelOpen",
      channelType: "other",
      name: `flood-${i}@example.org`,
      sender: i,
      initialWindow: 1024,
      maxPacket: 1024,
      data: new Uint8Array(0),
    } as Message)],
  ] as const
) {
  test(`a peer flooding ${what} and never reading: the answers stay bounded, then we stop reading`, async () => {
    // A raw client transport (no connection layer of its own) and a server with one.
    // The WebAssembly chacha20-poly1305: tens of thousands of small packets in a few seconds.
    const cipherBackends = { providers: { wasm: await loadChaChaPolyWasm() } };
    const [a, b] = memoryDuplexPair();
    const [client, server] = await Promise.all([
      startTransport(a, { role: "client", verifyHostKey: () => {}, cipherBackends }),
      startTransport(b, { role: "server", hostKeys: [await hostKey()], cipherBackends }),
    ]);
    await client.requestService("ssh-userauth");
    await client.send({ type: "userauthRequest", user: "u", service: "c", method: "none" });
    await read(server);
    await server.authenticated();
    await read(client);
    new Connection(server, { role: "server" }); // refuses every request and open
    a.pause(); // the client stops reading what the server sends
    // More answers than the bound below holds (~28 bytes each: ~40 000 of them), plus the
    // requests the pipe and the client's writer hold once the server stops reading (~20 000:
    // Node stops at ~62 000 sent, Deno at ~59 000).
    const total = 100_000;
    let sent = 0;
    const flooding = (async () => {
      for (let i = 0; i < total; i++) { // each owed an answer of ~30 (failure) to 60 bytes
        await client.send(request(i));
        sent++;
      }
    })();
    flooding.catch(() => {});
    for (let last = -1; last !== sent;) {
      last = sent;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(sent < total, "the client should have been stopped by the server not reading");
    // What the server produced: the pipe's buffer and a batch in hand, then the answers it
    // owes up to CONTROL_BACKLOG_LIMIT, when it stops reading — whatever the client sends.
    const bound = 256 * 1024 + WRITE_BATCH_LIMIT + CONTROL_BACKLOG_LIMIT + 64 * 1024;
    const serverSent = server.bytes.out;
    assert.ok(serverSent < bound, `server produced ${serverSent} bytes for ${sent} requests`);
    a.resume();
    // the answers, read and dropped from now on
    (async () => {
      for await (const _ of client.messages) { /* dropped */ }
    })().catch(() => {});
    await flooding;
    assert.equal(sent, total);
    await client.disconnect();
  });
}

test("an unbuffered duplex (every write waits for the reader): handshake, traffic both ways, rekeys", async () => {
  const key = await hostKey();
  const [a, b] = memoryDuplexPair({ highWaterMark: 0 });
  const [client, server] = await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {}, rekeyBytes: 256 * 1024 }),
    startTransport(b, { role: "server", hostKeys: [key], rekeyBytes: 256 * 1024 }),
  ]);
  await client.requestService("ssh-userauth");
  await client.send({
    type: "userauthRequest",
    user: "u",
    service: "ssh-connection",
    method: "none",
  });
  await read(server);
  await server.authenticated(); // USERAUTH_SUCCESS, and the hand-off to the connection protocol
  await read(client);
  const received = withResolvers<{ hash: string; bytes: number }>();
  const s = new Connection(server, {
    role: "server",
    onChannelOpen: () => true,
    onChannel: (ch) => {
      // echo back while reading: both directions busy at once
      ch.readable.pipeTo(ch.writable).catch(received.reject);
    },
  });
  void s;
  const c = new Connection(client, { role: "client" });
  const ch = await c.openDirectTcpip({
    host: "h",
    port: 1,
    originatorAddress: "o",
    originatorPort: 2,
  });
  drain(ch.readable).then(received.resolve, received.reject);
  const sent = await pump(ch.writable, 4 * MiB, 100_000);
  assert.deepEqual(await received.promise, { hash: sent, bytes: 4 * MiB });
  assert.ok(client.kexCount > 5, `${client.kexCount} key exchanges`);
  await c.close();
});
