/**
 * bcrypt_pbkdf, the key derivation function of encrypted OpenSSH private keys (OpenSSH
 * `PROTOCOL.key`, OpenBSD `bcrypt_pbkdf(3)`), with the bound Hush puts on its work factor.
 *
 * Each 32-byte block is the XOR of `rounds` chained bcrypt hashes: the first of SHA-512(pass)
 * and SHA-512(salt ‖ block number), each next one salted with SHA-512 of the one before. The
 * bcrypt hash runs Eksblowfish (`blowfish.ts`) with 64 key-schedule rounds and encrypts
 * "OxychromaticBlowfishSwatDynamite" 64 times. The blocks are then interleaved byte by byte, so
 * every output byte costs the same. SHA-512 is `@noble/hashes`; the Blowfish core is our own.
 * @module
 */
import { sha512 } from "@noble/hashes/sha2.js";
import {
  blowfishEncrypt,
  blowfishExpand0State,
  blowfishExpandState,
  blowfishInitialState,
} from "./blowfish.ts";
import { KeyError } from "./errors.ts";

/**
 * The highest bcrypt_pbkdf rounds count Hush accepts in a key file or uses when writing one.
 *
 * OpenSSH writes 16 by default and guides suggest `ssh-keygen -a 100`…`-a 256`; the cost grows
 * linearly (16 rounds take ~0.13 s here, so 1024 take ~8 s). The rounds field is a
 * uint32 from the file, so without a cap a hostile key file could pin the CPU for days.
 * 1024 keeps every setting seen in practice working while bounding that to seconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_BCRYPT_ROUNDS } from "@hush/keys";
 * assert.equal(MAX_BCRYPT_ROUNDS, 1024);
 * ```
 */
export const MAX_BCRYPT_ROUNDS = 1024;

/** Longest salt accepted, as in OpenSSH's bcrypt_pbkdf.c (1 MiB). */
const MAX_SALT = 1 << 20;
/** Most output bytes bcrypt_pbkdf can produce (32 bytes × 32 strides). */
const MAX_OUTPUT = 1024;

/** Bytes of one bcrypt hash, and of one block of output before interleaving. */
const HASH_BYTES = 32;
/** Key-schedule rounds inside one bcrypt hash (OpenSSH's fixed 64). */
const HASH_ROUNDS = 64;
/** The block bcrypt_pbkdf encrypts, as eight big-endian words. */
const MAGIC = new TextEncoder().encode("OxychromaticBlowfishSwatDynamite");
const MAGIC_WORDS = new Int32Array(HASH_BYTES / 4);
for (let i = 0; i < MAGIC_WORDS.length; i++) {
  MAGIC_WORDS[i] = new DataView(MAGIC.buffer).getInt32(i * 4);
}

/**
 * One bcrypt hash of 64-byte SHA-512 digests of the passphrase and salt into `out` (32 bytes):
 * Eksblowfish keyed by both, then "OxychromaticBlowfishSwatDynamite" encrypted 64 times, its
 * words written little-endian.
 */
function bcryptHash(passDigest: Uint8Array, saltDigest: Uint8Array, out: Uint8Array): void {
  const state = blowfishInitialState();
  blowfishExpandState(state, saltDigest, passDigest);
  for (let i = 0; i < HASH_ROUNDS; i++) {
    blowfishExpand0State(state, saltDigest);
    blowfishExpand0State(state, passDigest);
  }
  const words = MAGIC_WORDS.slice();
  for (let i = 0; i < HASH_ROUNDS; i++) {
    for (let j = 0; j < words.length; j += 2) blowfishEncrypt(state, words, j);
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < words.length; i++) view.setInt32(i * 4, words[i], true);
  state.fill(0);
  words.fill(0);
}

/**
 * Derives `length` bytes from a passphrase and salt with bcrypt_pbkdf. Bad parameters from a
 * key file (zero or too many rounds, empty or oversized salt, empty passphrase) are `KeyError`s.
 */
export function bcryptPbkdf(
  passphrase: Uint8Array,
  salt: Uint8Array,
  length: number,
  rounds: number,
): Uint8Array {
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new KeyError(`Invalid bcrypt rounds ${rounds}`);
  }
  if (rounds > MAX_BCRYPT_ROUNDS) {
    throw new KeyError(`bcrypt rounds ${rounds} exceed the limit of ${MAX_BCRYPT_ROUNDS}`);
  }
  if (salt.length === 0 || salt.length > MAX_SALT) {
    throw new KeyError(`Invalid bcrypt salt length ${salt.length}`);
  }
  if (passphrase.length === 0) throw new KeyError("Empty passphrase for an encrypted key");
  if (!Number.isInteger(length) || length < 1 || length > MAX_OUTPUT) {
    throw new RangeError(`Invalid bcrypt_pbkdf output length ${length}`);
  }
  const out = new Uint8Array(length);
  // Byte i of block `count` lands at i * stride + count - 1: each block is spread over the key.
  const stride = Math.ceil(length / HASH_BYTES);
  const perBlock = Math.ceil(length / stride);
  const passDigest = sha512(passphrase);
  const countedSalt = new Uint8Array(salt.length + 4);
  countedSalt.set(salt);
  const hash = new Uint8Array(HASH_BYTES);
  const block = new Uint8Array(HASH_BYTES);
  for (let count = 1; count <= stride; count++) {
    new DataView(countedSalt.buffer).setUint32(salt.length, count);
    let saltDigest = sha512(countedSalt);
    bcryptHash(passDigest, saltDigest, hash);
    block.set(hash);
    for (let round = 1; round < rounds; round++) {
      saltDigest.fill(0);
      saltDigest = sha512(hash);
      bcryptHash(passDigest, saltDigest, hash);
      for (let i = 0; i < HASH_BYTES; i++) block[i] ^= hash[i];
    }
    saltDigest.fill(0);
    for (let i = 0; i < perBlock; i++) {
      const at = i * stride + count - 1;
      if (at >= length) break;
      out[at] = block[i];
    }
  }
  passDigest.fill(0);
  hash.fill(0);
  block.fill(0);
  return out;
}
