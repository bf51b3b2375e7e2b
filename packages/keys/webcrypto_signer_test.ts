import { test } from "node:test";
import assert from "node:assert/strict";
import { KeyError, parsePublicKey, webCryptoSigner } from "./mod.ts";

const data = new TextEncoder().encode("signed by a non-extractable key");

const PAIRS: [string, RsaHashedKeyGenParams | EcKeyGenParams | AlgorithmIdentifier, string][] = [
  ["Ed25519", "Ed25519", "ssh-ed25519"],
  ["P-256", { name: "ECDSA", namedCurve: "P-256" }, "ecdsa-sha2-nistp256"],
  ["P-384", { name: "ECDSA", namedCurve: "P-384" }, "ecdsa-sha2-nistp384"],
  ["P-521", { name: "ECDSA", namedCurve: "P-521" }, "ecdsa-sha2-nistp521"],
  ["RSA SHA-256", {
    name: "RSASSA-PKCS1-v1_5",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  }, "rsa-sha2-256"],
  ["RSA SHA-512", {
    name: "RSASSA-PKCS1-v1_5",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-512",
  }, "rsa-sha2-512"],
];

for (const [name, params, alg] of PAIRS) {
  test(`webCryptoSigner: ${name} non-extractable key signs ${alg}`, async (t) => {
    let pair: CryptoKeyPair;
    try {
      pair = await crypto.subtle.generateKey(params, false, ["sign", "verify"]) as CryptoKeyPair;
    } catch {
      t.skip(`${name} not supported by this runtime's WebCrypto`);
      return;
    }
    const signer = await webCryptoSigner(pair);
    assert.deepEqual(signer.publicKey.signatureAlgorithms, [alg]);
    const sig = await signer.sign(data);
    // Verified by a key parsed from the blob alone (the ordinary path a peer takes).
    const peer = parsePublicKey(signer.publicKey.blob);
    assert.equal(await peer.verify(alg, sig, data), true);
    assert.equal(await peer.verify(alg, sig, data.subarray(1)), false);
    await assert.rejects(signer.sign(data, "ssh-rsa"), KeyError);
  });
}

test("webCryptoSigner refuses unsupported algorithms", async () => {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-1",
    },
    false,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  await assert.rejects(webCryptoSigner(pair), TypeError);
});
