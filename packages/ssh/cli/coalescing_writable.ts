/**
 * A writable that gathers the chunks arriving while a write is in flight into the next write.
 *
 * The remote output reaches `ssh` as one chunk per packet (≤ 32 KiB); writing each to stdout on its
 * own costs a system call and an async op per packet, which at loopback speed is ~10% of the
 * client's CPU. While one write is in flight, the next chunks are kept (up to `limit` bytes, past
 * which the writer waits: backpressure still reaches the channel window) and go out as one write.
 * @module
 */

/** Default bytes held while a write is in flight before the writer has to wait. */
export const COALESCE_LIMIT = 1 << 20;

/**
 * A WritableStream over `write` (which may write only part of what it is given, returning how
 * much) that joins chunks queued during a write into one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coalescingWritable } from "./coalescing_writable.ts";
 * const sizes: number[] = [];
 * const out = coalescingWritable(async (p) => {
 *   await new Promise((r) => setTimeout(r, 1)); // a write that takes a while, like a syscall
 *   sizes.push(p.length);
 *   return p.length;
 * });
 * const w = out.getWriter();
 * await Promise.all([w.write(new Uint8Array(3)), w.write(new Uint8Array(4)), w.write(new Uint8Array(5))]);
 * await w.close();
 * assert.deepEqual(sizes, [3, 9]);
 * ```
 */
export function coalescingWritable(
  write: (bytes: Uint8Array) => Promise<number>,
  limit = COALESCE_LIMIT,
): WritableStream<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let flushing: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;

  async function writeAll(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await write(off ? bytes.subarray(off) : bytes);
  }

  // one buffer for the joined writes, kept: it is free again once its write has finished
  let staging = new Uint8Array(0);
  function join(chunks: Uint8Array[], total: number): Uint8Array {
    if (chunks.length === 1) return chunks[0];
    if (staging.length < total) staging = new Uint8Array(Math.max(total, limit));
    let off = 0;
    for (const c of chunks) {
      staging.set(c, off);
      off += c.length;
    }
    return staging.subarray(0, total);
  }

  async function flushLoop(): Promise<void> {
    try {
      while (pending.length > 0) {
        const chunks = pending, total = pendingBytes;
        pending = [];
        pendingBytes = 0;
        await writeAll(join(chunks, total));
      }
    } catch (error) {
      failure = { error };
      pending = [];
      pendingBytes = 0;
    } finally {
      flushing = undefined;
    }
  }

  // read through a call: TypeScript would otherwise keep `flushing` narrowed across awaits
  const inFlight = (): Promise<void> | undefined => flushing;

  function check(): void {
    if (failure) throw failure.error;
  }

  return new WritableStream<Uint8Array>({
    async write(chunk) {
      check();
      if (chunk.length === 0) return;
      pending.push(chunk);
      pendingBytes += chunk.length;
      flushing ??= flushLoop();
      // hold up to `limit` bytes behind the write in flight; past that, wait for it
      for (let f = inFlight(); f && pendingBytes >= limit; f = inFlight()) await f;
      check();
    },
    async close() {
      for (let f = inFlight(); f; f = inFlight()) await f;
      check();
    },
    abort() {
      pending = [];
      pendingBytes = 0;
    },
  });
}
