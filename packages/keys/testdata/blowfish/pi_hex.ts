/**
 * The hexadecimal digits of pi's fractional part, computed from Machin's formula
 * (pi = 16·atan(1/5) − 4·atan(1/239)) in BigInt fixed point. Blowfish's initial P-array and
 * S-boxes are these digits; `make_blowfish_pi.ts` writes them out and `blowfish_test.ts`
 * recomputes them to check the committed table.
 * @module
 */

/** The first `count` hex digits after the point of pi (`243f6a88…`). */
export function piHexDigits(count: number): string {
  const guard = 16; // extra digits so truncation error never reaches the last one kept
  const bits = BigInt((count + guard) * 4);
  const one = 1n << bits;
  const atanInverse = (x: bigint): bigint => {
    let sum = 0n;
    let power = one / x; // one / x^(2k+1)
    const x2 = x * x;
    for (let k = 1n, sign = 1n; power !== 0n; k += 2n, sign = -sign) {
      sum += sign * (power / k);
      power /= x2;
    }
    return sum;
  };
  const pi = 16n * atanInverse(5n) - 4n * atanInverse(239n);
  const fraction = (pi & (one - 1n)) >> BigInt(guard * 4);
  return fraction.toString(16).padStart(count, "0");
}
