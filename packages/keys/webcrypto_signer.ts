/**
 * A {@linkcode Signer} over a WebCrypto key pair, so that non-extractable keys (kept by the
 * platform, never in JavaScript memory) sign like any other key.
 * @module
 */
import { SshWriter } from "@hush/wire";
import { KeyError } from "./errors.ts";
import { bigintFromBytes, decodeBase64Url } from "./encoding.ts";
import { checkEcdsaPoint, ECDSA_CURVES } from "./ecdsa.ts";
import { checkEd25519PublicKey } from "./ed25519.ts";
import { checkRsaPublicKey } from "./rsa.ts";
import { type KeyMaterial, PlainPublicKey } from "./public_key.ts";
import type { Signer } from "./private_key.ts";
import { encodeSignatureBlob } from "./signature_blob.ts";

const EC_CURVES: Record<string, { keyType: string; hash: string }> = {
  "P-256": { keyType: "ecdsa-sha2-nistp256", hash: "SHA-256" },
  "P-384": { keyType: "ecdsa-sha2-nistp384", hash: "SHA-384" },
  "P-521": { keyType: "ecdsa-sha2-nistp521", hash: "SHA-512" },
};

const RSA_HASHES: Record<string, string> = { "SHA-256": "rsa-sha2-256", "SHA-512": "rsa-sha2-512" };

/**
 * Wraps a WebCrypto key pair as a {@linkcode Signer}: Ed25519, ECDSA P-256/P-384/P-521, or
 * RSASSA-PKCS1-v1_5 with SHA-256 or SHA-512 (an RSA CryptoKey is bound to one hash, so its
 * `signatureAlgorithms` is just `rsa-sha2-256` or `rsa-sha2-512`). The private key may be
 * non-extractable; the public key must be exportable (WebCrypto public keys always are).
 * Unsupported algorithms are a TypeError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { webCryptoSigner } from "@hush/keys";
 * const pair = await crypto.subtle.generateKey(
 *   { name: "ECDSA", namedCurve: "P-256" },
 *   false,
 *   ["sign", "verify"],
 * ) as CryptoKeyPair;
 * const signer = await webCryptoSigner(pair);
 * const data = new Uint8Array([1, 2, 3]);
 * assert.equal(
 *   await signer.publicKey.verify("ecdsa-sha2-nistp256", await signer.sign(data), data),
 *   true,
 * );
 * ```
 */
export async function webCryptoSigner(keys: CryptoKeyPair): Promise<Signer> {
  const algorithm = keys.privateKey.algorithm as KeyAlgorithm & {
    hash?: { name: string };
    namedCurve?: string;
  };
  const jwk = await crypto.subtle.exportKey("jwk", keys.publicKey);
  const bytes = (s: string | undefined): Uint8Array => decodeBase64Url(s ?? "");
  let material: KeyMaterial;
  let sshAlgorithm: string;
  let params: AlgorithmIdentifier | EcdsaParams;
  let ecLength = 0;
  switch (algorithm.name) {
    case "Ed25519": {
      const a = bytes(jwk.x);
      checkEd25519PublicKey(a);
      material = { kind: "ed25519", type: "ssh-ed25519", a };
      sshAlgorithm = "ssh-ed25519";
      params = "Ed25519";
      break;
    }
    case "ECDSA": {
      const spec = EC_CURVES[algorithm.namedCurve ?? ""];
      if (!spec) throw new TypeError(`Unsupported ECDSA curve: ${algorithm.namedCurve}`);
      const curve = ECDSA_CURVES[spec.keyType];
      const x = bytes(jwk.x);
      const y = bytes(jwk.y);
      const q = new Uint8Array(1 + x.length + y.length);
      q[0] = 4;
      q.set(x, 1);
      q.set(y, 1 + x.length);
      checkEcdsaPoint(curve, q);
      material = { kind: "ecdsa", type: spec.keyType, curve, q };
      sshAlgorithm = spec.keyType;
      params = { name: "ECDSA", hash: spec.hash };
      ecLength = curve.scalarLength;
      break;
    }
    case "RSASSA-PKCS1-v1_5": {
      const alg = RSA_HASHES[algorithm.hash?.name ?? ""];
      if (!alg) throw new TypeError(`Unsupported RSA hash: ${algorithm.hash?.name}`);
      const n = bigintFromBytes(bytes(jwk.n));
      const e = bigintFromBytes(bytes(jwk.e));
      checkRsaPublicKey(n, e);
      material = { kind: "rsa", type: "ssh-rsa", n, e };
      sshAlgorithm = alg;
      params = "RSASSA-PKCS1-v1_5";
      break;
    }
    default:
      throw new TypeError(`Unsupported WebCrypto key algorithm: ${algorithm.name}`);
  }
  const publicKey = new PlainPublicKey(material, undefined, [sshAlgorithm]);
  return {
    publicKey,
    async sign(data: Uint8Array, requested?: string): Promise<Uint8Array> {
      if (requested !== undefined && requested !== sshAlgorithm) {
        throw new KeyError(
          `Cannot sign with ${requested}: this WebCrypto key signs ${sshAlgorithm}`,
        );
      }
      const raw = new Uint8Array(
        await crypto.subtle.sign(params, keys.privateKey, data as Uint8Array<ArrayBuffer>),
      );
      if (ecLength === 0) return encodeSignatureBlob(sshAlgorithm, raw);
      // WebCrypto ECDSA gives r || s; SSH wants mpint r, mpint s.
      const inner = new SshWriter(2 * ecLength + 16)
        .mpint(bigintFromBytes(raw.subarray(0, ecLength)))
        .mpint(bigintFromBytes(raw.subarray(ecLength)))
        .finish();
      return encodeSignatureBlob(sshAlgorithm, inner);
    },
  };
}
