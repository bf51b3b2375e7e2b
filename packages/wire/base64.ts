/**
 * Strict base64 (RFC 4648 §4, padded): the one codec of every package, for key blobs, PEM
 * bodies, public key lines, hashed host names and fingerprints.
 * @module
 */

/** Bytes turned into a string at a time while encoding. */
const ENCODE_CHUNK = 0x8000;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Character code to 6-bit value; -1 for characters outside the alphabet. */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

function value(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? VALUES[c] : -1;
}

/**
 * Decodes padded standard base64, or returns `undefined` for anything else (wrong alphabet,
 * missing or misplaced padding, stray whitespace).
 *
 * @param text The base64 text.
 * @returns The bytes, or `undefined` when the text is not strict base64.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * assert.deepEqual(decodeBase64("aGk="), new Uint8Array([104, 105]));
 * assert.equal(decodeBase64("aGk"), undefined);
 * ```
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  const n = text.length;
  if (n % 4 !== 0) return undefined;
  let pad = 0;
  if (n > 0 && text.charCodeAt(n - 1) === 0x3d) pad = text.charCodeAt(n - 2) === 0x3d ? 2 : 1;
  const out = new Uint8Array((n / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const last = i + 4 === n;
    const a = value(text, i);
    const b = value(text, i + 1);
    const c = last && pad === 2 ? 0 : value(text, i + 2);
    const d = last && pad >= 1 ? 0 : value(text, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 0xff;
    if (o < out.length) out[o++] = v & 0xff;
  }
  return out;
}

/**
 * Encodes bytes as padded standard base64.
 *
 * @param bytes The bytes to encode.
 * @returns The base64 text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeBase64 } from "@hush/wire";
 * assert.equal(encodeBase64(new Uint8Array([104, 105])), "aGk=");
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  // Chunks keep fromCharCode's argument list within every engine's limit.
  for (let i = 0; i < bytes.length; i += ENCODE_CHUNK) {
    bin += String.fromCharCode.apply(
      null,
      bytes.subarray(i, i + ENCODE_CHUNK) as unknown as number[],
    );
  }
  return btoa(bin);
}
