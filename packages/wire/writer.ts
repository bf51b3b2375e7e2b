/**
 * A growable writer for the RFC 4251 §5 data types.
 * @module
 */

const utf8 = new TextEncoder();
/** What a writer holds after `take()`: nothing (the next write allocates). */
const EMPTY = new Uint8Array(0);

/**
 * Writes SSH data types into a growing buffer. `finish()` returns a copy of exactly the bytes
 * written, so the writer may be reused after `reset()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SshWriter } from "@hush/wire";
 * const bytes = new SshWriter().byte(5).string("ssh-userauth").finish();
 * assert.equal(bytes.length, 17);
 * ```
 */
export class SshWriter {
  // No DataView: one per writer cost more than the writes (a writer per message sent).
  #buf: Uint8Array;
  #len = 0;

  /**
   * Creates an empty writer.
   *
   * @param capacity Initial buffer size in bytes.
   */
  constructor(capacity = 256) {
    this.#buf = new Uint8Array(capacity);
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    // Doubling zero stays zero: a writer made with capacity 0 must still grow.
    let cap = Math.max(this.#buf.length * 2, 64);
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Writes one byte. */
  byte(v: number): this {
    this.#reserve(1);
    this.#buf[this.#len++] = v;
    return this;
  }

  /** Writes a boolean as 0 or 1. */
  boolean(v: boolean): this {
    return this.byte(v ? 1 : 0);
  }

  /** Writes a big-endian uint32. */
  uint32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new RangeError(`uint32 out of range: ${v}`);
    }
    this.#reserve(4);
    this.#put32(v);
    return this;
  }

  /** Writes a big-endian uint64. */
  uint64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`uint64 out of range: ${v}`);
    this.#reserve(8);
    this.#put32(Number(v >> 32n));
    this.#put32(Number(v & 0xffffffffn));
    return this;
  }

  #put32(v: number): void {
    const b = this.#buf;
    const at = this.#len;
    b[at] = v >>> 24;
    b[at + 1] = v >>> 16;
    b[at + 2] = v >>> 8;
    b[at + 3] = v;
    this.#len = at + 4;
  }

  /** Writes raw bytes with no length prefix. */
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

  /** Writes an mpint in minimal two's complement form. */
  mpint(v: bigint): this {
    return this.string(mpintBytes(v));
  }

  /**
   * Writes an unsigned big-endian magnitude as an mpint (strips leading zeros, adds one zero
   * byte when the top bit is set). Used for shared secrets that are already byte strings.
   */
  mpintFromUnsigned(bytes: Uint8Array): this {
    let i = 0;
    while (i < bytes.length && bytes[i] === 0) i++;
    const body = bytes.subarray(i);
    if (body.length > 0 && body[0] & 0x80) {
      this.uint32(body.length + 1).byte(0);
    } else {
      this.uint32(body.length);
    }
    return this.raw(body);
  }

  /**
   * Writes a string that must be printable US-ASCII: the names of services, methods, algorithms,
   * extensions, requests and channel types, which the reader accepts only in that form.
   */
  ascii(v: string): this {
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new TypeError(`Name is not printable US-ASCII: ${JSON.stringify(v)}`);
      }
    }
    return this.string(v);
  }

  /** Writes a name-list. Names must be non-empty US-ASCII without commas. */
  nameList(names: readonly string[]): this {
    for (const n of names) {
      if (n.length === 0 || n.includes(",") || /[^\x20-\x7e]/.test(n)) {
        throw new TypeError(`Invalid name in name-list: ${JSON.stringify(n)}`);
      }
    }
    return this.string(names.join(","));
  }

  /**
   * Returns the bytes written without copying and lets go of them: the writer starts afresh
   * (for one-shot writers sized right, such as a message's encoder).
   */
  take(): Uint8Array {
    const out = this.#buf.subarray(0, this.#len);
    this.#buf = EMPTY;
    this.#len = 0;
    return out;
  }

  /**
   * Returns the bytes written without copying, keeping them: the view is valid until the next
   * write or `reset()` (for a writer reused message after message).
   */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  /** Returns a copy of the bytes written. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  /** Forgets what was written, keeping the buffer for reuse. */
  reset(): this {
    this.#len = 0;
    return this;
  }
}

/**
 * The minimal two's complement big-endian bytes of an mpint value (without the length prefix).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mpintBytes } from "@hush/wire";
 * assert.deepEqual(mpintBytes(0x80n), new Uint8Array([0, 128]));
 * ```
 */
export function mpintBytes(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  const neg = v < 0n;
  let hex = (neg ? -v - 1n : v).toString(16);
  if (hex.length % 2) hex = "0" + hex;
  let bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  if (neg) { for (let i = 0; i < bytes.length; i++) bytes[i] ^= 0xff; }
  const top = bytes.length ? bytes[0] : 0;
  if (!neg && (bytes.length === 0 || top & 0x80)) {
    const b = new Uint8Array(bytes.length + 1);
    b.set(bytes, 1);
    bytes = b;
  } else if (neg && (bytes.length === 0 || !(top & 0x80))) {
    const b = new Uint8Array(bytes.length + 1);
    b[0] = 0xff;
    b.set(bytes, 1);
    bytes = b;
  }
  return bytes;
}
