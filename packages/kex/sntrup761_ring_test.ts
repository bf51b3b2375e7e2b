import { test } from "node:test";
import assert from "node:assert/strict";
import {
  f3Freeze,
  fqFreeze,
  P,
  Q,
  Q12,
  r3Mult,
  r3Recip,
  rqMultSmall,
  rqRecip3,
} from "./sntrup761_ring.ts";

/** The product mod x^p − x − 1, coefficient by coefficient, the slow obvious way. */
function schoolbook(f: ArrayLike<number>, g: ArrayLike<number>, modulus: number): number[] {
  const c = new Array<number>(2 * P - 1).fill(0);
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) c[i + j] += f[i] * g[j];
  for (let k = 2 * P - 2; k >= P; k--) {
    c[k - P] += c[k];
    c[k - P + 1] += c[k];
  }
  return c.slice(0, P).map((x) => {
    const r = ((x % modulus) + modulus) % modulus;
    return r > (modulus - 1) / 2 ? r - modulus : r;
  });
}

const small = (pick: (i: number) => number) => new Int8Array(P).map((_, i) => pick(i));
const randomSmall = () => small(() => Math.floor(Math.random() * 3) - 1);

test("fqFreeze and f3Freeze give the centred residue, at the edges too", () => {
  for (
    const x of [0, 1, -1, Q12, -Q12, Q12 + 1, -Q12 - 1, Q, -Q, 2 ** 31 - 1, -(2 ** 31), 2 ** 39]
  ) {
    const r = fqFreeze(x);
    assert.ok(Math.abs(r) <= Q12, `${x} → ${r}`);
    assert.ok((x - r) % Q === 0);
    const t = f3Freeze(x);
    assert.ok(Math.abs(t) <= 1);
    assert.ok((x - t) % 3 === 0);
  }
});

test("Rq and R3 products match the schoolbook product, extreme coefficients included", () => {
  const cases: [Int16Array, Int8Array][] = [
    [new Int16Array(P).fill(Q12), small(() => 1)],
    [new Int16Array(P).fill(-Q12), small(() => 1)],
    [new Int16Array(P).map((_, i) => (i & 1 ? Q12 : -Q12)), small((i) => (i & 1 ? -1 : 1))],
    [new Int16Array(P).map(() => Math.floor(Math.random() * Q) - Q12), randomSmall()],
  ];
  const h = new Int16Array(P);
  for (const [f, g] of cases) {
    rqMultSmall(h, f, g);
    assert.deepEqual(Array.from(h), schoolbook(f, g, Q));
  }
  const e = new Int8Array(P);
  for (const [f, g] of [[small(() => 1), small(() => -1)], [randomSmall(), randomSmall()]]) {
    r3Mult(e, f, g);
    assert.deepEqual(Array.from(e), schoolbook(f, g, 3));
  }
});

test("r3Recip and rqRecip3 give inverses, and −1 for zero", () => {
  const one = [1, ...new Array(P - 1).fill(0)];
  for (let trial = 0; trial < 4; trial++) {
    const a = randomSmall();
    const inv3 = new Int8Array(P);
    if (r3Recip(inv3, a) === 0) {
      const e = new Int8Array(P);
      r3Mult(e, inv3, a);
      assert.deepEqual(Array.from(e), one);
    }
    const invq = new Int16Array(P);
    assert.equal(rqRecip3(invq, a), 0); // x^p − x − 1 is irreducible mod q: nonzero → invertible
    const h = new Int16Array(P);
    rqMultSmall(h, invq, a);
    assert.deepEqual(Array.from(h, (c) => fqFreeze(3 * c)), one);
  }
  assert.equal(r3Recip(new Int8Array(P), new Int8Array(P)), -1);
  assert.equal(rqRecip3(new Int16Array(P), new Int8Array(P)), -1);
});
