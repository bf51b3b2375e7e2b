/**
 * RSA for `rsa-sha2-256`, `rsa-sha2-512` (RFC 8332) and legacy `ssh-rsa`: RSASSA-PKCS1-v1_5
 * through WebCrypto, plus a synchronous verifier over bigints for certificate signatures
 * (which are checked while a blob is parsed). Internal.
 * @module
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { bytesEqual } from "@hush/wire";
import { KeyError } from "./errors.ts";
import { bigintFromBytes, bitLength, bytesFromBigint, encodeBase64Url } from "./encoding.ts";

/**
 * Smallest RSA modulus accepted, in bits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RSA_MIN_BITS } from "@hush/keys";
 * assert.equal(RSA_MIN_BITS, 1024);
 * ```
 */
export const RSA_MIN_BITS = 1024;
/**
 * Largest RSA modulus accepted, in bits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RSA_MAX_BITS } from "@hush/keys";
 * assert.equal(RSA_MAX_BITS, 16384);
 * ```
 */
export const RSA_MAX_BITS = 16384;

/** Largest RSA public exponent accepted, in bits (as OpenSSL for large moduli). */
export const RSA_MAX_EXPONENT_BITS = 64;

/** The RSA hashes SSH uses. */
export type RsaHash = "sha1" | "sha256" | "sha512";

const WEBCRYPTO_HASH: Record<RsaHash, string> = {
  sha1: "SHA-1",
  sha256: "SHA-256",
  sha512: "SHA-512",
};

/** Checks an RSA public key's modulus size and exponent. Throws KeyError. */
export function checkRsaPublicKey(n: bigint, e: bigint): void {
  const bits = bitLength(n);
  if (bits < RSA_MIN_BITS) {
    throw new KeyError(`Invalid ssh-rsa key: modulus of ${bits} bits is under ${RSA_MIN_BITS}`);
  }
  if (bits > RSA_MAX_BITS) {
    throw new KeyError(`Invalid ssh-rsa key: modulus of ${bits} bits is over ${RSA_MAX_BITS}`);
  }
  if ((n & 1n) === 0n) throw new KeyError("Invalid ssh-rsa key: even modulus");
  if (e < 3n || (e & 1n) === 0n || e >= n || bitLength(e) > RSA_MAX_EXPONENT_BITS) {
    throw new KeyError("Invalid ssh-rsa key: bad public exponent");
  }
}

/** Imports an RSA public key into WebCrypto for one hash. */
export function importRsaPublic(n: bigint, e: bigint, hash: RsaHash): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "jwk",
    { kty: "RSA", n: b64u(n), e: b64u(e), ext: true },
    { name: "RSASSA-PKCS1-v1_5", hash: WEBCRYPTO_HASH[hash] },
    false,
    ["verify"],
  );
}

/** The private fields WebCrypto needs (JWK with CRT values). */
export interface RsaPrivateFields {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  iqmp: bigint;
}

/** Imports an RSA private key into WebCrypto for one hash. */
export function importRsaPrivate(k: RsaPrivateFields, hash: RsaHash): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "jwk",
    {
      kty: "RSA",
      n: b64u(k.n),
      e: b64u(k.e),
      d: b64u(k.d),
      p: b64u(k.p),
      q: b64u(k.q),
      dp: b64u(k.d % (k.p - 1n)),
      dq: b64u(k.d % (k.q - 1n)),
      qi: b64u(k.iqmp),
      ext: true,
    },
    { name: "RSASSA-PKCS1-v1_5", hash: WEBCRYPTO_HASH[hash] },
    false,
    ["sign"],
  );
}

function b64u(v: bigint): string {
  return encodeBase64Url(bytesFromBigint(v));
}

/**
 * Left-pads a signature to the modulus length, as OpenSSH accepts signatures whose leading
 * zero bytes were stripped; returns undefined when it is longer than the modulus.
 */
export function padRsaSignature(n: bigint, sig: Uint8Array): Uint8Array | undefined {
  const k = (bitLength(n) + 7) >> 3;
  if (sig.length > k || sig.length === 0) return undefined;
  if (sig.length === k) return sig;
  const out = new Uint8Array(k);
  out.set(sig, k - sig.length);
  return out;
}

/** Verifies with WebCrypto; false for anything malformed. */
export async function rsaVerify(
  key: CryptoKey,
  n: bigint,
  sig: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  const padded = padRsaSignature(n, sig);
  if (!padded) return false;
  if (bigintFromBytes(padded) >= n) return false;
  try {
    return await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      key,
      padded as Uint8Array<ArrayBuffer>,
      data as Uint8Array<ArrayBuffer>,
    );
  } catch {
    return false;
  }
}

/** Signs with WebCrypto, returning the modulus-length signature. */
export async function rsaSign(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  const sig = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    key,
    data as Uint8Array<ArrayBuffer>,
  );
  return new Uint8Array(sig);
}

const DIGEST_INFO: Record<RsaHash, Uint8Array> = {
  sha1: new Uint8Array([
    0x30,
    0x21,
    0x30,
    0x09,
    0x06,
    0x05,
    0x2b,
    0x0e,
    0x03,
    0x02,
    0x1a,
    0x05,
    0x00,
    0x04,
    0x14,
  ]),
  sha256: new Uint8Array([
    0x30,
    0x31,
    0x30,
    0x0d,
    0x06,
    0x09,
    0x60,
    0x86,
    0x48,
    0x01,
    0x65,
    0x03,
    0x04,
    0x02,
    0x01,
    0x05,
    0x00,
    0x04,
    0x20,
  ]),
  sha512: new Uint8Array([
    0x30,
    0x51,
    0x30,
    0x0d,
    0x06,
    0x09,
    0x60,
    0x86,
    0x48,
    0x01,
    0x65,
    0x03,
    0x04,
    0x02,
    0x03,
    0x05,
    0x00,
    0x04,
    0x40,
  ]),
};

const HASH_FN: Record<RsaHash, (d: Uint8Array) => Uint8Array> = {
  sha1: (d) => sha1(d),
  sha256: (d) => sha256(d),
  sha512: (d) => sha512(d),
};

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/**
 * Verifies an RSASSA-PKCS1-v1_5 signature synchronously (public data only: no secret
 * timing concerns). Used for certificate signatures while a blob is parsed.
 */
export function rsaVerifySync(
  n: bigint,
  e: bigint,
  hash: RsaHash,
  sig: Uint8Array,
  data: Uint8Array,
): boolean {
  const padded = padRsaSignature(n, sig);
  if (!padded) return false;
  const s = bigintFromBytes(padded);
  if (s >= n) return false;
  const k = padded.length;
  const em = bytesFromBigint(modPow(s, e, n), k);
  const info = DIGEST_INFO[hash];
  const h = HASH_FN[hash](data);
  const tLen = info.length + h.length;
  if (k < tLen + 11) return false;
  const expected = new Uint8Array(k);
  expected[1] = 1;
  expected.fill(0xff, 2, k - tLen - 1);
  expected.set(info, k - tLen);
  expected.set(h, k - h.length);
  return bytesEqual(em, expected);
}
