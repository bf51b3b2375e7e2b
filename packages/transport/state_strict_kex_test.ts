/**
 * The state machine's strict kex rules, one rejection per test: a real Hush end ("victim")
 * against a raw scripted peer that sends IGNORE, DEBUG or an unknown message during the first
 * key exchange, with strict kex and without; then strict kex between two Hush ends.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_KEX } from "@hush/kex";
import { rejects, victimAndRaw } from "./testdata/raw_peer.ts";
import { pair } from "./testdata/transport_pair.ts";

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

test("every default kex runs between two Hush ends (strict kex on)", async () => {
  for (const kex of DEFAULT_KEX.slice(0, 3)) {
    const [c, s] = await pair({ algorithms: { kex: [kex] } });
    assert.equal(c.strictKex, true);
    assert.equal(s.negotiated?.kex, kex);
    await c.disconnect();
  }
});
