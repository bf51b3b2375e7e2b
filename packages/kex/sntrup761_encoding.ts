/**
 * Byte encodings of Streamlined NTRU Prime 761, exactly as the reference and OpenSSH lay them
 * out: small polynomials at 2 bits a coefficient, and Rq and rounded polynomials through the
 * NTRU Prime mixed-radix code (adjacent coefficients combined pairwise, low bytes emitted while
 * the combined range is at least 2^14, level after level, until one value is left).
 * @module
 */
import { P, Q, Q12 } from "./sntrup761_ring.ts";

/** Bytes of an encoded small polynomial: 4 coefficients a byte, the last byte holds one. */
export const SMALL_BYTES = (P + 3) >> 2;

/**
 * The byte layout of one mixed-radix code: for each level, its moduli and how many low bytes
 * each pair emits; then the bytes the last value takes.
 */
interface Layout {
  levels: { moduli: Uint16Array; bytes: Uint8Array }[];
  lastModulus: number;
  lastBytes: number;
  length: number;
}

function layout(count: number, modulus: number): Layout {
  const levels: Layout["levels"] = [];
  let moduli = new Uint16Array(count).fill(modulus);
  let length = 0;
  while (moduli.length > 1) {
    const pairs = moduli.length >> 1;
    const bytes = new Uint8Array(pairs);
    const next = new Uint16Array((moduli.length + 1) >> 1);
    for (let k = 0; k < pairs; k++) {
      let m = moduli[2 * k] * moduli[2 * k + 1];
      while (m >= 16384) {
        bytes[k]++;
        m = (m + 255) >> 8;
      }
      next[k] = m;
      length += bytes[k];
    }
    if (moduli.length & 1) next[pairs] = moduli[moduli.length - 1];
    levels.push({ moduli, bytes });
    moduli = next;
  }
  let lastBytes = 0;
  for (let m = moduli[0]; m > 1; m = (m + 255) >> 8) lastBytes++;
  return { levels, lastModulus: moduli[0], lastBytes, length: length + lastBytes };
}

const RQ = layout(P, Q);
const ROUNDED = layout(P, (Q + 2) / 3);

/** Bytes of an encoded Rq polynomial (the public key): 1158. */
export const RQ_BYTES: number = RQ.length;
/** Bytes of an encoded rounded polynomial (the ciphertext's first part): 1007. */
export const ROUNDED_BYTES: number = ROUNDED.length;

/** Encodes `values` (each below its level-0 modulus) into `out`; consumes `values`. */
function encode(out: Uint8Array, values: Uint32Array, code: Layout): void {
  let o = 0;
  let len = values.length;
  for (const { moduli, bytes } of code.levels) {
    const pairs = len >> 1;
    for (let k = 0; k < pairs; k++) {
      let r = values[2 * k] + values[2 * k + 1] * moduli[2 * k];
      for (let b = bytes[k]; b > 0; b--) {
        out[o++] = r & 255;
        r >>>= 8;
      }
      values[k] = r;
    }
    if (len & 1) values[pairs] = values[len - 1];
    len = (len + 1) >> 1;
  }
  let r = values[0];
  for (let b = code.lastBytes; b > 0; b--) {
    out[o++] = r & 255;
    r >>>= 8;
  }
}

const bottoms = new Uint32Array(P);

/**
 * Decodes `bytes` into `values` (each below its modulus, whatever the bytes). Only public data
 * (keys and ciphertexts as received) is decoded, so plain division is fine here.
 */
function decode(values: Uint32Array, bytes: Uint8Array, code: Layout): void {
  // The low bytes of every level come first, level 0 first; then the last value.
  let s = 0;
  let b = 0;
  for (const level of code.levels) {
    for (let k = 0; k < level.bytes.length; k++) {
      const n = level.bytes[k];
      bottoms[b++] = n === 0 ? 0 : n === 1 ? bytes[s] : bytes[s] + 256 * bytes[s + 1];
      s += n;
    }
  }
  const m = code.lastModulus;
  values[0] = m === 1 ? 0 : m <= 256 ? bytes[s] % m : (bytes[s] + 256 * bytes[s + 1]) % m;
  // Back down: each value with its pair's low bytes gives the pair.
  for (let l = code.levels.length - 1; l >= 0; l--) {
    const { moduli, bytes: counts } = code.levels[l];
    b -= counts.length;
    const len = moduli.length;
    if (len & 1) values[len - 1] = values[len >> 1];
    for (let k = counts.length - 1; k >= 0; k--) {
      const r = bottoms[b + k] + (counts[k] === 2 ? 65536 : counts[k] === 1 ? 256 : 1) * values[k];
      const m0 = moduli[2 * k];
      const hi = Math.floor(r / m0);
      values[2 * k] = r - hi * m0;
      values[2 * k + 1] = hi % moduli[2 * k + 1]; // only an invalid encoding needs the %
    }
  }
  bottoms.fill(0);
}

const scratch = new Uint32Array(P);

/** Encodes an Rq polynomial (coefficients in [−Q12, Q12]) into RQ_BYTES bytes. */
export function rqEncode(out: Uint8Array, r: Int16Array): void {
  for (let i = 0; i < P; i++) scratch[i] = r[i] + Q12;
  encode(out, scratch, RQ);
  scratch.fill(0);
}

/** Decodes RQ_BYTES bytes into an Rq polynomial (any bytes give one). */
export function rqDecode(r: Int16Array, bytes: Uint8Array): void {
  decode(scratch, bytes, RQ);
  for (let i = 0; i < P; i++) r[i] = scratch[i] - Q12;
  scratch.fill(0);
}

/** Encodes a rounded polynomial (multiples of 3 in [−Q12, Q12]) into ROUNDED_BYTES bytes. */
export function roundedEncode(out: Uint8Array, r: Int16Array): void {
  for (let i = 0; i < P; i++) scratch[i] = ((r[i] + Q12) * 10923) >> 15;
  encode(out, scratch, ROUNDED);
  scratch.fill(0);
}

/** Decodes ROUNDED_BYTES bytes into a rounded polynomial (any bytes give one). */
export function roundedDecode(r: Int16Array, bytes: Uint8Array): void {
  decode(scratch, bytes, ROUNDED);
  for (let i = 0; i < P; i++) r[i] = scratch[i] * 3 - Q12;
  scratch.fill(0);
}

/** Encodes a small polynomial (coefficients −1, 0, 1) into SMALL_BYTES bytes. */
export function smallEncode(out: Uint8Array, f: Int8Array): void {
  const whole = P >> 2;
  for (let i = 0; i < whole; i++) {
    out[i] = (f[4 * i] + 1) | ((f[4 * i + 1] + 1) << 2) | ((f[4 * i + 2] + 1) << 4) |
      ((f[4 * i + 3] + 1) << 6);
  }
  out[whole] = f[4 * whole] + 1;
}

/** Decodes SMALL_BYTES bytes into a small polynomial. */
export function smallDecode(f: Int8Array, bytes: Uint8Array): void {
  const whole = P >> 2;
  for (let i = 0; i < whole; i++) {
    const x = bytes[i];
    f[4 * i] = (x & 3) - 1;
    f[4 * i + 1] = ((x >> 2) & 3) - 1;
    f[4 * i + 2] = ((x >> 4) & 3) - 1;
    f[4 * i + 3] = (x >> 6) - 1;
  }
  f[4 * whole] = (bytes[whole] & 3) - 1;
}
