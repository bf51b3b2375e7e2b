/**
 * The connection layer (RFC 4254) under a hostile peer, server and client side: window adjusts
 * that overflow 2^32-1, data past the window or past max packet, max packet 0 or 2^32-1,
 * replies nobody asked for, messages for channels that do not exist or are closed, truncated
 * channel requests, and floods (channel opens, global and channel requests with want-reply,
 * PINGs) from a peer that never reads: the victim stops reading it, and what it holds stays
 * bounded.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerSession } from "@hush/channels";
import { CONTROL_BACKLOG_LIMIT } from "@hush/transport";
import { DisconnectReason, type Message, SshWriter } from "@hush/wire";
import { floodUnread } from "./flood.ts";
import type { HostilePeer } from "./peer.ts";
import {
  assertDisconnect,
  assertServerServes,
  attackClient,
  attackServer,
  heapUsed,
  letIn,
  logIn,
  MiB,
  type ServerVictim,
} from "./victim.ts";

const { PROTOCOL_ERROR } = DisconnectReason;

/** The server's side of a session the hostile client opened. */
interface Opened {
  /** The server's channel id (our messages' recipient). */
  id: number;
  /** The window the server granted us. */
  window: number;
  /** The server's max packet. */
  maxPacket: number;
}

/** Opens a session channel as our channel `sender`. */
async function openSession(
  peer: HostilePeer,
  sender = 0,
  initialWindow = 1024 * 1024,
  maxPacket = 32 * 1024,
): Promise<Opened> {
  await peer.send({
    type: "channelOpen",
    channelType: "session",
    sender,
    initialWindow,
    maxPacket,
  });
  const c = await peer.expect("channelOpenConfirmation");
  assert.equal(c.recipient, sender);
  return { id: c.sender, window: c.initialWindow, maxPacket: c.maxPacket };
}

/** Sessions whose `exec` of "bytes N" writes N bytes, and whose other requests succeed. */
function bytesSessions(seen: ServerSession[] = []) {
  return {
    onSession: (session: ServerSession) => {
      seen.push(session);
      session.onRequest = (req) => {
        if (req.request !== "exec") return true;
        const n = Number(req.command.split(" ")[1] ?? 0);
        queueMicrotask(async () => {
          const w = session.writable.getWriter();
          for (let sent = 0; sent < n; sent += 64 * 1024) {
            await w.write(new Uint8Array(Math.min(64 * 1024, n - sent)).fill(0x61)).catch(() => {});
          }
          w.releaseLock();
          await session.exit(0).catch(() => {});
        });
        return true;
      };
    },
  };
}

async function loggedIn(extra = {}): Promise<ServerVictim> {
  const v = await attackServer(extra);
  await logIn(v.peer);
  return v;
}

// --- windows and packet sizes --------------------------------------------------------------

test("server: a window adjust that takes the window past 2^32-1 is a protocol error", async () => {
  const v = await loggedIn();
  const ch = await openSession(v.peer, 0, 0xffff_0000);
  await v.peer.send({ type: "channelWindowAdjust", recipient: ch.id, bytes: 0x0001_0000 }); // to 2^32-1 exactly
  await v.peer.send({ type: "channelWindowAdjust", recipient: ch.id, bytes: 1 });
  await assertDisconnect(v, PROTOCOL_ERROR, /overflows the window past 2\^32-1/);
});

test("server: many window adjusts adding up past 2^32-1 are a protocol error", async () => {
  const v = await loggedIn();
  const ch = await openSession(v.peer, 0, 0);
  for (let i = 0; i < 4; i++) {
    await v.peer.send({ type: "channelWindowAdjust", recipient: ch.id, bytes: 0x4000_0000 });
  }
  await v.peer.send({ type: "channelWindowAdjust", recipient: ch.id, bytes: 1 });
  await assertDisconnect(v, PROTOCOL_ERROR, /overflows the window/);
});

test("server: data one byte past the window it granted is a protocol error", async () => {
  const v = await loggedIn();
  const ch = await openSession(v.peer);
  const packet = Math.min(ch.maxPacket, 32 * 1024);
  let left = ch.window;
  while (left > 0) {
    const n = Math.min(packet, left);
    await v.peer.send({ type: "channelData", recipient: ch.id, data: new Uint8Array(n) });
    left -= n;
  }
  await v.peer.send({ type: "channelData", recipient: ch.id, data: new Uint8Array(1) });
  await assertDisconnect(v, PROTOCOL_ERROR, /past its window of 0/);
});

test("server: data one byte past its max packet is a protocol error", async () => {
  const v = await loggedIn();
  const ch = await openSession(v.peer);
  await v.peer.send({ type: "channelData", recipient: ch.id, data: new Uint8Array(ch.maxPacket) });
  await v.peer.send({
    type: "channelData",
    recipient: ch.id,
    data: new Uint8Array(ch.maxPacket + 1),
  });
  await assertDisconnect(v, PROTOCOL_ERROR, /past max packet/);
});

test("server: extended data past the window is a protocol error too", async () => {
  const v = await loggedIn();
  const ch = await openSession(v.peer, 0, 1024, 1024);
  await v.peer.send({
    type: "channelExtendedData",
    recipient: ch.id,
    dataType: 1,
    data: new Uint8Array(ch.maxPacket + 1),
  });
  await assertDisconnect(v, PROTOCOL_ERROR);
});

for (const maxPacket of [0, 8]) {
  test(`server: a channel open with max packet ${maxPacket} is a protocol error`, async () => {
    const v = await loggedIn();
    await v.peer.send({
      type: "channelOpen",
      channelType: "session",
      sender: 0,
      initialWindow: 65536,
      maxPacket,
    });
    await assertDisconnect(v, PROTOCOL_ERROR, /max packet/);
  });
}

test("server: max packet and window 2^32-1 are taken; its packets stay within 256 KiB", async () => {
  const v = await loggedIn(bytesSessions());
  const ch = await openSession(v.peer, 0, 0xffff_ffff, 0xffff_ffff);
  await v.peer.send({
    type: "channelRequest",
    recipient: ch.id,
    request: "exec",
    command: "bytes 1048576",
    wantReply: true,
  });
  let got = 0;
  for (;;) {
    const m = await v.peer.next();
    assert.ok(m, "closed before the channel did");
    if (m.type === "channelData") {
      assert.ok(m.data.length <= 128 * 1024, `a ${m.data.length} byte data packet`);
      got += m.data.length;
    }
    if (m.type === "channelClose") break;
  }
  assert.equal(got, 1048576);
});

// --- replies and messages nobody asked for -------------------------------------------------

for (
  const [name, message, pattern] of [
    [
      "REQUEST_SUCCESS",
      { type: "requestSuccess", data: new Uint8Array(0) },
      /global request reply with no request pending/,
    ],
    ["REQUEST_FAILURE", { type: "requestFailure" }, /global request reply with no request pending/],
    ["a channel open confirmation for a channel never opened", {
      type: "channelOpenConfirmation",
      recipient: 7,
      sender: 7,
      initialWindow: 1024,
      maxPacket: 1024,
      data: new Uint8Array(0),
    }, /unknown channel 7/],
    ["a channel open failure for a channel never opened", {
      type: "channelOpenFailure",
      recipient: 3,
      reason: 1,
      description: "",
      language: "",
    }, /unknown channel 3/],
    ["data for a channel that does not exist", {
      type: "channelData",
      recipient: 99,
      data: new Uint8Array(8),
    }, /unknown channel 99/],
    ["a window adjust for a channel that does not exist", {
      type: "channelWindowAdjust",
      recipient: 0xffff_ffff,
      bytes: 1,
    }, /unknown channel/],
    [
      "a close for a channel that does not exist",
      { type: "channelClose", recipient: 5 },
      /unknown channel 5/,
    ],
    [
      "CHANNEL_SUCCESS for a channel that does not exist",
      { type: "channelSuccess", recipient: 1 },
      /unknown channel 1/,
    ],
  ] as [string, Message, RegExp][]
) {
  test(`server: ${name} is a protocol error`, async () => {
    const v = await loggedIn();
    await v.peer.send(message);
    await assertDisconnect(v, PROTOCOL_ERROR, pattern);
  });
}

test("server: CHANNEL_SUCCESS on an open channel with no request pending is a protocol error", async () => {
  const v = await loggedIn();
  const ch = await openSession(v.peer);
  await v.peer.send({ type: "channelSuccess", recipient: ch.id });
  await assertDisconnect(v, PROTOCOL_ERROR, /no request pending/);
});

test("server: a second EOF, or data after EOF, is a protocol error", async () => {
  {
    const v = await loggedIn();
    const ch = await openSession(v.peer);
    await v.peer.send({ type: "channelEof", recipient: ch.id });
    await v.peer.send({ type: "channelEof", recipient: ch.id });
    await assertDisconnect(v, PROTOCOL_ERROR, /second EOF/);
  }
  {
    const v = await loggedIn();
    const ch = await openSession(v.peer);
    await v.peer.send({ type: "channelEof", recipient: ch.id });
    await v.peer.send({ type: "channelData", recipient: ch.id, data: new Uint8Array(1) });
    await assertDisconnect(v, PROTOCOL_ERROR, /after EOF/);
  }
});

test("server: a message on a channel after both CLOSEs is a protocol error", async () => {
  const v = await loggedIn();
  const ch = await openSession(v.peer);
  await v.peer.send({ type: "channelClose", recipient: ch.id });
  await v.peer.expect("channelClose");
  await v.peer.send({ type: "channelData", recipient: ch.id, data: new Uint8Array(1) });
  await assertDisconnect(v, PROTOCOL_ERROR, /unknown channel|closed/);
});

test("server: an unsolicited PONG is ignored; a PING after authentication is answered", async () => {
  const v = await loggedIn();
  await v.peer.send({ type: "pong", data: new Uint8Array(16) });
  await v.peer.send({ type: "ping", data: new Uint8Array([1, 2, 3]) });
  const pong = await v.peer.expect("pong");
  assert.deepEqual([...pong.data], [1, 2, 3]);
});

// --- truncated channel requests ------------------------------------------------------------

/** CHANNEL_REQUEST to `recipient` for `request` with `want-reply` and the raw `fields`. */
function channelRequest(
  recipient: number,
  request: string,
  fields: (w: SshWriter) => void,
): Uint8Array {
  const w = new SshWriter().byte(98).uint32(recipient).string(request).boolean(true);
  fields(w);
  return w.finish();
}

for (
  const [request, fields] of [
    ["exec", (_: SshWriter) => {}],
    ["exec", (w: SshWriter) => w.uint32(100).raw(new Uint8Array(10))],
    ["env", (w: SshWriter) => w.string("LANG")],
    ["pty-req", (w: SshWriter) => w.string("xterm").uint32(80).uint32(24)],
    [
      "pty-req",
      (w: SshWriter) =>
        w.string("xterm").uint32(80).uint32(24).uint32(0).uint32(0).uint32(5).raw(
          new Uint8Array([1, 0]),
        ),
    ],
    ["window-change", (w: SshWriter) => w.uint32(80)],
    ["subsystem", (w: SshWriter) => w.raw(new Uint8Array([0, 0]))],
    ["signal", (_: SshWriter) => {}],
    ["x11-req", (w: SshWriter) => w.boolean(false).string("MIT-MAGIC-COOKIE-1")],
    ["exit-status", (_: SshWriter) => {}],
    ["break", (w: SshWriter) => w.raw(new Uint8Array([0]))],
  ] as [string, (w: SshWriter) => void][]
) {
  test(`server: a truncated "${request}" channel request is a protocol error (${fields.toString().length} chars of fields)`, async () => {
    const v = await loggedIn();
    const ch = await openSession(v.peer);
    await v.peer.sendPayload(channelRequest(ch.id, request, fields));
    await assertDisconnect(v, PROTOCOL_ERROR);
  });
}

test("server: a channel request with trailing bytes is a protocol error", async () => {
  const v = await loggedIn();
  const ch = await openSession(v.peer);
  await v.peer.sendPayload(channelRequest(ch.id, "shell", (w) => w.raw(new Uint8Array([1, 2, 3]))));
  await assertDisconnect(v, PROTOCOL_ERROR);
});

test("server: a CHANNEL_REQUEST with no type at all, or no recipient, is a protocol error", async () => {
  {
    const v = await loggedIn();
    await v.peer.sendPayload(new Uint8Array([98, 0, 0]));
    await assertDisconnect(v, PROTOCOL_ERROR);
  }
  {
    const v = await loggedIn();
    const ch = await openSession(v.peer);
    await v.peer.sendPayload(new SshWriter().byte(98).uint32(ch.id).finish());
    await assertDisconnect(v, PROTOCOL_ERROR);
  }
});

// --- floods from a peer that never reads ---------------------------------------------------

/** Bytes the victim took from its socket while the flood ran (sent minus still buffered). */
function taken(v: ServerVictim, bytes: number): number {
  return bytes - v.client.buffered;
}

/** Most bytes of requests a server reads from a peer that takes none of its answers. */
const READ_BOUND = 8 * MiB;

/** Small socket buffers (16 KiB each way), so that a flood stalls after fewer messages. */
const SMALL_SOCKET = { highWaterMark: 16 * 1024 };

/** The suite floods run with: AES-GCM, on node:crypto on both ends where it is there. */
const FLOOD_SUITE = { ciphers: ["aes128-gcm@openssh.com"] };

for (
  const [name, make, drain] of [
    ["global requests with want-reply", (_i: number) => ({
      type: "globalRequest",
      request: "other",
      name: "hostile@flood",
      wantReply: true,
      data: new Uint8Array(0),
    } as Message), true],
    ["PINGs", (_i: number) => ({ type: "ping", data: new Uint8Array(64) } as Message), false],
    [
      "unknown message numbers (each answered UNIMPLEMENTED)",
      (_i: number) => new Uint8Array([200, 0, 0, 0, 0]),
      false,
    ],
    ["refused channel opens", (i: number) => ({
      type: "channelOpen",
      channelType: "other",
      name: "hostile@flood",
      data: new Uint8Array(0),
      sender: i,
      initialWindow: 1024,
      maxPacket: 1024,
    } as unknown as Message), false],
  ] as [string, (i: number) => Message | Uint8Array, boolean][]
) {
  test(`server: a flood of ${name} from a peer that never reads stalls; the server holds a bounded amount`, async () => {
    const v = await attackServer({}, FLOOD_SUITE, SMALL_SOCKET);
    await logIn(v.peer);
    v.client.pause(); // we never read the answers
    const heapBefore = heapUsed();
    const flood = await floodUnread(v.peer, make, 400_000);
    assert.ok(flood.stalled, `the server read all ${flood.sent} messages (${flood.bytes} bytes)`);
    assert.ok(taken(v, flood.bytes) < READ_BOUND, `the server read ${taken(v, flood.bytes)} bytes`);
    const grown = heapUsed() - heapBefore;
    assert.ok(grown < 64 * MiB, `the heap grew by ${(grown / MiB).toFixed(1)} MiB`);
    if (!drain) {
      v.peer.hangUp();
      await v.outcome;
      return;
    }
    // reading again, every answer arrives (the stalled batch's too) and the connection works
    v.client.resume();
    const last = v.peer.send({ type: "ping", data: new Uint8Array([7]) });
    let answers = 0;
    for (;;) {
      const m = await v.peer.next();
      assert.ok(m, "the victim closed");
      if (m.type === "requestFailure") answers++;
      if (m.type === "pong") break;
    }
    await last;
    assert.ok(answers >= flood.sent, `${answers} answers to ${flood.sent} requests`);
  });
}

/** Decisions the test makes later: each call waits until `release()`. */
function heldDecisions<T>(answer: T) {
  const waiting: (() => void)[] = [];
  return {
    decide: () => new Promise<T>((resolve) => waiting.push(() => resolve(answer))),
    get count() {
      return waiting.length;
    },
    release: () => waiting.splice(0).forEach((go) => go()),
  };
}

test("server: global requests the application is slow to decide stall the peer at REQUEST_BACKLOG_LIMIT", async () => {
  const held = heldDecisions<false>(false);
  const v = await attackServer(
    { onForward: { tcpipForward: held.decide } },
    FLOOD_SUITE,
    SMALL_SOCKET,
  );
  await logIn(v.peer);
  const flood = await floodUnread(v.peer, (i) => ({
    type: "globalRequest",
    request: "tcpip-forward",
    address: "127.0.0.1",
    port: 1024 + (i % 1000),
    wantReply: true,
  }), 400_000);
  assert.ok(flood.stalled, `the server read all ${flood.sent} requests`);
  // one deciding, the rest queued behind it in order: at most the limit read and owed
  assert.equal(held.count, 1);
  assert.ok(taken(v, flood.bytes) < 256 * 1024, `the server read ${taken(v, flood.bytes)} bytes`);
  // the application decides at last: every request is answered, in order, and more are read
  let answered = 0;
  const reading = (async () => {
    for (;;) {
      const m = await v.peer.next();
      if (!m || m.type === "pong") return;
      if (m.type === "requestFailure") answered++;
    }
  })();
  const releasing = setInterval(() => held.release(), 1);
  await v.peer.send({ type: "ping", data: new Uint8Array(1) });
  await reading;
  clearInterval(releasing);
  assert.ok(answered >= flood.sent, `${answered} answers to ${flood.sent} requests`);
});

test("server: channel requests the application is slow to decide stall the peer at REQUEST_BACKLOG_LIMIT", async () => {
  const held = heldDecisions(true);
  const v = await attackServer(
    { onSession: (session) => (session.onRequest = held.decide) },
    FLOOD_SUITE,
    SMALL_SOCKET,
  );
  await logIn(v.peer);
  const ch = await openSession(v.peer);
  const flood = await floodUnread(
    v.peer,
    () => ({
      type: "channelRequest",
      recipient: ch.id,
      request: "env",
      name: "A",
      value: "b",
      wantReply: true,
    }),
    400_000,
  );
  assert.ok(flood.stalled, `the server read all ${flood.sent} requests`);
  assert.equal(held.count, 1);
  assert.ok(taken(v, flood.bytes) < 256 * 1024, `the server read ${taken(v, flood.bytes)} bytes`);
  let answered = 0;
  const releasing = setInterval(() => held.release(), 1);
  while (answered < flood.sent) {
    const m = await v.peer.next();
    assert.ok(m, "the victim closed");
    if (m.type === "channelSuccess") answered++;
  }
  clearInterval(releasing);
});

test("server: a flood of channel opens is capped at the channel limit, the rest refused", async () => {
  const sessions: ServerSession[] = [];
  // MaxSessions (10 by default, refused as CONNECT_FAILED) lifted past the channel limit
  const v = await loggedIn({ ...bytesSessions(sessions), limits: { maxSessions: 4096 } });
  const opens = 1500;
  for (let i = 0; i < opens; i++) {
    await v.peer.send({
      type: "channelOpen",
      channelType: "session",
      sender: i,
      initialWindow: 1024,
      maxPacket: 1024,
    });
  }
  let confirmed = 0;
  let refused = 0;
  while (confirmed + refused < opens) {
    const m = await v.peer.next();
    assert.ok(m, "the victim closed");
    if (m.type === "channelOpenConfirmation") confirmed++;
    if (m.type === "channelOpenFailure") {
      refused++;
      assert.equal(m.reason, 4); // RESOURCE_SHORTAGE
    }
  }
  const ctx = await v.context;
  assert.ok(ctx!.connection.channelCount <= 1024, `${ctx!.connection.channelCount} channels`);
  assert.ok(confirmed <= 1024, `${confirmed} channels confirmed`);
  assert.equal(confirmed + refused, opens);
});

test("server: channel requests with want-reply from a peer that never reads stall; bounded", async () => {
  const v = await attackServer(bytesSessions(), FLOOD_SUITE, SMALL_SOCKET);
  await logIn(v.peer);
  const ch = await openSession(v.peer);
  v.client.pause();
  const flood = await floodUnread(
    v.peer,
    () => ({
      type: "channelRequest",
      recipient: ch.id,
      request: "env",
      name: "A",
      value: "b",
      wantReply: true,
    }),
    400_000,
  );
  assert.ok(flood.stalled, `the server read all ${flood.sent} requests`);
  assert.ok(taken(v, flood.bytes) < READ_BOUND, `the server read ${taken(v, flood.bytes)} bytes`);
  v.peer.hangUp();
  await v.outcome;
});

test("server: answers to one flooding peer are bounded by CONTROL_BACKLOG_LIMIT plus the socket buffer", async () => {
  const v = await attackServer({}, FLOOD_SUITE);
  await logIn(v.peer);
  v.client.pause();
  await floodUnread(v.peer, () => ({ type: "ping", data: new Uint8Array(1024) }), 400_000);
  // the server's answers that did not fit in the socket wait in its backlog, which is bounded
  assert.ok(
    v.server.buffered <= 256 * 1024 + 2 * CONTROL_BACKLOG_LIMIT + 1024 * 1024,
    `${v.server.buffered} bytes`,
  );
});

// --- a peer that stalls a key exchange -----------------------------------------------------

test("server: a peer that sends KEXINIT and never finishes: the server's output is held, bounded", async () => {
  const sessions: ServerSession[] = [];
  const v = await loggedIn(bytesSessions(sessions));
  const ch = await openSession(v.peer, 0, 0xffff_ffff, 0xffff_ffff);
  await v.peer.sendKexInit(v.peer.kexInit({}, false)); // a rekey we never continue
  await v.peer.send({
    type: "channelRequest",
    recipient: ch.id,
    request: "exec",
    command: "bytes 67108864",
    wantReply: false,
  });
  const ctx = (await v.context)!;
  // let the session write until it is held up
  for (let i = 0; i < 50 && ctx.transport.heldMessages === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(ctx.transport.inKex);
  assert.ok(ctx.transport.heldBytes <= 4 * MiB, `${ctx.transport.heldBytes} bytes held`);
  const out = ctx.transport.bytes.out;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(ctx.transport.bytes.out, out, "the server kept sending during the key exchange");
  assert.ok(ctx.transport.heldBytes <= 4 * MiB);
  await v.peer.close();
  await v.outcome;
});

test("server: a peer that never answers the server's rekey: output is held, bounded", async () => {
  const v = await loggedIn({ ...bytesSessions(), limits: { rekeyBytes: 256 * 1024 } });
  const ch = await openSession(v.peer, 0, 0xffff_ffff, 0xffff_ffff);
  await v.peer.send({
    type: "channelRequest",
    recipient: ch.id,
    request: "exec",
    command: "bytes 67108864",
    wantReply: false,
  });
  // read until the server's KEXINIT, then stop answering anything
  await v.peer.expect("kexInit").catch(() => {});
  const ctx = (await v.context)!;
  for (let i = 0; i < 100 && ctx.transport.heldBytes < 4 * MiB - 64 * 1024; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(ctx.transport.inKex, "no key exchange running");
  assert.ok(ctx.transport.heldBytes <= 4 * MiB, `${ctx.transport.heldBytes} bytes held`);
  assert.ok(ctx.transport.bytes.out < 2 * MiB, `${ctx.transport.bytes.out} bytes sent in all`);
  await v.peer.close();
});

// --- the client ----------------------------------------------------------------------------

test("client: a server's window adjust past 2^32-1 on a session is a protocol error", async () => {
  const v = attackClient();
  const client = await letIn(v);
  const opening = client.connection.openSession();
  const open = await v.peer.expect("channelOpen");
  await v.peer.send({
    type: "channelOpenConfirmation",
    recipient: open.sender,
    sender: 0,
    initialWindow: 0xffff_ffff,
    maxPacket: 32768,
    data: new Uint8Array(0),
  });
  await opening;
  await v.peer.send({ type: "channelWindowAdjust", recipient: open.sender, bytes: 1 });
  const e = await client.transport.closed;
  assert.equal(e?.reason, PROTOCOL_ERROR);
  assert.match(e!.message, /overflows the window/);
});

test("client: a server's data past the window it was granted is a protocol error", async () => {
  const v = attackClient();
  const client = await letIn(v);
  const opening = client.connection.openSession();
  const open = await v.peer.expect("channelOpen");
  await v.peer.send({
    type: "channelOpenConfirmation",
    recipient: open.sender,
    sender: 0,
    initialWindow: 1024,
    maxPacket: 1024,
    data: new Uint8Array(0),
  });
  await opening;
  await v.peer.send({
    type: "channelData",
    recipient: open.sender,
    data: new Uint8Array(open.maxPacket + 1),
  });
  const e = await client.transport.closed;
  assert.equal(e?.reason, PROTOCOL_ERROR);
  assert.match(e!.message, /past (its window|max packet)/);
});

test("client: an open confirmation with max packet 0 is a protocol error", async () => {
  const v = attackClient();
  const client = await letIn(v);
  const opening = client.connection.openSession();
  opening.catch(() => {});
  const open = await v.peer.expect("channelOpen");
  await v.peer.send({
    type: "channelOpenConfirmation",
    recipient: open.sender,
    sender: 0,
    initialWindow: 1024,
    maxPacket: 0,
    data: new Uint8Array(0),
  });
  await assert.rejects(opening);
  const e = await client.transport.closed;
  assert.equal(e?.reason, PROTOCOL_ERROR);
});

test("client: unsolicited REQUEST_SUCCESS and CHANNEL_SUCCESS are protocol errors", async () => {
  {
    const v = attackClient();
    const client = await letIn(v);
    await v.peer.send({ type: "requestSuccess", data: new Uint8Array(0) });
    const e = await client.transport.closed;
    assert.equal(e?.reason, PROTOCOL_ERROR);
    assert.match(e!.message, /no request pending/);
  }
  {
    const v = attackClient();
    const client = await letIn(v);
    await v.peer.send({ type: "channelSuccess", recipient: 0 });
    const e = await client.transport.closed;
    assert.equal(e?.reason, PROTOCOL_ERROR);
  }
});

test("client: a server's flood of channel opens, never reading the refusals, stalls; bounded", async () => {
  const v = attackClient({ algorithms: FLOOD_SUITE }, FLOOD_SUITE, SMALL_SOCKET);
  const client = await letIn(v);
  v.server.pause();
  const flood = await floodUnread(v.peer, (i) => ({
    type: "channelOpen",
    channelType: "forwarded-tcpip",
    address: "127.0.0.1",
    port: 22,
    originatorAddress: "10.0.0.1",
    originatorPort: i & 0xffff,
    sender: i,
    initialWindow: 1024,
    maxPacket: 1024,
  }), 400_000);
  assert.ok(flood.stalled, `the client read all ${flood.sent} opens`);
  assert.ok(flood.bytes - v.server.buffered < READ_BOUND);
  assert.equal(client.connection.channelCount, 0);
  v.server.resume();
  await client.close();
});

test("client: a server that stalls its rekey holds the client's writes, bounded", async () => {
  const v = attackClient();
  const client = await letIn(v);
  const opening = client.connection.openSession();
  const open = await v.peer.expect("channelOpen");
  await v.peer.send({
    type: "channelOpenConfirmation",
    recipient: open.sender,
    sender: 0,
    initialWindow: 0xffff_ffff,
    maxPacket: 0xffff_ffff,
    data: new Uint8Array(0),
  });
  const session = await opening;
  await v.peer.sendKexInit(v.peer.kexInit({}, false));
  const w = session.writable.getWriter();
  let written = 0;
  const writing = (async () => {
    for (let i = 0; i < 1024; i++) {
      await w.write(new Uint8Array(64 * 1024));
      written += 64 * 1024;
    }
  })();
  writing.catch(() => {});
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(client.transport.heldBytes <= 4 * MiB, `${client.transport.heldBytes} bytes held`);
  assert.ok(written < 16 * MiB, `the application wrote ${written} bytes into a stalled connection`);
  await v.peer.close();
  await client.transport.closed;
});

test("after all of the above, a well-behaved client still logs in", async () => {
  await assertServerServes();
});
