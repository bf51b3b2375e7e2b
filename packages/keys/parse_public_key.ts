/**
 * Parsing public key blobs (plain keys and certificates).
 * @module
 */
import { SshReader } from "@hush/wire";
import { asKeyError } from "./errors.ts";
import { PlainPublicKey, type PublicKey, readKeyMaterial } from "./public_key.ts";
import { parseCertificateKey } from "./certificate.ts";
import { CERTIFIED_KEY_TYPE } from "./signature_algorithms.ts";

/**
 * Parses an SSH public key blob (RFC 4253 §6.6): `ssh-ed25519`, `ecdsa-sha2-nistp256/384/521`,
 * `ssh-rsa`, or an OpenSSH certificate of one of them (whose CA signature is verified here).
 * Anything else, or any malformed, out-of-range or trailing byte, is a {@linkcode KeyError}.
 * The blob is copied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, parsePublicKey } from "@hush/keys";
 * const key = await generateKey("ssh-ed25519");
 * const parsed = parsePublicKey(key.publicKey.blob);
 * assert.equal(parsed.type, "ssh-ed25519");
 * assert.equal(parsed.equals(key.publicKey), true);
 * ```
 */
export function parsePublicKey(blob: Uint8Array): PublicKey {
  return asKeyError("Invalid public key", () => {
    const r = new SshReader(blob);
    const type = r.ascii();
    if (CERTIFIED_KEY_TYPE[type]) return parseCertificateKey(blob);
    const material = readKeyMaterial(type, r);
    r.end();
    return new PlainPublicKey(material, blob.slice());
  });
}

/**
 * The key size in bits as `ssh-keygen -l` prints it (256 for Ed25519, the curve size for
 * ECDSA, the modulus size for RSA; a certificate's certified key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, keyBits } from "@hush/keys";
 * assert.equal(keyBits((await generateKey("ecdsa-sha2-nistp521")).publicKey), 521);
 * ```
 */
export function keyBits(key: PublicKey): number {
  return describe(key).bits;
}

/**
 * The key type label `ssh-keygen` and `ssh` print: `ED25519`, `ECDSA`, `RSA`, and
 * `ED25519-CERT`, `ECDSA-CERT`, `RSA-CERT` for certificates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, keyTypeLabel } from "@hush/keys";
 * assert.equal(keyTypeLabel((await generateKey("ssh-ed25519")).publicKey), "ED25519");
 * ```
 */
export function keyTypeLabel(key: PublicKey): string {
  return describe(key).label;
}

function describe(key: PublicKey): { bits: number; label: string } {
  const k = key as PublicKey & { bits?: number; label?: string };
  if (typeof k.bits === "number" && typeof k.label === "string") {
    return { bits: k.bits, label: k.label };
  }
  const parsed = parsePublicKey(key.blob) as PublicKey & { bits: number; label: string };
  return { bits: parsed.bits, label: parsed.label };
}
