import assert from "node:assert/strict";
import { test } from "node:test";
import { copyStdinTo, type ReadSource, stdinReadable } from "./stdin_readable.ts";

/** A source that returns the given reads in turn (each at most what fits), then the end. */
function scripted(reads: Uint8Array[]): ReadSource & { calls: number } {
  const source = {
    calls: 0,
    read(p: Uint8Array): Promise<number | null> {
      source.calls++;
      const next = reads.shift();
      if (!next) return Promise.resolve(null);
      p.set(next);
      return Promise.resolve(next.length);
    },
  };
  return source;
}

test("stdinReadable: short reads come as chunks of their own size that stay intact", async () => {
  const reader = stdinReadable(scripted([
    new Uint8Array([1]),
    new Uint8Array([2, 3]),
    new Uint8Array([4]),
  ])).getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  // each chunk is a copy: the next read into the shared buffer did not change the earlier ones
  assert.deepEqual(chunks.map((c) => [...c]), [[1], [2, 3], [4]]);
  assert.ok(chunks.every((c) => c.buffer.byteLength === c.length));
});

test("stdinReadable: a long read is handed over in its buffer, and the next read gets a new one", async () => {
  const big = new Uint8Array(40_000).fill(7);
  const reader = stdinReadable(scripted([big, new Uint8Array(40_000).fill(9)])).getReader();
  const first = (await reader.read()).value!;
  const second = (await reader.read()).value!;
  assert.equal(first.length, 40_000);
  assert.ok(first.every((b) => b === 7));
  assert.ok(second.every((b) => b === 9));
  assert.notEqual(first.buffer, second.buffer);
  assert.equal((await reader.read()).done, true);
});

test("stdinReadable: a failed read errors the stream", async () => {
  const source: ReadSource = { read: () => Promise.reject(new Error("EBADF")) };
  await assert.rejects(new Response(stdinReadable(source)).text(), /EBADF/);
});

test("stdinReadable: after cancel no further read is made", async () => {
  const source = scripted([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
  const reader = stdinReadable(source).getReader();
  await reader.read();
  await reader.cancel();
  const calls = source.calls;
  await new Promise((r) => setTimeout(r, 5));
  assert.ok(source.calls <= calls);
});

test("copyStdinTo: every byte in order through two reused buffers, then the writable closes", async () => {
  const reads = Array.from({ length: 6 }, (_, i) => new Uint8Array(30_000 + i).fill(i));
  const source = scripted(reads.map((r) => new Uint8Array(r)));
  const got: Uint8Array[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let closed = false;
  await copyStdinTo(
    new WritableStream<Uint8Array>({
      write(chunk) {
        buffers.add(chunk.buffer);
        got.push(chunk.slice()); // a channel copies before its write settles
      },
      close() {
        closed = true;
      },
    }),
    source,
  );
  assert.deepEqual(got, reads);
  assert.equal(buffers.size, 2);
  assert.equal(closed, true);
});

test("copyStdinTo: a failed read aborts the writable with its error", async () => {
  let aborted: unknown;
  const source: ReadSource = { read: () => Promise.reject(new Error("EIO")) };
  await copyStdinTo(new WritableStream({ abort: (e) => void (aborted = e) }), source);
  assert.match(String(aborted), /EIO/);
});

test("copyStdinTo: a failed write stops the copy and rejects", async () => {
  const source = scripted([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
  await assert.rejects(
    copyStdinTo(new WritableStream({ write: () => Promise.reject(new Error("closed")) }), source),
    /closed/,
  );
  assert.ok(source.calls <= 2, "at most the read in flight");
});
