/**
 * Copying a byte stream into a writable through buffers of our own, for a command's output
 * flowing into a channel.
 * @module
 */

/** Bytes asked for per read. */
const READ_SIZE = 64 * 1024;

/**
 * Copies `readable` into `writable` like `readable.pipeTo(writable, options)`. When `readable`
 * is a byte stream (a `Deno.Command` child's output) it is read with a BYOB reader into two
 * buffers that take turns — one is read into while the other is written — which is right for a
 * writable whose writes settle only once it is done with their bytes (a channel's:
 * `writesAreDone`); no read costs a fresh buffer. Any other stream is piped.
 *
 * Resolves once everything is written (and `writable` closed, unless `preventClose`); rejects
 * when a write fails, cancelling `readable`; a failed read aborts `writable`, then rejects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyByteStream } from "./byte_stream_copy.ts";
 * const bytes = new ReadableStream({
 *   type: "bytes",
 *   start(c) {
 *     c.enqueue(new Uint8Array([1, 2]));
 *     c.enqueue(new Uint8Array([3]));
 *     c.close();
 *   },
 * });
 * const got: number[] = [];
 * await copyByteStream(bytes, new WritableStream({ write: (c: Uint8Array) => void got.push(...c) }));
 * assert.deepEqual(got, [1, 2, 3]);
 * ```
 */
export async function copyByteStream(
  readable: ReadableStream<Uint8Array>,
  writable: WritableStream<Uint8Array>,
  options: { preventClose?: boolean } = {},
): Promise<void> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = readable.getReader({ mode: "byob" });
  } catch {
    return readable.pipeTo(writable, options); // not a byte stream
  }
  const writer = writable.getWriter();
  const read = (into: Uint8Array<ArrayBuffer>) => {
    const p = reader.read(into);
    p.catch(() => {}); // awaited after the write in flight; a failure then is not unhandled
    return p;
  };
  // A BYOB read takes its buffer over and hands it back with the bytes: `spare` is the buffer
  // not being read into, free once the write of its bytes has settled.
  let spare = new Uint8Array(READ_SIZE);
  let reading = read(new Uint8Array(READ_SIZE));
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array<ArrayBuffer>>;
      try {
        result = await reading;
      } catch (e) {
        await writer.abort(e).catch(() => {});
        throw e;
      }
      if (result.done) break;
      const data = result.value;
      reading = read(spare); // the next read while this chunk is written
      try {
        await writer.write(data);
      } catch (e) {
        await reader.cancel(e).catch(() => {});
        throw e;
      }
      spare = new Uint8Array(data.buffer);
    }
    if (!options.preventClose) await writer.close();
  } finally {
    writer.releaseLock();
    reader.releaseLock();
  }
}
