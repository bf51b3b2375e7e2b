/**
 * sntrup761's ring operations on the package's WebAssembly module (`wasm/sntrup761_ring.c`,
 * built by `wasm/build.sh`): the algorithms of `sntrup761_ring.ts` and `sorting_network.ts`
 * compiled ahead of time, so a process's first key pair does not wait for V8's JIT. Operands
 * are copied into the module's I/O area, the result out; the module wipes its scratch and
 * inputs before each call returns, and the result area is wiped here once copied.
 * @module
 */
import { decodeBase64 } from "@hush/wire";
import type { Sntrup761Backend } from "./sntrup761_backend.ts";
import { P } from "./sntrup761_ring.ts";
import { SNTRUP761_RING_WASM } from "./sntrup761_wasm_module.ts";

/** The module's exports (`wasm/sntrup761_ring.c`). */
interface Exports {
  memory: WebAssembly.Memory;
  a(): number;
  b(): number;
  out(): number;
  r3_recip(): number;
  rq_recip3(): number;
  rq_mult_small(): void;
  r3_mult(): void;
  words(): number;
  sort_int32(n: number): void;
}

/** The module's sort area, in words. */
const SORT_LIMIT = 768;

class WasmRing implements Sntrup761Backend {
  readonly name = "wasm";
  #x: Exports;
  #a: Int16Array;
  #b: Int8Array;
  #out16: Int16Array;
  #out8: Int8Array;
  #words: Int32Array;

  constructor(instance: WebAssembly.Instance) {
    this.#x = instance.exports as unknown as Exports;
    // The memory cannot grow (its maximum is its initial size), so the views stay valid.
    const buffer = this.#x.memory.buffer;
    this.#a = new Int16Array(buffer, this.#x.a(), P);
    this.#b = new Int8Array(buffer, this.#x.b(), P);
    this.#out16 = new Int16Array(buffer, this.#x.out(), P);
    this.#out8 = new Int8Array(buffer, this.#x.out(), P);
    this.#words = new Int32Array(buffer, this.#x.words(), SORT_LIMIT);
  }

  r3Recip(out: Int8Array, a: Int8Array): number {
    this.#b.set(a);
    const ok = this.#x.r3_recip();
    out.set(this.#out8);
    this.#out8.fill(0);
    return ok;
  }

  rqRecip3(out: Int16Array, a: Int8Array): number {
    this.#b.set(a);
    const ok = this.#x.rq_recip3();
    out.set(this.#out16);
    this.#out16.fill(0);
    return ok;
  }

  rqMultSmall(h: Int16Array, f: Int16Array, g: Int8Array): void {
    this.#a.set(f);
    this.#b.set(g);
    this.#x.rq_mult_small();
    h.set(this.#out16);
    this.#out16.fill(0);
  }

  r3Mult(h: Int8Array, f: Int8Array, g: Int8Array): void {
    this.#a.set(f); // widened to int16; the module reads R3 values there
    this.#b.set(g);
    this.#x.r3_mult();
    h.set(this.#out8);
    this.#out8.fill(0);
  }

  sortInt32(x: Int32Array): void {
    if (x.length > SORT_LIMIT) throw new RangeError(`sortInt32 takes up to ${SORT_LIMIT} words`);
    const words = this.#words.subarray(0, x.length);
    words.set(x);
    this.#x.sort_int32(x.length);
    x.set(words);
    words.fill(0);
  }
}

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * Compiles (once per process) and instantiates the sntrup761 ring module: a
 * {@linkcode Sntrup761Backend} giving the same results as {@linkcode jsSntrup761}. Rejects where
 * WebAssembly or its 128-bit SIMD is missing; callers then keep the TypeScript ring.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsSntrup761, loadSntrup761Wasm } from "@hush/kex";
 * const wasm = await loadSntrup761Wasm();
 * const a = Int8Array.from({ length: 761 }, (_, i) => (i % 3) - 1);
 * const [x, y] = [new Int16Array(761), new Int16Array(761)];
 * assert.equal(wasm.rqRecip3(x, a), jsSntrup761.rqRecip3(y, a));
 * assert.deepEqual(x, y);
 * ```
 */
export async function loadSntrup761Wasm(): Promise<Sntrup761Backend> {
  compiled ??= WebAssembly.compile(decodeBase64(SNTRUP761_RING_WASM)!);
  return new WasmRing(await WebAssembly.instantiate(await compiled, {}));
}
