/**
 * Huge counts and lengths inside well-framed packets: KEXINIT name-lists of 5 000–12 000 names or
 * one name of 200 KiB, empty and malformed names, EXT_INFO with 2^32-1 or 65 extensions or a
 * 200 KiB value, and 200 KiB service, request and channel type names. The victim answers as the
 * protocol says, and what it sends back (the DISCONNECT description) and keeps are bounded:
 * never an echo of the peer's 200 KiB.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason, LIST_LIMIT, type Message, SshWriter } from "@hush/wire";
import type { HostilePeer } from "./peer.ts";
import {
  assertDisconnect,
  assertRejects,
  assertServerServes,
  attackClient,
  attackServer,
  logIn,
} from "./victim.ts";

const { PROTOCOL_ERROR, KEY_EXCHANGE_FAILED, SERVICE_NOT_AVAILABLE } = DisconnectReason;

/** OpenSSH formats a DISCONNECT's description into 1024 bytes; ours stay within it too. */
const DESCRIPTION_BOUND = 1024;

function names(n: number, prefix = "hostile-cipher-"): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

async function versions(peer: HostilePeer): Promise<void> {
  await peer.sendVersion();
  await peer.readVersion();
}

/** Asserts the victim's error and its DISCONNECT are of `reason` and bounded in length. */
async function endsBounded(
  v: Parameters<typeof assertDisconnect>[0],
  reason: number,
  pattern?: RegExp,
): Promise<void> {
  const outcome = await assertDisconnect(v, reason, pattern);
  const sent = v.peer.seen.find((m) => m.type === "disconnect") as { description: string };
  assert.ok(
    sent.description.length <= DESCRIPTION_BOUND,
    `the DISCONNECT's description has ${sent.description.length} characters`,
  );
  assert.ok(
    outcome.error!.message.length <= 2 * DESCRIPTION_BOUND,
    `the error message has ${outcome.error!.message.length} characters`,
  );
}

// --- KEXINIT name-lists -------------------------------------------------------------------

test("server: a KEXINIT with 5 000 cipher names each way, ours last, negotiates", async () => {
  const v = await attackServer();
  await versions(v.peer);
  const k = v.peer.kexInit();
  const ciphers = [...names(5_000), "chacha20-poly1305@openssh.com"];
  await v.peer.sendKexInit({
    ...k,
    encryptionClientToServer: ciphers,
    encryptionServerToClient: ciphers,
  });
  await v.peer.readKexInit();
  await v.peer.exchange();
  await v.peer.sendNewKeys();
  await v.peer.readNewKeys();
  await v.peer.send({ type: "serviceRequest", service: "ssh-userauth" });
  await v.peer.expect("serviceAccept");
});

test("server: a KEXINIT with 5 000 unknown cipher names each way is KEY_EXCHANGE_FAILED, not echoed back", async () => {
  const v = await attackServer();
  await versions(v.peer);
  const k = v.peer.kexInit();
  const ciphers = names(5_000);
  await v.peer.sendKexInit({
    ...k,
    encryptionClientToServer: ciphers,
    encryptionServerToClient: ciphers,
  });
  await v.peer.readKexInit().catch(() => {});
  await endsBounded(v, KEY_EXCHANGE_FAILED, /No matching cipher/);
});

test("server: a KEXINIT whose one kex name is 200 KiB long is KEY_EXCHANGE_FAILED, not echoed back", async () => {
  const v = await attackServer();
  await versions(v.peer);
  const k = v.peer.kexInit();
  await v.peer.sendKexInit({ ...k, kexAlgorithms: ["k".repeat(200 * 1024)] });
  await endsBounded(v, KEY_EXCHANGE_FAILED);
});

for (
  const [name, list] of [
    ["an empty name", "aes128-ctr,,aes256-ctr"],
    ["a trailing comma", "aes128-ctr,"],
    ["a NUL byte", "aes128-ctr\0"],
    ["a space", "aes128 ctr"],
    ["a 200 KiB name with a control byte", "a".repeat(200 * 1024) + "\x01"],
    ["bytes over 0x7f", "aes128-ctr\xff"],
  ] as const
) {
  test(`server: a KEXINIT name-list with ${name} is a protocol error`, async () => {
    const v = await attackServer();
    await versions(v.peer);
    const k = v.peer.kexInit();
    const w = new SshWriter().byte(20).raw(k.cookie);
    const lists = [
      k.kexAlgorithms.join(","),
      k.serverHostKeyAlgorithms.join(","),
      list,
      list,
      "hmac-sha2-256",
      "hmac-sha2-256",
      "none",
      "none",
      "",
      "",
    ];
    for (const l of lists) w.string(new Uint8Array([...l].map((c) => c.charCodeAt(0))));
    w.boolean(false).uint32(0);
    await v.peer.sendPayload(w.finish());
    await endsBounded(v, PROTOCOL_ERROR);
  });
}

test("server: a KEXINIT with trailing bytes after its last field is a protocol error", async () => {
  const v = await attackServer();
  await versions(v.peer);
  const payload = new Uint8Array([...encodeKexInit(v.peer), 1, 2, 3]);
  await v.peer.sendPayload(payload);
  await endsBounded(v, PROTOCOL_ERROR, /trailing/i);
});

function encodeKexInit(peer: HostilePeer): Uint8Array {
  const k = peer.kexInit();
  const w = new SshWriter().byte(20).raw(k.cookie);
  for (
    const l of [
      k.kexAlgorithms,
      k.serverHostKeyAlgorithms,
      k.encryptionClientToServer,
      k.encryptionServerToClient,
      k.macClientToServer,
      k.macServerToClient,
      k.compressionClientToServer,
      k.compressionServerToClient,
      [],
      [],
    ]
  ) w.nameList(l);
  return w.boolean(false).uint32(0).finish();
}

test("client: a server KEXINIT with 12 000 unknown kex names is KEY_EXCHANGE_FAILED, not echoed back", async () => {
  const v = attackClient();
  await versions(v.peer);
  const k = v.peer.kexInit();
  await v.peer.sendKexInit({ ...k, kexAlgorithms: names(12_000, "hostile-kex-") });
  const e = await assertRejects(v.connecting, KEY_EXCHANGE_FAILED, /No matching key exchange/);
  assert.ok(e.message.length <= 2 * DESCRIPTION_BOUND, `${e.message.length} characters`);
  const sent = await v.peer.disconnect();
  assert.ok(sent && sent.description.length <= DESCRIPTION_BOUND);
});

// --- EXT_INFO -----------------------------------------------------------------------------

/** EXT_INFO claiming `count` extensions, followed by `pairs`. */
function extInfo(count: number, pairs: [string, Uint8Array | string][]): Uint8Array {
  const w = new SshWriter().byte(7).uint32(count);
  for (const [name, value] of pairs) w.string(name).string(value);
  return w.finish();
}

test("server: EXT_INFO claiming 2^32-1 extensions is refused before one is read", async () => {
  const v = await attackServer();
  await v.peer.handshake();
  await v.peer.sendPayload(extInfo(0xffff_ffff, [["a", "b"]]));
  await endsBounded(v, PROTOCOL_ERROR, /Too many extensions/);
});

test(`server: EXT_INFO with ${LIST_LIMIT} extensions is taken, ${LIST_LIMIT + 1} refused`, async () => {
  {
    const v = await attackServer();
    await v.peer.handshake();
    const pairs = names(LIST_LIMIT, "ext-").map((n): [string, string] => [n, "x".repeat(1000)]);
    await v.peer.sendPayload(extInfo(LIST_LIMIT, pairs));
    await v.peer.send({ type: "serviceRequest", service: "ssh-userauth" });
    await v.peer.expect("serviceAccept");
  }
  {
    const v = await attackServer();
    await v.peer.handshake();
    const pairs = names(LIST_LIMIT + 1, "ext-").map((n): [string, string] => [n, "x"]);
    await v.peer.sendPayload(extInfo(LIST_LIMIT + 1, pairs));
    await endsBounded(v, PROTOCOL_ERROR, /Too many extensions/);
  }
});

test("server: EXT_INFO whose count says more than it holds is refused", async () => {
  const v = await attackServer();
  await v.peer.handshake();
  await v.peer.sendPayload(extInfo(3, [["a", "b"]]));
  await endsBounded(v, PROTOCOL_ERROR);
});

test("client: a server's EXT_INFO with a 200 KiB server-sig-algs of 20 000 names is taken", async () => {
  const v = attackClient();
  await v.peer.handshake();
  await v.peer.sendPayload(
    extInfo(1, [["server-sig-algs", [...names(20_000, "sig-"), "ssh-ed25519"].join(",")]]),
  );
  await v.peer.expect("serviceRequest");
  await v.peer.send({ type: "serviceAccept", service: "ssh-userauth" });
  await v.peer.expect("userauthRequest");
  await v.peer.send({ type: "userauthSuccess" });
  const client = await v.connecting;
  assert.equal(client.transport.serverSigAlgs?.length, 20_001);
  await client.close();
});

test("client: a server's EXT_INFO claiming 2^32-1 extensions is refused", async () => {
  const v = attackClient();
  await v.peer.handshake();
  await v.peer.sendPayload(extInfo(0xffff_ffff, []));
  await assertRejects(v.connecting, PROTOCOL_ERROR, /Too many extensions/);
});

// --- names in requests --------------------------------------------------------------------

test("server: a SERVICE_REQUEST for a 200 KiB service name is SERVICE_NOT_AVAILABLE, not echoed back", async () => {
  const v = await attackServer();
  await v.peer.handshake();
  await v.peer.send({ type: "serviceRequest", service: "s".repeat(200 * 1024) });
  await endsBounded(v, SERVICE_NOT_AVAILABLE);
});

test("server: 200 KiB global request, channel type and channel request names are refused, nothing echoed", async () => {
  const v = await attackServer();
  await logIn(v.peer);
  const huge = "n".repeat(200 * 1024);
  await v.peer.send(
    {
      type: "globalRequest",
      request: "other",
      name: huge,
      wantReply: true,
      data: new Uint8Array(0),
    } as Message,
  );
  assert.equal((await v.peer.expect("requestFailure")).type, "requestFailure");
  await v.peer.send({
    type: "channelOpen",
    channelType: "other",
    name: huge,
    sender: 7,
    initialWindow: 1024,
    maxPacket: 1024,
    data: new Uint8Array(0),
  } as unknown as Message);
  const failure = await v.peer.expect("channelOpenFailure");
  assert.ok(failure.description.length < DESCRIPTION_BOUND);
  await v.peer.send({
    type: "channelOpen",
    channelType: "session",
    sender: 8,
    initialWindow: 1024,
    maxPacket: 1024,
  });
  const open = await v.peer.expect("channelOpenConfirmation");
  await v.peer.send({
    type: "channelRequest",
    recipient: open.sender,
    request: "other",
    name: huge,
    wantReply: true,
    data: new Uint8Array(0),
  } as unknown as Message);
  await v.peer.expect("channelFailure");
  await v.peer.send({ type: "debug", alwaysDisplay: true, message: huge, language: "" });
  await v.peer.send({ type: "ignore", data: new Uint8Array(250 * 1024) });
  await v.peer.send(
    {
      type: "globalRequest",
      request: "other",
      name: "x",
      wantReply: true,
      data: new Uint8Array(0),
    } as Message,
  );
  await v.peer.expect("requestFailure");
});

test("after all of the above, a well-behaved client still logs in", async () => {
  await assertServerServes();
});
