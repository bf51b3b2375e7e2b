/**
 * The rings of Streamlined NTRU Prime 761: R3 = Z/3[x]/(x^761 − x − 1) for the small
 * polynomials and Rq = Z/4591[x]/(x^761 − x − 1) for the public ones, with the multiplications
 * and the two inversions the KEM needs.
 *
 * Secret data never chooses a branch or an array index: reductions are arithmetic (a float
 * multiply and a floor or rounding constant), swaps are masked or arithmetic selects, loop
 * bounds depend only on public counters. Values are exact integers in float64 (all below 2^50
 * here) and are reduced only where a bound requires it, which gives the same canonical values
 * as the reference's reduction after every operation.
 * @module
 */

/** The degree p of the ring's modulus x^p − x − 1. */
export const P = 761;
/** The prime modulus q. */
export const Q = 4591;
/** The weight w of short polynomials (that many ±1 coefficients, the rest 0). */
export const W = 286;
/** (q − 1) / 2: coefficients mod q are kept in [−Q12, Q12]. */
export const Q12 = 2295;

const QINV = 1 / Q;
/** 1/3 mod q, centred. */
const RECIP3 = -1530;

/**
 * x mod q, centred in [−Q12, Q12], for |x| < 2^50. round(x/q) from a float multiply is exact
 * here: x/q is never within 2^−13.2 of a half-integer (q is odd) and the float error is below
 * 2^−15.
 */
export function fqFreeze(x: number): number {
  return x - Q * Math.floor(x * QINV + 0.5);
}

/** x mod 3, centred in {−1, 0, 1}, for |x| < 2^50 (as {@linkcode fqFreeze}). */
export function f3Freeze(x: number): number {
  return x - 3 * Math.floor(x * (1 / 3) + 0.5);
}

/** −1 if x ≠ 0, else 0 (x a 32-bit integer other than −2^31). */
export function nonzeroMask(x: number): number {
  return (x | -x) >> 31;
}

/** −1 if x < 0, else 0 (x a 32-bit integer). */
export function negativeMask(x: number): number {
  return x >> 31;
}

/** a^(q−2) = 1/a mod q (0 for 0): a fixed square-and-multiply chain, the exponent is public. */
function fqRecip(a: number): number {
  let result = 1;
  let base = a;
  for (let e = Q - 2; e > 0; e >>= 1) {
    const bit = e & 1;
    result = fqFreeze(result * (bit ? base : 1));
    base = fqFreeze(base * base);
  }
  return result;
}

/** Length of the zero-padded operands: 768 = 3·2^8 halves evenly four times. */
const N = 768;
/** Below this length Karatsuba hands over to the schoolbook product. */
const KARATSUBA_CUTOFF = 48;

const opA = new Float64Array(N);
const opB = new Float64Array(N);
const product = new Float64Array(2 * N);
const karatsubaScratch = new Float64Array(4 * N);

/**
 * out[o …] = a[ao … ao+n) · b[bo … bo+n), 2n − 1 coefficients, exact (every value here is an
 * integer below 2^31). Karatsuba: (a0 + a1·y)(b0 + b1·y) with y = x^(n/2) from three
 * half-size products; `s` is scratch space (4n values from `so`).
 */
function karatsuba(
  out: Float64Array,
  o: number,
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  n: number,
  s: Float64Array,
  so: number,
): void {
  if (n <= KARATSUBA_CUTOFF) {
    out.fill(0, o, o + 2 * n - 1);
    for (let j = 0; j < n; j++) {
      const bj = b[bo + j];
      const at = o + j;
      for (let i = 0; i < n; i++) out[at + i] += a[ao + i] * bj;
    }
    return;
  }
  const h = n >> 1;
  karatsuba(out, o, a, ao, b, bo, h, s, so); // low half → out[o, o + n − 1)
  karatsuba(out, o + n, a, ao + h, b, bo + h, h, s, so); // high half → out[o + n, o + 2n − 1)
  out[o + n - 1] = 0;
  const sa = so, sb = so + h, mid = so + n;
  for (let i = 0; i < h; i++) {
    s[sa + i] = a[ao + i] + a[ao + h + i];
    s[sb + i] = b[bo + i] + b[bo + h + i];
  }
  karatsuba(s, mid, s, sa, s, sb, h, s, mid + n);
  // the middle term, (a0 + a1)(b0 + b1) − a0·b0 − a1·b1, before `out` changes under it
  for (let i = 0; i < n - 1; i++) s[mid + i] -= out[o + i] + out[o + n + i];
  for (let i = 0; i < n - 1; i++) out[o + h + i] += s[mid + i];
}

/**
 * The product of two length-P coefficient arrays, reduced mod x^p − x − 1 but not mod q or 3,
 * into `product[0, P)`.
 */
function multiply(f: Int16Array | Int8Array, g: Int8Array): void {
  for (let i = 0; i < P; i++) {
    opA[i] = f[i];
    opB[i] = g[i];
  }
  karatsuba(product, 0, opA, 0, opB, 0, N, karatsubaScratch, 0);
  // x^p = x + 1: fold x^(P+k) onto x^k and x^(k+1), from the top down
  for (let i = 2 * P - 2; i >= P; i--) {
    const c = product[i];
    product[i - P] += c;
    product[i - P + 1] += c;
  }
  opA.fill(0);
  opB.fill(0);
}

function wipeProduct(): void {
  product.fill(0);
  karatsubaScratch.fill(0);
}

/** h = f·g in Rq, g small. `h` may be `f`. */
export function rqMultSmall(h: Int16Array, f: Int16Array, g: Int8Array): void {
  multiply(f, g);
  for (let i = 0; i < P; i++) h[i] = fqFreeze(product[i]);
  wipeProduct();
}

/** h = f·g in R3. */
export function r3Mult(h: Int8Array, f: Int8Array, g: Int8Array): void {
  multiply(f, g);
  for (let i = 0; i < P; i++) h[i] = f3Freeze(product[i]);
  wipeProduct();
}

/** h = 3f in Rq. */
export function rqMult3(h: Int16Array, f: Int16Array): void {
  for (let i = 0; i < P; i++) h[i] = fqFreeze(3 * f[i]);
}

/** Each coefficient of an Rq element reduced mod 3 (R3 from R from Rq). */
export function r3FromRq(out: Int8Array, r: Int16Array): void {
  for (let i = 0; i < P; i++) out[i] = f3Freeze(r[i]);
}

/** Rounds each coefficient to the nearest multiple of 3. */
export function round3(out: Int16Array, a: Int16Array): void {
  for (let i = 0; i < P; i++) out[i] = a[i] - f3Freeze(a[i]);
}

/** 0 if `r` has exactly W nonzero coefficients, else −1. */
export function weightMask(r: Int8Array): number {
  let weight = 0;
  for (let i = 0; i < P; i++) weight += r[i] & 1;
  return nonzeroMask(weight - W);
}

// The inversions run 2p − 1 constant-time division steps (Bernstein–Yang) on f = x^p − x − 1
// and g = the input, both reversed, as the reference does. Per step n: v := x·v; swap (f, g)
// and (v, r) when δ > 0 and g(0) ≠ 0; g := (f0·g − g0·f)/x; r := f0·r − g0·v. Here g and r
// are updated from the values before the swap, which can only flip the sign of both (a unit
// of the ring that the final 1/f(0) cancels), so the swap is a select and one pass does all.
// Public bounds on the lengths shorten the passes: v and r have degree ≤ n; f and g, whose
// degrees (as NTRU Prime's analysis tracks them) sum to 2p − 1 − n, fit below 2p − n.

/** Bitsliced R3: 32 coefficients a word, two planes (nonzero, negative); 24 words hold 762. */
const WORDS = 24;
const fNz = new Int32Array(WORDS);
const fNeg = new Int32Array(WORDS);
const gNz = new Int32Array(WORDS);
const gNeg = new Int32Array(WORDS);
const vNz = new Int32Array(WORDS);
const vNeg = new Int32Array(WORDS);
const rNz = new Int32Array(WORDS);
const rNeg = new Int32Array(WORDS);

function setBitsliced(nz: Int32Array, neg: Int32Array, i: number, c: number): void {
  const bit = 1 << (i & 31);
  nz[i >> 5] |= -(c & 1) & bit;
  neg[i >> 5] |= (c >> 31) & bit;
}

/** out = 1/a in R3; returns 0 if a is invertible, else −1 (and `out` is then meaningless). */
export function r3Recip(out: Int8Array, a: Int8Array): number {
  for (const x of [fNz, fNeg, gNz, gNeg, vNz, vNeg, rNz, rNeg]) x.fill(0);
  setBitsliced(fNz, fNeg, 0, 1);
  setBitsliced(fNz, fNeg, P - 1, -1);
  setBitsliced(fNz, fNeg, P, -1);
  for (let i = 0; i < P; i++) setBitsliced(gNz, gNeg, P - 1 - i, a[i]);
  rNz[0] = 1;
  let delta = 1;
  for (let n = 0; n < 2 * P - 1; n++) {
    const swap = negativeMask(-delta) & -(gNz[0] & 1);
    delta ^= swap & (delta ^ -delta);
    delta += 1;
    // the multiplier −f0·g0 as masks: nonzero iff g0 is (f0 is ±1), negative iff signs agree
    const nz = -(fNz[0] & gNz[0] & 1);
    const neg = nz & ~-((fNeg[0] ^ gNeg[0]) & 1);
    const bound = n < P - 1 ? P : 2 * P - 1 - n;
    const words = (bound >> 5) + 1;
    let lowNz = 0, lowNeg = 0;
    for (let k = 0; k < words; k++) {
      const xNz = fNz[k], xNeg = fNeg[k], yNz = gNz[k], yNeg = gNeg[k];
      fNz[k] = xNz ^ (swap & (xNz ^ yNz));
      fNeg[k] = xNeg ^ (swap & (xNeg ^ yNeg));
      // y + multiplier·x, coefficient-wise mod 3
      const tNz = xNz & nz, tNeg = (xNeg ^ neg) & tNz;
      const onlyOne = yNz ^ tNz, signs = yNeg ^ tNeg, same = yNz & tNz & ~signs;
      const sumNz = onlyOne | same, sumNeg = (onlyOne & signs) | (same & ~yNeg);
      // g := sum / x: shift down one coefficient
      if (k > 0) {
        gNz[k - 1] = lowNz | (sumNz << 31);
        gNeg[k - 1] = lowNeg | (sumNeg << 31);
      }
      lowNz = sumNz >>> 1;
      lowNeg = sumNeg >>> 1;
    }
    gNz[words - 1] = lowNz;
    gNeg[words - 1] = lowNeg;
    const top = n + 1 < P ? n + 1 : P;
    for (let k = top >> 5; k >= 0; k--) {
      const carry = k > 0 ? 1 : 0;
      const xNz = (vNz[k] << 1) | ((vNz[k - carry] >>> 31) & -carry);
      const xNeg = (vNeg[k] << 1) | ((vNeg[k - carry] >>> 31) & -carry);
      const yNz = rNz[k], yNeg = rNeg[k];
      vNz[k] = xNz ^ (swap & (xNz ^ yNz));
      vNeg[k] = xNeg ^ (swap & (xNeg ^ yNeg));
      const tNz = xNz & nz, tNeg = (xNeg ^ neg) & tNz;
      const onlyOne = yNz ^ tNz, signs = yNeg ^ tNeg, same = yNz & tNz & ~signs;
      rNz[k] = onlyOne | same;
      rNeg[k] = (onlyOne & signs) | (same & ~yNeg);
    }
    // v's top coefficient falls off (the reference keeps p + 1 of them)
    vNz[P >> 5] &= (1 << ((P & 31) + 1)) - 1;
    vNeg[P >> 5] &= (1 << ((P & 31) + 1)) - 1;
  }
  const sign = 1 - 2 * (fNeg[0] & 1);
  for (let i = 0; i < P; i++) {
    const j = P - 1 - i;
    const nz = (vNz[j >> 5] >>> (j & 31)) & 1, neg = (vNeg[j >> 5] >>> (j & 31)) & 1;
    out[i] = sign * (nz - 2 * neg);
  }
  for (const x of [fNz, fNeg, gNz, gNeg, vNz, vNeg, rNz, rNeg]) x.fill(0);
  return nonzeroMask(delta);
}

const fq = new Float64Array(P + 1);
const gq = new Float64Array(P + 1);
const vq = new Float64Array(P + 1);
const rq = new Float64Array(P + 1);

/** 1.5·2^52: adding and subtracting it rounds a float below 2^51 to the nearest integer. */
const ROUNDER = 6755399441055744;

/** out = 1/(3a) in Rq, a small; returns 0 if invertible, else −1. */
export function rqRecip3(out: Int16Array, a: Int8Array): number {
  const f = fq, g = gq, v = vq, r = rq;
  f.fill(0);
  v.fill(0);
  r.fill(0);
  f[0] = 1;
  f[P - 1] = f[P] = -1;
  for (let i = 0; i < P; i++) g[P - 1 - i] = a[i];
  g[P] = 0;
  r[0] = RECIP3;
  let delta = 1;
  for (let n = 0; n < 2 * P - 1; n++) {
    // Only the heads decide, so only they must be reduced at every step; the arrays are reduced
    // every third step (each unreduced step multiplies the bound by at most 2·Q12 < 2^12.2:
    // 2^11.2 → 2^23.4 → 2^35.6 → 2^47.8, all exact in a float and within fqFreeze's range).
    const f0 = fqFreeze(f[0]), g0 = fqFreeze(g[0]);
    const swap = negativeMask(-delta) & nonzeroMask(g0);
    delta ^= swap & (delta ^ -delta);
    delta += 1;
    const s = swap & 1; // the select as arithmetic: x + s·(y − x)
    f[0] = f0 + s * (g0 - f0);
    const bound = n < P - 1 ? P : 2 * P - 1 - n;
    const top = n + 1 < P ? n + 1 : P;
    if (n % 3 === 2) {
      for (let i = 0; i < bound; i++) {
        const x = f[i + 1], y = g[i + 1];
        f[i + 1] = fqFreeze(x + s * (y - x));
        const z = f0 * y - g0 * x;
        g[i] = z - Q * (z * QINV + ROUNDER - ROUNDER);
      }
      for (let i = top; i >= 1; i--) {
        const x = v[i - 1], y = r[i];
        v[i] = fqFreeze(x + s * (y - x));
        const z = f0 * y - g0 * x;
        r[i] = z - Q * (z * QINV + ROUNDER - ROUNDER);
      }
      v[0] = fqFreeze(s * r[0]); // v(0) = 0 after v := x·v
      r[0] = fqFreeze(f0 * r[0]);
    } else {
      for (let i = 0; i < bound; i++) {
        const x = f[i + 1], y = g[i + 1];
        f[i + 1] = x + s * (y - x);
        g[i] = f0 * y - g0 * x;
      }
      for (let i = top; i >= 1; i--) {
        const x = v[i - 1], y = r[i];
        v[i] = x + s * (y - x);
        r[i] = f0 * y - g0 * x;
      }
      v[0] = s * r[0];
      r[0] = f0 * r[0];
    }
    g[bound] = 0;
  }
  const scale = fqRecip(fqFreeze(f[0]));
  for (let i = 0; i < P; i++) out[i] = fqFreeze(scale * v[P - 1 - i]);
  const ok = nonzeroMask(delta);
  f.fill(0);
  g.fill(0);
  v.fill(0);
  r.fill(0);
  return ok;
}
