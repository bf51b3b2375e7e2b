/**
 * The state machine during the handshake, one rejection per test: a real Hush end ("victim")
 * against a raw scripted peer that breaks the order of the first key exchange, or a peer that
 * speaks SSH 1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectError, startTransport } from "./mod.ts";
import { memoryDuplexPair } from "./testing.ts";
import { rejects, victimAndRaw } from "./testdata/raw_peer.ts";

test("a first packet other than KEXINIT disconnects", async () => {
  const { victim, raw } = await victimAndRaw("server");
  await raw.send({ type: "serviceRequest", service: "ssh-userauth" });
  assert.equal((await raw.disconnect()).reason, 2);
  await rejects(victim, /Expected KEXINIT, got serviceRequest/);
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

test("a peer speaking SSH 1 is refused with PROTOCOL_VERSION_NOT_SUPPORTED", async () => {
  const [a, b] = memoryDuplexPair();
  const victim = startTransport(a, { role: "client", verifyHostKey: () => {} });
  const w = b.writable.getWriter();
  await w.write(new TextEncoder().encode("SSH-1.5-Ancient\r\n"));
  await assert.rejects(victim, (e: unknown) => e instanceof DisconnectError && e.reason === 8);
});
