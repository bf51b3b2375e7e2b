/**
 * The byte encodings key formats share: base64 that fails with a KeyError, base64url for JWK
 * fields, unsigned big-endian integers. Internal to `@hush/keys`.
 * @module
 */
import { decodeBase64, encodeBase64 } from "@hush/wire";
import { KeyError } from "./errors.ts";

/** Decodes strict padded base64 (`@hush/wire`'s); anything else is a KeyError naming `what`. */
export function parseBase64(text: string, what = "base64"): Uint8Array {
  const bytes = decodeBase64(text);
  if (bytes === undefined) {
    throw new KeyError(`Invalid ${what}: not well-formed base64`);
  }
  return bytes;
}

/** Encodes bytes as base64url without padding (JWK fields). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes base64url without padding (JWK fields). */
export function decodeBase64Url(text: string): Uint8Array {
  let s = text.replace(/-/g, "+").replace(/_/g, "/");
  while (s.length % 4) s += "=";
  return parseBase64(s, "base64url");
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

/** Removes leading zero bytes (for unpadded big-endian scalars). */
export function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}
