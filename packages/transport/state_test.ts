/**
 * The state machine, one rejection per test: a real Hush end ("victim") against a peer that
 * breaks the rules — either a raw scripted peer (for the first key exchange) or another Hush
 * transport made to send a message out of place.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKey, type PrivateKey } from "@hush/keys";
import { createKexInit, DEFAULT_KEX } from "@hush/kex";
import {
  decodeMessage,
  encodeMessage,
  type Message,
  NoneSealer,
  PacketReader,
  PacketWriter,
  readVersionLine,
} from "@hush/wire";
import {
  allowedMessage,
  DisconnectError,
  startTransport,
  type Transport,
  type TransportOptions,
} from "./mod.ts";
import { type MemoryDuplex, memoryDuplexPair } from "./testing.ts";

let key: Promise<PrivateKey> | undefined;
const hostKey = () => (key ??= generateKey("ssh-ed25519"));

/** A peer that speaks plaintext packets: enough to break the rules of the first key exchange. */
class RawPeer {
  #w: WritableStreamDefaultWriter<Uint8Array>;
  #writer = new PacketWriter();
  #packets?: ReadableStreamDefaultReader<{ payload: Uint8Array; sequence: number }>;
  #duplex: MemoryDuplex;

  constructor(duplex: MemoryDuplex) {
    this.#duplex = duplex;
    this.#w = this.#writer.writable.getWriter();
  }

  async start(role: "client" | "server"): Promise<void> {
    const w = this.#duplex.writable.getWriter();
    await w.write(new TextEncoder().encode("SSH-2.0-Raw_1.0\r\n"));
    w.releaseLock();
    this.#writer.readable.pipeTo(this.#duplex.writable).catch(() => {});
    const { rest } = await readVersionLine(this.#duplex.readable, {
      role: role === "client" ? "client" : "server",
    });
    const reader = new PacketReader();
    rest.pipeTo(reader.writable).catch(() => {});
    this.#packets = reader.readable.getReader();
  }

  /** NEWKEYS, with the same plaintext framing after it. */
  sendNewKeys(): Promise<void> {
    this.#writer.nextSealer(new NoneSealer());
    return this.send({ type: "newKeys" });
  }

  send(m: Message): Promise<void> {
    return this.#w.write(encodeMessage(m));
  }

  kexInit(role: "client" | "server", strict: boolean): Message {
    return createKexInit({
      kex: ["curve25519-sha256"],
      hostKey: ["ssh-ed25519"],
      ciphers: ["aes128-ctr"],
      macs: ["hmac-sha2-256"],
      compression: ["none"],
    }, { role, first: strict });
  }

  /** The victim's messages, in order, until it closes. */
  async next(): Promise<Message | undefined> {
    const { value, done } = await this.#packets!.read().catch(() => ({
      done: true,
      value: undefined,
    }));
    if (done || !value) return undefined;
    return decodeMessage(value.payload, { kex: "ecdh" });
  }

  /** Reads until a DISCONNECT (or the end) and returns it. */
  async disconnect(): Promise<Message & { type: "disconnect" }> {
    for (;;) {
      const m = await this.next();
      assert.ok(m, "closed without DISCONNECT");
      if (m.type === "disconnect") return m;
    }
  }
}

/** A victim of `role` and a raw peer playing the other role, versions exchanged. */
async function victimAndRaw(role: "client" | "server", options: Partial<TransportOptions> = {}) {
  const [a, b] = memoryDuplexPair();
  const raw = new RawPeer(b);
  const victim = startTransport(a, {
    role,
    ...(role === "server" ? { hostKeys: [await hostKey()] } : { verifyHostKey: () => {} }),
    algorithms: { kex: ["curve25519-sha256"], ciphers: ["aes128-ctr"], macs: ["hmac-sha2-256"] },
    ...options,
  });
  victim.catch(() => {});
  await raw.start(role === "client" ? "server" : "client");
  assert.equal((await raw.next())?.type, "kexInit");
  return { victim, raw, rawRole: role === "client" ? "server" as const : "client" as const };
}

async function rejects(victim: Promise<Transport>, pattern: RegExp, reason = 2) {
  await assert.rejects(victim, (e: unknown) => {
    assert.ok(e instanceof DisconnectError, String(e));
    assert.equal(e.reason, reason, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

// ---- the first key exchange, against a raw peer ----

test("strict kex: an IGNORE before KEXINIT disconnects (KEXINIT not the first packet)", async () => {
  const { victim, raw } = await victimAndRaw("server");
  await raw.send({ type: "ignore", data: new Uint8Array(3) });
  await raw.send(raw.kexInit("client", true));
  const d = await raw.disconnect();
  assert.equal(d.reason, 2);
  assert.match(d.description, /not the first packet/);
  await rejects(victim, /KEXINIT was not the first packet/);
});

test("without strict kex an IGNORE before KEXINIT is fine", async () => {
  const { victim, raw } = await victimAndRaw("client");
  await raw.send({ type: "ignore", data: new Uint8Array(3) });
  await raw.send(raw.kexInit("server", false));
  // the client goes on with the exchange: its ECDH_INIT
  assert.equal((await raw.next())?.type, "kexEcdhInit");
  await raw.send({ type: "disconnect", reason: 11, description: "bye", language: "" });
  await assert.rejects(victim);
});

test("a first packet other than KEXINIT disconnects", async () => {
  const { victim, raw } = await victimAndRaw("server");
  await raw.send({ type: "serviceRequest", service: "ssh-userauth" });
  assert.equal((await raw.disconnect()).reason, 2);
  await rejects(victim, /Expected KEXINIT, got serviceRequest/);
});

test("strict kex: IGNORE during the initial key exchange disconnects", async () => {
  const { victim, raw } = await victimAndRaw("server");
  await raw.send(raw.kexInit("client", true));
  await raw.send({ type: "ignore", data: new Uint8Array(0) });
  assert.equal((await raw.disconnect()).reason, 2);
  await rejects(victim, /strict kex: ignore is not allowed during the initial key exchange/i);
});

test("strict kex: DEBUG during the initial key exchange disconnects", async () => {
  const { victim, raw } = await victimAndRaw("client");
  await raw.send(raw.kexInit("server", true));
  await raw.send({ type: "debug", alwaysDisplay: false, message: "hi", language: "" });
  await rejects(victim, /strict kex: debug/i);
});

test("without strict kex IGNORE during the initial key exchange is fine", async () => {
  const { victim, raw } = await victimAndRaw("client");
  await raw.send(raw.kexInit("server", false));
  await raw.send({ type: "ignore", data: new Uint8Array(0) });
  assert.equal((await raw.next())?.type, "kexEcdhInit");
  await raw.send({ type: "disconnect", reason: 11, description: "bye", language: "" });
  await assert.rejects(victim);
});

test("strict kex: an unknown message number during the initial key exchange disconnects", async () => {
  const { victim, raw } = await victimAndRaw("server");
  await raw.send(raw.kexInit("client", true));
  await raw.send({ type: "unknown", number: 150, payload: new Uint8Array([150, 1]) });
  await rejects(victim, /strict kex: unknown/i);
});

test("without strict kex an unknown message number gets UNIMPLEMENTED with its sequence", async () => {
  const { victim, raw } = await victimAndRaw("server");
  await raw.send(raw.kexInit("client", false));
  await raw.send({ type: "unknown", number: 150, payload: new Uint8Array([150, 1]) });
  const m = await raw.next();
  assert.deepEqual(m, { type: "unimplemented", sequence: 1 });
  await raw.send({ type: "disconnect", reason: 11, description: "bye", language: "" });
  await assert.rejects(victim);
});

test("NEWKEYS before the exchange finished disconnects", async () => {
  const { victim, raw } = await victimAndRaw("server");
  await raw.send(raw.kexInit("client", true));
  await raw.sendNewKeys();
  assert.equal((await raw.disconnect()).reason, 2);
  await rejects(victim, /NEWKEYS before the key exchange finished/);
});

test("client: NEWKEYS before the server's reply disconnects", async () => {
  const { victim, raw } = await victimAndRaw("client");
  await raw.send(raw.kexInit("server", true));
  assert.equal((await raw.next())?.type, "kexEcdhInit");
  await raw.sendNewKeys();
  assert.equal((await raw.disconnect()).reason, 2);
  await rejects(victim, /NEWKEYS before the key exchange finished/);
});

test("a second KEXINIT during the key exchange disconnects", async () => {
  const { victim, raw } = await victimAndRaw("server");
  await raw.send(raw.kexInit("client", false));
  await raw.send(raw.kexInit("client", false));
  await rejects(victim, /second KEXINIT during key exchange/i);
});

test("a connection message during the initial key exchange disconnects", async () => {
  const { victim, raw } = await victimAndRaw("client");
  await raw.send(raw.kexInit("server", false));
  await raw.send({ type: "channelEof", recipient: 0 });
  await rejects(victim, /channelEof is not allowed during key exchange/i);
});

test("a kex method message in the wrong direction fails the exchange", async () => {
  const { victim, raw } = await victimAndRaw("client");
  await raw.send(raw.kexInit("server", true));
  assert.equal((await raw.next())?.type, "kexEcdhInit");
  await raw.send({ type: "kexEcdhInit", publicKey: new Uint8Array(32) });
  await assert.rejects(victim, (e: unknown) => e instanceof DisconnectError && !e.fromPeer);
});

test("the handshake times out when the peer never sends KEXINIT", async () => {
  const { victim } = await victimAndRaw("server", { handshakeTimeout: 50 });
  await rejects(victim, /Key exchange timed out after 50 ms/, 10);
});

// ---- after the key exchange, a Hush peer made to misbehave ----

async function pair(
  client: Partial<TransportOptions> = {},
  server: Partial<TransportOptions> = {},
) {
  const [a, b] = memoryDuplexPair();
  return await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {}, ...client }),
    startTransport(b, { role: "server", hostKeys: [await hostKey()], ...server }),
  ]);
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

/** Authenticated pair: service accepted, USERAUTH_SUCCESS through. */
async function authenticated(
  client: Partial<TransportOptions> = {},
  server: Partial<TransportOptions> = {},
) {
  const [c, s] = await pair(client, server);
  await c.requestService("ssh-userauth");
  await c.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  await read(s);
  await s.send({ type: "userauthSuccess" });
  assert.equal((await read(c)).type, "userauthSuccess");
  return [c, s] as const;
}

async function victimCloses(victim: Transport, peer: Transport, pattern: RegExp, reason = 2) {
  const e = await victim.closed;
  assert.ok(e instanceof DisconnectError, String(e));
  assert.equal(e.reason, reason);
  assert.equal(e.fromPeer, false);
  assert.match(e.message, new RegExp(pattern.source, "i"));
  const pe = await peer.closed;
  assert.ok(pe instanceof DisconnectError && pe.fromPeer && pe.reason === reason, String(pe));
}

test("server: channel data before authentication disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await c.send({ type: "channelData", recipient: 0, data: new Uint8Array(1) });
  await victimCloses(s, c, /channelData before authentication completed/);
});

test("client: a channel open from the server before authentication disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await s.send({
    type: "channelOpen",
    channelType: "session",
    sender: 0,
    initialWindow: 10,
    maxPacket: 10,
  } as Message);
  await victimCloses(c, s, /channelOpen before authentication completed/);
});

test("server: USERAUTH_REQUEST before SERVICE_REQUEST/ACCEPT disconnects", async () => {
  const [c, s] = await pair();
  await c.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  await victimCloses(s, c, /userauthRequest outside authentication/);
});

test("server: a second SERVICE_REQUEST disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await c.send({ type: "serviceRequest", service: "ssh-userauth" });
  await victimCloses(s, c, /unexpected SERVICE_REQUEST/i);
});

test("server: a SERVICE_REQUEST for another service gets SERVICE_NOT_AVAILABLE", async () => {
  const [c, s] = await pair();
  await c.send({ type: "serviceRequest", service: "ssh-connection" });
  await victimCloses(s, c, /Service ssh-connection is not available/, 7);
});

test("client: a SERVICE_ACCEPT nobody asked for disconnects", async () => {
  const [c, s] = await pair();
  await s.send({ type: "serviceAccept", service: "ssh-userauth" });
  await victimCloses(c, s, /SERVICE_ACCEPT for ssh-userauth not requested/);
});

test("client: a SERVICE_REQUEST sent to a client disconnects", async () => {
  const [c, s] = await pair();
  await s.send({ type: "serviceRequest", service: "ssh-userauth" });
  await victimCloses(c, s, /unexpected SERVICE_REQUEST/i);
});

test("server: EXT_INFO from the client later than right after its first NEWKEYS disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await c.send({ type: "extInfo", extensions: [{ name: "x", value: new Uint8Array(0) }] });
  await victimCloses(s, c, /EXT_INFO is only allowed/);
});

test("client: EXT_INFO from the server after authentication disconnects", async () => {
  const [c, s] = await authenticated();
  await s.send({ type: "extInfo", extensions: [{ name: "x", value: new Uint8Array(0) }] });
  await victimCloses(c, s, /EXT_INFO is only allowed/);
});

test("client: EXT_INFO during authentication must be followed by USERAUTH_SUCCESS", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await s.send({ type: "extInfo", extensions: [{ name: "x", value: new Uint8Array(0) }] });
  await s.send({ type: "userauthFailure", methods: ["publickey"], partialSuccess: false });
  await victimCloses(c, s, /userauthFailure after EXT_INFO/);
});

test("client: EXT_INFO right before USERAUTH_SUCCESS is accepted (RFC 8308 §2.4)", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await s.send({
    type: "extInfo",
    extensions: [{ name: "server-sig-algs", value: new TextEncoder().encode("ssh-ed25519") }],
  });
  await s.send({ type: "userauthSuccess" });
  assert.equal((await read(c)).type, "userauthSuccess");
  assert.deepEqual(c.serverSigAlgs, ["ssh-ed25519"]);
  await c.disconnect();
  assert.equal(await s.closed, undefined);
});

test("client: a USERAUTH_REQUEST sent to a client disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await s.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  await victimCloses(c, s, /userauthRequest sent to the client/);
});

test("server: a USERAUTH_SUCCESS sent to a server disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await c.send({ type: "userauthSuccess" });
  await victimCloses(s, c, /userauthSuccess sent to the server/);
});

test("server: USERAUTH_REQUEST after success is ignored (RFC 4252 §5.1)", async () => {
  const lines: string[] = [];
  const [c, s] = await authenticated({}, { trace: (l) => lines.push(l) });
  await c.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  await c.send(
    {
      type: "globalRequest",
      request: "other",
      name: "x@y",
      wantReply: false,
      data: new Uint8Array(0),
    } as Message,
  );
  assert.equal((await read(s)).type, "globalRequest");
  assert.ok(lines.includes("Ignoring USERAUTH_REQUEST after authentication succeeded"));
  await c.disconnect();
});

test("NEWKEYS or a kex method message outside a key exchange is refused by the table", () => {
  const state = {
    phase: "connection" as const,
    role: "server" as const,
    peerInKex: false,
    strictInitial: false,
    firstPacket: false,
    justAfterFirstNewKeys: false,
  };
  assert.equal(allowedMessage("newKeys", state), "newKeys outside key exchange");
  assert.equal(allowedMessage("kexEcdhInit", state), "kexEcdhInit outside key exchange");
  assert.equal(allowedMessage("kexInit", state), undefined);
  assert.equal(
    allowedMessage("kexInit", { ...state, peerInKex: true }),
    "second KEXINIT during key exchange",
  );
  assert.equal(
    allowedMessage("channelData", { ...state, peerInKex: true }),
    "channelData is not allowed during key exchange",
  );
});

test("a kex method message outside a key exchange gets UNIMPLEMENTED (as OpenSSH)", async () => {
  const lines: string[] = [];
  const [c, s] = await authenticated({ trace: (l) => lines.push(l) });
  await c.send({ type: "kexEcdhInit", publicKey: new Uint8Array(32) });
  await c.send({ type: "ignore", data: new Uint8Array(0) });
  await s.send(
    {
      type: "globalRequest",
      request: "other",
      name: "x@y",
      wantReply: false,
      data: new Uint8Array(0),
    } as Message,
  );
  await read(c);
  assert.ok(lines.some((l) => /Peer did not implement our packet \d+/.test(l)), lines.join("\n"));
  await c.disconnect();
});

test("an unknown message number after authentication gets UNIMPLEMENTED with its sequence", async () => {
  const lines: string[] = [];
  const [c, s] = await authenticated({ trace: (l) => lines.push(l) });
  await c.send({ type: "unknown", number: 200, payload: new Uint8Array([200, 0]) });
  await s.send(
    {
      type: "globalRequest",
      request: "other",
      name: "x@y",
      wantReply: false,
      data: new Uint8Array(0),
    } as Message,
  );
  await read(c);
  assert.ok(lines.some((l) => /Peer did not implement our packet \d+/.test(l)), lines.join("\n"));
  assert.equal(s.phase, "connection");
  await c.disconnect();
});

test("DISCONNECT with a reason code reaches the peer, both ways", async () => {
  for (const by of ["client", "server"] as const) {
    const [c, s] = await authenticated();
    const [us, them] = by === "client" ? [c, s] : [s, c];
    await us.disconnect(11, "Going away");
    assert.equal(await us.closed, undefined);
    assert.equal(await them.closed, undefined); // BY_APPLICATION is a clean close
    const [c2, s2] = await authenticated();
    const [us2, them2] = by === "client" ? [c2, s2] : [s2, c2];
    await us2.disconnect(14, "No more auth methods available");
    const mine = await us2.closed;
    assert.ok(mine instanceof DisconnectError && mine.reason === 14 && !mine.fromPeer);
    const theirs = await them2.closed;
    assert.ok(theirs instanceof DisconnectError && theirs.reason === 14 && theirs.fromPeer);
    assert.equal(theirs.description, "No more auth methods available");
    await assert.rejects(them2.send({ type: "ignore", data: new Uint8Array(0) }), DisconnectError);
  }
});

test("every default kex runs between two Hush ends (strict kex on)", async () => {
  for (const kex of DEFAULT_KEX.slice(0, 3)) {
    const [c, s] = await pair({ algorithms: { kex: [kex] } });
    assert.equal(c.strictKex, true);
    assert.equal(s.negotiated?.kex, kex);
    await c.disconnect();
  }
});

test("a peer speaking SSH 1 is refused with PROTOCOL_VERSION_NOT_SUPPORTED", async () => {
  const [a, b] = memoryDuplexPair();
  const victim = startTransport(a, { role: "client", verifyHostKey: () => {} });
  const w = b.writable.getWriter();
  await w.write(new TextEncoder().encode("SSH-1.5-Ancient\r\n"));
  await assert.rejects(victim, (e: unknown) => e instanceof DisconnectError && e.reason === 8);
});
