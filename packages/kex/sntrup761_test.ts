import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { sha512 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@hush/wire";
import { jsSntrup761, KexError, loadSntrup761Wasm } from "./mod.ts";
import {
  SNTRUP761_CIPHERTEXT_LENGTH,
  SNTRUP761_PUBLIC_KEY_LENGTH,
  SNTRUP761_SECRET_KEY_LENGTH,
  sntrup761Decapsulate,
  sntrup761Encapsulate,
  sntrup761KeyPair,
} from "./sntrup761.ts";
import { sortInt32 } from "./sorting_network.ts";
import { toHex } from "./testing.ts";

// Vectors from OpenSSH 9.2's own sntrup761.c with a deterministic randombytes (see
// testdata/README.md for exactly how they were made).
const kat = JSON.parse(
  readFileSync(new URL("./testdata/sntrup761_kat.json", import.meta.url), "utf8"),
);

/**
 * The vectors' random stream: `prefixWords` little-endian words 0x15555556 (each gives a zero
 * coefficient of g), then SHA-512(label || be32(0)) || SHA-512(label || be32(1)) || …
 */
function labelledStream(label: string, prefixWords = 0) {
  const name = new TextEncoder().encode(label);
  let pos = 0;
  let blockNo = -1;
  let block = new Uint8Array(64);
  const byte = (i: number): number => {
    if (i < 4 * prefixWords) return [0x56, 0x55, 0x55, 0x15][i % 4];
    i -= 4 * prefixWords;
    const b = Math.floor(i / 64);
    if (b !== blockNo) {
      const input = new Uint8Array(name.length + 4);
      input.set(name);
      new DataView(input.buffer).setUint32(name.length, b);
      block = sha512(input);
      blockNo = b;
    }
    return block[i % 64];
  };
  const random = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k++) out[k] = byte(pos++);
    return out;
  };
  return Object.assign(random, { used: () => pos });
}

const rings = [jsSntrup761, await loadSntrup761Wasm()];

for (const [n, v] of kat.vectors.entries()) {
  for (const ring of rings) {
    test(`sntrup761 known answer ${n} (${ring.name}): key pair, encapsulation, decapsulation as OpenSSH's`, () => {
      const keygenRandom = labelledStream(v.keygenLabel, v.keygenPrefixWords);
      const { publicKey, secretKey } = sntrup761KeyPair(keygenRandom, ring);
      assert.equal(keygenRandom.used(), v.keygenRandomBytes);
      assert.equal(toHex(publicKey), v.publicKey);
      assert.equal(toHex(secretKey), v.secretKey);

      const encapRandom = labelledStream(v.encapLabel);
      const { cipherText, sharedSecret } = sntrup761Encapsulate(publicKey, encapRandom, ring);
      assert.equal(encapRandom.used(), v.encapRandomBytes);
      assert.equal(toHex(cipherText), v.cipherText);
      assert.equal(toHex(sharedSecret), v.sharedSecret);
      assert.equal(toHex(sntrup761Decapsulate(cipherText, secretKey, ring)), v.sharedSecret);

      // implicit rejection: a changed ciphertext still gives a key, the reference's Hash0(ρ, c)
      const first = cipherText.slice();
      first[0] ^= 1;
      assert.equal(toHex(sntrup761Decapsulate(first, secretKey, ring)), v.rejectFirstByteFlipped);
      const last = cipherText.slice();
      last[SNTRUP761_CIPHERTEXT_LENGTH - 1] ^= 0x80;
      assert.equal(toHex(sntrup761Decapsulate(last, secretKey, ring)), v.rejectLastByteFlipped);

      // any 1158 bytes are a public key to the reference, out-of-range coefficients included
      const junk = labelledStream(v.bytesLabel)(SNTRUP761_PUBLIC_KEY_LENGTH);
      const toJunk = sntrup761Encapsulate(junk, labelledStream(v.encapLabel), ring);
      assert.equal(toHex(toJunk.cipherText), v.cipherTextToBytes);
      assert.equal(toHex(toJunk.sharedSecret), v.sharedSecretToBytes);
    });
  }
}

test("sntrup761: random round trips agree across rings; a tampered ciphertext gives a different key", () => {
  for (let i = 0; i < 6; i++) {
    const [a, b] = [rings[i % 2], rings[(i + 1) % 2]]; // keys on one ring, encapsulation on the other
    const { publicKey, secretKey } = sntrup761KeyPair(randomBytes, a);
    assert.equal(publicKey.length, SNTRUP761_PUBLIC_KEY_LENGTH);
    assert.equal(secretKey.length, SNTRUP761_SECRET_KEY_LENGTH);
    const { cipherText, sharedSecret } = sntrup761Encapsulate(publicKey, randomBytes, b);
    assert.equal(cipherText.length, SNTRUP761_CIPHERTEXT_LENGTH);
    assert.deepEqual(sntrup761Decapsulate(cipherText, secretKey, a), sharedSecret);
    assert.deepEqual(sntrup761Decapsulate(cipherText, secretKey, b), sharedSecret);
    const tampered = cipherText.slice();
    tampered[i * 100] ^= 4;
    const rejected = sntrup761Decapsulate(tampered, secretKey, a);
    assert.equal(rejected.length, 32);
    assert.notDeepEqual(rejected, sharedSecret);
    assert.deepEqual(sntrup761Decapsulate(tampered, secretKey, b), rejected); // deterministic
  }
});

test("sntrup761: a public key or ciphertext of the wrong length is a KexError", () => {
  const { secretKey } = sntrup761KeyPair(randomBytes);
  for (const n of [0, 1, SNTRUP761_PUBLIC_KEY_LENGTH - 1, SNTRUP761_PUBLIC_KEY_LENGTH + 1]) {
    assert.throws(
      () => sntrup761Encapsulate(new Uint8Array(n), randomBytes),
      (e) =>
        e instanceof KexError && e.reason === 3 && /public key must be 1158 bytes/.test(e.message),
    );
  }
  for (const n of [0, SNTRUP761_CIPHERTEXT_LENGTH - 1, SNTRUP761_CIPHERTEXT_LENGTH + 1]) {
    assert.throws(
      () => sntrup761Decapsulate(new Uint8Array(n), secretKey),
      (e) =>
        e instanceof KexError && e.reason === 3 && /ciphertext must be 1039 bytes/.test(e.message),
    );
  }
  assert.throws(() => sntrup761Decapsulate(new Uint8Array(1039), new Uint8Array(10)), TypeError);
  assert.throws(() => sntrup761KeyPair(() => new Uint8Array(3)), TypeError);
});

test("sortInt32 sorts as signed 32-bit integers, for every length up to 80 and for 761", () => {
  const check = (n: number) => {
    const words = new Int32Array(randomBytes(4 * n).buffer.slice(0, 4 * n));
    if (n > 4) words.set([-0x80000000, 0x7fffffff, 0, -1]);
    const expected = Array.from(words).sort((a, b) => a - b);
    sortInt32(words);
    assert.deepEqual(Array.from(words), expected, `length ${n}`);
  };
  for (let n = 0; n <= 80; n++) check(n);
  check(761);
  const dup = new Int32Array(761).map((_, i) => (i * 7) % 5 - 2);
  const expected = Array.from(dup).sort((a, b) => a - b);
  sortInt32(dup);
  assert.deepEqual(Array.from(dup), expected);
});
