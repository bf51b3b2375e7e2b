import { test } from "node:test";
import assert from "node:assert/strict";
import { jsSntrup761, loadSntrup761Wasm } from "./mod.ts";
import { f3Freeze, fqFreeze, P, Q, Q12 } from "./sntrup761_ring.ts";

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

for (const ring of [jsSntrup761, await loadSntrup761Wasm()]) {
  const { r3Mult, r3Recip, rqMultSmall, rqRecip3 } = {
    r3Mult: ring.r3Mult.bind(ring),
    r3Recip: ring.r3Recip.bind(ring),
    rqMultSmall: ring.rqMultSmall.bind(ring),
    rqRecip3: ring.rqRecip3.bind(ring),
  };

  test(`Rq and R3 products (${ring.name}) match the schoolbook product, extreme coefficients included`, () => {
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

  test(`r3Recip and rqRecip3 (${ring.name}) give inverses, and −1 for zero`, () => {
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
}

test("the WebAssembly ring gives the TypeScript ring's results, also when h is f", async () => {
  const wasm = await loadSntrup761Wasm();
  for (let trial = 0; trial < 8; trial++) {
    const a = randomSmall(), b = randomSmall();
    const f = new Int16Array(P).map(() => Math.floor(Math.random() * Q) - Q12);
    const [x8, y8] = [new Int8Array(P), new Int8Array(P)];
    assert.equal(wasm.r3Recip(x8, a), jsSntrup761.r3Recip(y8, a));
    assert.deepEqual(x8, y8);
    const [x16, y16] = [new Int16Array(P), new Int16Array(P)];
    assert.equal(wasm.rqRecip3(x16, a), jsSntrup761.rqRecip3(y16, a));
    assert.deepEqual(x16, y16);
    wasm.rqMultSmall(x16, f, b);
    jsSntrup761.rqMultSmall(y16, f, b);
    assert.deepEqual(x16, y16);
    wasm.r3Mult(x8, a, b);
    jsSntrup761.r3Mult(y8, a, b);
    assert.deepEqual(x8, y8);
    // h may be f
    const g = f.slice();
    wasm.rqMultSmall(g, g, b);
    assert.deepEqual(g, y16);
  }
});

test("the WebAssembly sort gives the TypeScript sort's order, at every length up to 80, 761 and 768", async () => {
  const wasm = await loadSntrup761Wasm();
  for (const n of [...Array(81).keys(), 761, 768]) {
    const words = new Int32Array(n).map(() => (Math.random() * 2 ** 32) | 0);
    if (n > 4) words.set([-0x80000000, 0x7fffffff, 0, -1]);
    const [x, y] = [words.slice(), words.slice()];
    wasm.sortInt32(x);
    jsSntrup761.sortInt32(y);
    assert.deepEqual(x, y, `length ${n}`);
    assert.deepEqual(Array.from(x), Array.from(words).sort((a, b) => a - b));
  }
  assert.throws(() => wasm.sortInt32(new Int32Array(769)), RangeError);
});
