/**
 * The OpenSSH private key format (OpenSSH `PROTOCOL.key`): `openssh-key-v1`, a KDF (none or
 * bcrypt) and a cipher protecting a private section with two equal check-ints, the keys, their
 * comments and padding 1, 2, 3, …
 * @module
 */
import { bytesEqual, SshReader, SshWriter } from "@hush/wire";
import { bcryptPbkdf, MAX_BCRYPT_ROUNDS } from "./bcrypt_pbkdf.ts";
import { KEY_FILE_CIPHERS, type KeyFileCipher } from "./private_key_openssh_ciphers.ts";
import {
  publicBlobOfParts,
  readOpenSshPrivateFields,
  writeOpenSshPrivateFields,
} from "./private_key_openssh_parts.ts";
import { decodePem, encodePem } from "./pem.ts";
import { asKeyError, KeyError, passphraseRequired, wrongPassphrase } from "./errors.ts";
import type { KeyParts } from "./key_parts.ts";

/** The PEM label of the OpenSSH format. */
export const OPENSSH_LABEL = "OPENSSH PRIVATE KEY";
const MAGIC = new TextEncoder().encode("openssh-key-v1\0");
/** bcrypt salt length OpenSSH writes. */
const SALT_LENGTH = 16;
/** Rounds OpenSSH (and Hush) use when none are given. */
export const DEFAULT_BCRYPT_ROUNDS = 16;
/** Cipher used to encrypt a key when none is given, as ssh-keygen. */
export const DEFAULT_KEY_CIPHER = "aes256-ctr";
const utf8 = new TextEncoder();

/** A decoded OpenSSH private key: its parts and comment. */
export interface DecodedPrivateKey {
  parts: KeyParts;
  comment: string;
  /** The check-int of the private section (lets tests re-create a file byte for byte). */
  checkInt: number;
}

function wrap<T>(what: string, fn: () => T): T {
  return asKeyError(`Malformed ${what}`, fn);
}

function cipherByName(name: string): KeyFileCipher {
  const c = Object.hasOwn(KEY_FILE_CIPHERS, name) ? KEY_FILE_CIPHERS[name] : undefined;
  if (!c) {
    // OpenSSH still reads (but no longer writes) 3des-cbc keys: it can convert them
    const hint = name === "3des-cbc" ? ': convert the key with "ssh-keygen -p -f FILE"' : "";
    throw new KeyError(`Unsupported key file cipher ${JSON.stringify(name)}${hint}`);
  }
  return c;
}

function deriveKeyIv(
  cipher: KeyFileCipher,
  passphrase: string,
  salt: Uint8Array,
  rounds: number,
): { key: Uint8Array; iv: Uint8Array } {
  const pass = utf8.encode(passphrase);
  const out = bcryptPbkdf(pass, salt, cipher.keyLength + cipher.ivLength, rounds);
  pass.fill(0);
  return { key: out.subarray(0, cipher.keyLength), iv: out.subarray(cipher.keyLength) };
}

/** The clear part of an OpenSSH key file, checked: what can be known without the passphrase. */
export interface OpenSshKeyHeader {
  /** The key file cipher, or undefined for an unencrypted key. */
  cipher: KeyFileCipher | undefined;
  /** bcrypt_pbkdf salt and rounds of an encrypted key. */
  salt: Uint8Array;
  rounds: number;
  /** The public key blob (in clear). */
  publicBlob: Uint8Array;
  /** The private section, encrypted or not. */
  section: Uint8Array;
  /** The AEAD tag after it (empty for other ciphers). */
  tag: Uint8Array;
}

/**
 * Reads and checks the clear part of the binary OpenSSH key format (the base64-decoded body):
 * magic, a known cipher and KDF, bcrypt rounds within `MAX_BCRYPT_ROUNDS`, one key, a private
 * section of whole blocks. Anything else is a `KeyError` that no passphrase can fix.
 */
export function readOpenSshKeyHeader(bytes: Uint8Array): OpenSshKeyHeader {
  const r = new SshReader(bytes);
  const { cipherName, kdfName, kdfOptions, publicBlob, section } = wrap(
    "OpenSSH key header",
    () => {
      const magic = r.raw(MAGIC.length);
      for (let i = 0; i < MAGIC.length; i++) {
        if (magic[i] !== MAGIC[i]) throw new KeyError("Not an openssh-key-v1 key");
      }
      const cipherName = r.ascii();
      const kdfName = r.ascii();
      const kdfOptions = r.string();
      const count = r.uint32();
      if (count !== 1) throw new KeyError(`Key files with ${count} keys are not supported`);
      const publicBlob = r.string();
      const section = r.string();
      return { cipherName, kdfName, kdfOptions, publicBlob, section };
    },
  );
  if (cipherName === "none") {
    if (kdfName !== "none" || kdfOptions.length !== 0) {
      throw new KeyError("Unencrypted key with a KDF");
    }
    wrap("OpenSSH key", () => r.end());
    return {
      cipher: undefined,
      salt: new Uint8Array(0),
      rounds: 0,
      publicBlob,
      section,
      tag: new Uint8Array(0),
    };
  }
  const cipher = cipherByName(cipherName);
  if (kdfName !== "bcrypt") throw new KeyError(`Unsupported key KDF ${JSON.stringify(kdfName)}`);
  const { salt, rounds } = wrap("bcrypt options", () => {
    const o = new SshReader(kdfOptions);
    const salt = o.string();
    const rounds = o.uint32();
    o.end();
    return { salt, rounds };
  });
  if (rounds > MAX_BCRYPT_ROUNDS) {
    throw new KeyError(`bcrypt rounds ${rounds} exceed the limit of ${MAX_BCRYPT_ROUNDS}`);
  }
  const tag = wrap("OpenSSH key", () => {
    const tag = r.raw(cipher.tagLength);
    r.end();
    return tag;
  });
  if (section.length % cipher.blockSize !== 0) {
    throw new KeyError("Encrypted private section is not a whole number of blocks");
  }
  return { cipher, salt, rounds, publicBlob, section, tag };
}

/**
 * Decodes the binary OpenSSH key format (the base64-decoded body). A wrong passphrase is a
 * `KeyError` "Wrong passphrase…" (detected by the AEAD tag or by the check-ints).
 */
export function decodeOpenSshPrivateKey(
  bytes: Uint8Array,
  passphrase?: string,
): DecodedPrivateKey {
  const { cipher, salt, rounds, publicBlob, section, tag } = readOpenSshKeyHeader(bytes);
  if (!cipher) return decodePrivateSection(section, publicBlob, 8, false);
  if (passphrase === undefined || passphrase === "") throw passphraseRequired();
  const { key, iv } = deriveKeyIv(cipher, passphrase, salt, rounds);
  const plain = cipher.decrypt(key, iv, section, tag);
  key.fill(0);
  iv.fill(0);
  if (!plain) throw wrongPassphrase();
  try {
    return decodePrivateSection(plain, publicBlob, cipher.blockSize, true);
  } finally {
    plain.fill(0);
  }
}

function decodePrivateSection(
  plain: Uint8Array,
  publicBlob: Uint8Array,
  blockSize: number,
  encrypted: boolean,
): DecodedPrivateKey {
  const r = new SshReader(plain);
  const [check1, check2] = wrap("private section", () => [r.uint32(), r.uint32()]);
  if (check1 !== check2) {
    throw encrypted ? wrongPassphrase() : new KeyError("Corrupt key: check-ints differ");
  }
  if (plain.length % blockSize !== 0) throw new KeyError("Private section is not padded");
  const parts = readOpenSshPrivateFields(r);
  const comment = wrap("key comment", () => r.utf8());
  // As OpenSSH: the padding reads 1, 2, 3, … (mod 256), of any length. ssh-keygen pads to the
  // block with 1..blockSize-1 bytes, PuTTY with 1..16 and Dropbear with 1..8, so a full block
  // of padding is normal.
  const padding = r.rest();
  for (let i = 0; i < padding.length; i++) {
    if (padding[i] !== ((i + 1) & 0xff)) {
      throw new KeyError("Invalid padding in the private section");
    }
  }
  const derived = publicBlobOfParts(parts);
  if (!bytesEqual(derived, publicBlob)) {
    throw new KeyError("The public key does not match the private key");
  }
  return { parts, comment, checkInt: check1 };
}

/** Options for writing an OpenSSH key. */
export interface EncodeOptions {
  /** Encrypts the key when a non-empty passphrase is given. */
  passphrase?: string;
  /** bcrypt_pbkdf rounds, 1..MAX_BCRYPT_ROUNDS (default 16). */
  rounds?: number;
  /** Key file cipher (default aes256-ctr). */
  cipher?: string;
  /** Random bytes for the salt and check-int (default `crypto.getRandomValues`). */
  random?: (n: number) => Uint8Array;
}

function webRandom(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/**
 * Encodes key parts in the binary OpenSSH format. Bad options (unknown cipher, rounds outside
 * 1..MAX_BCRYPT_ROUNDS) are `RangeError`s.
 */
export function encodeOpenSshPrivateKey(
  parts: KeyParts,
  comment: string,
  options: EncodeOptions = {},
): Uint8Array {
  const random = options.random ?? webRandom;
  const passphrase = options.passphrase ?? "";
  const encrypt = passphrase.length > 0;
  let cipher: KeyFileCipher | undefined;
  let rounds = 0;
  if (encrypt) {
    const name = options.cipher ?? DEFAULT_KEY_CIPHER;
    if (!Object.hasOwn(KEY_FILE_CIPHERS, name)) {
      throw new RangeError(`Unsupported key file cipher ${JSON.stringify(name)}`);
    }
    cipher = KEY_FILE_CIPHERS[name];
    rounds = options.rounds ?? DEFAULT_BCRYPT_ROUNDS;
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_BCRYPT_ROUNDS) {
      throw new RangeError(`bcrypt rounds must be 1..${MAX_BCRYPT_ROUNDS}, not ${rounds}`);
    }
  }
  const blockSize = cipher?.blockSize ?? 8;
  const checkBytes = random(4);
  const check = new DataView(checkBytes.buffer, checkBytes.byteOffset, 4).getUint32(0);
  const section = new SshWriter().uint32(check).uint32(check);
  writeOpenSshPrivateFields(section, parts);
  section.string(comment);
  for (let i = 1; section.length % blockSize !== 0; i++) section.byte(i);
  const plain = section.finish();
  const written = section.length;
  section.reset().raw(new Uint8Array(written)); // overwrite the writer's copy of the secrets

  const publicBlob = publicBlobOfParts(parts);
  const out = new SshWriter().raw(MAGIC);
  if (!cipher) {
    out.string("none").string("none").string(new Uint8Array(0)).uint32(1).string(publicBlob)
      .string(plain);
    plain.fill(0);
    return out.finish();
  }
  const salt = random(SALT_LENGTH);
  const { key, iv } = deriveKeyIv(cipher, passphrase, salt, rounds);
  const { ciphertext, tag } = cipher.encrypt(key, iv, plain);
  key.fill(0);
  iv.fill(0);
  plain.fill(0);
  const kdfOptions = new SshWriter().string(salt).uint32(rounds).finish();
  out.string(cipher.name).string("bcrypt").string(kdfOptions).uint32(1).string(publicBlob)
    .string(ciphertext).raw(tag);
  return out.finish();
}

/** Parses an armored OpenSSH private key text. */
export function parseOpenSshPrivateKeyText(text: string, passphrase?: string): DecodedPrivateKey {
  const block = decodePem(text);
  if (block.label !== OPENSSH_LABEL) throw new KeyError(`Not an OpenSSH key: ${block.label}`);
  return decodeOpenSshPrivateKey(block.bytes, passphrase);
}

/** Armors key parts as an OpenSSH private key text (70-character lines, as ssh-keygen). */
export function formatOpenSshPrivateKey(
  parts: KeyParts,
  comment: string,
  options: EncodeOptions = {},
): string {
  return encodePem(OPENSSH_LABEL, encodeOpenSshPrivateKey(parts, comment, options), 70);
}
