/**
 * The SSH signature blob (RFC 4253 §6.6): `string algorithm, string signature`.
 * @module
 */
import { SshReader, SshWriter } from "@hush/wire";
import { asKeyError } from "./errors.ts";

/**
 * A decoded SSH signature blob.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSignatureBlob, generateKey, type SignatureBlob } from "@hush/keys";
 * const key = await generateKey("ssh-ed25519");
 * const blob: SignatureBlob = decodeSignatureBlob(await key.sign(new Uint8Array(1)));
 * assert.equal(blob.algorithm, "ssh-ed25519");
 * assert.equal(blob.signature.length, 64);
 * ```
 */
export interface SignatureBlob {
  /** The signature algorithm named in the blob (`rsa-sha2-256`, `ssh-ed25519`, …). */
  algorithm: string;
  /** The algorithm-specific signature bytes (a view into the blob). */
  signature: Uint8Array;
}

/**
 * Encodes an SSH signature blob.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSignatureBlob } from "@hush/keys";
 * const blob = encodeSignatureBlob("ssh-ed25519", new Uint8Array(64));
 * assert.equal(blob.length, 83); // 4 + 11 + 4 + 64
 * ```
 */
export function encodeSignatureBlob(algorithm: string, signature: Uint8Array): Uint8Array {
  return new SshWriter(signature.length + algorithm.length + 8)
    .string(algorithm)
    .string(signature)
    .finish();
}

/**
 * Decodes an SSH signature blob; anything malformed (truncated, trailing bytes, a non-ASCII
 * name) throws a {@linkcode KeyError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSignatureBlob, encodeSignatureBlob } from "@hush/keys";
 * const { algorithm } = decodeSignatureBlob(encodeSignatureBlob("rsa-sha2-256", new Uint8Array(256)));
 * assert.equal(algorithm, "rsa-sha2-256");
 * ```
 */
export function decodeSignatureBlob(blob: Uint8Array): SignatureBlob {
  return asKeyError("Malformed signature blob", () => {
    const r = new SshReader(blob);
    const algorithm = r.ascii();
    const signature = r.string();
    r.end();
    return { algorithm, signature };
  });
}
