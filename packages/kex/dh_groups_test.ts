import { test } from "node:test";
import assert from "node:assert/strict";
import { createDiffieHellman, getDiffieHellman } from "node:crypto";
import { GEX_GROUPS, MODP_2048, MODP_3072, MODP_4096, MODP_6144, MODP_8192 } from "./dh_groups.ts";
import { isProbablePrime, modPow } from "./dh.ts";

/** π · 2^bits, truncated, by Machin's formula π = 16·atan(1/5) − 4·atan(1/239). */
function piFixed(bits: number): bigint {
  const guard = 64n;
  const one = 1n << (BigInt(bits) + guard);
  const atanInv = (x: bigint): bigint => {
    let sum = 0n;
    let term = one / x;
    const x2 = x * x;
    for (let k = 0n; term !== 0n; k++) {
      sum += (k % 2n === 0n ? term : -term) / (2n * k + 1n);
      term /= x2;
    }
    return sum;
  };
  return (16n * atanInv(5n) - 4n * atanInv(239n)) >> guard;
}

// RFC 3526: p = 2^N − 2^(N−64) − 1 + 2^64 · (⌊2^(N−130) · π⌋ + k)
const RFC3526: [bigint, number, bigint][] = [
  [MODP_2048, 2048, 124476n],
  [MODP_3072, 3072, 1690314n],
  [MODP_4096, 4096, 240904n],
  [MODP_6144, 6144, 929484n],
  [MODP_8192, 8192, 4743158n],
];

test("bundled MODP primes are RFC 3526's formula, recomputed from π", () => {
  const pi = piFixed(8192);
  for (const [p, n, k] of RFC3526) {
    const N = BigInt(n);
    const floor = pi >> (8192n - (N - 130n));
    const expected = (1n << N) - (1n << (N - 64n)) - 1n + (1n << 64n) * (floor + k);
    assert.equal(p, expected, `${n}-bit group`);
  }
});

test("the 2048-bit group matches node:crypto's modp14; GEX_GROUPS are groups 14-18 with g = 2", () => {
  // (only modp14: Bun's getDiffieHellman spends a minute checking the larger primes)
  assert.equal(
    MODP_2048,
    BigInt("0x" + Buffer.from(getDiffieHellman("modp14").getPrime()).toString("hex")),
  );
  assert.deepEqual(GEX_GROUPS.map((g) => g.p), RFC3526.map(([p]) => p));
  assert.deepEqual(GEX_GROUPS.map((g) => g.bits), [2048, 3072, 4096, 6144, 8192]);
  assert.ok(GEX_GROUPS.every((g) => g.g === 2n));
});

test("the 2048- and 3072-bit groups are safe primes (probable-prime check on p and (p-1)/2)", () => {
  for (const p of [MODP_2048, MODP_3072]) {
    assert.ok(isProbablePrime(p));
    assert.ok(isProbablePrime((p - 1n) / 2n));
  }
});

test("modPow agrees with node:crypto and with square-and-multiply", () => {
  const dh = createDiffieHellman(getDiffieHellman("modp14").getPrime(), Buffer.from([2]));
  dh.setPrivateKey(Buffer.from("0123456789abcdef0123456789abcdef", "hex"));
  const e = BigInt("0x" + Buffer.from(dh.generateKeys()).toString("hex"));
  assert.equal(modPow(2n, 0x0123456789abcdef0123456789abcdefn, MODP_2048), e);
  assert.equal(modPow(5n, 0n, 7n), 1n);
  assert.equal(modPow(5n, 1n, 7n), 5n);
  assert.equal(modPow(3n, 200n, 1000003n), 3n ** 200n % 1000003n);
  assert.equal(modPow(-2n, 3n, 7n), 6n);
});

test("isProbablePrime: small primes, composites, Carmichael numbers", () => {
  for (const p of [2n, 3n, 1999n, 7919n, (1n << 127n) - 1n]) assert.ok(isProbablePrime(p), `${p}`);
  for (
    const c of [0n, 1n, 4n, 561n, 3215031751n, (1n << 128n) + 1n, MODP_2048 + 2n, MODP_2048 * 3n]
  ) {
    assert.ok(!isProbablePrime(c), `${c}`);
  }
});
