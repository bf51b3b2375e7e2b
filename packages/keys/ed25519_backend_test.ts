import { test } from "node:test";
import assert from "node:assert/strict";
import { nobleEd25519, webCryptoEd25519 } from "./mod.ts";

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

// RFC 8032 §7.1, tests 1 and 2.
const VECTORS = [
  {
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
];

for (const backend of [nobleEd25519, webCryptoEd25519(crypto.subtle)]) {
  test(`Ed25519 on ${backend.name}: RFC 8032's public keys and signatures; they verify`, async () => {
    for (const v of VECTORS) {
      const seed = hex(v.seed);
      assert.deepEqual(await backend.publicKey(seed), hex(v.publicKey));
      assert.deepEqual(await backend.sign(seed, hex(v.message)), hex(v.signature));
      assert.equal(await backend.verify(hex(v.publicKey), hex(v.signature), hex(v.message)), true);
    }
  });

  test(`Ed25519 on ${backend.name}: wrong data, a flipped bit, bad lengths and a bad key are false`, async () => {
    const v = VECTORS[1];
    const [a, sig, msg] = [hex(v.publicKey), hex(v.signature), hex(v.message)];
    assert.equal(await backend.verify(a, sig, new Uint8Array([0x73])), false);
    for (const at of [0, 31, 32, 63]) {
      const bad = sig.slice();
      bad[at] ^= 1;
      assert.equal(await backend.verify(a, bad, msg), false, `bit flipped at ${at}`);
    }
    assert.equal(await backend.verify(a, sig.subarray(0, 63), msg), false);
    assert.equal(await backend.verify(a.subarray(0, 31), sig, msg), false);
    assert.equal(await backend.verify(new Uint8Array(32).fill(0xff), sig, msg), false);
  });
}

test("Ed25519: noble and WebCrypto make the same signatures and accept each other's", async () => {
  const web = webCryptoEd25519(crypto.subtle);
  for (let i = 0; i < 8; i++) {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const data = crypto.getRandomValues(new Uint8Array(i * 37));
    const a = await nobleEd25519.publicKey(seed);
    assert.deepEqual(await web.publicKey(seed), a);
    const sig = await web.sign(seed, data);
    assert.deepEqual(await nobleEd25519.sign(seed, data), sig);
    assert.equal(await nobleEd25519.verify(a, sig, data), true);
    assert.equal(await web.verify(a, sig, data), true);
  }
});
