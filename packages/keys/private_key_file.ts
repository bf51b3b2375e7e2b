/**
 * Private key files: {@linkcode parsePrivateKey} reads the OpenSSH format, the PEM formats
 * (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, legacy encrypted PEM) and PuTTY's `.ppk`;
 * {@linkcode serializePrivateKey} writes the OpenSSH format.
 * @module
 */
import { asKeyError, KeyError, wrongPassphrase } from "./errors.ts";
import { decryptLegacyPem, isLegacyEncrypted } from "./pem_encrypted.ts";
import { decodePpk, isPpk } from "./ppk.ts";
import { keyFromParts, type KeyParts, partsOfKey } from "./key_parts.ts";
import type { PrivateKey } from "./private_key.ts";
import { decodePem } from "./pem.ts";
import { decodePkcs1PrivateKey } from "./pem_pkcs1.ts";
import { decodeSec1PrivateKey } from "./pem_sec1.ts";
import { decodePkcs8PrivateKey, decryptPkcs8PrivateKey } from "./pem_pkcs8.ts";
import {
  decodeOpenSshPrivateKey,
  formatOpenSshPrivateKey,
  OPENSSH_LABEL,
} from "./private_key_openssh.ts";

const LABELS = [
  OPENSSH_LABEL,
  "PRIVATE KEY",
  "ENCRYPTED PRIVATE KEY",
  "RSA PRIVATE KEY",
  "EC PRIVATE KEY",
] as const;

/** Options of {@linkcode parsePrivateKey}. */
export interface ParsePrivateKeyOptions {
  /** The passphrase of an encrypted key (ignored for unencrypted keys). */
  passphrase?: string;
}

/** Options of {@linkcode serializePrivateKey}. */
export interface SerializePrivateKeyOptions {
  /** Encrypts the key with this passphrase (bcrypt_pbkdf + `cipher`); none or `""`: plain. */
  passphrase?: string;
  /** bcrypt_pbkdf rounds, 1…`MAX_BCRYPT_ROUNDS` (default 16, as ssh-keygen). */
  rounds?: number;
  /** Cipher for an encrypted key (default `"aes256-ctr"`, as ssh-keygen). */
  cipher?: string;
  /**
   * Source of the random check-int (4 bytes, asked first) and bcrypt salt (16 bytes); default
   * `crypto.getRandomValues`. Inject only to make output reproducible in tests.
   */
  random?: (n: number) => Uint8Array;
}

function zeroParts(parts: KeyParts): void {
  if (parts.type === "ssh-ed25519") parts.seed.fill(0);
  else if (parts.type !== "ssh-rsa") parts.d.fill(0);
}

/** Decodes a PKCS#1 or SEC1 body (a legacy encrypted PEM's once decrypted). */
function decodeTraditional(label: string, der: Uint8Array): KeyParts {
  return label === "RSA PRIVATE KEY" ? decodePkcs1PrivateKey(der) : decodeSec1PrivateKey(der);
}

async function decode(
  text: string,
  passphrase: string | undefined,
): Promise<{ parts: KeyParts; comment: string }> {
  if (isPpk(text)) return await decodePpk(text, passphrase);
  const block = decodePem(text, LABELS);
  try {
    if (isLegacyEncrypted(block)) {
      if (block.label !== "RSA PRIVATE KEY" && block.label !== "EC PRIVATE KEY") {
        throw new KeyError(`Unexpected encryption headers in a ${block.label} block`);
      }
      const der = decryptLegacyPem(block, passphrase);
      try {
        return { parts: asKeyError("", () => decodeTraditional(block.label, der)), comment: "" };
      } catch (e) {
        throw wrongPassphrase(e); // CBC padding matches by chance for 1 wrong key in ~256
      } finally {
        der.fill(0);
      }
    }
    switch (block.label) {
      case OPENSSH_LABEL:
        return decodeOpenSshPrivateKey(block.bytes, passphrase);
      case "PRIVATE KEY":
        return { parts: decodePkcs8PrivateKey(block.bytes), comment: "" };
      case "ENCRYPTED PRIVATE KEY":
        return { parts: await decryptPkcs8PrivateKey(block.bytes, passphrase), comment: "" };
      default:
        return { parts: decodeTraditional(block.label, block.bytes), comment: "" };
    }
  } catch (e) {
    if (e instanceof KeyError) throw e;
    throw new KeyError(`Malformed ${block.label}`, undefined, { cause: e });
  } finally {
    block.bytes.fill(0);
  }
}

/**
 * Reads a private key file: the OpenSSH format (`BEGIN OPENSSH PRIVATE KEY`, unencrypted or
 * encrypted with bcrypt_pbkdf and any cipher ssh-keygen offers except 3des-cbc), PKCS#8
 * (`BEGIN PRIVATE KEY`, `BEGIN ENCRYPTED PRIVATE KEY` with PBES2/PBKDF2/AES-CBC), PKCS#1
 * (`BEGIN RSA PRIVATE KEY`) and SEC1 (`BEGIN EC PRIVATE KEY`), plain or with OpenSSL's legacy
 * `Proc-Type: 4,ENCRYPTED` AES-CBC encryption, and PuTTY's `.ppk` files (versions 2 and 3,
 * plain or encrypted; Argon2 costs bounded by `PPK_LIMITS`). Bytes are read as UTF-8 text.
 *
 * Anything wrong with the file — truncated or garbled text, unsupported format or cipher (DES
 * and 3DES: the message names the command that converts the key), bcrypt rounds above
 * `MAX_BCRYPT_ROUNDS`, inconsistent key material, a missing or wrong passphrase — is a
 * {@linkcode KeyError}; a wrong passphrase never yields a key. Its `passphrase` field tells a
 * missing or wrong passphrase from a file no passphrase can open.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, parsePrivateKey, serializePrivateKey } from "@hush/keys";
 * const key = await generateKey("ssh-ed25519", { comment: "me@host" });
 * const text = await serializePrivateKey(key, { passphrase: "secret", rounds: 2 });
 * const back = await parsePrivateKey(text, { passphrase: "secret" });
 * assert.equal(back.publicKey.equals(key.publicKey), true);
 * assert.equal(back.comment, "me@host");
 * ```
 */
export async function parsePrivateKey(
  text: string | Uint8Array,
  options: ParsePrivateKeyOptions = {},
): Promise<PrivateKey> {
  let s: string;
  if (typeof text === "string") {
    s = text;
  } else {
    try {
      s = new TextDecoder("utf-8", { fatal: true }).decode(text);
    } catch (e) {
      throw new KeyError("Key file is not text (not valid UTF-8)", undefined, { cause: e });
    }
  }
  const { parts, comment } = await decode(s, options.passphrase);
  try {
    return await keyFromParts(parts, comment);
  } finally {
    zeroParts(parts);
  }
}

/**
 * Writes a private key in the OpenSSH format, as `ssh-keygen` does: unencrypted, or with a
 * passphrase encrypted by `cipher` (default aes256-ctr) under a bcrypt_pbkdf key (16 rounds
 * unless `rounds` says otherwise; a fresh random salt). The key's comment is kept. An unknown
 * cipher or rounds outside 1…`MAX_BCRYPT_ROUNDS` is a `RangeError`; a key whose
 * secret is not in memory (an agent identity) a `TypeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, serializePrivateKey } from "@hush/keys";
 * const key = await generateKey("ecdsa-sha2-nistp256");
 * const text = await serializePrivateKey(key);
 * assert.equal(text.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n"), true);
 * ```
 */
export function serializePrivateKey(
  key: PrivateKey,
  options: SerializePrivateKeyOptions = {},
): Promise<string> {
  try {
    const parts = partsOfKey(key);
    try {
      return Promise.resolve(formatOpenSshPrivateKey(parts, key.comment, options));
    } finally {
      zeroParts(parts);
    }
  } catch (e) {
    return Promise.reject(e);
  }
}
