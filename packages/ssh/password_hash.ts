/**
 * Password hashes for the Hush server's `PasswordFile`: scrypt (RFC 7914, from @noble/hashes)
 * in the text form `$scrypt$N$r$p$salt$hash`, where `N`, `r` and `p` are decimal scrypt
 * parameters, and `salt` and `hash` are standard base64 without padding (16 and 32 bytes).
 *
 * A `PasswordFile` has one `user:hash` per line; blank lines and `#` comments are skipped.
 * @module
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { bytesEqual, decodeBase64, encodeBase64 } from "@hush/wire";

/**
 * scrypt cost parameters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashPassword, type ScryptParams } from "@hush/ssh";
 * const cheap: ScryptParams = { N: 1024, r: 8, p: 1 }; // tests only
 * assert.deepEqual((await hashPassword("pw", cheap)).split("$").slice(2, 5), ["1024", "8", "1"]);
 * ```
 */
export interface ScryptParams {
  /** CPU/memory cost, a power of two (default 32768 = 2^15, about 32 MiB with r = 8). */
  N?: number;
  /** Block size (default 8). */
  r?: number;
  /** Parallelism (default 1). */
  p?: number;
}

/**
 * Bounds on the parameters a stored hash may ask for, so that a hostile or corrupt password
 * file cannot make each login allocate gigabytes: N ≤ 2^20, r ≤ 32, p ≤ 16, N·r ≤ 2^23
 * (1 GiB of memory at most).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCRYPT_LIMITS } from "./password_hash.ts";
 * assert.equal(SCRYPT_LIMITS.maxN, 1048576);
 * ```
 */
export const SCRYPT_LIMITS: {
  readonly maxN: number;
  readonly maxR: number;
  readonly maxP: number;
  readonly maxNr: number;
} = {
  maxN: 1 << 20,
  maxR: 32,
  maxP: 16,
  maxNr: 1 << 23,
};

const SALT_BYTES = 16;
const HASH_BYTES = 32;

function checkParams(N: number, r: number, p: number): void {
  if (!Number.isSafeInteger(N) || N < 2 || N > SCRYPT_LIMITS.maxN || (N & (N - 1)) !== 0) {
    throw new RangeError(`scrypt N must be a power of two from 2 to ${SCRYPT_LIMITS.maxN}: ${N}`);
  }
  if (!Number.isSafeInteger(r) || r < 1 || r > SCRYPT_LIMITS.maxR) {
    throw new RangeError(`scrypt r must be from 1 to ${SCRYPT_LIMITS.maxR}: ${r}`);
  }
  if (!Number.isSafeInteger(p) || p < 1 || p > SCRYPT_LIMITS.maxP) {
    throw new RangeError(`scrypt p must be from 1 to ${SCRYPT_LIMITS.maxP}: ${p}`);
  }
  if (N * r > SCRYPT_LIMITS.maxNr) {
    throw new RangeError(`scrypt N·r must be at most ${SCRYPT_LIMITS.maxNr}: ${N * r}`);
  }
}

function stripPad(s: string): string {
  return s.replace(/=+$/, "");
}

function unpadded(s: string): Uint8Array | undefined {
  const padded = s + "=".repeat((4 - (s.length % 4)) % 4);
  return decodeBase64(padded);
}

/**
 * Hashes a password with scrypt and a fresh random salt.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashPassword } from "@hush/ssh";
 * const hash = await hashPassword("wonderland", { N: 1024 });
 * assert.equal(hash.startsWith("$scrypt$1024$8$1$"), true);
 * ```
 */
export async function hashPassword(password: string, params: ScryptParams = {}): Promise<string> {
  const N = params.N ?? 32768, r = params.r ?? 8, p = params.p ?? 1;
  checkParams(N, r, p);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await scryptAsync(new TextEncoder().encode(password), salt, {
    N,
    r,
    p,
    dkLen: HASH_BYTES,
  });
  return `$scrypt$${N}$${r}$${p}$${stripPad(encodeBase64(salt))}$${stripPad(encodeBase64(hash))}`;
}

/**
 * Checks a password against a hash made by {@linkcode hashPassword}. Resolves `false` for a
 * wrong password; throws `TypeError` for a malformed hash and `RangeError` for parameters
 * beyond {@linkcode SCRYPT_LIMITS}. The comparison takes the same time wherever the bytes differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashPassword, verifyPassword } from "@hush/ssh";
 * const hash = await hashPassword("wonderland", { N: 1024 });
 * assert.equal(await verifyPassword("wonderland", hash), true);
 * assert.equal(await verifyPassword("looking-glass", hash), false);
 * ```
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^\$scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
    stored.trim(),
  );
  if (!m) throw new TypeError("Not an $scrypt$N$r$p$salt$hash password hash");
  const N = Number(m[1]), r = Number(m[2]), p = Number(m[3]);
  checkParams(N, r, p);
  const salt = unpadded(m[4]);
  const expected = unpadded(m[5]);
  if (!salt || !expected || salt.length < 8 || expected.length < 16 || expected.length > 64) {
    throw new TypeError("Bad salt or hash in an $scrypt$ password hash");
  }
  const actual = await scryptAsync(new TextEncoder().encode(password), salt, {
    N,
    r,
    p,
    dkLen: expected.length,
  });
  return bytesEqual(actual, expected);
}

/**
 * Parses a password file: `user:hash` lines; blank lines and `#` comments are skipped.
 * Throws `TypeError` naming the first bad line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePasswordFile } from "@hush/ssh";
 * const users = parsePasswordFile("# users\nalice:$scrypt$1024$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA\n");
 * assert.deepEqual([...users.keys()], ["alice"]);
 * ```
 */
export function parsePasswordFile(text: string): Map<string, string> {
  const users = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon <= 0 || !line.slice(colon + 1).startsWith("$scrypt$")) {
      throw new TypeError(`Password file line ${i + 1}: expected user:$scrypt$…`);
    }
    users.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return users;
}
