/**
 * Streamlined NTRU Prime 761 (sntrup761), the KEM of the NTRU Prime round-3 submission as
 * SUPERCOP and OpenSSH (`sntrup761.c`) implement it: p = 761, q = 4591, w = 286, SHA-512-based
 * hashes with a one-byte prefix, the confirmation hash in the ciphertext, and implicit rejection
 * (a ciphertext that does not re-encrypt to itself yields a key derived from the secret ρ).
 * Byte for byte compatible with OpenSSH, so that OpenSSH's keys and ciphertexts work here.
 *
 * Randomness is drawn exactly as the reference draws it (little-endian 32-bit words, in the
 * same order), so a given `random` stream gives OpenSSH's bytes too.
 * @module
 */
import { sha512 } from "@noble/hashes/sha2.js";
import type { RandomSource } from "@hush/wire";
import { kexFailed } from "./errors.ts";
import {
  ROUNDED_BYTES,
  roundedDecode,
  roundedEncode,
  RQ_BYTES,
  rqDecode,
  rqEncode,
  SMALL_BYTES,
  smallDecode,
  smallEncode,
} from "./sntrup761_encoding.ts";
import { jsSntrup761, type Sntrup761Backend } from "./sntrup761_backend.ts";
import { nonzeroMask, P, r3FromRq, round3, rqMult3, W, weightMask } from "./sntrup761_ring.ts";

/** Length of an sntrup761 public key. */
export const SNTRUP761_PUBLIC_KEY_LENGTH = 1158;
/** Length of an sntrup761 ciphertext (rounded polynomial, then the 32-byte confirmation). */
export const SNTRUP761_CIPHERTEXT_LENGTH = 1039;
/** Length of an sntrup761 secret key: f, 1/g in R3, the public key, ρ, and Hash4(pk). */
export const SNTRUP761_SECRET_KEY_LENGTH = 1763;
/** Length of the shared secret. */
export const SNTRUP761_SHARED_SECRET_LENGTH = 32;

const HASH_BYTES = 32;
const CONFIRM_BYTES = 32;
if (
  RQ_BYTES !== SNTRUP761_PUBLIC_KEY_LENGTH ||
  ROUNDED_BYTES + CONFIRM_BYTES !== SNTRUP761_CIPHERTEXT_LENGTH ||
  3 * SMALL_BYTES + RQ_BYTES + HASH_BYTES !== SNTRUP761_SECRET_KEY_LENGTH
) throw kexFailed("sntrup761 layout is inconsistent");

/** An sntrup761 key pair. */
export interface Sntrup761KeyPair {
  /** The 1158-byte public key (h, Rq-encoded). */
  publicKey: Uint8Array;
  /** The 1763-byte secret key, laid out as OpenSSH's. Secret; zero it when done. */
  secretKey: Uint8Array;
}

/** First 32 bytes of SHA-512(b || parts…): the reference's Hash_prefix. */
function hashPrefix(b: number, ...parts: Uint8Array[]): Uint8Array {
  let length = 1;
  for (const part of parts) length += part.length;
  const x = new Uint8Array(length);
  x[0] = b;
  let o = 1;
  for (const part of parts) {
    x.set(part, o);
    o += part.length;
  }
  const h = sha512(x);
  x.fill(0);
  const out = h.slice(0, HASH_BYTES);
  h.fill(0);
  return out;
}

/** `count` little-endian 32-bit words from the random source. */
function randomWords(random: RandomSource, count: number): Uint32Array {
  const bytes = random(4 * count);
  if (bytes.length !== 4 * count) throw new TypeError("Random source returned too few bytes");
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    words[i] = (bytes[4 * i] | bytes[4 * i + 1] << 8 | bytes[4 * i + 2] << 16 |
      bytes[4 * i + 3] << 24) >>> 0;
  }
  bytes.fill(0);
  return words;
}

const sortBuffer = new Int32Array(P);

/** A random short polynomial: W coefficients ±1, the rest 0, placed by sorting random words. */
function shortRandom(out: Int8Array, random: RandomSource, ring: Sntrup761Backend): void {
  const words = randomWords(random, P);
  // Low two bits: 0 or 2 (→ −1 or 1) for the first W, 1 (→ 0) for the rest; the sort by the
  // random high bits shuffles them. Sorting as unsigned = sorting with the top bit flipped.
  for (let i = 0; i < P; i++) {
    const word = i < W ? words[i] & ~1 : (words[i] & ~3) | 1;
    sortBuffer[i] = word ^ 0x80000000;
  }
  words.fill(0);
  ring.sortInt32(sortBuffer);
  for (let i = 0; i < P; i++) out[i] = (sortBuffer[i] & 3) - 1;
  sortBuffer.fill(0);
}

/** A random small polynomial: each coefficient −1, 0 or 1 from a 30-bit random number. */
function smallRandom(out: Int8Array, random: RandomSource): void {
  const words = randomWords(random, P);
  for (let i = 0; i < P; i++) out[i] = (((words[i] & 0x3fffffff) * 3) >>> 30) - 1;
  words.fill(0);
}

/**
 * A new key pair. Draws 3044 bytes for g (again while g has no inverse in R3, which is
 * rare), 3044 for f, then 191 for ρ. `ring` runs the arithmetic (the same bytes whichever).
 */
export function sntrup761KeyPair(
  random: RandomSource,
  ring: Sntrup761Backend = jsSntrup761,
): Sntrup761KeyPair {
  const g = new Int8Array(P);
  const gInverse = new Int8Array(P);
  const f = new Int8Array(P);
  const h = new Int16Array(P);
  do smallRandom(g, random); while (ring.r3Recip(gInverse, g) !== 0);
  shortRandom(f, random, ring);
  ring.rqRecip3(h, f); // f is short, so 3f is always invertible in Rq
  ring.rqMultSmall(h, h, g);
  const publicKey = new Uint8Array(SNTRUP761_PUBLIC_KEY_LENGTH);
  rqEncode(publicKey, h);
  const secretKey = new Uint8Array(SNTRUP761_SECRET_KEY_LENGTH);
  smallEncode(secretKey.subarray(0, SMALL_BYTES), f);
  smallEncode(secretKey.subarray(SMALL_BYTES, 2 * SMALL_BYTES), gInverse);
  secretKey.set(publicKey, 2 * SMALL_BYTES);
  const rho = random(SMALL_BYTES);
  if (rho.length !== SMALL_BYTES) throw new TypeError("Random source returned too few bytes");
  const at = 2 * SMALL_BYTES + SNTRUP761_PUBLIC_KEY_LENGTH;
  secretKey.set(rho, at);
  rho.fill(0);
  secretKey.set(hashPrefix(4, publicKey), at + SMALL_BYTES);
  g.fill(0);
  gInverse.fill(0);
  f.fill(0);
  h.fill(0);
  return { publicKey, secretKey };
}

/**
 * Writes the ciphertext for short polynomial r (encoded as `rEncoded`) to the public key `pk`
 * into `out`: Round(h·r) encoded, then HashConfirm = Hash2(Hash3(r) || Hash4(pk)). Returns
 * Hash3(r), which the session key hash uses too.
 */
function hide(
  out: Uint8Array,
  r: Int8Array,
  rEncoded: Uint8Array,
  pk: Uint8Array,
  cache: Uint8Array,
  ring: Sntrup761Backend,
): Uint8Array {
  const h = new Int16Array(P);
  rqDecode(h, pk);
  ring.rqMultSmall(h, h, r);
  round3(h, h);
  roundedEncode(out, h);
  h.fill(0);
  const rHash = hashPrefix(3, rEncoded);
  out.set(hashPrefix(2, rHash, cache), ROUNDED_BYTES);
  return rHash;
}

/**
 * Encapsulates a fresh shared secret to `publicKey`; draws 3044 bytes. Any 1158 bytes are a
 * public key to the reference, so only the length is checked: the wrong one is a
 * KEY_EXCHANGE_FAILED {@linkcode KexError}.
 */
export function sntrup761Encapsulate(
  publicKey: Uint8Array,
  random: RandomSource,
  ring: Sntrup761Backend = jsSntrup761,
): { cipherText: Uint8Array; sharedSecret: Uint8Array } {
  if (publicKey.length !== SNTRUP761_PUBLIC_KEY_LENGTH) {
    throw kexFailed(
      `sntrup761 public key must be ${SNTRUP761_PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`,
    );
  }
  const r = new Int8Array(P);
  shortRandom(r, random, ring);
  const rEncoded = new Uint8Array(SMALL_BYTES);
  smallEncode(rEncoded, r);
  const cipherText = new Uint8Array(SNTRUP761_CIPHERTEXT_LENGTH);
  const rHash = hide(cipherText, r, rEncoded, publicKey, hashPrefix(4, publicKey), ring);
  const sharedSecret = hashPrefix(1, rHash, cipherText);
  r.fill(0);
  rEncoded.fill(0);
  rHash.fill(0);
  return { cipherText, sharedSecret };
}

/**
 * The shared secret in `cipherText` for `secretKey`. A ciphertext that is not what
 * encapsulation makes still gives a key (implicit rejection, as the reference: Hash0(ρ, c)),
 * never an error, so that failure is not observable; only a wrong length is a
 * KEY_EXCHANGE_FAILED {@linkcode KexError}.
 */
export function sntrup761Decapsulate(
  cipherText: Uint8Array,
  secretKey: Uint8Array,
  ring: Sntrup761Backend = jsSntrup761,
): Uint8Array {
  if (secretKey.length !== SNTRUP761_SECRET_KEY_LENGTH) {
    throw new TypeError(`sntrup761 secret key must be ${SNTRUP761_SECRET_KEY_LENGTH} bytes`);
  }
  if (cipherText.length !== SNTRUP761_CIPHERTEXT_LENGTH) {
    throw kexFailed(
      `sntrup761 ciphertext must be ${SNTRUP761_CIPHERTEXT_LENGTH} bytes, got ${cipherText.length}`,
    );
  }
  const pkAt = 2 * SMALL_BYTES;
  const rhoAt = pkAt + SNTRUP761_PUBLIC_KEY_LENGTH;
  const pk = secretKey.subarray(pkAt, rhoAt);
  const rho = secretKey.subarray(rhoAt, rhoAt + SMALL_BYTES);
  const cache = secretKey.subarray(rhoAt + SMALL_BYTES);

  // Decrypt: e = 3·c·f in R3, r = e/g; a result of the wrong weight becomes a fixed one.
  const f = new Int8Array(P);
  const gInverse = new Int8Array(P);
  smallDecode(f, secretKey.subarray(0, SMALL_BYTES));
  smallDecode(gInverse, secretKey.subarray(SMALL_BYTES, pkAt));
  const c = new Int16Array(P);
  roundedDecode(c, cipherText.subarray(0, ROUNDED_BYTES));
  ring.rqMultSmall(c, c, f);
  rqMult3(c, c);
  const e = new Int8Array(P);
  r3FromRq(e, c);
  const r = new Int8Array(P);
  ring.r3Mult(r, e, gInverse);
  const mask = weightMask(r);
  for (let i = 0; i < W; i++) r[i] = ((r[i] ^ 1) & ~mask) ^ 1;
  for (let i = W; i < P; i++) r[i] &= ~mask;

  // Re-encrypt and compare in constant time; on a mismatch hash ρ instead of r.
  const rEncoded = new Uint8Array(SMALL_BYTES);
  smallEncode(rEncoded, r);
  const again = new Uint8Array(SNTRUP761_CIPHERTEXT_LENGTH);
  hide(again, r, rEncoded, pk, cache, ring).fill(0);
  let diff = 0;
  for (let i = 0; i < SNTRUP761_CIPHERTEXT_LENGTH; i++) diff |= cipherText[i] ^ again[i];
  const fail = nonzeroMask(diff);
  for (let i = 0; i < SMALL_BYTES; i++) rEncoded[i] ^= fail & (rEncoded[i] ^ rho[i]);
  const rHash = hashPrefix(3, rEncoded);
  const sharedSecret = hashPrefix(1 + fail, rHash, cipherText);
  for (const a of [f, gInverse, c, e, r, rEncoded, again, rHash]) a.fill(0);
  return sharedSecret;
}
