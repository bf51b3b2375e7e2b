import assert from "node:assert/strict";
import { test } from "node:test";
import { BufferPool } from "./mod.ts";

test("a given-back buffer is lent again; a smaller one is replaced", () => {
  const pool = new BufferPool();
  const a = pool.take(100);
  pool.give(a.subarray(9, 50));
  const b = pool.take(100);
  assert.equal(b.buffer, a.buffer);
  pool.give(b);
  const c = pool.take(200);
  assert.notEqual(c.buffer, a.buffer);
  assert.equal(c.length, 200);
});

test("only lent buffers come back, each once, and at most `keep` are held", () => {
  const pool = new BufferPool(1);
  const foreign = new Uint8Array(100);
  pool.give(foreign);
  assert.notEqual(pool.take(10).buffer, foreign.buffer);
  const x = pool.take(10);
  const y = pool.take(10);
  pool.give(x);
  pool.give(x);
  pool.give(y); // past keep: dropped
  assert.equal(pool.take(10).buffer, x.buffer);
  const z = pool.take(10);
  assert.notEqual(z.buffer, x.buffer);
  assert.notEqual(z.buffer, y.buffer);
});
