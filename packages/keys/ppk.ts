/**
 * PuTTY private key files (`.ppk`, PuTTY manual appendix C), versions 2 and 3: a text file of
 * `Name: value` headers around a base64 public blob (always in clear) and a private blob,
 * unencrypted or AES-256-CBC under a key made from the passphrase (version 2: SHA-1 of a
 * counter and the passphrase; version 3: Argon2id, Argon2i or Argon2d), with a MAC over
 * everything (version 2: HMAC-SHA-1, version 3: HMAC-SHA-256).
 * @module
 */
import { cbc } from "@noble/ciphers/aes.js";
import { argon2dAsync, argon2iAsync, argon2idAsync } from "@noble/hashes/argon2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesEqual, SshReader, SshWriter } from "@hush/wire";
import { asKeyError, KeyError, passphraseRequired, wrongPassphrase } from "./errors.ts";
import { parseBase64 } from "./encoding.ts";
import { ecdsaCurve } from "./ecdsa.ts";
import type { KeyParts } from "./key_parts.ts";
import { PEM_TEXT_LIMIT } from "./pem.ts";
import { publicBlobOfParts } from "./private_key_openssh_parts.ts";

/**
 * The bounds Hush puts on a PuTTY key file before it allocates or works for it.
 *
 * - `maxBlobLines`: most base64 lines in `Public-Lines` or `Private-Lines` (5461, PuTTY's own:
 *   a 256 KiB blob in 48-byte lines).
 * - `maxArgon2MemoryKiB`: most `Argon2-Memory` (1 GiB; puttygen writes 8 MiB).
 * - `maxArgon2Cost`: most `Argon2-Memory` × `Argon2-Passes`, in KiB (2 GiB of passes, about
 *   15 s in pure JS; puttygen's default of 8 MiB and ~13 passes is 5% of it, and even its
 *   `time=1000` setting fits). Like `MAX_BCRYPT_ROUNDS`, it keeps a hostile file from pinning
 *   the CPU for hours.
 * - `maxArgon2Parallelism`: most `Argon2-Parallelism` lanes (255; puttygen writes 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PPK_LIMITS } from "@hush/keys";
 * assert.equal(PPK_LIMITS.maxArgon2MemoryKiB, 1048576);
 * ```
 */
export const PPK_LIMITS = {
  maxBlobLines: 5461,
  maxArgon2MemoryKiB: 1 << 20,
  maxArgon2Cost: 1 << 21,
  maxArgon2Parallelism: 255,
} as const;

const MAGIC = /^PuTTY-User-Key-File-(\d+): /;
const AES_BLOCK = 16;
const MAC_KEY_PREFIX = new TextEncoder().encode("putty-private-key-file-mac-key");

/** Whether a text is a PuTTY private key file (any version). */
export function isPpk(text: string): boolean {
  return MAGIC.test(text.trimStart());
}

type Argon2Flavour = "Argon2id" | "Argon2i" | "Argon2d";

/** The Argon2 parameters of an encrypted version 3 file. */
interface Argon2Params {
  flavour: Argon2Flavour;
  memory: number;
  passes: number;
  parallelism: number;
  salt: Uint8Array;
}

/** A PuTTY key file read as far as it goes without the passphrase. */
export interface PpkFile {
  version: 2 | 3;
  /** The key type of the header line (`ssh-ed25519`). */
  algorithm: string;
  /** `"none"` or `"aes256-cbc"`. */
  encryption: "none" | "aes256-cbc";
  comment: string;
  /** The public key blob (in clear in every version). */
  publicBlob: Uint8Array;
  /** The version 3 key derivation of an encrypted file. */
  argon2?: Argon2Params;
  /** The private blob as stored (encrypted when `encryption` is not none). */
  privateBlob: Uint8Array;
  /** The MAC from `Private-MAC`. */
  mac: Uint8Array;
}

/** Reads the lines of a PuTTY key file one header at a time, in PuTTY's fixed order. */
class PpkLines {
  #lines: string[];
  #at = 0;

  constructor(text: string) {
    this.#lines = text.split(/\r?\n/);
    while (this.#lines.length > 0 && this.#lines[this.#lines.length - 1] === "") this.#lines.pop();
  }

  get done(): boolean {
    return this.#at >= this.#lines.length;
  }

  /** The next line's header name, without consuming it. */
  peekName(): string | undefined {
    const line = this.#lines[this.#at];
    const colon = line?.indexOf(": ") ?? -1;
    return colon > 0 ? line.slice(0, colon) : undefined;
  }

  /** Reads the header `name` (PuTTY writes `Name: value`, one space). */
  header(name: string): string {
    const line = this.#lines[this.#at];
    if (line === undefined) throw new KeyError(`Truncated PuTTY key file: no ${name} line`);
    // the line itself is not quoted: it may be base64 of an unencrypted private blob
    if (!line.startsWith(name + ": ")) {
      throw new KeyError(`Malformed PuTTY key file: no ${name} line`);
    }
    this.#at++;
    return line.slice(name.length + 2);
  }

  /** Reads a decimal header value within 0..max. */
  number(name: string, min: number, max: number): number {
    const value = this.header(name);
    if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new KeyError(
        `PuTTY key file ${name} ${JSON.stringify(value.slice(0, 20))} is outside ${min}..${max}`,
      );
    }
    return Number(value);
  }

  /** Reads a hex header value. */
  hex(name: string): Uint8Array {
    const value = this.header(name);
    if (value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) {
      throw new KeyError(`Malformed PuTTY key file: ${name} is not hex`);
    }
    const out = new Uint8Array(value.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
    return out;
  }

  /** Reads `name: N` and the N base64 lines after it (N bounded before anything is read). */
  blob(name: string): Uint8Array {
    const count = this.number(name, 1, PPK_LIMITS.maxBlobLines);
    if (count > this.#lines.length - this.#at) {
      throw new KeyError(`Truncated PuTTY key file: ${name}`);
    }
    const text = this.#lines.slice(this.#at, this.#at + count).join("");
    this.#at += count;
    return parseBase64(text, `PuTTY key file ${name.split("-")[0].toLowerCase()} blob`);
  }
}

/**
 * Reads the structure of a PuTTY key file (both versions) without the passphrase: headers,
 * blobs and KDF parameters, every count and cost bounded by {@linkcode PPK_LIMITS}.
 */
export function readPpk(text: string): PpkFile {
  if (text.length > PEM_TEXT_LIMIT) {
    throw new KeyError(`Key file too large: ${text.length} characters`);
  }
  const lines = new PpkLines(text.trimStart());
  const first = MAGIC.exec(text.trimStart());
  if (!first) throw new KeyError("Not a PuTTY key file");
  const versionText = first[1];
  if (versionText === "1") throw new KeyError("PuTTY key files of version 1 are not supported");
  if (versionText !== "2" && versionText !== "3") {
    throw new KeyError(`PuTTY key file version ${versionText.slice(0, 10)} is too new`);
  }
  const version = Number(versionText) as 2 | 3;
  const algorithm = lines.header(`PuTTY-User-Key-File-${versionText}`);
  const encryption = lines.header("Encryption");
  if (encryption !== "none" && encryption !== "aes256-cbc") {
    throw new KeyError(
      `Unsupported PuTTY key file encryption ${JSON.stringify(encryption.slice(0, 40))}`,
    );
  }
  const comment = lines.header("Comment");
  const publicBlob = lines.blob("Public-Lines");
  let argon2: Argon2Params | undefined;
  if (version === 3 && encryption !== "none") {
    const flavour = lines.header("Key-Derivation");
    if (flavour !== "Argon2id" && flavour !== "Argon2i" && flavour !== "Argon2d") {
      throw new KeyError(
        `Unsupported PuTTY key derivation ${JSON.stringify(flavour.slice(0, 40))}`,
      );
    }
    const memory = lines.number("Argon2-Memory", 8, PPK_LIMITS.maxArgon2MemoryKiB);
    const passes = lines.number("Argon2-Passes", 1, PPK_LIMITS.maxArgon2Cost);
    const parallelism = lines.number("Argon2-Parallelism", 1, PPK_LIMITS.maxArgon2Parallelism);
    const salt = lines.hex("Argon2-Salt");
    if (memory * passes > PPK_LIMITS.maxArgon2Cost) {
      throw new KeyError(
        `PuTTY key derivation cost ${memory} KiB × ${passes} passes exceeds the limit of ` +
          `${PPK_LIMITS.maxArgon2Cost} KiB`,
      );
    }
    if (memory < 8 * parallelism) throw new KeyError("Argon2-Memory is below 8 KiB per lane");
    if (salt.length < 8) throw new KeyError("Argon2-Salt is shorter than 8 bytes");
    argon2 = { flavour, memory, passes, parallelism, salt };
  }
  const privateBlob = lines.blob("Private-Lines");
  const mac = lines.hex("Private-MAC");
  if (!lines.done) {
    throw new KeyError(
      `Malformed PuTTY key file: unexpected ${lines.peekName() ?? "text"} after Private-MAC`,
    );
  }
  if (mac.length !== (version === 2 ? 20 : 32)) {
    throw new KeyError("Malformed PuTTY key file: Private-MAC length");
  }
  if (encryption !== "none" && privateBlob.length % AES_BLOCK !== 0) {
    throw new KeyError("PuTTY key file private blob is not a whole number of AES blocks");
  }
  return { version, algorithm, encryption, comment, publicBlob, argon2, privateBlob, mac };
}

const ARGON2 = { Argon2id: argon2idAsync, Argon2i: argon2iAsync, Argon2d: argon2dAsync } as const;

/** The cipher key, IV and MAC key of a file (empty cipher key and IV when unencrypted). */
async function deriveKeys(
  file: PpkFile,
  pass: Uint8Array,
): Promise<{ key: Uint8Array; iv: Uint8Array; macKey: Uint8Array }> {
  const encrypted = file.encryption !== "none";
  if (file.version === 2) {
    const key = new Uint8Array(40);
    if (encrypted) {
      for (let i = 0; i < 2; i++) {
        const digest = sha1(new SshWriter().uint32(i).raw(pass).finish());
        key.set(digest, 20 * i);
        digest.fill(0);
      }
    }
    const macInput = new Uint8Array(MAC_KEY_PREFIX.length + pass.length);
    macInput.set(MAC_KEY_PREFIX);
    macInput.set(pass, MAC_KEY_PREFIX.length);
    const macKey = sha1(macInput);
    macInput.fill(0);
    return {
      key: key.subarray(0, encrypted ? 32 : 0),
      iv: new Uint8Array(encrypted ? 16 : 0),
      macKey,
    };
  }
  if (!file.argon2) {
    return { key: new Uint8Array(0), iv: new Uint8Array(0), macKey: new Uint8Array(0) };
  }
  const { flavour, memory, passes, parallelism, salt } = file.argon2;
  let out: Uint8Array;
  try {
    out = await ARGON2[flavour](pass, salt, {
      m: memory,
      t: passes,
      p: parallelism,
      dkLen: 32 + 16 + 32,
      maxmem: (PPK_LIMITS.maxArgon2MemoryKiB + 1) * 1024,
    });
  } catch (e) {
    // the parameters were checked; this is an allocation failure or a noble refusal
    throw new KeyError(`PuTTY key derivation failed: ${(e as Error).message}`, undefined, {
      cause: e,
    });
  }
  return { key: out.subarray(0, 32), iv: out.subarray(32, 48), macKey: out.subarray(48) };
}

/** The private fields of a PuTTY private blob, with the public blob, as key parts. */
function partsOfBlobs(
  algorithm: string,
  publicBlob: Uint8Array,
  privateBlob: Uint8Array,
  padded: boolean,
): KeyParts {
  return asKeyError("Malformed PuTTY private key", (): KeyParts => {
    const pub = new SshReader(publicBlob);
    const type = pub.ascii();
    if (type !== algorithm) {
      throw new KeyError(`PuTTY key file header says ${algorithm}, its public key is ${type}`);
    }
    const priv = new SshReader(privateBlob);
    let parts: KeyParts;
    switch (type) {
      case "ssh-ed25519": {
        const publicKey = pub.string().slice();
        // PuTTY writes the seed as a little-endian integer: trailing zero bytes may be gone
        const le = priv.string();
        if (le.length > 32) {
          throw new KeyError("Invalid ssh-ed25519 private key: seed longer than 32 bytes");
        }
        const seed = new Uint8Array(32);
        seed.set(le);
        parts = { type, seed, publicKey };
        break;
      }
      case "ecdsa-sha2-nistp256":
      case "ecdsa-sha2-nistp384":
      case "ecdsa-sha2-nistp521": {
        const curve = ecdsaCurve(type);
        if (pub.ascii() !== curve.name) {
          throw new KeyError(`Curve name does not match key type ${type}`);
        }
        const q = pub.string().slice();
        const dv = priv.mpint();
        if (dv <= 0n || dv >= curve.curve.Point.Fn.ORDER) {
          throw new KeyError(`Invalid ${type} private key: scalar out of range`);
        }
        const d = new Uint8Array(curve.scalarLength);
        let v = dv;
        for (let i = d.length - 1; i >= 0; i--, v >>= 8n) d[i] = Number(v & 0xffn);
        parts = { type, d, q };
        break;
      }
      case "ssh-rsa": {
        const e = pub.mpint();
        const n = pub.mpint();
        const d = priv.mpint();
        const p = priv.mpint();
        const q = priv.mpint();
        const iqmp = priv.mpint();
        parts = { type, n, e, d, p, q, iqmp };
        break;
      }
      default:
        throw new KeyError(`Unsupported PuTTY key type ${JSON.stringify(type.slice(0, 40))}`);
    }
    pub.end();
    // encrypted blobs are padded to the AES block (random or hash bytes, under the MAC)
    if (priv.remaining >= (padded ? AES_BLOCK : 1)) {
      throw new KeyError("Trailing bytes in the PuTTY private blob");
    }
    return parts;
  });
}

/**
 * Decodes a PuTTY private key file with its passphrase (ignored when unencrypted). The MAC
 * is checked before the private fields are read: a wrong passphrase is a `KeyError` with
 * `passphrase: "wrong"`, a MAC that fails on an unencrypted file a corrupt file.
 */
export async function decodePpk(
  text: string,
  passphrase: string | undefined,
): Promise<{ parts: KeyParts; comment: string }> {
  const file = readPpk(text);
  const encrypted = file.encryption !== "none";
  if (encrypted && (passphrase === undefined || passphrase === "")) throw passphraseRequired();
  const pass = new TextEncoder().encode(encrypted ? passphrase : "");
  const { key, iv, macKey } = await deriveKeys(file, pass);
  pass.fill(0);
  let plain: Uint8Array;
  try {
    plain = encrypted
      ? cbc(key, iv, { disablePadding: true }).decrypt(file.privateBlob)
      : file.privateBlob;
  } finally {
    key.fill(0);
    iv.fill(0);
  }
  try {
    const macData = new SshWriter().string(file.algorithm).string(file.encryption).string(
      file.comment,
    )
      .string(file.publicBlob).string(plain).finish();
    const mac = hmac(file.version === 2 ? sha1 : sha256, macKey, macData);
    macData.fill(0);
    macKey.fill(0);
    if (!bytesEqual(mac, file.mac)) {
      if (encrypted) throw wrongPassphrase();
      throw new KeyError("PuTTY key file MAC does not match: the file is corrupt");
    }
    const parts = partsOfBlobs(file.algorithm, file.publicBlob, plain, encrypted);
    if (!bytesEqual(publicBlobOfParts(parts), file.publicBlob)) {
      throw new KeyError("PuTTY key file public blob is not in canonical form");
    }
    return { parts, comment: file.comment };
  } finally {
    plain.fill(0);
  }
}
