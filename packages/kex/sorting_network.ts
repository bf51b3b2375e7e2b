/**
 * A constant-time sort of 32-bit integers: djbsort's network (a merge network in Batcher's
 * style, as in SUPERCOP's crypto_sort/int32 "portable4", which Streamlined NTRU Prime uses to
 * turn random words into a short polynomial). Which pairs get compared depends only on the
 * length, so the comparator list is worked out once per length; each comparison is branch-free.
 * @module
 */

const networks = new Map<number, Int32Array>();

/**
 * The comparator pairs for `n` items, in order: for each (a, b), a < b, x[a] gets the smaller
 * value and x[b] the larger.
 */
function network(n: number): Int32Array {
  const cached = networks.get(n);
  if (cached) return cached;
  const pairs: number[] = [];
  const cmp = (a: number, b: number) => pairs.push(a, b);
  if (n >= 2) {
    let top = 1;
    while (top < n - top) top += top;
    for (let p = top; p >= 1; p >>= 1) {
      // sort pairs p apart within blocks of 2p
      let i = 0;
      for (; i + 2 * p <= n; i += 2 * p) {
        for (let j = i; j < i + p; j++) cmp(j, j + p);
      }
      for (let j = i; j < n - p; j++) cmp(j, j + p);
      // merge: item j + p against j + q, j + q/2, …, j + 2p, for q = top, top/2, …, 2p
      i = 0;
      let j = 0;
      for (let q = top; q > p; q >>= 1) {
        const chain = (at: number) => {
          for (let r = q; r > p; r >>= 1) cmp(at + p, at + r);
        };
        let finished = false;
        if (j !== i) {
          for (;;) {
            if (j === n - q) {
              finished = true;
              break;
            }
            chain(j);
            j++;
            if (j === i + p) {
              i += 2 * p;
              break;
            }
          }
        }
        if (finished) continue;
        for (; i + p <= n - q; i += 2 * p) {
          for (j = i; j < i + p; j++) chain(j);
        }
        for (j = i; j < n - q; j++) chain(j);
      }
    }
  }
  const net = Int32Array.from(pairs);
  networks.set(n, net);
  return net;
}

/** Sorts `x` ascending as signed 32-bit integers, in constant time for its length. */
export function sortInt32(x: Int32Array): void {
  const net = network(x.length);
  for (let k = 0; k < net.length; k += 2) {
    const ia = net[k], ib = net[k + 1];
    const a = x[ia], b = x[ib];
    // mask = −1 when b < a, from the sign of b − a corrected for overflow (djbsort's minmax)
    const ab = a ^ b;
    let c = (b - a) | 0;
    c ^= ab & (c ^ b);
    c = (c >> 31) & ab;
    x[ia] = a ^ c;
    x[ib] = b ^ c;
  }
}
