import assert from "node:assert/strict";
import { test } from "node:test";
import { copyByteStream } from "./byte_stream_copy.ts";

/** A byte stream of `chunks`, then its end (or `error`). */
function bytes(chunks: Uint8Array[], error?: Error): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    pull(c) {
      const next = chunks.shift();
      if (next) c.enqueue(next);
      else if (error) c.error(error);
      else {
        c.close();
        c.byobRequest?.respond(0); // a BYOB read waiting: answered with the end
      }
    },
  });
}

test("copyByteStream: a byte stream's bytes in order, read into two buffers that take turns", async () => {
  const sent = Array.from({ length: 8 }, (_, i) => new Uint8Array(20_000 + i).fill(i));
  const got: Uint8Array[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let closed = false;
  await copyByteStream(
    bytes(sent.map((c) => new Uint8Array(c))),
    new WritableStream<Uint8Array>({
      write(chunk) {
        buffers.add(chunk.buffer);
        got.push(chunk.slice()); // a channel encodes before its write settles
      },
      close() {
        closed = true;
      },
    }),
  );
  assert.deepEqual(got, sent);
  assert.equal(closed, true);
  // each BYOB read hands back a fresh ArrayBuffer object over the same memory: at most two alive
  assert.ok(buffers.size >= 2);
});

test("copyByteStream: preventClose leaves the writable open", async () => {
  let closed = false;
  await copyByteStream(
    bytes([new Uint8Array([1])]),
    new WritableStream({ close: () => void (closed = true) }),
    { preventClose: true },
  );
  assert.equal(closed, false);
});

test("copyByteStream: a stream that is not a byte stream is piped", async () => {
  const plain = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new Uint8Array([7, 8]));
      c.close();
    },
  });
  const got: number[] = [];
  await copyByteStream(
    plain,
    new WritableStream({ write: (c: Uint8Array) => void got.push(...c) }),
  );
  assert.deepEqual(got, [7, 8]);
});

test("copyByteStream: a failed write cancels the source and rejects", async () => {
  let cancelled: unknown;
  const source = new ReadableStream<Uint8Array>({
    type: "bytes",
    pull: (c) => c.enqueue(new Uint8Array(100)),
    cancel: (reason) => void (cancelled = reason),
  });
  await assert.rejects(
    copyByteStream(source, new WritableStream({ write: () => Promise.reject(new Error("gone")) })),
    /gone/,
  );
  assert.match(String(cancelled), /gone/);
});

test("copyByteStream: a failed read aborts the writable and rejects", async () => {
  let aborted: unknown;
  await assert.rejects(
    copyByteStream(
      bytes([new Uint8Array([1])], new Error("EIO")),
      new WritableStream({ abort: (e) => void (aborted = e) }),
    ),
    /EIO/,
  );
  assert.match(String(aborted), /EIO/);
});
