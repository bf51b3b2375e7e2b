/**
 * SSH signatures of files and messages (OpenSSH `PROTOCOL.sshsig`), as `ssh-keygen -Y sign`
 * makes them and `ssh-keygen -Y verify` checks them: the message is hashed (SHA-512 by
 * default), the hash is signed together with a namespace that keeps signatures for one purpose
 * from being replayed for another, and the result is armored as `BEGIN SSH SIGNATURE`.
 * @module
 */
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { bytesEqual, SshReader, SshWriter } from "@hush/wire";
import { asKeyError, KeyError } from "./errors.ts";
import { decodePem, encodePem } from "./pem.ts";
import { parsePublicKey } from "./parse_public_key.ts";
import type { PublicKey } from "./public_key.ts";
import type { Signer } from "./private_key.ts";
import { decodeSignatureBlob } from "./signature_blob.ts";
import { CERTIFICATE_ALGORITHMS } from "./signature_algorithms.ts";

const MAGIC = new TextEncoder().encode("SSHSIG");
const VERSION = 1;
const LABEL = "SSH SIGNATURE";
/** Longest namespace accepted (the namespace is an application-chosen name). */
const NAMESPACE_LIMIT = 256;

/** The message hashes SSHSIG defines. */
export type SshsigHash = "sha256" | "sha512";

const HASHES: Readonly<Record<SshsigHash, (m: Uint8Array) => Uint8Array>> = {
  sha256: (m) => sha256(m),
  sha512: (m) => sha512(m),
};

/** Options of {@linkcode signSshsig}. */
export interface SignSshsigOptions {
  /** What the signature is for, e.g. `"file"` or `"git"` (`ssh-keygen -n`). Required. */
  namespace: string;
  /** The message hash (default `"sha512"`, as ssh-keygen). */
  hash?: SshsigHash;
}

/** Options of {@linkcode verifySshsig}. */
export interface VerifySshsigOptions {
  /** The namespace the signature must have been made for. Required. */
  namespace: string;
  /** When given, the signature must have been made by this key. */
  publicKey?: PublicKey;
}

/** What {@linkcode verifySshsig} found in a good signature. */
export interface SshsigVerified {
  /** The key (or certificate) that made the signature: check it against your allowed signers. */
  publicKey: PublicKey;
  /** The message hash the signature used. */
  hash: SshsigHash;
  /** The signature algorithm, e.g. `"rsa-sha2-512"`. */
  algorithm: string;
}

function checkNamespace(namespace: string): void {
  if (typeof namespace !== "string" || namespace.length === 0) {
    throw new TypeError("An SSHSIG namespace is required");
  }
  if (namespace.length > NAMESPACE_LIMIT) throw new RangeError("SSHSIG namespace too long");
}

/** The bytes that are actually signed: preamble, namespace, reserved, hash name, H(message). */
function signedData(namespace: string, hash: SshsigHash, message: Uint8Array): Uint8Array {
  return new SshWriter().raw(MAGIC).string(namespace).string("").string(hash)
    .string(HASHES[hash](message)).finish();
}

/**
 * Signs a message as `ssh-keygen -Y sign -n <namespace>` does, returning the armored
 * signature text (`-----BEGIN SSH SIGNATURE-----` …). RSA keys sign with rsa-sha2-512.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, signSshsig, verifySshsig } from "@hush/keys";
 * const key = await generateKey("ssh-ed25519");
 * const message = new TextEncoder().encode("release v1.0\n");
 * const signature = await signSshsig(key, message, { namespace: "file" });
 * const { publicKey } = await verifySshsig(signature, message, { namespace: "file" });
 * assert.equal(publicKey.equals(key.publicKey), true);
 * ```
 */
export async function signSshsig(
  signer: Signer,
  message: Uint8Array,
  options: SignSshsigOptions,
): Promise<string> {
  checkNamespace(options.namespace);
  const hash = options.hash ?? "sha512";
  if (!Object.hasOwn(HASHES, hash)) throw new RangeError(`Unsupported SSHSIG hash ${hash}`);
  const signature = await signer.sign(signedData(options.namespace, hash, message));
  const blob = new SshWriter().raw(MAGIC).uint32(VERSION).string(signer.publicKey.blob)
    .string(options.namespace).string("").string(hash).string(signature).finish();
  return encodePem(LABEL, blob, 70);
}

/**
 * Verifies an armored SSH signature over a message, as `ssh-keygen -Y verify` (or
 * `-Y check-novalidate`) does: the namespace must match, the hash must be sha256 or sha512,
 * `ssh-rsa` (SHA-1) signatures are refused. When the signing key is a certificate, the result's
 * `publicKey` is that certificate: check it (`checkCertificate`) against your CA. Resolves with the signing key; a bad, malformed
 * or mismatched signature rejects with a {@linkcode KeyError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, KeyError, signSshsig, verifySshsig } from "@hush/keys";
 * const key = await generateKey("ecdsa-sha2-nistp256");
 * const signature = await signSshsig(key, new Uint8Array([1]), { namespace: "file" });
 * try {
 *   await verifySshsig(signature, new Uint8Array([2]), { namespace: "file" });
 * } catch (e) {
 *   assert.equal(e instanceof KeyError, true);
 * }
 * ```
 */
export async function verifySshsig(
  signature: string,
  message: Uint8Array,
  options: VerifySshsigOptions,
): Promise<SshsigVerified> {
  checkNamespace(options.namespace);
  const { bytes } = decodePem(signature, [LABEL]);
  const fields = asKeyError("Malformed SSH signature", () => {
    const r = new SshReader(bytes);
    if (!bytesEqual(r.raw(MAGIC.length), MAGIC)) throw new KeyError("Not an SSHSIG signature");
    const version = r.uint32();
    if (version !== VERSION) throw new KeyError(`Unsupported SSHSIG version ${version}`);
    const keyBlob = r.string();
    const namespace = r.utf8();
    r.string(); // reserved
    const hash = r.ascii();
    const sig = r.string();
    r.end();
    return { keyBlob, namespace, hash, sig };
  });
  if (fields.namespace !== options.namespace) {
    throw new KeyError(
      `Signature namespace ${JSON.stringify(fields.namespace)} is not ${
        JSON.stringify(options.namespace)
      }`,
    );
  }
  if (!Object.hasOwn(HASHES, fields.hash)) {
    throw new KeyError(`Unsupported SSHSIG hash ${JSON.stringify(fields.hash)}`);
  }
  const hash = fields.hash as SshsigHash;
  const publicKey = parsePublicKey(fields.keyBlob);
  if (options.publicKey && !options.publicKey.equals(publicKey)) {
    throw new KeyError("Signature was made by another key");
  }
  const { algorithm } = decodeSignatureBlob(fields.sig);
  // A certificate's signatures carry the plain algorithm its certificate algorithm names.
  const verifyAs = publicKey.signatureAlgorithms.find((name) =>
    name === algorithm || CERTIFICATE_ALGORITHMS[name]?.signature === algorithm
  );
  if (verifyAs === undefined) {
    throw new KeyError(`Signature algorithm ${algorithm} is not allowed for ${publicKey.type}`);
  }
  const ok = await publicKey.verify(
    verifyAs,
    fields.sig,
    signedData(options.namespace, hash, message),
  );
  if (!ok) throw new KeyError("Signature does not verify");
  return { publicKey, hash, algorithm };
}
