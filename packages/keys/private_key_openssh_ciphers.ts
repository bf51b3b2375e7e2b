/**
 * The ciphers that protect the private section of an OpenSSH key file (`PROTOCOL.key`), as
 * `ssh-keygen -Z` offers them. A key file is one "packet" with sequence number 0 and no
 * additional data: AES-GCM uses the derived IV as is, chacha20-poly1305@openssh.com runs with
 * a zero nonce and authenticates only the ciphertext.
 * @module
 */
import { cbc, ctr, gcm } from "@noble/ciphers/aes.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { bytesEqual } from "@hush/wire";

/** How one key-file cipher encrypts and decrypts the private section. */
export interface KeyFileCipher {
  /** SSH name, e.g. `"aes256-ctr"`. */
  readonly name: string;
  /** Key bytes taken from the KDF output. */
  readonly keyLength: number;
  /** IV bytes taken from the KDF output after the key. */
  readonly ivLength: number;
  /** The private section is padded to a multiple of this. */
  readonly blockSize: number;
  /** Authentication tag bytes appended after the encrypted section (0 if none). */
  readonly tagLength: number;
  /** Encrypts; returns the ciphertext and the tag (empty when `tagLength` is 0). */
  encrypt(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): {
    ciphertext: Uint8Array;
    tag: Uint8Array;
  };
  /** Decrypts; returns `undefined` when the tag does not verify. */
  decrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array):
    | Uint8Array
    | undefined;
}

const EMPTY = new Uint8Array(0);

function aesCtr(bits: number): KeyFileCipher {
  return {
    name: `aes${bits}-ctr`,
    keyLength: bits / 8,
    ivLength: 16,
    blockSize: 16,
    tagLength: 0,
    encrypt: (key, iv, plain) => ({ ciphertext: ctr(key, iv).encrypt(plain), tag: EMPTY }),
    decrypt: (key, iv, ciphertext) => ctr(key, iv).decrypt(ciphertext),
  };
}

function aesCbc(bits: number): KeyFileCipher {
  return {
    name: `aes${bits}-cbc`,
    keyLength: bits / 8,
    ivLength: 16,
    blockSize: 16,
    tagLength: 0,
    encrypt: (key, iv, plain) => ({
      ciphertext: cbc(key, iv, { disablePadding: true }).encrypt(plain),
      tag: EMPTY,
    }),
    decrypt: (key, iv, ciphertext) => cbc(key, iv, { disablePadding: true }).decrypt(ciphertext),
  };
}

function aesGcm(bits: number): KeyFileCipher {
  return {
    name: `aes${bits}-gcm@openssh.com`,
    keyLength: bits / 8,
    ivLength: 12,
    blockSize: 16,
    tagLength: 16,
    encrypt: (key, iv, plain) => {
      const sealed = gcm(key, iv).encrypt(plain);
      return {
        ciphertext: sealed.subarray(0, plain.length),
        tag: sealed.subarray(plain.length),
      };
    },
    decrypt: (key, iv, ciphertext, tag) => {
      const sealed = new Uint8Array(ciphertext.length + tag.length);
      sealed.set(ciphertext);
      sealed.set(tag, ciphertext.length);
      try {
        return gcm(key, iv).decrypt(sealed);
      } catch {
        return undefined;
      }
    },
  };
}

const ZERO_NONCE = new Uint8Array(8);

/** chacha20-poly1305@openssh.com with sequence number 0 and no length field. */
const chachaPoly: KeyFileCipher = {
  name: "chacha20-poly1305@openssh.com",
  keyLength: 64,
  ivLength: 0,
  blockSize: 8,
  tagLength: 16,
  encrypt: (key, _iv, plain) => {
    const main = key.subarray(0, 32);
    const polyKey = chacha20orig(main, ZERO_NONCE, new Uint8Array(32), undefined, 0);
    const ciphertext = chacha20orig(main, ZERO_NONCE, plain, undefined, 1);
    return { ciphertext, tag: poly1305(ciphertext, polyKey) };
  },
  decrypt: (key, _iv, ciphertext, tag) => {
    const main = key.subarray(0, 32);
    const polyKey = chacha20orig(main, ZERO_NONCE, new Uint8Array(32), undefined, 0);
    const expected = poly1305(ciphertext, polyKey);
    if (!bytesEqual(expected, tag)) return undefined;
    return chacha20orig(main, ZERO_NONCE, ciphertext, undefined, 1);
  },
};

/** Every cipher Hush reads and writes OpenSSH key files with, by SSH name. */
export const KEY_FILE_CIPHERS: Readonly<Record<string, KeyFileCipher>> = Object.fromEntries(
  [
    aesCtr(128),
    aesCtr(192),
    aesCtr(256),
    aesCbc(128),
    aesCbc(192),
    aesCbc(256),
    aesGcm(128),
    aesGcm(256),
    chachaPoly,
  ].map((c) => [c.name, c]),
);
