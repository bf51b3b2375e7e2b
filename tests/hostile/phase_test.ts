/**
 * Messages out of phase, against the Hush server and the Hush client: before KEXINIT under
 * strict kex, kex messages out of order or in the wrong direction, EXT_INFO in the wrong place,
 * channel and global requests before authentication, SERVICE_ACCEPT and USERAUTH_SUCCESS sent
 * the wrong way, service requests twice or for the wrong service. Each ends the connection with
 * PROTOCOL_ERROR (or SERVICE_NOT_AVAILABLE) naming the message; none reaches a layer above.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason, type Message } from "@hush/wire";
import type { HostilePeer } from "./peer.ts";
import {
  acceptService,
  assertDisconnect,
  assertRejects,
  assertServerServes,
  attackClient,
  attackServer,
  logIn,
  PASSWORD,
  USER,
} from "./victim.ts";

const { PROTOCOL_ERROR, SERVICE_NOT_AVAILABLE } = DisconnectReason;

const IGNORE: Message = { type: "ignore", data: new Uint8Array(4) };
const DEBUG: Message = { type: "debug", alwaysDisplay: false, message: "hi", language: "" };
const SERVICE_REQUEST: Message = { type: "serviceRequest", service: "ssh-userauth" };
const CHANNEL_OPEN: Message = {
  type: "channelOpen",
  channelType: "session",
  sender: 0,
  initialWindow: 65536,
  maxPacket: 32768,
};
const GLOBAL_REQUEST: Message = {
  type: "globalRequest",
  request: "other",
  name: "keepalive@openssh.com",
  wantReply: true,
  data: new Uint8Array(0),
} as Message;
const EXT_INFO: Message = {
  type: "extInfo",
  extensions: [{ name: "server-sig-algs", value: new TextEncoder().encode("ssh-ed25519") }],
};

/** Versions exchanged, KEXINITs exchanged: the method runs next. */
async function inKex(peer: HostilePeer): Promise<void> {
  await peer.sendVersion();
  await peer.readVersion();
  await peer.sendKexInit();
  await peer.readKexInit();
}

/** Handshake done and `ssh-userauth` accepted: authentication runs. */
async function inAuth(peer: HostilePeer): Promise<void> {
  await peer.handshake();
  await peer.send(SERVICE_REQUEST);
  await peer.expect("serviceAccept");
}

// --- the first key exchange, server side ----------------------------------------------------

test("server, strict kex: an IGNORE before KEXINIT is refused", async () => {
  const v = await attackServer();
  await v.peer.sendVersion();
  await v.peer.readVersion();
  await v.peer.send(IGNORE);
  await v.peer.sendKexInit();
  await assertDisconnect(v, PROTOCOL_ERROR, /Strict kex: KEXINIT was not the first packet/);
});

for (const [name, m] of [["IGNORE", IGNORE], ["DEBUG", DEBUG]] as const) {
  test(`server, strict kex: ${name} during the first exchange is refused`, async () => {
    const v = await attackServer();
    await inKex(v.peer);
    await v.peer.send(m);
    await assertDisconnect(v, PROTOCOL_ERROR, /strict kex: .* is not allowed during the initial/i);
  });
}

test("server, no strict kex: an IGNORE before KEXINIT is let through", async () => {
  const v = await attackServer();
  await v.peer.sendVersion();
  await v.peer.readVersion();
  await v.peer.send(IGNORE);
  const k = v.peer.kexInit();
  k.kexAlgorithms = k.kexAlgorithms.filter((a) => !a.startsWith("kex-strict"));
  await v.peer.sendKexInit(k);
  await v.peer.readKexInit();
  await v.peer.exchange();
  await v.peer.sendNewKeys();
  await v.peer.readNewKeys();
  await v.peer.send(SERVICE_REQUEST);
  await v.peer.expect("serviceAccept");
});

for (
  const [name, m, pattern] of [
    ["SERVICE_REQUEST", SERVICE_REQUEST, /Expected KEXINIT/],
    ["CHANNEL_OPEN", CHANNEL_OPEN, /Expected KEXINIT/],
    ["NEWKEYS", { type: "newKeys" } as Message, /Expected KEXINIT/],
    ["an unknown message (200)", new Uint8Array([200, 1, 2, 3]), /Expected KEXINIT/],
  ] as const
) {
  test(`server: ${name} as the first packet is refused`, async () => {
    const v = await attackServer();
    await v.peer.sendVersion();
    await v.peer.readVersion();
    if (m instanceof Uint8Array) await v.peer.sendPayload(m);
    else await v.peer.send(m);
    await assertDisconnect(v, PROTOCOL_ERROR, pattern);
  });
}

test("server: NEWKEYS before the key exchange finished is refused", async () => {
  const v = await attackServer();
  await inKex(v.peer);
  await v.peer.send({ type: "newKeys" });
  await assertDisconnect(v, PROTOCOL_ERROR, /NEWKEYS before the key exchange finished/);
});

test("server: a second KEXINIT during the key exchange is refused", async () => {
  const v = await attackServer();
  await inKex(v.peer);
  await v.peer.sendKexInit();
  await assertDisconnect(v, PROTOCOL_ERROR, /second KEXINIT/i);
});

test("server: a second ECDH_INIT after the exchange finished is refused", async () => {
  const v = await attackServer();
  await inKex(v.peer);
  const [init] = await v.peer.exchangeStart();
  await v.peer.exchange([init, init]); // the victim answers the first; the second is the attack
  await v.peer.sendNewKeys().catch(() => {}); // installs the keys its DISCONNECT comes under
  await assertDisconnect(v, PROTOCOL_ERROR, /after the exchange finished|unexpected/i);
});

test("server: an ECDH_REPLY (server to client) sent to the server is refused", async () => {
  const v = await attackServer();
  await inKex(v.peer);
  const key = new Uint8Array(32).fill(9);
  await v.peer.send({ type: "kexEcdhReply", hostKey: key, publicKey: key, signature: key });
  await assertDisconnect(v, PROTOCOL_ERROR);
});

test("server: a DH group exchange request in an ECDH exchange is refused", async () => {
  const v = await attackServer();
  await inKex(v.peer);
  await v.peer.send({ type: "kexDhGexRequest", min: 2048, n: 3072, max: 8192 });
  await assertDisconnect(v, PROTOCOL_ERROR);
});

test("server: a service request in the middle of the key exchange is refused", async () => {
  const v = await attackServer();
  await inKex(v.peer);
  await v.peer.send(SERVICE_REQUEST);
  await assertDisconnect(v, PROTOCOL_ERROR, /not allowed during the initial key exchange/);
});

// --- EXT_INFO in the wrong place, from a client -------------------------------------------

test("server: EXT_INFO right after the client's first NEWKEYS is taken", async () => {
  const v = await attackServer();
  await v.peer.handshake();
  await v.peer.send(EXT_INFO);
  await v.peer.send(SERVICE_REQUEST);
  await v.peer.expect("serviceAccept");
});

for (
  const [where, before] of [
    ["twice after NEWKEYS", [EXT_INFO]],
    ["after the service request", [SERVICE_REQUEST]],
    ["after an IGNORE", [IGNORE]],
  ] as const
) {
  test(`server: EXT_INFO from a client ${where} is refused`, async () => {
    const v = await attackServer();
    await v.peer.handshake();
    for (const m of before) await v.peer.send(m);
    await v.peer.send(EXT_INFO);
    await assertDisconnect(v, PROTOCOL_ERROR, /EXT_INFO is only allowed/);
  });
}

test("server: EXT_INFO during the key exchange is refused", async () => {
  const v = await attackServer();
  await inKex(v.peer);
  await v.peer.send(EXT_INFO);
  await assertDisconnect(v, PROTOCOL_ERROR, /not allowed during the initial key exchange/);
});

test("server: EXT_INFO after authentication is refused", async () => {
  const v = await attackServer();
  await logIn(v.peer);
  await v.peer.send(EXT_INFO);
  await assertDisconnect(v, PROTOCOL_ERROR, /EXT_INFO is only allowed/);
});

// --- the service and authentication, server side ------------------------------------------

for (
  const [name, m, pattern] of [
    ["a channel open", CHANNEL_OPEN, /channelOpen before authentication completed/i],
    ["a global request", GLOBAL_REQUEST, /globalRequest before authentication completed/i],
    ["a USERAUTH_REQUEST", {
      type: "userauthRequest",
      user: USER,
      service: "ssh-connection",
      method: "password",
      password: PASSWORD,
    } as Message, /userauthRequest outside authentication/i],
    [
      "a SERVICE_ACCEPT",
      { type: "serviceAccept", service: "ssh-userauth" } as Message,
      /SERVICE_ACCEPT/,
    ],
    [
      "USERAUTH_SUCCESS",
      { type: "userauthSuccess" } as Message,
      /userauthSuccess sent to the server/i,
    ],
  ] as const
) {
  test(`server: ${name} before the service request is refused`, async () => {
    const v = await attackServer();
    await v.peer.handshake();
    await v.peer.send(m);
    await assertDisconnect(v, PROTOCOL_ERROR, pattern);
  });
}

for (
  const [name, m, pattern] of [
    ["a channel open", CHANNEL_OPEN, /channelOpen before authentication completed/i],
    ["a global request", GLOBAL_REQUEST, /globalRequest before authentication completed/i],
    [
      "channel data",
      { type: "channelData", recipient: 0, data: new Uint8Array(8) } as Message,
      /channelData before authentication/i,
    ],
    ["a second service request", SERVICE_REQUEST, /unexpected SERVICE_REQUEST/i],
    [
      "a SERVICE_ACCEPT",
      { type: "serviceAccept", service: "ssh-userauth" } as Message,
      /unexpected SERVICE_ACCEPT/i,
    ],
    [
      "USERAUTH_SUCCESS",
      { type: "userauthSuccess" } as Message,
      /userauthSuccess sent to the server/i,
    ],
    [
      "USERAUTH_FAILURE",
      { type: "userauthFailure", methods: [], partialSuccess: false } as Message,
      /sent to the server/,
    ],
  ] as const
) {
  test(`server: ${name} during authentication is refused`, async () => {
    const v = await attackServer();
    await inAuth(v.peer);
    await v.peer.send(m);
    await assertDisconnect(v, PROTOCOL_ERROR, pattern);
  });
}

test("server: a request for a service other than ssh-userauth is SERVICE_NOT_AVAILABLE", async () => {
  const v = await attackServer();
  await v.peer.handshake();
  await v.peer.send({ type: "serviceRequest", service: "ssh-connection" });
  await assertDisconnect(v, SERVICE_NOT_AVAILABLE, /ssh-connection is not available/);
});

test("server: a PING before authentication is not answered, and the login goes on", async () => {
  const v = await attackServer();
  await inAuth(v.peer);
  await v.peer.send({ type: "ping", data: new Uint8Array(8) });
  await v.peer.send({ type: "pong", data: new Uint8Array(8) });
  await v.peer.send({
    type: "userauthRequest",
    user: USER,
    service: "ssh-connection",
    method: "password",
    password: PASSWORD,
  });
  await v.peer.expect("userauthSuccess");
  assert.ok(!v.peer.seen.some((m) => m.type === "pong"), "answered a PING before authentication");
});

test("server: an unknown message during authentication is answered UNIMPLEMENTED, the login goes on", async () => {
  const v = await attackServer();
  await inAuth(v.peer);
  await v.peer.sendPayload(new Uint8Array([200, 1, 2, 3]));
  const m = await v.peer.expect("unimplemented");
  assert.ok(m.sequence > 0);
  await v.peer.send({
    type: "userauthRequest",
    user: USER,
    service: "ssh-connection",
    method: "password",
    password: PASSWORD,
  });
  await v.peer.expect("userauthSuccess");
});

test("server: a USERAUTH_INFO_RESPONSE with no keyboard-interactive round running is refused", async () => {
  const v = await attackServer();
  await inAuth(v.peer);
  await v.peer.sendPayload(new Uint8Array([61, 0, 0, 0, 0]));
  await assertDisconnect(v, PROTOCOL_ERROR);
});

test("server: a USERAUTH_REQUEST after success is ignored (RFC 4252 §5.1)", async () => {
  const v = await attackServer();
  await logIn(v.peer);
  await v.peer.send({
    type: "userauthRequest",
    user: "root",
    service: "ssh-connection",
    method: "none",
  });
  await v.peer.send(GLOBAL_REQUEST);
  await v.peer.expect("requestFailure");
  assert.equal((await v.context)?.user.user, USER);
});

// --- the client ---------------------------------------------------------------------------

test("client, strict kex: a server's IGNORE before its KEXINIT is refused", async () => {
  const v = attackClient();
  await v.peer.sendVersion();
  await v.peer.readVersion();
  await v.peer.send(IGNORE);
  await v.peer.sendKexInit();
  await assertRejects(v.connecting, PROTOCOL_ERROR, /KEXINIT was not the first packet/);
});

test("client: a server's NEWKEYS before its ECDH_REPLY is refused", async () => {
  const v = attackClient();
  await inKex(v.peer);
  await v.peer.send({ type: "newKeys" });
  await assertRejects(v.connecting, PROTOCOL_ERROR, /NEWKEYS before the key exchange finished/);
});

test("client: an ECDH_INIT (client to server) sent to the client is refused", async () => {
  const v = attackClient();
  await inKex(v.peer);
  await v.peer.send({ type: "kexEcdhInit", publicKey: new Uint8Array(32).fill(9) });
  await assertRejects(v.connecting, PROTOCOL_ERROR);
});

for (
  const [name, m, pattern] of [
    ["a SERVICE_REQUEST", SERVICE_REQUEST, /unexpected SERVICE_REQUEST/i],
    ["a SERVICE_ACCEPT for another service", {
      type: "serviceAccept",
      service: "ssh-connection",
    } as Message, /SERVICE_ACCEPT for ssh-connection not requested/],
    [
      "USERAUTH_SUCCESS before SERVICE_ACCEPT",
      { type: "userauthSuccess" } as Message,
      /userauthSuccess outside authentication/i,
    ],
    ["a channel open", CHANNEL_OPEN, /before authentication completed/],
    ["a global request", GLOBAL_REQUEST, /before authentication completed/],
    ["a USERAUTH_REQUEST", {
      type: "userauthRequest",
      user: "x",
      service: "ssh-connection",
      method: "none",
    } as Message, /sent to the client/],
  ] as const
) {
  test(`client: ${name} from the server after the handshake is refused`, async () => {
    const v = attackClient();
    await v.peer.handshake();
    await v.peer.expect("serviceRequest");
    await v.peer.send(m);
    await assertRejects(v.connecting, PROTOCOL_ERROR, pattern);
    assert.equal((await v.peer.disconnect())?.reason, PROTOCOL_ERROR);
  });
}

test("client: a second SERVICE_ACCEPT is refused", async () => {
  const v = attackClient();
  await acceptService(v.peer);
  await v.peer.send({ type: "serviceAccept", service: "ssh-userauth" });
  await assertRejects(v.connecting, PROTOCOL_ERROR, /unexpected SERVICE_ACCEPT/i);
});

test("client: EXT_INFO during authentication must be followed by USERAUTH_SUCCESS", async () => {
  const v = attackClient();
  await acceptService(v.peer);
  await v.peer.expect("userauthRequest");
  await v.peer.send(EXT_INFO);
  await v.peer.send({ type: "userauthFailure", methods: ["password"], partialSuccess: false });
  await assertRejects(v.connecting, PROTOCOL_ERROR, /only USERAUTH_SUCCESS may follow/);
});

test("client: EXT_INFO after authentication is refused", async () => {
  const v = attackClient();
  await acceptService(v.peer);
  await v.peer.expect("userauthRequest");
  await v.peer.send({ type: "userauthSuccess" });
  const client = await v.connecting;
  await v.peer.send(EXT_INFO);
  const e = await client.connection.closed.then(() => client.transport.closed);
  assert.equal(e?.reason, PROTOCOL_ERROR);
  assert.match(e!.message, /EXT_INFO is only allowed/);
});

test("client: a USERAUTH_FAILURE after USERAUTH_SUCCESS is refused", async () => {
  const v = attackClient();
  await acceptService(v.peer);
  await v.peer.expect("userauthRequest");
  await v.peer.send({ type: "userauthSuccess" });
  const client = await v.connecting;
  await v.peer.send({ type: "userauthFailure", methods: [], partialSuccess: false });
  const e = await client.connection.closed.then(() => client.transport.closed);
  assert.equal(e?.reason, PROTOCOL_ERROR);
  assert.match(e!.message, /userauthFailure outside authentication/i);
});

test("after all of the above, a well-behaved client still logs in", async () => {
  await assertServerServes();
});
