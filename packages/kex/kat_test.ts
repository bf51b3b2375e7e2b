import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { encodeMessage } from "@hush/wire";
import { createClientExchange, createKexInit, createServerExchange, deriveKeys } from "./mod.ts";
import { ed25519TestSigner, fixedRandom, fromHex, runExchange, toHex } from "./testing.ts";

// Vectors from testdata/generate_kat.mjs (node:crypto; see testdata/README.md)
const kat = JSON.parse(readFileSync(new URL("./testdata/kat.json", import.meta.url), "utf8"));

for (const v of kat.vectors) {
  test(`known answer: ${v.method}`, async () => {
    const prefs = {
      kex: [v.method],
      hostKey: ["ssh-ed25519"],
      ciphers: kat.ciphers,
      macs: kat.macs,
      compression: ["none"],
    };
    const cookie = (start: number) => () => new Uint8Array(16).map((_, i) => start + i);
    const clientKexInit = encodeMessage(
      createKexInit(prefs, { role: "client", first: true, random: cookie(0) }),
    );
    const serverKexInit = encodeMessage(
      createKexInit(prefs, { role: "server", first: true, random: cookie(16) }),
    );
    assert.equal(toHex(clientKexInit), v.clientKexInit);
    assert.equal(toHex(serverKexInit), v.serverKexInit);

    const inputs = {
      clientVersion: kat.clientVersion,
      serverVersion: kat.serverVersion,
      clientKexInit,
      serverKexInit,
      hostKeyAlgorithm: "ssh-ed25519",
    };
    const clientRandom = fixedRandom(fromHex(v.clientRandom));
    const serverRandom = fixedRandom(fromHex(v.serverRandom));
    const signer = ed25519TestSigner(fromHex(kat.hostKeySeed));
    assert.equal(toHex(signer.publicKey.blob), kat.hostKey);
    const run = await runExchange(
      createClientExchange(v.method, { ...inputs, random: clientRandom }),
      createServerExchange(v.method, { ...inputs, random: serverRandom, hostKey: signer }),
    );
    assert.equal(clientRandom.remaining(), 0);
    assert.equal(serverRandom.remaining(), 0);
    assert.deepEqual(run.transcript.map(toHex), v.messages);
    for (const r of [run.client, run.server]) {
      assert.equal(toHex(r.exchangeHash), v.exchangeHash);
      assert.equal(toHex(r.sharedSecret), v.sharedSecret);
      assert.equal(r.hash, v.hash);
      assert.equal(toHex(r.hostKey), kat.hostKey);
      const keys = deriveKeys(r, r.exchangeHash, kat.lengths);
      for (const dir of ["clientToServer", "serverToClient"] as const) {
        assert.equal(toHex(keys[dir].iv), v.keys[dir].iv);
        assert.equal(toHex(keys[dir].key), v.keys[dir].key);
        assert.equal(toHex(keys[dir].macKey), v.keys[dir].macKey);
      }
    }
  });
}
