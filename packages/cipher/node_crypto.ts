/**
 * The part of `node:crypto` the suites use, as a type: the module itself is handed in by the
 * caller (`CipherProviders.node`), so that this package stays web-standard and loads in
 * browsers too.
 * @module
 */

/**
 * The part of a `node:crypto` Cipher/Decipher object the suites use.
 *
 * @example
 * ```ts
 * import type { NodeCipher } from "@hush/cipher";
 * const encrypt = (c: NodeCipher, data: Uint8Array): Uint8Array => c.update(data);
 * ```
 */
export interface NodeCipher {
  /** Encrypts or decrypts the next bytes. */
  update(data: Uint8Array): Uint8Array;
  /** Ends the operation (for GCM decryption: checks the tag, throwing when it is wrong). */
  final(): Uint8Array;
  /** GCM: the additional authenticated data. */
  setAAD(aad: Uint8Array): NodeCipher;
  /** GCM decryption: the tag to check in `final()`. */
  setAuthTag(tag: Uint8Array): NodeCipher;
  /** GCM encryption: the tag, after `final()`. */
  getAuthTag(): Uint8Array;
}

/**
 * The part of a `node:crypto` Hmac object the suites use.
 *
 * @example
 * ```ts
 * import type { NodeHmac } from "@hush/cipher";
 * const tag = (h: NodeHmac, data: Uint8Array): Uint8Array => h.update(data).digest();
 * ```
 */
export interface NodeHmac {
  /** Adds bytes to the MAC. */
  update(data: Uint8Array): NodeHmac;
  /** The MAC of everything added. */
  digest(): Uint8Array;
}

/**
 * The part of `node:crypto` the suites use (OpenSSL ciphers and HMAC).
 *
 * @example
 * ```ts
 * import type { NodeCrypto } from "@hush/cipher";
 * // @hush/ssh hands in the runtime's node:crypto module; here only its shape is used
 * const hasChaCha = (node: NodeCrypto): boolean => node.getCiphers().includes("chacha20");
 * ```
 */
export interface NodeCrypto {
  /** An OpenSSL cipher for encryption (`aes-128-gcm`, `aes-256-ctr`, `chacha20`, …). */
  createCipheriv(
    algorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
    options?: { authTagLength?: number },
  ): NodeCipher;
  /** An OpenSSL cipher for decryption. */
  createDecipheriv(
    algorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
    options?: { authTagLength?: number },
  ): NodeCipher;
  /** An HMAC (`sha1`, `sha256`, `sha512`). */
  createHmac(algorithm: string, key: Uint8Array): NodeHmac;
  /** The OpenSSL cipher names this build has. */
  getCiphers(): string[];
}
