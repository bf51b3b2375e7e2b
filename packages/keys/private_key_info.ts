/**
 * What a private key file tells before its passphrase is known: {@linkcode inspectPrivateKey}.
 * @module
 */
import { asKeyError, KeyError } from "./errors.ts";
import { parsePublicKey } from "./parse_public_key.ts";
import type { PublicKey } from "./public_key.ts";
import { decodePem } from "./pem.ts";
import { isLegacyEncrypted, readDekInfo } from "./pem_encrypted.ts";
import { readEncryptedPrivateKeyInfo } from "./pem_pkcs8.ts";
import { isPpk, readPpk } from "./ppk.ts";
import { OPENSSH_LABEL, readOpenSshKeyHeader } from "./private_key_openssh.ts";

/**
 * The clear facts of a private key file, from {@linkcode inspectPrivateKey}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inspectPrivateKey, type PrivateKeyFileInfo } from "@hush/keys";
 * const info: PrivateKeyFileInfo | undefined = inspectPrivateKey("not a key");
 * assert.equal(info, undefined);
 * ```
 */
export interface PrivateKeyFileInfo {
  /** The file format. */
  format: "openssh" | "pkcs8" | "pkcs1" | "sec1" | "ppk";
  /** Whether loading it needs a passphrase. */
  encrypted: boolean;
  /** The public key, where the format carries it in clear (OpenSSH and PuTTY formats). */
  publicKey?: PublicKey;
  /** The comment, where the format carries it in clear (PuTTY format). */
  comment?: string;
}

const PEM_FORMATS: Readonly<Record<string, PrivateKeyFileInfo["format"]>> = {
  [OPENSSH_LABEL]: "openssh",
  "PRIVATE KEY": "pkcs8",
  "ENCRYPTED PRIVATE KEY": "pkcs8",
  "RSA PRIVATE KEY": "pkcs1",
  "EC PRIVATE KEY": "sec1",
};

const PRIVATE_BEGIN = new RegExp(
  `^-----BEGIN (${Object.keys(PEM_FORMATS).join("|")})-----\\s*$`,
  "m",
);

/**
 * Reads what a private key file tells without its passphrase, checking everything that can be
 * checked without it: the format, whether it is encrypted, the cipher, KDF and their costs
 * (within `MAX_BCRYPT_ROUNDS`, `MAX_PBKDF2_ITERATIONS`, `PPK_LIMITS`), and the public key and
 * comment where the file carries them in clear. `undefined` when the text is not a private key
 * file at all (a public key, other text, other bytes); a {@linkcode KeyError} when it is one
 * that no passphrase can load (an unsupported cipher such as 3DES, a KDF cost over the limit,
 * a malformed header), so a program can say so before asking for a passphrase.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, inspectPrivateKey, serializePrivateKey } from "@hush/keys";
 * const key = await generateKey("ssh-ed25519");
 * const info = inspectPrivateKey(await serializePrivateKey(key, { passphrase: "pw", rounds: 1 }));
 * assert.equal(info?.format, "openssh");
 * assert.equal(info?.encrypted, true);
 * assert.equal(info?.publicKey?.equals(key.publicKey), true);
 * ```
 */
export function inspectPrivateKey(text: string | Uint8Array): PrivateKeyFileInfo | undefined {
  let s: string;
  if (typeof text === "string") {
    s = text;
  } else {
    try {
      s = new TextDecoder("utf-8", { fatal: true }).decode(text);
    } catch {
      return undefined;
    }
  }
  if (isPpk(s)) {
    const file = readPpk(s);
    const publicKey = asKeyError(
      "Invalid public key in the PuTTY key file",
      () => parsePublicKey(file.publicBlob),
    );
    return {
      format: "ppk",
      encrypted: file.encryption !== "none",
      publicKey,
      comment: file.comment,
    };
  }
  if (!PRIVATE_BEGIN.test(s)) return undefined;
  const block = decodePem(s, Object.keys(PEM_FORMATS));
  const format = PEM_FORMATS[block.label];
  try {
    if (isLegacyEncrypted(block)) {
      if (format !== "pkcs1" && format !== "sec1") {
        throw new KeyError(`Unexpected encryption headers in a ${block.label} block`);
      }
      readDekInfo(block);
      return { format, encrypted: true };
    }
    switch (format) {
      case "openssh": {
        const header = readOpenSshKeyHeader(block.bytes);
        const publicKey = asKeyError(
          "Invalid public key in the OpenSSH key file",
          () => parsePublicKey(header.publicBlob),
        );
        return { format, encrypted: header.cipher !== undefined, publicKey };
      }
      case "pkcs8":
        if (block.label === "ENCRYPTED PRIVATE KEY") {
          asKeyError(
            "Malformed ENCRYPTED PRIVATE KEY",
            () => readEncryptedPrivateKeyInfo(block.bytes),
          );
          return { format, encrypted: true };
        }
        return { format, encrypted: false };
      default:
        return { format, encrypted: false };
    }
  } finally {
    block.bytes.fill(0);
  }
}
