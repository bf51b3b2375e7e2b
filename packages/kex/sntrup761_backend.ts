/**
 * Where sntrup761's arithmetic runs: the two inversions and the two products, which are all of
 * its O(p²) work, and the constant-time sort that places a short polynomial's coefficients. The
 * TypeScript ring (`sntrup761_ring.ts`) runs everywhere, but V8 runs it in its interpreter for
 * most of a process's first key pair (58–76 ms on Deno here, 4 ms warm); with the WebAssembly
 * build of the same algorithms (`loadSntrup761Wasm`) that key pair takes 8–10 ms, plus 9–13 ms to
 * compile the module. `@hush/ssh` hands the WebAssembly one in; the results are the same bytes.
 * @module
 */
import { r3Mult, r3Recip, rqMultSmall, rqRecip3 } from "./sntrup761_ring.ts";
import { sortInt32 } from "./sorting_network.ts";

/**
 * An implementation of sntrup761's ring operations (p = 761 coefficients per operand) and
 * sort.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsSntrup761 } from "@hush/kex";
 * const one = new Int8Array(761);
 * one[0] = 1;
 * const inverse = new Int8Array(761);
 * assert.equal(jsSntrup761.r3Recip(inverse, one), 0);
 * assert.deepEqual(inverse, one);
 * ```
 */
export interface Sntrup761Backend {
  /** A name for traces and benches. */
  readonly name: string;
  /** out = 1/a in R3; 0 if a is invertible, else −1 (and `out` is then meaningless). */
  r3Recip(out: Int8Array, a: Int8Array): number;
  /** out = 1/(3a) in Rq for a small; 0 if invertible, else −1. */
  rqRecip3(out: Int16Array, a: Int8Array): number;
  /** h = f·g in Rq, g small; `h` may be `f`. */
  rqMultSmall(h: Int16Array, f: Int16Array, g: Int8Array): void;
  /** h = f·g in R3. */
  r3Mult(h: Int8Array, f: Int8Array, g: Int8Array): void;
  /** Sorts `x` (up to 768 words) ascending as signed 32-bit integers, in constant time. */
  sortInt32(x: Int32Array): void;
}

/**
 * The ring in TypeScript (the default): constant-time float and bitsliced arithmetic.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsSntrup761 } from "@hush/kex";
 * assert.equal(jsSntrup761.name, "js");
 * ```
 */
export const jsSntrup761: Sntrup761Backend = {
  name: "js",
  r3Recip,
  rqRecip3,
  rqMultSmall,
  r3Mult,
  sortInt32,
};
