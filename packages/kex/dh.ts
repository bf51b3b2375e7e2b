/**
 * Finite-field Diffie-Hellman arithmetic: modular exponentiation, the RFC 4253 §8 range check
 * on e and f, private exponents, and a cheap probable-prime test for group-exchange moduli.
 * @module
 */
import type { RandomSource } from "@hush/wire";
import { kexFailed } from "./errors.ts";

/** b^e mod m for e ≥ 0, m > 1 (4-bit fixed window). */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  const b = ((base % modulus) + modulus) % modulus;
  const table: bigint[] = [1n, b];
  for (let i = 2; i < 16; i++) table.push((table[i - 1] * b) % modulus);
  const hex = exponent.toString(16);
  let r = 1n;
  for (let i = 0; i < hex.length; i++) {
    if (i > 0) {
      r = (r * r) % modulus;
      r = (r * r) % modulus;
      r = (r * r) % modulus;
      r = (r * r) % modulus;
    }
    const digit = parseInt(hex[i], 16);
    if (digit) r = (r * table[digit]) % modulus;
  }
  return r;
}

/** Bit length of a positive bigint. */
export function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** Big-endian bytes to bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = "0x0";
  for (let i = 0; i < bytes.length; i++) hex += bytes[i].toString(16).padStart(2, "0");
  return BigInt(hex);
}

/**
 * A private exponent x of `bytes` random bytes with 1 < x < p − 1 (RFC 4253 §8). The caller
 * sizes `bytes` at twice the method's hash length, as OpenSSH does.
 */
export function dhPrivateExponent(p: bigint, bytes: number, random: RandomSource): bigint {
  const len = Math.min(bytes, Math.floor((bitLength(p) - 1) / 8));
  for (let tries = 0; tries < 1000; tries++) {
    const r = random(len);
    if (r.length !== len) throw new TypeError("Random source returned too few bytes");
    const x = bytesToBigInt(r);
    if (x > 1n && x < p - 1n) return x;
  }
  throw new TypeError("Random source does not look random");
}

/**
 * Checks a peer's public value (e or f): 1 < v < p − 1, so it is neither 0, 1, p − 1 nor out
 * of the group. Throws a KEY_EXCHANGE_FAILED {@linkcode KexError}.
 */
export function checkDhPublic(v: bigint, p: bigint, name: "e" | "f"): void {
  if (v <= 1n || v >= p - 1n) {
    throw kexFailed(`Diffie-Hellman value ${name} is out of range (must be 1 < ${name} < p-1)`);
  }
}

const SMALL_PRIMES: readonly bigint[] = (() => {
  const out: bigint[] = [];
  const sieve = new Uint8Array(2000);
  for (let i = 2; i < sieve.length; i++) {
    if (sieve[i]) continue;
    out.push(BigInt(i));
    for (let j = i * i; j < sieve.length; j += i) sieve[j] = 1;
  }
  return out;
})();

/**
 * A cheap probable-prime test for a modulus the peer sent: trial division by the primes below
 * 2000, then Miller-Rabin rounds to bases 2 and 3 (base 3 also catches the Fermat numbers,
 * which fool base 2). It catches composites a broken or hostile peer sends; it is not a proof.
 */
export function isProbablePrime(n: bigint): boolean {
  if (n < 2n) return false;
  for (const q of SMALL_PRIMES) {
    if (n === q) return true;
    if (n % q === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  return millerRabinRound(n, 2n, d, s) && millerRabinRound(n, 3n, d, s);
}

function millerRabinRound(n: bigint, base: bigint, d: bigint, s: number): boolean {
  let x = modPow(base, d, n);
  if (x === 1n || x === n - 1n) return true;
  for (let i = 1; i < s; i++) {
    x = (x * x) % n;
    if (x === n - 1n) return true;
    if (x === 1n) return false;
  }
  return false;
}
