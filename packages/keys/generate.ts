/**
 * Generating new private keys.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { bigintFromBytes, decodeBase64Url } from "./encoding.ts";
import { ECDSA_CURVES, ecdsaPublicKey } from "./ecdsa.ts";
import { keyFromParts } from "./key_parts.ts";
import type { PrivateKey } from "./private_key.ts";

/**
 * The key types {@linkcode generateKey} makes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, type GenerateKeyType } from "@hush/keys";
 * const type: GenerateKeyType = "ecdsa-sha2-nistp384";
 * assert.equal((await generateKey(type)).publicKey.type, "ecdsa-sha2-nistp384");
 * ```
 */
export type GenerateKeyType =
  | "ssh-ed25519"
  | "ecdsa-sha2-nistp256"
  | "ecdsa-sha2-nistp384"
  | "ecdsa-sha2-nistp521"
  | "ssh-rsa";

/**
 * Options of {@linkcode generateKey}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, type GenerateKeyOptions } from "@hush/keys";
 * const options: GenerateKeyOptions = { bits: 2048, comment: "ci@example.com" };
 * assert.equal((await generateKey("ssh-rsa", options)).comment, "ci@example.com");
 * ```
 */
export interface GenerateKeyOptions {
  /** RSA modulus size, 2048 to 8192 (default 3072, as ssh-keygen). Ignored for other types. */
  bits?: number;
  /** The new key's comment (default empty). */
  comment?: string;
}

/**
 * Default RSA modulus size (as ssh-keygen).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, keyBits, RSA_DEFAULT_BITS } from "@hush/keys";
 * const key = await generateKey("ssh-rsa");
 * assert.equal(keyBits(key.publicKey) === RSA_DEFAULT_BITS, true);
 * ```
 */
export const RSA_DEFAULT_BITS = 3072;
/**
 * Smallest RSA modulus generateKey makes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RSA_GENERATE_MIN_BITS } from "@hush/keys";
 * assert.equal(RSA_GENERATE_MIN_BITS, 2048);
 * ```
 */
export const RSA_GENERATE_MIN_BITS = 2048;
/**
 * Largest RSA modulus generateKey makes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RSA_GENERATE_MAX_BITS } from "@hush/keys";
 * assert.equal(RSA_GENERATE_MAX_BITS, 8192);
 * ```
 */
export const RSA_GENERATE_MAX_BITS = 8192;

/**
 * Generates a new private key from the platform's secure random source (Ed25519 and ECDSA
 * through noble, RSA through WebCrypto with e = 65537).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey } from "@hush/keys";
 * const key = await generateKey("ssh-ed25519", { comment: "demo" });
 * assert.equal(key.publicKey.type, "ssh-ed25519");
 * assert.equal(key.comment, "demo");
 * ```
 */
export async function generateKey(
  type: GenerateKeyType,
  options: GenerateKeyOptions = {},
): Promise<PrivateKey> {
  const comment = options.comment ?? "";
  switch (type) {
    case "ssh-ed25519": {
      const seed = crypto.getRandomValues(new Uint8Array(32));
      const key = await keyFromParts(
        { type, seed, publicKey: ed25519.getPublicKey(seed) },
        comment,
      );
      seed.fill(0);
      return key;
    }
    case "ecdsa-sha2-nistp256":
    case "ecdsa-sha2-nistp384":
    case "ecdsa-sha2-nistp521": {
      const c = ECDSA_CURVES[type];
      const d = c.curve.utils.randomSecretKey();
      const key = await keyFromParts({ type, d, q: ecdsaPublicKey(c, d) }, comment);
      d.fill(0);
      return key;
    }
    case "ssh-rsa": {
      const bits = options.bits ?? RSA_DEFAULT_BITS;
      if (!Number.isInteger(bits) || bits < RSA_GENERATE_MIN_BITS || bits > RSA_GENERATE_MAX_BITS) {
        throw new RangeError(
          `RSA key size must be ${RSA_GENERATE_MIN_BITS} to ${RSA_GENERATE_MAX_BITS} bits`,
        );
      }
      const pair = await crypto.subtle.generateKey(
        {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: bits,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        },
        true,
        ["sign", "verify"],
      ) as CryptoKeyPair;
      const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
      const big = (s: string | undefined): bigint => bigintFromBytes(decodeBase64Url(s ?? ""));
      return keyFromParts({
        type,
        n: big(jwk.n),
        e: big(jwk.e),
        d: big(jwk.d),
        p: big(jwk.p),
        q: big(jwk.q),
        iqmp: big(jwk.qi),
      }, comment);
    }
    default:
      throw new TypeError(`Cannot generate keys of type ${JSON.stringify(type)}`);
  }
}
