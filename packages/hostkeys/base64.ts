/**
 * Strict base64 (RFC 4648 §4, padded) for key blobs and hashed host names.
 * @module
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes padded standard base64, or returns `undefined` for anything else (wrong alphabet,
 * missing or misplaced padding, stray whitespace).
 *
 * @param text The base64 text.
 * @returns The bytes, or `undefined` when the text is not strict base64.
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "@hush/hostkeys";
 * console.log(decodeBase64("aGk=")); // Uint8Array(2) [ 104, 105 ]
 * console.log(decodeBase64("aGk")); // undefined
 * ```
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
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
 * import { encodeBase64 } from "@hush/hostkeys";
 * console.log(encodeBase64(new Uint8Array([104, 105]))); // aGk=
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin);
}
