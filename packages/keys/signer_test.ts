import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeSignatureBlob,
  encodeSignatureBlob,
  generateKey,
  type GenerateKeyType,
  keyBits,
  KeyError,
  keyFromParts,
  partsOfKey,
  type PrivateKey,
} from "./mod.ts";
import { SshReader, SshWriter } from "@hush/wire";

const data = new TextEncoder().encode("the exchange hash");

const TYPES: [GenerateKeyType, string[]][] = [
  ["ssh-ed25519", ["ssh-ed25519"]],
  ["ecdsa-sha2-nistp256", ["ecdsa-sha2-nistp256"]],
  ["ecdsa-sha2-nistp384", ["ecdsa-sha2-nistp384"]],
  ["ecdsa-sha2-nistp521", ["ecdsa-sha2-nistp521"]],
  ["ssh-rsa", ["rsa-sha2-512", "rsa-sha2-256"]],
];

const keys = new Map<string, PrivateKey>();
async function key(type: GenerateKeyType): Promise<PrivateKey> {
  let k = keys.get(type);
  if (!k) {
    k = await generateKey(type, { bits: 2048, comment: type });
    keys.set(type, k);
  }
  return k;
}

for (const [type, algs] of TYPES) {
  test(`${type}: sign and verify with every algorithm, reject tampering`, async () => {
    const k = await key(type);
    assert.deepEqual(k.publicKey.signatureAlgorithms, algs);
    assert.equal(k.comment, type);
    for (const alg of algs) {
      const sig = await k.sign(data, alg);
      assert.equal(decodeSignatureBlob(sig).algorithm, alg);
      assert.equal(await k.publicKey.verify(alg, sig, data), true);
      // Wrong data, flipped signature byte, wrong algorithm name, trailing byte.
      assert.equal(await k.publicKey.verify(alg, sig, data.subarray(1)), false);
      const flipped = sig.slice();
      flipped[flipped.length - 5] ^= 1;
      assert.equal(await k.publicKey.verify(alg, flipped, data), false);
      assert.equal(await k.publicKey.verify(alg, new Uint8Array([...sig, 0]), data), false);
      assert.equal(await k.publicKey.verify("ssh-dss", sig, data), false);
      for (const other of algs.filter((a) => a !== alg)) {
        assert.equal(await k.publicKey.verify(other, sig, data), false);
      }
      assert.equal(await k.publicKey.verify(alg, sig.subarray(0, 10), data), false);
      assert.equal(await k.publicKey.verify(alg, new Uint8Array(0), data), false);
    }
    // Default algorithm is the first.
    const sig = await k.sign(data);
    assert.equal(decodeSignatureBlob(sig).algorithm, algs[0]);
    // A copy through the key parts signs identically verifiable signatures.
    const copy = await keyFromParts(partsOfKey(k), "copy");
    assert.ok(copy.publicKey.equals(k.publicKey));
    assert.equal(await k.publicKey.verify(algs[0], await copy.sign(data), data), true);
    await assert.rejects(k.sign(data, "ssh-rsa"), KeyError);
    await assert.rejects(k.sign(data, "nope"), KeyError);
  });
}

test("ssh-rsa (SHA-1) verifies only when allowed; signing with it is refused", async () => {
  const k = await key("ssh-rsa");
  // Make a SHA-1 signature through WebCrypto directly from the key parts.
  const parts = partsOfKey(k);
  if (parts.type !== "ssh-rsa") throw new Error("unreachable");
  const b64u = (v: bigint): string => {
    let h = v.toString(16);
    if (h.length % 2) h = "0" + h;
    const bytes = new Uint8Array(h.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
      .replace(/=+$/, "");
  };
  const jwk = {
    kty: "RSA",
    n: b64u(parts.n),
    e: b64u(parts.e),
    d: b64u(parts.d),
    p: b64u(parts.p),
    q: b64u(parts.q),
    dp: b64u(parts.d % (parts.p - 1n)),
    dq: b64u(parts.d % (parts.q - 1n)),
    qi: b64u(parts.iqmp),
  };
  const ck = await crypto.subtle.importKey(
    "jwk",
    jwk,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const raw = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", ck, data));
  const sig = encodeSignatureBlob("ssh-rsa", raw);
  assert.equal(await k.publicKey.verify("ssh-rsa", sig, data), false);
  assert.equal(await k.publicKey.verify("ssh-rsa", sig, data, { allowSha1: true }), true);
  await assert.rejects(k.sign(data, "ssh-rsa"), KeyError);
  assert.ok(!k.publicKey.signatureAlgorithms.includes("ssh-rsa"));
  // A signature with its leading zero bytes stripped still verifies (as OpenSSH accepts).
  for (let i = 0; i < 64; i++) {
    const msg = new Uint8Array([i]);
    const s = decodeSignatureBlob(await k.sign(msg, "rsa-sha2-256")).signature;
    if (s[0] !== 0) continue;
    const short = encodeSignatureBlob("rsa-sha2-256", s.subarray(1));
    assert.equal(await k.publicKey.verify("rsa-sha2-256", short, msg), true);
    break;
  }
});

test("ECDSA signatures with high S verify; r or s out of range do not", async () => {
  const k = await key("ecdsa-sha2-nistp256");
  const sig = decodeSignatureBlob(await k.sign(data)).signature;
  const r = new SshReader(sig);
  const rv = r.mpint();
  const sv = r.mpint();
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const enc = (a: bigint, b: bigint): Uint8Array =>
    encodeSignatureBlob("ecdsa-sha2-nistp256", new SshWriter().mpint(a).mpint(b).finish());
  assert.equal(await k.publicKey.verify("ecdsa-sha2-nistp256", enc(rv, n - sv), data), true);
  assert.equal(await k.publicKey.verify("ecdsa-sha2-nistp256", enc(rv, sv + n), data), false);
  assert.equal(await k.publicKey.verify("ecdsa-sha2-nistp256", enc(0n, sv), data), false);
  assert.equal(await k.publicKey.verify("ecdsa-sha2-nistp256", enc(-rv, sv), data), false);
});

test("keyFromParts rejects inconsistent parts with KeyError", async () => {
  const ed = partsOfKey(await key("ssh-ed25519"));
  const ec = partsOfKey(await key("ecdsa-sha2-nistp384"));
  const rsa = partsOfKey(await key("ssh-rsa"));
  if (ed.type !== "ssh-ed25519" || ec.type !== "ecdsa-sha2-nistp384" || rsa.type !== "ssh-rsa") {
    throw new Error("unreachable");
  }
  const badPub = ed.publicKey.slice();
  badPub[0] ^= 1;
  const bad = [
    { ...ed, seed: ed.seed.subarray(1) },
    { ...ed, publicKey: badPub },
    { ...ed, publicKey: ed.publicKey.subarray(1) },
    { ...ec, d: new Uint8Array(48) },
    { ...ec, d: new Uint8Array(48).fill(0xff) },
    { ...ec, type: "ecdsa-sha2-nistp256" as const },
    { ...ec, d: ec.d.map((b, i) => (i === ec.d.length - 1 ? b ^ 1 : b)) },
    { ...rsa, p: rsa.p + 2n },
    { ...rsa, d: rsa.d + 2n },
    { ...rsa, iqmp: rsa.iqmp + 1n },
    { ...rsa, n: 15n, p: 3n, q: 5n },
    { type: "ssh-dss" },
  ];
  for (const parts of bad) {
    // deno-lint-ignore no-explicit-any
    await assert.rejects(keyFromParts(parts as any), KeyError);
  }
  // An unpadded ECDSA scalar is accepted.
  let i = 0;
  while (ec.d[i] === 0) i++;
  const ok = await keyFromParts({ ...ec, d: ec.d.subarray(i) });
  assert.equal(ok.comment, "");
});

test("dispose forgets the secret", async () => {
  for (const type of ["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"] as const) {
    const k = await keyFromParts(partsOfKey(await key(type)));
    k.dispose();
    await assert.rejects(k.sign(data), TypeError);
    assert.throws(() => partsOfKey(k), TypeError);
  }
  assert.throws(
    () => partsOfKey({ publicKey: keys.get("ssh-ed25519")!.publicKey } as unknown as PrivateKey),
    TypeError,
  );
});

test("generateKey makes RSA of the requested size and refuses sizes out of range", async () => {
  const k = await generateKey("ssh-rsa", { bits: 2048 });
  assert.equal(keyBits(k.publicKey), 2048);
  await assert.rejects(generateKey("ssh-rsa", { bits: 1024 }), RangeError);
  await assert.rejects(generateKey("ssh-rsa", { bits: 8200 }), RangeError);
  // deno-lint-ignore no-explicit-any
  await assert.rejects(generateKey("ssh-dss" as any), TypeError);
});
