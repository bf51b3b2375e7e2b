import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { deriveKeys, type KexResult } from "./mod.ts";

// RFC 4253 §7.2 written out with node:crypto
function expected(
  hash: string,
  k: Uint8Array,
  h: Uint8Array,
  letter: string,
  sid: Uint8Array,
  n: number,
) {
  let out = createHash(hash).update(k).update(h).update(letter).update(sid).digest();
  while (out.length < n) {
    out = Buffer.concat([out, createHash(hash).update(k).update(h).update(out).digest()]);
  }
  return new Uint8Array(out.subarray(0, n));
}

const lengths = {
  ivClientToServer: 16,
  keyClientToServer: 32,
  macKeyClientToServer: 64,
  ivServerToClient: 0,
  keyServerToClient: 200,
  macKeyServerToClient: 20,
};

for (const hash of ["sha256", "sha384", "sha512"] as const) {
  test(`deriveKeys with ${hash}: a rekey's session id differs from H`, () => {
    const len = { sha256: 32, sha384: 48, sha512: 64 }[hash];
    const result: KexResult = {
      exchangeHash: new Uint8Array(len).map((_, i) => i * 3 + 1),
      sharedSecret: new Uint8Array([0, 0, 0, 33, 0, ...new Uint8Array(32).fill(0x99)]),
      hash,
      hostKey: new Uint8Array(0),
    };
    const sid = new Uint8Array(32).fill(7);
    const keys = deriveKeys(result, sid, lengths);
    const k = result.sharedSecret, h = result.exchangeHash;
    assert.deepEqual(keys.clientToServer.iv, expected(hash, k, h, "A", sid, 16));
    assert.deepEqual(keys.serverToClient.iv, new Uint8Array(0));
    assert.deepEqual(keys.clientToServer.key, expected(hash, k, h, "C", sid, 32));
    assert.deepEqual(keys.serverToClient.key, expected(hash, k, h, "D", sid, 200));
    assert.deepEqual(keys.clientToServer.macKey, expected(hash, k, h, "E", sid, 64));
    assert.deepEqual(keys.serverToClient.macKey, expected(hash, k, h, "F", sid, 20));
    // and the keys change with the session id
    const other = deriveKeys(result, h, lengths);
    assert.notDeepEqual(other.clientToServer.key, keys.clientToServer.key);
  });
}

test("deriveKeys rejects negative, fractional or huge lengths", () => {
  const result: KexResult = {
    exchangeHash: new Uint8Array(32),
    sharedSecret: new Uint8Array(5),
    hash: "sha256",
    hostKey: new Uint8Array(0),
  };
  for (const bad of [-1, 1.5, 1 << 20, NaN]) {
    assert.throws(
      () => deriveKeys(result, new Uint8Array(32), { ...lengths, keyClientToServer: bad }),
      RangeError,
    );
  }
});
