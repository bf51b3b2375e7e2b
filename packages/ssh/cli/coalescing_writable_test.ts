import assert from "node:assert/strict";
import { test } from "node:test";
import { coalescingWritable } from "./coalescing_writable.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

test("bytes come out whole and in order, joined while a write is in flight", async () => {
  const out: number[] = [];
  const writes: number[] = [];
  // writes at most 5 bytes at a time, slowly, as a full pipe would
  const sink = coalescingWritable(async (p) => {
    await tick();
    const n = Math.min(5, p.length);
    writes.push(n);
    out.push(...p.subarray(0, n));
    return n;
  });
  const w = sink.getWriter();
  const sent: number[] = [];
  for (let i = 0; i < 40; i++) {
    const chunk = Uint8Array.from({ length: (i % 7) + 1 }, (_, j) => (i * 7 + j) & 0xff);
    sent.push(...chunk);
    void w.write(chunk);
  }
  await w.close();
  assert.deepEqual(out, sent);
  assert.ok(writes.length < 40 + sent.length / 5, `${writes.length} writes`);
});

test("a chunk given to write is not modified later (the joined buffer is its own)", async () => {
  const seen: Uint8Array[] = [];
  const sink = coalescingWritable(async (p) => {
    await tick();
    seen.push(p.slice());
    return p.length;
  });
  const w = sink.getWriter();
  const chunks = [1, 2, 3, 4].map((v) => new Uint8Array(3).fill(v));
  await Promise.all(chunks.map((c) => w.write(c)));
  await w.close();
  chunks.forEach((c, i) => assert.deepEqual([...c], [i + 1, i + 1, i + 1]));
  assert.deepEqual(seen.flatMap((s) => [...s]), [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
});

test("the writer waits once `limit` bytes are held (backpressure reaches the source)", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const sink = coalescingWritable(async (p) => {
    await gate;
    return p.length;
  }, 8);
  const w = sink.getWriter();
  await w.write(new Uint8Array(4)); // in flight
  await w.write(new Uint8Array(4)); // held: 4 < 8
  let third = false;
  const p = w.write(new Uint8Array(4)).then(() => (third = true)); // held: 8, waits
  await tick();
  assert.equal(third, false);
  release();
  await p;
  await w.close();
});

test("a failed write fails the next write or the close", async () => {
  const sink = coalescingWritable(async () => {
    await tick();
    throw new Error("EPIPE");
  });
  const w = sink.getWriter();
  await w.write(new Uint8Array(1));
  await assert.rejects(async () => {
    await tick();
    await tick();
    await w.write(new Uint8Array(1));
    await w.close();
  }, /EPIPE/);
});
