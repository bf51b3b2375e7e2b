/**
 * Test helper (not published): a small seeded PRNG, so that property tests are deterministic.
 * Used by the `property_*_test.ts` files.
 * @module
 */

/** mulberry32: a tiny deterministic PRNG, good enough to drive tests. */
export function prng(seed: number) {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const bytes = (n: number): Uint8Array<ArrayBuffer> => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = int(256);
    return b;
  };
  return { next, int, bytes };
}

/** The generator `prng` returns: `next`, `int` and `bytes`. */
export type Prng = ReturnType<typeof prng>;
