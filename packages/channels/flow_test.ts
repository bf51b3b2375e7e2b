/**
 * Flow control and the peer's violations of it, each a test: a Connection against a scripted
 * peer on an in-memory message port.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason, type Message } from "@hush/wire";
import {
  ChannelError,
  Connection,
  type ConnectionTimers,
  MAX_MAX_PACKET,
  MIN_MAX_PACKET,
  SEND_PACKET_LIMIT,
} from "./mod.ts";
import { type MemoryConn, memoryConnPair } from "./testing.ts";

async function next(conn: MemoryConn): Promise<Message> {
  const r = conn.messages.getReader();
  try {
    const { value, done } = await r.read();
    assert.ok(!done, "ended");
    return value;
  } finally {
    r.releaseLock();
  }
}

/** A client Connection and a raw server end; the client has opened channel 0, window `w`. */
async function openedByClient(peerWindow = 1000, peerMaxPacket = 32768, initialWindow = 4096) {
  const [a, raw] = memoryConnPair();
  const c = new Connection(a, { role: "client", initialWindow, maxPacket: 1024 });
  const opening = c.openDirectTcpip({
    host: "h",
    port: 1,
    originatorAddress: "o",
    originatorPort: 2,
  });
  const open = await next(raw);
  assert.equal(open.type, "channelOpen");
  await raw.send({
    type: "channelOpenConfirmation",
    recipient: 0,
    sender: 7,
    initialWindow: peerWindow,
    maxPacket: peerMaxPacket,
    data: new Uint8Array(0),
  });
  const ch = await opening;
  return { c, raw, ch, a };
}

async function disconnectedFor(c: Connection, raw: MemoryConn, pattern: RegExp) {
  await c.closed;
  assert.ok(c.error instanceof ChannelError, String(c.error));
  assert.match(c.error.message, pattern);
  assert.equal(raw.disconnected?.reason, DisconnectReason.PROTOCOL_ERROR);
  assert.equal(raw.disconnected?.by, "peer");
}

test(`a peer's max packet below ${MIN_MAX_PACKET} in an open confirmation disconnects`, async () => {
  const [a, raw] = memoryConnPair();
  const c = new Connection(a, { role: "client" });
  const opening = c.openSession();
  await next(raw);
  await raw.send({
    type: "channelOpenConfirmation",
    recipient: 0,
    sender: 1,
    initialWindow: 100,
    maxPacket: 8,
    data: new Uint8Array(0),
  });
  await assert.rejects(opening, ChannelError);
  await disconnectedFor(c, raw, /max packet 8 is below 9/);
});

test("a peer's max packet of exactly 9 is fine", async () => {
  const { c, ch } = await openedByClient(100, 9);
  const w = ch.writable.getWriter();
  await w.write(new Uint8Array(20));
  assert.equal(ch.sendWindow, 80);
  await c.close();
});

test(`a peer's max packet below ${MIN_MAX_PACKET} in a channel open disconnects`, async () => {
  const [a, raw] = memoryConnPair();
  const c = new Connection(a, { role: "server", onChannelOpen: () => true });
  await raw.send({
    type: "channelOpen",
    channelType: "session",
    sender: 3,
    initialWindow: 100,
    maxPacket: 0,
  } as Message);
  await disconnectedFor(c, raw, /max packet 0 .* is below 9/);
});

test("a window adjust up to exactly 2^32-1 is fine, one past disconnects", async () => {
  const { c, raw, ch } = await openedByClient(1000);
  await raw.send({ type: "channelWindowAdjust", recipient: 0, bytes: 0xffff_ffff - 1000 });
  await raw.send({ type: "channelEof", recipient: 0 });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(ch.sendWindow, 0xffff_ffff);
  await raw.send({ type: "channelWindowAdjust", recipient: 0, bytes: 1 });
  await disconnectedFor(c, raw, /overflows the window past 2\^32-1/);
});

test("data up to our window is fine, one byte past it disconnects", async () => {
  const { c, raw, ch } = await openedByClient(1000, 32768, 2048);
  // nobody reads: the window is not replenished
  await raw.send({ type: "channelData", recipient: 0, data: new Uint8Array(1024) });
  await raw.send({ type: "channelData", recipient: 0, data: new Uint8Array(1024) });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(ch.queuedBytes, 2048);
  await raw.send({ type: "channelData", recipient: 0, data: new Uint8Array(1) });
  await disconnectedFor(c, raw, /past its window of 0/);
});

test("data past our max packet disconnects", async () => {
  const { c, raw } = await openedByClient(1000, 32768, 4096);
  await raw.send({ type: "channelData", recipient: 0, data: new Uint8Array(1025) });
  await disconnectedFor(c, raw, /past max packet/);
});

test("extended data counts against the same window", async () => {
  const { c, raw } = await openedByClient(1000, 32768, 1024);
  await raw.send({
    type: "channelExtendedData",
    recipient: 0,
    dataType: 1,
    data: new Uint8Array(1000),
  });
  await raw.send({ type: "channelData", recipient: 0, data: new Uint8Array(25) });
  await disconnectedFor(c, raw, /past its window/);
});

test("a writer stops at the peer's window and goes on as it is adjusted", async () => {
  const { c, raw, ch } = await openedByClient(3000);
  const w = ch.writable.getWriter();
  let done = false;
  const writing = w.write(new Uint8Array(5000)).then(() => (done = true));
  const got: number[] = [];
  for (let n = 0; n < 3000;) {
    const m = await next(raw);
    assert.equal(m.type, "channelData");
    if (m.type === "channelData") {
      assert.ok(m.data.length <= 32768);
      got.push(m.data.length);
      n += m.data.length;
    }
  }
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(done, false);
  assert.equal(ch.sendWindow, 0);
  await raw.send({ type: "channelWindowAdjust", recipient: 0, bytes: 2000 });
  const rest = await next(raw);
  assert.ok(rest.type === "channelData" && rest.data.length === 2000);
  await writing;
  await c.close();
});

test("window is given back only as the reader consumes", async () => {
  const { c, raw, ch } = await openedByClient(1000, 32768, 4096);
  for (let i = 0; i < 4; i++) {
    await raw.send({ type: "channelData", recipient: 0, data: new Uint8Array(1024) });
  }
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(raw.sent.get("channelWindowAdjust"), undefined);
  const r = ch.readable.getReader();
  let read = 0;
  while (read < 4096) read += (await r.read()).value!.length;
  const adjust = await next(raw);
  assert.equal(adjust.type, "channelWindowAdjust");
  assert.ok(adjust.type === "channelWindowAdjust" && adjust.bytes >= 2048);
  await c.close();
});

test("a window adjust goes out once half the window is consumed, not before", async () => {
  // each adjust is a packet and, on loopback, a send the receiver pays for: one per half window
  const { c, raw, ch } = await openedByClient(1000, 32768, 65536);
  const r = ch.readable.getReader();
  for (let i = 0; i < 31; i++) {
    await raw.send({ type: "channelData", recipient: 0, data: new Uint8Array(1024) });
    await r.read();
  }
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(raw.sent.get("channelWindowAdjust"), undefined, "31 KiB of 64 consumed");
  await raw.send({ type: "channelData", recipient: 0, data: new Uint8Array(1024) });
  await r.read();
  const adjust = await next(raw);
  assert.ok(adjust.type === "channelWindowAdjust" && adjust.bytes === 32768);
  await c.close();
});

test("keepalive: a silent peer is given up after keepaliveCountMax unanswered requests", async () => {
  const ticks: (() => void)[] = [];
  let cleared = false;
  const timers: ConnectionTimers = {
    setInterval: (fn) => ticks.push(fn),
    clearInterval: () => (cleared = true),
  };
  const lines: string[] = [];
  const [a, raw] = memoryConnPair();
  const c = new Connection(a, {
    role: "client",
    keepaliveInterval: 15_000,
    keepaliveCountMax: 2,
    timers,
    trace: (l) => lines.push(l),
  });
  assert.equal(ticks.length, 1);
  for (let i = 1; i <= 2; i++) {
    ticks[0]();
    const m = await next(raw);
    assert.ok(m.type === "globalRequest" && m.wantReply, JSON.stringify(m));
    assert.ok(
      m.type === "globalRequest" && m.request === "other" && m.name === "keepalive@openssh.com",
    );
  }
  ticks[0]();
  await c.closed;
  assert.equal(c.error?.message, "Timeout, peer not responding");
  assert.equal(c.error?.reason, DisconnectReason.CONNECTION_LOST);
  assert.equal(raw.disconnected?.reason, DisconnectReason.CONNECTION_LOST);
  assert.ok(cleared);
  assert.ok(lines.includes("Timeout, peer not responding."));
});

test("keepalive: any reply (even REQUEST_FAILURE) keeps the connection", async () => {
  const ticks: (() => void)[] = [];
  const timers: ConnectionTimers = { setInterval: (fn) => ticks.push(fn), clearInterval: () => {} };
  const [a, b] = memoryConnPair();
  new Connection(b, { role: "server" }); // fails keepalive@openssh.com like OpenSSH
  const c = new Connection(a, {
    role: "client",
    keepaliveInterval: 1000,
    keepaliveCountMax: 1,
    timers,
  });
  for (let i = 0; i < 5; i++) {
    ticks[0]();
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(c.error, undefined);
  assert.equal(a.sent.get("globalRequest"), 3); // sent on every silent tick, not after a reply
  await c.close();
});

test(`maxPacket may be up to MAX_MAX_PACKET (${MAX_MAX_PACKET}), not one more`, () => {
  const [a] = memoryConnPair();
  new Connection(a, { role: "client", maxPacket: MAX_MAX_PACKET });
  const [b] = memoryConnPair();
  assert.throws(
    () => new Connection(b, { role: "client", maxPacket: MAX_MAX_PACKET + 1 }),
    RangeError,
  );
});

test(`data goes out in pieces of the peer's max packet, at most SEND_PACKET_LIMIT`, async () => {
  for (const peerMax of [1000, SEND_PACKET_LIMIT, SEND_PACKET_LIMIT + 1, 0xffff_ffff]) {
    const { c, raw, ch } = await openedByClient(4 * SEND_PACKET_LIMIT, peerMax);
    const w = ch.writable.getWriter();
    await w.write(new Uint8Array(3 * SEND_PACKET_LIMIT));
    const m = await next(raw);
    assert.ok(m.type === "channelData");
    assert.equal(m.data.length, Math.min(peerMax, SEND_PACKET_LIMIT));
    await c.close();
  }
});

test("a channel disposed of (await using) sends CLOSE, and is closed once the peer closes", async () => {
  const { raw, ch } = await openedByClient();
  const disposing = ch[Symbol.asyncDispose]();
  const sent: string[] = [];
  for (let m = await next(raw);; m = await next(raw)) {
    sent.push(m.type);
    if (m.type === "channelClose") break;
  }
  assert.equal(sent.at(-1), "channelClose");
  await raw.send({ type: "channelClose", recipient: 0 });
  await disposing;
});

test("a write settles only once its bytes are encoded: the writer may reuse the chunk", async () => {
  const { c, raw, ch } = await openedByClient(100_000);
  assert.equal(ch.writesAreDone, true);
  const w = ch.writable.getWriter();
  const chunk = new Uint8Array(3000).fill(7);
  await w.write(chunk);
  chunk.fill(0xff);
  await w.write(chunk.subarray(0, 10));
  const got: number[] = [];
  while (got.length < 3010) {
    const m = await next(raw);
    if (m.type === "channelData") got.push(...m.data);
  }
  assert.deepEqual(got, [...new Array(3000).fill(7), ...new Array(10).fill(0xff)]);
  await c.close();
});
