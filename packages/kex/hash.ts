/**
 * The hash functions key exchange methods name, by their short names.
 * @module
 */
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";

/**
 * The hash of a key exchange method.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type KexHash, kexMethodInfo } from "@hush/kex";
 * const hash: KexHash = kexMethodInfo("ecdh-sha2-nistp521").hash;
 * assert.equal(hash, "sha512");
 * ```
 */
export type KexHash = "sha256" | "sha384" | "sha512";

const HASHES: Record<KexHash, (data: Uint8Array) => Uint8Array> = {
  sha256: (d) => sha256(d),
  sha384: (d) => sha384(d),
  sha512: (d) => sha512(d),
};

/** Hashes `data` with the named function. */
export function digest(hash: KexHash, data: Uint8Array): Uint8Array {
  const f = HASHES[hash];
  if (!f) throw new TypeError(`Unknown hash: ${hash}`);
  return f(data);
}

/** Output length in bytes. */
export function digestLength(hash: KexHash): number {
  return hash === "sha256" ? 32 : hash === "sha384" ? 48 : 64;
}
