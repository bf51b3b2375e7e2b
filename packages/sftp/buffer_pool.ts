/**
 * Buffers lent and given back: the receive buffers a transfer lends its reads, the request
 * buffers the client reuses for WRITEs.
 * @module
 */

/**
 * A free list of buffers. `SftpClient.read(…, { pool })` reassembles a DATA reply in a buffer
 * taken from the pool (the data it resolves with is a view of it): hand the view back with
 * `give` once its bytes are written out, and the next reply lands in the same memory instead of
 * a fresh allocation (each fresh one is zeroed and, at 256 KiB, faulted in page by page). Only
 * buffers the pool lent are taken back, each once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BufferPool } from "@hush/sftp";
 * const pool = new BufferPool();
 * const a = pool.take(1000);
 * pool.give(a.subarray(9));
 * const b = pool.take(800);
 * assert.equal(b.buffer, a.buffer);
 * assert.equal(b.length, 800);
 * ```
 */
export class BufferPool {
  #free: ArrayBuffer[] = [];
  #lent = new Set<ArrayBufferLike>();
  readonly #keep: number;

  /** `keep`: at most this many free buffers are held (default 128). */
  constructor(keep = 128) {
    this.#keep = keep;
  }

  /** `n` bytes: a free buffer when one is large enough, else a new one. Contents are stale. */
  take(n: number): Uint8Array {
    let buffer = this.#free.pop();
    if (buffer === undefined || buffer.byteLength < n) buffer = new ArrayBuffer(n);
    this.#lent.add(buffer);
    return new Uint8Array(buffer, 0, n);
  }

  /**
   * Hands back the buffer behind `view` (any view of a buffer `take` gave). Views of other
   * buffers, or of one already given back, are ignored.
   */
  give(view: Uint8Array): void {
    if (!this.#lent.delete(view.buffer)) return;
    if (this.#free.length < this.#keep) this.#free.push(view.buffer as ArrayBuffer);
  }
}
