/**
 * The transport and the connection layer together: a Hush client and a Hush server over a
 * socket-like in-memory duplex (issue 8's test list).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import process from "node:process";
import { generateKey, type PrivateKey } from "@hush/keys";
import { Connection, type ConnectionOptions, type ServerSession } from "@hush/channels";
import { DEFAULT_WINDOW } from "@hush/channels";
import type { Message } from "@hush/wire";
import {
  CONTROL_BACKLOG_LIMIT,
  DisconnectError,
  startTransport,
  type Transport,
  type TransportOptions,
  type TransportTimers,
  UPSTREAM_HIGH_WATER_MARK,
} from "./mod.ts";
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

/** `Promise.withResolvers`, which Node 20 lacks. */
function withResolvers<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

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

/** A tiny server: `exec` of "echo X" writes X to stdout, "fail" writes to stderr and exits 3. */
function execServer(session: ServerSession): void {
  session.onRequest = (req) => {
    if (req.request !== "exec") return false;
    queueMicrotask(async () => {
      const out = session.writable.getWriter();
      const err = session.stderrWritable.getWriter();
      const enc = new TextEncoder();
      if (req.command.startsWith("echo ")) {
        await out.write(enc.encode(req.command.slice(5) + "\n"));
        await session.exit(0);
      } else if (req.command === "cat") {
        // echo stdin back until EOF
        for await (const chunk of session.readable) await out.write(chunk);
        await session.exit(0);
      } else {
        await out.write(enc.encode("some output\n"));
        await err.write(enc.encode(`${req.command}: failed\n`));
        await session.exit(3);
      }
    });
    return true;
  };
}

const sessionServer: Partial<ConnectionOptions> = {
  onChannelOpen: (open) => open.channelType === "session",
  onSession: execServer,
};

async function text(r: ReadableStream<Uint8Array>): Promise<string> {
  let s = "";
  const d = new TextDecoder();
  for await (const chunk of r) s += d.decode(chunk, { stream: true });
  return s;
}

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
  assert.equal(p.client.kexCount, 2);
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

test("a clean close flushes: data written just before close() arrives", async () => {
  const received = withResolvers<string>();
  const p = await connectedPair({
    serverConnection: {
      onChannelOpen: () => true,
      onChannel: (ch) => text(ch.readable).then(received.resolve, received.reject),
    },
  });
  const ch = await p.c.openDirectTcpip({
    host: "h",
    port: 1,
    originatorAddress: "o",
    originatorPort: 2,
  });
  const w = ch.writable.getWriter();
  const last = "x".repeat(1_000_000) + "the end";
  await w.write(new TextEncoder().encode(last));
  await w.close();
  await p.c.close(); // right away: the bytes are still in buffers on their way
  assert.equal(await received.promise, last);
  assert.equal(await p.server.closed, undefined);
});

test("transport: a message sent just before disconnect() arrives before the DISCONNECT", async () => {
  const [a, b] = memoryDuplexPair();
  const [c2, s2] = await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {} }),
    startTransport(b, { role: "server", hostKeys: [await hostKey()] }),
  ]);
  await c2.requestService("ssh-userauth");
  c2.send({ type: "userauthRequest", user: "last", service: "s", method: "none" }); // not awaited
  const closing = c2.disconnect();
  const m = await read(s2);
  assert.ok(m.type === "userauthRequest" && m.user === "last");
  await closing;
  assert.equal(await s2.closed, undefined);
});

test("a clean close during a rekey waits for it, then flushes what was held", async () => {
  const [a, b] = memoryDuplexPair();
  const [client, server] = await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {} }),
    startTransport(b, { role: "server", hostKeys: [await hostKey()] }),
  ]);
  await client.requestService("ssh-userauth");
  await client.send({
    type: "userauthRequest",
    user: "u",
    service: "ssh-connection",
    method: "none",
  });
  await read(server);
  await server.send({ type: "userauthSuccess" });
  await read(client);
  const p = { client, server };
  p.client.rekey();
  for (let i = 0; i < 5; i++) {
    p.client.send(
      {
        type: "globalRequest",
        request: "other",
        name: `n${i}`,
        wantReply: false,
        data: new Uint8Array(0),
      } as Message,
    );
  }
  assert.equal(p.client.heldMessages, 5);
  const names: string[] = [];
  const r = p.server.messages.getReader();
  const closing = p.client.disconnect();
  for (;;) {
    const { value, done } = await r.read();
    if (done) break;
    if (value.type === "globalRequest" && value.request === "other") names.push(value.name);
  }
  await closing;
  assert.deepEqual(names, ["n0", "n1", "n2", "n3", "n4"]);
  assert.equal(await p.server.closed, undefined);
});

test("trace: versions, algorithms, fingerprint, kex done, channel events — never secrets", async () => {
  const lines: string[] = [];
  const trace = (l: string) => lines.push(l);
  const randomOut: Uint8Array[] = [];
  const random = (n: number) => {
    const b = crypto.getRandomValues(new Uint8Array(n));
    if (n >= 16) randomOut.push(b.slice());
    return b;
  };
  const key = await hostKey();
  const p = await connectedPair({
    client: { trace, random, rekeyBytes: 64 * 1024 },
    server: { trace, random },
    clientConnection: { trace },
    serverConnection: { ...sessionServer, trace },
  });
  const password = "correct horse battery staple";
  await p.client.send({
    type: "userauthRequest",
    user: "u",
    service: "ssh-connection",
    method: "password",
    password,
  } as Message).catch(() => {});
  const session = await p.c.openSession();
  await session.exec("cat");
  const w = session.writable.getWriter();
  const secretData = new TextEncoder().encode("s3cr3t-payload-".repeat(10000));
  await w.write(secretData);
  await w.close();
  await drain(session.readable);
  await p.c.close();
  await p.server.closed;
  const all = lines.join("\n");
  for (
    const want of [
      "Remote protocol version 2.0, remote software version Hush_0.1.0",
      "kex: algorithm: ",
      "kex: host key algorithm: ",
      `Server host key: ssh-ed25519 ${key.publicKey.fingerprint()}`,
      "SSH2_MSG_NEWKEYS sent",
      "Key exchange done",
      "channel 0: new session",
      "channel 0: free",
    ]
  ) {
    assert.ok(all.includes(want), `trace lacks "${want}"`);
  }
  assert.ok(!all.includes(password), "password in trace");
  assert.ok(!all.includes("s3cr3t"), "channel data in trace");
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
  for (const r of [...randomOut, p.client.sessionId!]) {
    const piece = r.subarray(0, 12);
    assert.ok(!all.includes(hex(piece)), "random or session bytes in trace (hex)");
    assert.ok(!all.includes(b64(piece).slice(0, 16)), "random or session bytes in trace (base64)");
  }
  // the host private key never appears either (its public half is fine)
  const privateText = await import("@hush/keys").then((k) => k.serializePrivateKey(key));
  const body = privateText.split("\n").slice(1, -2).join("");
  for (let i = 0; i + 24 <= body.length; i += 24) {
    assert.ok(!all.includes(body.slice(i, i + 24)), "private key material in trace");
  }
});

test("ping@openssh.com: the client pings after authentication, the server answers", async () => {
  const p = await connectedPair();
  assert.ok(p.client.peerExtensions.has("ping@openssh.com"));
  const data = new TextEncoder().encode("are you there");
  assert.deepEqual(await p.client.ping(data), data);
  // the server's client did not announce it
  await assert.rejects(p.server.ping(), TypeError);
  await p.c.close();
});

test("a PING before authentication is not answered", async () => {
  const [a, b] = memoryDuplexPair();
  const lines: string[] = [];
  const [client] = await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {} }),
    startTransport(b, { role: "server", hostKeys: [await hostKey()], trace: (l) => lines.push(l) }),
  ]);
  await client.send({ type: "ping", data: new Uint8Array(1) });
  await client.requestService("ssh-userauth");
  assert.ok(lines.includes("Not answering PING before authentication or during key exchange"));
  await client.disconnect();
});

test("the connection error reaches both layers: transport closed and channels torn down", async () => {
  const p = await connectedPair({ serverConnection: sessionServer });
  const session = await p.c.openSession();
  await p.server.disconnect(2, "Protocol error for testing");
  await assert.rejects(text(session.readable));
  await p.c.closed;
  const e = await p.client.closed;
  assert.ok(e instanceof DisconnectError && e.fromPeer && e.reason === 2);
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
  // what the server wrote and the client has not read: the pipe's buffer, the packet in hand,
  // and the PONGs queued for writing — bounded, whatever the client sends
  const pongBytes = 1000 + 64;
  const bound = 256 * 1024 + CONTROL_BACKLOG_LIMIT + 4 * pongBytes;
  assert.ok(p.b.buffered <= 256 * 1024 + pongBytes, `${p.b.buffered} bytes in the pipe`);
  // sealed bytes the server produced (the pipe's share of the bound; the rest, at most
  // CONTROL_BACKLOG_LIMIT, waits unsealed in its writer) — the handshake is the 64 KiB slack
  const serverSent = p.server.bytes.out;
  assert.ok(serverSent < bound + 64 * 1024, `server produced ${serverSent} bytes`);
  p.a.resume();
  await flooding;
  assert.equal(sent, 5000);
  await p.c.close();
});

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
  await server.send({ type: "userauthSuccess" });
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
