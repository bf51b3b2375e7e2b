/**
 * The transport and the connection layer together: a Hush client and a Hush server over a
 * socket-like in-memory duplex (issue 8's test list).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { generateKey, type PrivateKey } from "@hush/keys";
import { Connection, type ConnectionOptions, type ServerSession } from "@hush/channels";
import type { Message } from "@hush/wire";
import { startTransport, type Transport, type TransportOptions } from "./mod.ts";
import { type MemoryDuplex, memoryDuplexPair } from "./testing.ts";

const keyCache = new Map<string, Promise<PrivateKey>>();
function hostKey(type = "ssh-ed25519"): Promise<PrivateKey> {
  if (!keyCache.has(type)) keyCache.set(type, generateKey(type as "ssh-ed25519"));
  return keyCache.get(type)!;
}

async function read(t: Transport): Promise<Message> {
  const r = t.messages.getReader();
  try {
    const { value, done } = await r.read();
    assert.ok(!done, "stream ended");
    return value;
  } finally {
    r.releaseLock();
  }
}

export interface Pair {
  client: Transport;
  server: Transport;
  c: Connection;
  s: Connection;
  a: MemoryDuplex;
  b: MemoryDuplex;
}

/** Handshake, service request, a `none` authentication the server accepts, then channels. */
export async function connectedPair(
  options: {
    client?: Partial<TransportOptions>;
    server?: Partial<TransportOptions>;
    hostKeyType?: string;
    serverConnection?: Partial<ConnectionOptions>;
    clientConnection?: Partial<ConnectionOptions>;
  } = {},
): Promise<Pair> {
  const key = await hostKey(options.hostKeyType);
  const [a, b] = memoryDuplexPair();
  const [client, server] = await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {}, ...options.client }),
    startTransport(b, { role: "server", hostKeys: [key], ...options.server }),
  ]);
  await client.requestService("ssh-userauth");
  await client.send({
    type: "userauthRequest",
    user: "u",
    service: "ssh-connection",
    method: "none",
  });
  assert.equal((await read(server)).type, "userauthRequest");
  await server.send({ type: "userauthSuccess" });
  assert.equal((await read(client)).type, "userauthSuccess");
  const s = new Connection(server, { role: "server", ...options.serverConnection });
  const c = new Connection(client, { role: "client", ...options.clientConnection });
  return { client, server, c, s, a, b };
}

/** Writes `total` bytes of a deterministic pattern in `chunk`-sized writes; returns the hash. */
async function pump(w: WritableStream<Uint8Array>, total: number, chunk = 64 * 1024, seed = 1) {
  const h = createHash("sha256");
  const writer = w.getWriter();
  let x = seed;
  for (let off = 0; off < total; off += chunk) {
    const n = Math.min(chunk, total - off);
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i += 4096) {
      x = (x * 1103515245 + 12345) >>> 0;
      data.fill(x & 0xff, i, i + 4096);
      data[i] = x >>> 8;
    }
    h.update(data);
    await writer.write(data);
  }
  await writer.close();
  return h.digest("hex");
}

async function drain(r: ReadableStream<Uint8Array>) {
  const h = createHash("sha256");
  let n = 0;
  for await (const chunk of r) {
    h.update(chunk);
    n += chunk.length;
  }
  return { hash: h.digest("hex"), bytes: n };
}

const MiB = 1024 * 1024;

test("256 MiB each way through one channel, a rekey every 16 MiB: nothing lost or reordered", async () => {
  const total = Number(process.env.HUSH_BIG_MIB ?? 256) * MiB;
  let serverChannel!: Promise<{ sent: string; got: { hash: string; bytes: number } }>;
  const p = await connectedPair({
    client: { rekeyBytes: 16 * MiB },
    server: { rekeyBytes: 16 * MiB },
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
  // 2 x total bytes cross, each side counts both directions against its limit
  assert.ok(p.client.kexCount >= total / (16 * MiB), `only ${p.client.kexCount} key exchanges`);
  await p.c.close();
});
