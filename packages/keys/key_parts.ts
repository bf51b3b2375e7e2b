/**
 * The seam between private key file formats and in-memory keys: the raw secret fields of each
 * key type, turned into a {@linkcode PrivateKey} (validated) and back.
 * @module
 */
import { bytesEqual } from "@hush/wire";
import { KeyError } from "./errors.ts";
import { bigintFromBytes, bytesFromBigint } from "./encoding.ts";
import { checkEd25519PublicKey } from "./ed25519.ts";
import { ed25519Backend } from "./ed25519_backend.ts";
import { checkEcdsaPoint, ECDSA_CURVES, ecdsaPublicKey } from "./ecdsa.ts";
import { checkRsaPublicKey } from "./rsa.ts";
import {
  EcdsaPrivateKey,
  Ed25519PrivateKey,
  LocalPrivateKey,
  type PrivateKey,
  RsaPrivateKey,
} from "./private_key.ts";

/**
 * The secret fields of a private key, as the key file formats carry them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, type KeyParts, partsOfKey } from "@hush/keys";
 * const parts: KeyParts = partsOfKey(await generateKey("ssh-ed25519"));
 * assert.equal(parts.type, "ssh-ed25519");
 * ```
 */
export type KeyParts =
  | {
    type: "ssh-ed25519";
    /** The 32-byte seed (RFC 8032 private key). */
    seed: Uint8Array;
    /** The 32-byte public key. */
    publicKey: Uint8Array;
  }
  | {
    type: "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521";
    /** The big-endian private scalar (leading zeros optional). */
    d: Uint8Array;
    /** The uncompressed SEC1 public point. */
    q: Uint8Array;
  }
  | {
    type: "ssh-rsa";
    n: bigint;
    e: bigint;
    d: bigint;
    p: bigint;
    q: bigint;
    /** q⁻¹ mod p (the CRT coefficient). */
    iqmp: bigint;
  };

/**
 * Builds an in-memory private key from its secret fields, checking that they are consistent
 * (the public key matches the secret, RSA's n = p·q and e·d ≡ 1, sizes in range). Anything
 * inconsistent is a {@linkcode KeyError}. The fields are copied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, keyFromParts, partsOfKey } from "@hush/keys";
 * const key = await generateKey("ecdsa-sha2-nistp384");
 * const copy = await keyFromParts(partsOfKey(key), "copy");
 * assert.equal(copy.publicKey.equals(key.publicKey), true);
 * ```
 */
export async function keyFromParts(parts: KeyParts, comment = ""): Promise<PrivateKey> {
  if (parts.type === "ssh-ed25519") {
    // the seed's public key, derived where the installed Ed25519 runs (WebCrypto: no cold start)
    if (!(parts.seed instanceof Uint8Array) || parts.seed.length !== 32) {
      throw new KeyError("Invalid ssh-ed25519 private key: seed is not 32 bytes");
    }
    checkEd25519PublicKey(parts.publicKey);
    const derived = await ed25519Backend().publicKey(parts.seed);
    if (!bytesEqual(derived, parts.publicKey)) {
      throw new KeyError("Invalid ssh-ed25519 private key: public key does not match");
    }
    return new Ed25519PrivateKey(parts.seed, parts.publicKey, comment);
  }
  return buildKey(parts, comment);
}

function buildKey(parts: KeyParts, comment: string): PrivateKey {
  switch (parts.type) {
    case "ecdsa-sha2-nistp256":
    case "ecdsa-sha2-nistp384":
    case "ecdsa-sha2-nistp521": {
      const curve = ECDSA_CURVES[parts.type];
      checkEcdsaPoint(curve, parts.q);
      const dv = bigintFromBytes(parts.d);
      if (dv <= 0n || dv >= curve.curve.Point.Fn.ORDER) {
        throw new KeyError(`Invalid ${parts.type} private key: scalar out of range`);
      }
      const d = bytesFromBigint(dv, curve.scalarLength);
      if (!bytesEqual(ecdsaPublicKey(curve, d), parts.q)) {
        d.fill(0);
        throw new KeyError(`Invalid ${parts.type} private key: public point does not match`);
      }
      const key = new EcdsaPrivateKey(curve, d, parts.q, comment);
      d.fill(0);
      return key;
    }
    case "ssh-rsa": {
      const { n, e, d, p, q, iqmp } = parts;
      checkRsaPublicKey(n, e);
      if (p <= 1n || q <= 1n || p * q !== n) {
        throw new KeyError("Invalid ssh-rsa private key: n is not p·q");
      }
      if (d <= 1n || d >= n || (e * d) % (p - 1n) !== 1n || (e * d) % (q - 1n) !== 1n) {
        throw new KeyError("Invalid ssh-rsa private key: d does not match e");
      }
      if ((iqmp * q) % p !== 1n) {
        throw new KeyError("Invalid ssh-rsa private key: iqmp is not q⁻¹ mod p");
      }
      return new RsaPrivateKey({ n, e, d, p, q, iqmp }, comment);
    }
    default:
      throw new KeyError(
        `Unsupported private key type: ${JSON.stringify((parts as { type: unknown }).type)}`,
      );
  }
}

/**
 * The secret fields of an in-memory private key (for writing key files). Keys that do not
 * hold their secret in memory (an agent identity) are a TypeError. The result is a copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, partsOfKey } from "@hush/keys";
 * const parts = partsOfKey(await generateKey("ssh-ed25519"));
 * assert.equal(parts.type, "ssh-ed25519");
 * if (parts.type === "ssh-ed25519") assert.equal(parts.seed.length, 32);
 * ```
 */
export function partsOfKey(key: PrivateKey): KeyParts {
  if (!(key instanceof LocalPrivateKey)) {
    throw new TypeError("Key does not hold its secret in memory");
  }
  return key.parts();
}
