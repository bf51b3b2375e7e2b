/**
 * bcrypt_pbkdf, the key derivation function of encrypted OpenSSH private keys (OpenSSH
 * `PROTOCOL.key`, OpenBSD `bcrypt_pbkdf(3)`), with the bound Hush puts on its work factor.
 *
 * The Blowfish-based core comes from the npm package `bcrypt-pbkdf` (the pure-JS port of
 * OpenBSD's bcrypt_pbkdf.c that sshpk and ssh2 have used for years): noble has no Blowfish, and
 * a tested port is better than a fresh hand-written block cipher.
 * @module
 */
import bcryptPbkdfPackage from "bcrypt-pbkdf";
import { KeyError } from "./errors.ts";

/**
 * The highest bcrypt_pbkdf rounds count Hush accepts in a key file or uses when writing one.
 *
 * OpenSSH writes 16 by default and guides suggest `ssh-keygen -a 100`…`-a 256`; the cost grows
 * linearly (16 rounds take ~0.25 s in pure JS, so 1024 take ~15 s). The rounds field is a
 * uint32 from the file, so without a cap a hostile key file could pin the CPU for days.
 * 1024 keeps every setting seen in practice working while bounding that to seconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_BCRYPT_ROUNDS } from "@hush/keys";
 * assert.equal(MAX_BCRYPT_ROUNDS, 1024);
 * ```
 */
export const MAX_BCRYPT_ROUNDS = 1024;

/** Longest salt accepted, as in OpenSSH's bcrypt_pbkdf.c (1 MiB). */
const MAX_SALT = 1 << 20;
/** Most output bytes bcrypt_pbkdf can produce (32 bytes × 32 strides). */
const MAX_OUTPUT = 1024;

interface BcryptPbkdfModule {
  pbkdf(
    pass: Uint8Array,
    passlen: number,
    salt: Uint8Array,
    saltlen: number,
    key: Uint8Array,
    keylen: number,
    rounds: number,
  ): number;
}

const impl = bcryptPbkdfPackage as unknown as BcryptPbkdfModule;

/**
 * Derives `length` bytes from a passphrase and salt with bcrypt_pbkdf. Bad parameters from a
 * key file (zero or too many rounds, empty or oversized salt, empty passphrase) are `KeyError`s.
 */
export function bcryptPbkdf(
  passphrase: Uint8Array,
  salt: Uint8Array,
  length: number,
  rounds: number,
): Uint8Array {
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new KeyError(`Invalid bcrypt rounds ${rounds}`);
  }
  if (rounds > MAX_BCRYPT_ROUNDS) {
    throw new KeyError(`bcrypt rounds ${rounds} exceed the limit of ${MAX_BCRYPT_ROUNDS}`);
  }
  if (salt.length === 0 || salt.length > MAX_SALT) {
    throw new KeyError(`Invalid bcrypt salt length ${salt.length}`);
  }
  if (passphrase.length === 0) throw new KeyError("Empty passphrase for an encrypted key");
  if (!Number.isInteger(length) || length < 1 || length > MAX_OUTPUT) {
    throw new RangeError(`Invalid bcrypt_pbkdf output length ${length}`);
  }
  const out = new Uint8Array(length);
  const rc = impl.pbkdf(passphrase, passphrase.length, salt, salt.length, out, length, rounds);
  if (rc !== 0) throw new KeyError("bcrypt_pbkdf rejected its parameters");
  return out;
}
