/**
 * The rings of Streamlined NTRU Prime 761: R3 = Z/3[x]/(x^761 − x − 1) for the small
 * polynomials and Rq = Z/4591[x]/(x^761 − x − 1) for the public ones, with the multiplications
 * and the two inversions the KEM needs.
 *
 * Secret data never chooses a branch or an array index: reductions are arithmetic (a float
 * multiply and floor, or sign masks), swaps are masked, loop bounds depend only on public
 * counters. Products are summed exactly in 32-bit integers and reduced once per coefficient,
 * which gives the same canonical values as reducing after every step.
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
 * x mod q, centred in [−Q12, Q12], for |x| < 2^40. round(x/q) from a float multiply is exact
 * here: x/q is never within 2^−13 of a half-integer (q is odd) and the float error is far
 * smaller.
 */
export function fqFreeze(x: number): number {
  return x - Q * Math.floor(x * QINV + 0.5);
}

/** x mod 3, centred in {−1, 0, 1}, for |x| < 2^40 (as {@linkcode fqFreeze}). */
export function f3Freeze(x: number): number {
  return x - 3 * Math.floor(x * (1 / 3) + 0.5);
}

/** y mod 3 for y in [−2, 2], with sign masks only. */
function f3Small(y: number): number {
  return y - (3 & ~((y - 2) >> 31)) + (3 & ((y + 1) >> 31));
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

/** Adds x^(P+k)'s coefficient onto x^k and x^(k+1) (x^p = x + 1), for k = P−2 … 0. */
function foldProduct(acc: Int32Array): void {
  for (let i = 2 * P - 2; i >= P; i--) {
    const c = acc[i];
    acc[i - P] += c;
    acc[i - P + 1] += c;
  }
}

const product = new Int32Array(2 * P - 1);

/** Plain product of two length-P coefficient arrays into `product` (exact; no reduction). */
function multiply(f: Int16Array | Int8Array, g: Int8Array): void {
  product.fill(0);
  for (let j = 0; j < P; j++) {
    const gj = g[j];
    for (let i = 0; i < P; i++) product[i + j] += f[i] * gj;
  }
  foldProduct(product);
}

/** h = f·g in Rq, g small. `h` may be `f`. */
export function rqMultSmall(h: Int16Array, f: Int16Array, g: Int8Array): void {
  multiply(f, g);
  for (let i = 0; i < P; i++) h[i] = fqFreeze(product[i]);
  product.fill(0);
}

/** h = f·g in R3. */
export function r3Mult(h: Int8Array, f: Int8Array, g: Int8Array): void {
  multiply(f, g);
  for (let i = 0; i < P; i++) h[i] = f3Freeze(product[i]);
  product.fill(0);
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
// and g = the input, both reversed, keeping v·input ≡ f (mod x^p − x − 1, up to a power of x).
// The fused loops below do, per step, what the reference does in four passes: v := x·v; swap
// (f, g) and (v, r) when δ > 0 and g(0) ≠ 0; g := (f0·g − g0·f)/x; r := f0·r − g0·v.
// v and r have degree ≤ n before step n, so their loops stop there (a public bound).

const f3 = new Int8Array(P + 1);
const g3 = new Int8Array(P + 1);
const v3 = new Int8Array(P + 1);
const r3 = new Int8Array(P + 1);

/** out = 1/a in R3; returns 0 if a is invertible, else −1 (and `out` is then meaningless). */
export function r3Recip(out: Int8Array, a: Int8Array): number {
  const f = f3, g = g3, v = v3, r = r3;
  f.fill(0);
  v.fill(0);
  r.fill(0);
  f[0] = 1;
  f[P - 1] = f[P] = -1;
  for (let i = 0; i < P; i++) g[P - 1 - i] = a[i];
  g[P] = 0;
  r[0] = 1;
  let delta = 1;
  for (let n = 0; n < 2 * P - 1; n++) {
    const swap = negativeMask(-delta) & nonzeroMask(g[0]);
    delta ^= swap & (delta ^ -delta);
    delta += 1;
    const f0 = f[0] ^ (swap & (f[0] ^ g[0]));
    const g0 = g[0] ^ (swap & (f[0] ^ g[0]));
    f[0] = f0;
    const sign = -f0 * g0;
    for (let i = 0; i < P; i++) {
      const x = f[i + 1], y = g[i + 1];
      const t = swap & (x ^ y);
      const fi = x ^ t;
      f[i + 1] = fi;
      g[i] = f3Small((y ^ t) + sign * fi);
    }
    g[P] = 0;
    const top = n + 1 < P ? n + 1 : P;
    for (let i = top; i >= 1; i--) {
      const x = v[i - 1], y = r[i];
      const t = swap & (x ^ y);
      const vi = x ^ t;
      v[i] = vi;
      r[i] = f3Small((y ^ t) + sign * vi);
    }
    const t0 = swap & r[0]; // v(0) is 0 after v := x·v
    v[0] = t0;
    r[0] = f3Small((r[0] ^ t0) + sign * t0);
  }
  const s = f[0];
  for (let i = 0; i < P; i++) out[i] = s * v[P - 1 - i];
  const ok = nonzeroMask(delta);
  f.fill(0);
  g.fill(0);
  v.fill(0);
  r.fill(0);
  return ok;
}

const fq = new Int16Array(P + 1);
const gq = new Int16Array(P + 1);
const vq = new Int16Array(P + 1);
const rq = new Int16Array(P + 1);

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
    const swap = negativeMask(-delta) & nonzeroMask(g[0]);
    delta ^= swap & (delta ^ -delta);
    delta += 1;
    const f0 = f[0] ^ (swap & (f[0] ^ g[0]));
    const g0 = g[0] ^ (swap & (f[0] ^ g[0]));
    f[0] = f0;
    for (let i = 0; i < P; i++) {
      const x = f[i + 1], y = g[i + 1];
      const t = swap & (x ^ y);
      const fi = x ^ t;
      f[i + 1] = fi;
      g[i] = fqFreeze(f0 * (y ^ t) - g0 * fi);
    }
    g[P] = 0;
    const top = n + 1 < P ? n + 1 : P;
    for (let i = top; i >= 1; i--) {
      const x = v[i - 1], y = r[i];
      const t = swap & (x ^ y);
      const vi = x ^ t;
      v[i] = vi;
      r[i] = fqFreeze(f0 * (y ^ t) - g0 * vi);
    }
    const t0 = swap & r[0];
    v[0] = t0;
    r[0] = fqFreeze(f0 * (r[0] ^ t0) - g0 * t0);
  }
  const scale = fqRecip(f[0]);
  for (let i = 0; i < P; i++) out[i] = fqFreeze(scale * v[P - 1 - i]);
  const ok = nonzeroMask(delta);
  f.fill(0);
  g.fill(0);
  v.fill(0);
  r.fill(0);
  return ok;
}
