/**
 * The registry of cipher and MAC algorithms by SSH name: key, IV and tag lengths, block size,
 * and the default preference lists (OpenSSH 10's order).
 * @module
 */

/**
 * What negotiation and key derivation need to know about a cipher.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CIPHERS, type CipherSpec } from "@hush/cipher";
 * const spec: CipherSpec = CIPHERS["chacha20-poly1305@openssh.com"];
 * assert.equal(spec.aead, true);
 * assert.equal(spec.blockSize, 8);
 * assert.equal(spec.tagLength, 16);
 * ```
 */
export interface CipherSpec {
  /** The SSH name, e.g. `aes128-gcm@openssh.com`. */
  name: string;
  /** Bytes of key material (64 for chacha20-poly1305: K_2 then K_1). */
  keyLength: number;
  /** Bytes of IV material (0 when the suite takes none). */
  ivLength: number;
  /** Block size the padding aligns to (at least 8). */
  blockSize: number;
  /** Authenticated encryption: no separate MAC is negotiated. */
  aead: boolean;
  /** Bytes of the tag after an AEAD packet (0 for non-AEAD ciphers). */
  tagLength: number;
}

/**
 * What negotiation and key derivation need to know about a MAC.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MACS, type MacSpec } from "@hush/cipher";
 * const spec: MacSpec = MACS["hmac-sha2-256-etm@openssh.com"];
 * assert.equal(spec.etm, true);
 * assert.equal(spec.tagLength, 32);
 * ```
 */
export interface MacSpec {
  /** The SSH name, e.g. `hmac-sha2-256-etm@openssh.com`. */
  name: string;
  /** Bytes of MAC key material. */
  keyLength: number;
  /** Bytes of the MAC after each packet. */
  tagLength: number;
  /** Encrypt-then-MAC: the length stays in the clear and the MAC covers the ciphertext. */
  etm: boolean;
}

const cipher = (
  name: string,
  keyLength: number,
  ivLength: number,
  blockSize: number,
  tagLength: number,
): CipherSpec => ({ name, keyLength, ivLength, blockSize, aead: tagLength > 0, tagLength });

const mac = (name: string, keyLength: number, tagLength: number, etm: boolean): MacSpec => ({
  name,
  keyLength,
  tagLength,
  etm,
});

/**
 * Every supported cipher by SSH name. `none` is not here: the wire package frames packets
 * without encryption before the first NEWKEYS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CIPHERS } from "@hush/cipher";
 * assert.equal(CIPHERS["aes256-gcm@openssh.com"].keyLength, 32);
 * ```
 */
export const CIPHERS: Record<string, CipherSpec> = Object.freeze({
  "chacha20-poly1305@openssh.com": cipher("chacha20-poly1305@openssh.com", 64, 0, 8, 16),
  "aes128-gcm@openssh.com": cipher("aes128-gcm@openssh.com", 16, 12, 16, 16),
  "aes256-gcm@openssh.com": cipher("aes256-gcm@openssh.com", 32, 12, 16, 16),
  "aes128-ctr": cipher("aes128-ctr", 16, 16, 16, 0),
  "aes192-ctr": cipher("aes192-ctr", 24, 16, 16, 0),
  "aes256-ctr": cipher("aes256-ctr", 32, 16, 16, 0),
});

/**
 * Every supported MAC by SSH name (used with the non-AEAD ciphers only).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MACS } from "@hush/cipher";
 * assert.equal(MACS["hmac-sha2-512-etm@openssh.com"].tagLength, 64);
 * ```
 */
export const MACS: Record<string, MacSpec> = Object.freeze({
  "hmac-sha2-256-etm@openssh.com": mac("hmac-sha2-256-etm@openssh.com", 32, 32, true),
  "hmac-sha2-512-etm@openssh.com": mac("hmac-sha2-512-etm@openssh.com", 64, 64, true),
  "hmac-sha1-etm@openssh.com": mac("hmac-sha1-etm@openssh.com", 20, 20, true),
  "hmac-sha2-256": mac("hmac-sha2-256", 32, 32, false),
  "hmac-sha2-512": mac("hmac-sha2-512", 64, 64, false),
  "hmac-sha1": mac("hmac-sha1", 20, 20, false),
});

/**
 * Cipher preference in OpenSSH 10's default order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CIPHERS } from "@hush/cipher";
 * assert.equal(DEFAULT_CIPHERS[0], "chacha20-poly1305@openssh.com");
 * ```
 */
export const DEFAULT_CIPHERS: readonly string[] = Object.freeze([
  "chacha20-poly1305@openssh.com",
  "aes128-gcm@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-ctr",
  "aes192-ctr",
  "aes256-ctr",
]);

/**
 * MAC preference: encrypt-then-MAC first, as OpenSSH 10 (without the umac family); the
 * SHA-1 MACs are supported but not offered unless asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_MACS } from "@hush/cipher";
 * assert.equal(DEFAULT_MACS[0], "hmac-sha2-256-etm@openssh.com");
 * ```
 */
export const DEFAULT_MACS: readonly string[] = Object.freeze([
  "hmac-sha2-256-etm@openssh.com",
  "hmac-sha2-512-etm@openssh.com",
  "hmac-sha2-256",
  "hmac-sha2-512",
]);

/**
 * The spec of a cipher by name; a `TypeError` for a name not in {@linkcode CIPHERS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cipherSpec } from "@hush/cipher";
 * assert.equal(cipherSpec("aes128-ctr").blockSize, 16);
 * ```
 */
export function cipherSpec(name: string): CipherSpec {
  const spec = Object.hasOwn(CIPHERS, name) ? CIPHERS[name] : undefined;
  if (!spec) throw new TypeError(`Unknown cipher: ${name}`);
  return spec;
}

/**
 * The spec of a MAC by name; a `TypeError` for a name not in {@linkcode MACS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { macSpec } from "@hush/cipher";
 * assert.equal(macSpec("hmac-sha2-256").keyLength, 32);
 * ```
 */
export function macSpec(name: string): MacSpec {
  const spec = Object.hasOwn(MACS, name) ? MACS[name] : undefined;
  if (!spec) throw new TypeError(`Unknown MAC: ${name}`);
  return spec;
}

/**
 * Whether a cipher authenticates by itself (then no MAC is negotiated). `false` for names
 * not in the registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAead } from "@hush/cipher";
 * assert.equal(isAead("chacha20-poly1305@openssh.com"), true);
 * assert.equal(isAead("aes128-ctr"), false);
 * ```
 */
export function isAead(cipher: string): boolean {
  return Object.hasOwn(CIPHERS, cipher) && CIPHERS[cipher].aead;
}

/**
 * The key material a direction needs: IV, cipher key and MAC key lengths (RFC 4253 §7.2
 * derives exactly these many bytes). `mac` is ignored for AEAD ciphers and required otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyLengths } from "@hush/cipher";
 * assert.deepEqual(
 *   keyLengths("aes256-ctr", "hmac-sha2-512-etm@openssh.com"),
 *   { ivLength: 16, keyLength: 32, macKeyLength: 64 },
 * );
 * ```
 */
export function keyLengths(
  cipher: string,
  mac?: string,
): { ivLength: number; keyLength: number; macKeyLength: number } {
  const c = cipherSpec(cipher);
  if (c.aead) return { ivLength: c.ivLength, keyLength: c.keyLength, macKeyLength: 0 };
  if (mac === undefined) throw new TypeError(`Cipher ${cipher} needs a MAC`);
  return { ivLength: c.ivLength, keyLength: c.keyLength, macKeyLength: macSpec(mac).keyLength };
}
