/**
 * Rekeying with the transport and the connection layer together (a Hush client and a Hush
 * server over a socket-like in-memory duplex): bulk traffic across many rekeys, the queue of
 * messages held during one, and what starts one (the peer, a time limit, a byte limit).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import type { Message } from "@hush/wire";
import { DEFAULT_WINDOW } from "@hush/channels";
import { loadChaChaPolyWasm } from "@hush/cipher";
import { startTransport, type TransportOptions, type TransportTimers } from "./mod.ts";
import { memoryDuplexPair } from "./testing.ts";
import { drain, MiB, pump } from "./testdata/byte_streams.ts";
import { connectedPair } from "./testdata/connected_pair.ts";
import { hostKey, read } from "./testdata/transport_pair.ts";
import { eventually } from "./testdata/eventually.ts";

/**
 * `total` bytes each way through one channel with a rekey every `rekey` bytes; both ends hash
 * what they send and receive.
 */
async function bulkAcrossRekeys(
  total: number,
  rekey: number,
  extra: Partial<TransportOptions> = {},
): Promise<void> {
  let serverChannel!: Promise<{ sent: string; got: { hash: string; bytes: number } }>;
  const p = await connectedPair({
    client: { rekeyBytes: rekey, ...extra },
    server: { rekeyBytes: rekey, ...extra },
    serverConnection: {
      onChannelOpen: () => true,
      onChannel: (ch) => {
        serverChannel = Promise.all([pump(ch.writable, total, 64 * 1024, 2), drain(ch.readable)])
          .then(([sent, got]) => ({ sent, got }));
      },
    },
  });
  const started = performance.now();
  const ch = await p.c.openDirectTcpip({
    host: "h",
    port: 1,
    originatorAddress: "127.0.0.1",
    originatorPort: 2,
  });
  const [sent, got] = await Promise.all([
    pump(ch.writable, total, 64 * 1024, 1),
    drain(ch.readable),
  ]);
  const server = await serverChannel;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `2 x ${total / MiB} MiB in ${seconds.toFixed(2)} s (${
      (2 * total / MiB / seconds).toFixed(0)
    } MiB/s), ` +
      `${p.client.kexCount} key exchanges`,
  );
  assert.equal(got.bytes, total);
  assert.equal(server.got.bytes, total);
  assert.equal(got.hash, server.sent);
  assert.equal(server.got.hash, sent);
  // A key set is counted from its NEWKEYS on; what arrives while a rekey runs (at most the
  // channel's window, the peer's data in flight) counts toward neither set, as in OpenSSH. So a
  // set carries up to `rekey + DEFAULT_WINDOW` before the next, and the last rekey may still run.
  const fewest = Math.floor(total / (rekey + DEFAULT_WINDOW));
  assert.ok(p.client.kexCount >= fewest, `only ${p.client.kexCount} key exchanges`);
  await p.c.close();
}

test("256 MiB each way through one channel, a rekey every 16 MiB: nothing lost or reordered", async () => {
  await bulkAcrossRekeys(Number(process.env.HUSH_BIG_MIB ?? 256) * MiB, 16 * MiB);
});

test("WebCrypto AES-GCM (packets sealed in place later) across rekeys: nothing lost or reordered", async () => {
  // The seals of one key set are still in flight when NEWKEYS goes out and the next set starts.
  await bulkAcrossRekeys(48 * MiB, 4 * MiB, {
    algorithms: { ciphers: ["aes128-gcm@openssh.com"] },
    cipherBackends: { providers: { subtle: crypto.subtle } },
  });
});

test("chacha20-poly1305 in WebAssembly, opened in place from owned chunks, across rekeys", async () => {
  // memoryDuplexPair's reads are owned (each is a copy of what was written).
  await bulkAcrossRekeys(48 * MiB, 4 * MiB, {
    algorithms: { ciphers: ["chacha20-poly1305@openssh.com"] },
    cipherBackends: { providers: { wasm: await loadChaChaPolyWasm() } },
  });
});

test("held queue during a rekey: bounded at heldBytesLimit, one past waits unencoded", async () => {
  const limit = 4 * (32 * 1024 + 9); // four CHANNEL_DATA payloads of 32 KiB
  const p = await connectedPair({ client: { heldBytesLimit: limit } });
  p.client.rekey();
  assert.equal(p.client.inKex, true);
  const sends: Promise<void>[] = [];
  for (let i = 0; i < 4; i++) {
    sends.push(p.client.send({
      type: "channelData",
      recipient: 99,
      data: new Uint8Array(32 * 1024).fill(i),
    } as Message));
  }
  assert.equal(p.client.heldBytes, limit, "at the bound: all four held");
  assert.equal(p.client.heldMessages, 4);
  sends.push(p.client.send({ type: "channelEof", recipient: 99 }));
  assert.equal(p.client.heldBytes, limit, "one past: not encoded, not counted");
  assert.equal(p.client.heldMessages, 5);
  sends.push(p.client.send({ type: "channelClose", recipient: 99 }));
  assert.equal(p.client.heldMessages, 6);
  await Promise.all(sends);
  assert.equal(p.client.heldBytes, 0);
  // The sends resolve once queued right after our NEWKEYS; the peer's NEWKEYS ends the rekey.
  await eventually(() => p.client.kexCount === 2, "the rekey to finish");
  await p.c.close();
});

test("the held messages go out in order after the rekey", async () => {
  const [a, b] = memoryDuplexPair();
  const key = await hostKey();
  const [client, server] = await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {}, heldBytesLimit: 100 }),
    startTransport(b, { role: "server", hostKeys: [key] }),
  ]);
  await client.requestService("ssh-userauth");
  client.rekey();
  const sent = Array.from(
    { length: 20 },
    (_, i) => client.send({ type: "userauthRequest", user: `u${i}`, service: "s", method: "none" }),
  );
  assert.ok(client.heldBytes <= 100);
  await Promise.all(sent);
  for (let i = 0; i < 20; i++) {
    const m = await read(server);
    assert.ok(m.type === "userauthRequest" && m.user === `u${i}`);
  }
  await client.disconnect();
});

test("rekey when the peer asks, and at a time limit with an injected timer", async () => {
  const timers: { fn: () => void; ms: number }[] = [];
  const fake: TransportTimers = {
    setTimeout: (fn, ms) => timers.push({ fn, ms }) - 1,
    clearTimeout: () => {},
  };
  const p = await connectedPair({ client: { timers: fake, rekeyInterval: 60_000 } });
  // the server asks
  p.server.rekey();
  await waitFor(() => p.client.kexCount === 2 && p.server.kexCount === 2);
  // the client's hour is up (its timer is the last one scheduled with the interval)
  const due = timers.filter((t) => t.ms === 60_000);
  assert.ok(due.length >= 1);
  due[due.length - 1].fn();
  await waitFor(() => p.client.kexCount === 3 && p.server.kexCount === 3);
  // still works
  const ch = await p.c.openSession().catch((e) => e);
  assert.ok(ch instanceof Error); // the server refuses sessions here, politely
  await p.c.close();
});

test("rekey at a byte limit", async () => {
  const p = await connectedPair({ client: { rekeyBytes: 100_000 } });
  for (let i = 0; i < 10; i++) {
    await p.client.send({ type: "ignore", data: new Uint8Array(20_000) });
  }
  await waitFor(() => p.client.kexCount >= 2);
  await p.c.close();
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}
