/**
 * Byte comparison: the one equality of every package, for key blobs and for secrets alike.
 * @module
 */

/**
 * Whether two byte arrays hold the same bytes. It never exits early: for arrays of one length
 * it reads every byte and takes the same time whatever they hold, so it is safe for MACs, AEAD
 * tags, check-ints and password hashes. Only the lengths (public everywhere SSH compares) may
 * show.
 *
 * @param a One byte array.
 * @param b The other.
 * @returns `true` when the lengths and every byte match.
 *
 * @example
 * ```ts
 * import { bytesEqual } from "@hush/wire";
 * console.log(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))); // true
 * console.log(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))); // false
 * console.log(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 2]))); // false
 * ```
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
