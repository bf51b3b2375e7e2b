/**
 * A growable writer for SFTP fields.
 * @module
 */

const utf8 = new TextEncoder();

/**
 * Writes SFTP fields into a buffer that grows as needed. `finish()` hands the bytes over (a
 * view of the writer's own buffer): a writer makes one packet and is not reused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SftpWriter } from "@hush/sftp";
 * const bytes = new SftpWriter().uint32(7).string("hi").uint64(1).finish();
 * assert.equal(bytes.length, 18);
 * ```
 */
export class SftpWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  /**
   * Creates an empty writer.
   * @param capacity Initial size in bytes (a packet's size when known, so it never grows).
   * @param into Memory to write into instead (a reused buffer; past its end the writer grows
   *   into a new one).
   */
  constructor(capacity = 256, into?: Uint8Array) {
    this.#buf = into ?? new Uint8Array(Math.max(capacity, 16));
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = Math.max(this.#buf.length * 2, 16);
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Writes one byte. */
  byte(v: number): this {
    this.#reserve(1);
    this.#buf[this.#len++] = v;
    return this;
  }

  /** Writes a big-endian uint32. */
  uint32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
      throw new RangeError(`uint32 out of range: ${v}`);
    }
    this.#reserve(4);
    this.#view.setUint32(this.#len, v);
    this.#len += 4;
    return this;
  }

  /** Writes a big-endian uint64 from a safe integer or a bigint. */
  uint64(v: number | bigint): this {
    this.#reserve(8);
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`uint64 out of range: ${v}`);
      this.#view.setUint32(this.#len, Math.floor(v / 0x1_0000_0000));
      this.#view.setUint32(this.#len + 4, v >>> 0);
    } else {
      if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new RangeError(`uint64 out of range: ${v}`);
      this.#view.setBigUint64(this.#len, v);
    }
    this.#len += 8;
    return this;
  }

  /** Writes bytes with no length prefix. */
  raw(bytes: Uint8Array): this {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return this;
  }

  /** Writes a length-prefixed string; a JS string is encoded as UTF-8. */
  string(v: Uint8Array | string): this {
    const b = typeof v === "string" ? utf8.encode(v) : v;
    this.uint32(b.length);
    return this.raw(b);
  }

  /** Overwrites the uint32 at `offset` (a length known only once what follows is written). */
  setUint32(offset: number, v: number): this {
    this.#view.setUint32(offset, v);
    return this;
  }

  /** The bytes written, handed over: the writer must not be used after. */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}
