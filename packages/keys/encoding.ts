/**
 * The byte encodings key formats share: strict base64, unsigned big-endian integers, and
 * constant-length comparisons. Internal to `@hush/keys`.
 * @module
 */
import { KeyError } from "./errors.ts";

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Encodes bytes as standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(s);
}

/** Decodes standard base64 (padding required); anything else is a KeyError. */
export function decodeBase64(text: string, what = "base64"): Uint8Array {
  if (text.length % 4 !== 0 || !BASE64_RE.test(text)) {
    throw new KeyError(`Invalid ${what}: not well-formed base64`);
  }
  let bin: string;
  try {
    bin = atob(text);
  } catch (e) {
    throw new KeyError(`Invalid ${what}: not well-formed base64`, undefined, { cause: e });
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Encodes bytes as base64url without padding (JWK fields). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes base64url without padding (JWK fields). */
export function decodeBase64Url(text: string): Uint8Array {
  let s = text.replace(/-/g, "+").replace(/_/g, "/");
  while (s.length % 4) s += "=";
  return decodeBase64(s, "base64url");
}

/** Reads unsigned big-endian bytes as a bigint. */
export function bigintFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += bytes[i].toString(16).padStart(2, "0");
  return BigInt("0x" + hex);
}

/**
 * Writes a non-negative bigint as unsigned big-endian bytes, minimal unless `length` is given
 * (then left-padded with zeros; a RangeError if it does not fit).
 */
export function bytesFromBigint(v: bigint, length?: number): Uint8Array {
  if (v < 0n) throw new RangeError("Negative integer");
  let hex = v === 0n ? "" : v.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  const n = hex.length / 2;
  const size = length ?? n;
  if (n > size) throw new RangeError(`Integer does not fit in ${size} bytes`);
  const out = new Uint8Array(size);
  for (let i = 0; i < n; i++) out[size - n + i] = parseInt(hex.substring(i * 2, i * 2 + 2), 16);
  return out;
}

/** The number of significant bits of a non-negative bigint. */
export function bitLength(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

/** Byte-wise equality, without early exit. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** Removes leading zero bytes (for unpadded big-endian scalars). */
export function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}
