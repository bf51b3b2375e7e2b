/**
 * A bounds-checked reader for the RFC 4251 §5 data types.
 * @module
 */
import { WireError } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads SSH data types from a byte array. Every length is checked against what remains before
 * anything is sliced, so a peer's length field never allocates. Strings are returned as views
 * (`subarray`) into the input; copy them if the input buffer will be reused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SshReader } from "@hush/wire";
 * const r = new SshReader(new Uint8Array([0, 0, 0, 2, 104, 105, 1]));
 * assert.equal(r.utf8(), "hi");
 * assert.equal(r.boolean(), true);
 * r.end();
 * ```
 */
export class SshReader {
  #bytes: Uint8Array;
  #offset = 0;

  /**
   * Creates a reader over `bytes`.
   *
   * @param bytes The bytes to read; not copied.
   */
  constructor(bytes: Uint8Array) {
    // No DataView: one per message cost more than the reads (a reader per packet received).
    this.#bytes = bytes;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Current read position. */
  get offset(): number {
    return this.#offset;
  }

  #need(n: number, what: string): void {
    if (n > this.#bytes.length - this.#offset) {
      throw new WireError(
        `Truncated ${what}: need ${n} bytes, ${this.#bytes.length - this.#offset} remain`,
      );
    }
  }

  /** The big-endian uint32 at `at` (bounds checked by the caller). */
  #u32(at: number): number {
    const b = this.#bytes;
    return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  }

  /** Reads one byte. */
  byte(): number {
    this.#need(1, "byte");
    return this.#bytes[this.#offset++];
  }

  /** Reads a boolean (any non-zero byte is true, RFC 4251 §5). */
  boolean(): boolean {
    return this.byte() !== 0;
  }

  /** Reads a big-endian uint32. */
  uint32(): number {
    this.#need(4, "uint32");
    const v = this.#u32(this.#offset);
    this.#offset += 4;
    return v;
  }

  /** Reads a big-endian uint64 as a bigint. */
  uint64(): bigint {
    this.#need(8, "uint64");
    const v = (BigInt(this.#u32(this.#offset)) << 32n) | BigInt(this.#u32(this.#offset + 4));
    this.#offset += 8;
    return v;
  }

  /** Reads `n` raw bytes as a view. A negative or fractional `n` is a RangeError. */
  raw(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Invalid byte count: ${n}`);
    this.#need(n, "field");
    const v = this.#bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return v;
  }

  /** Reads a length-prefixed string as a view of its bytes. */
  string(): Uint8Array {
    this.#need(4, "string length");
    const n = this.#u32(this.#offset);
    this.#need(4 + n, "string");
    const v = this.#bytes.subarray(this.#offset + 4, this.#offset + 4 + n);
    this.#offset += 4 + n;
    return v;
  }

  /** Reads a string and decodes it as UTF-8 (invalid UTF-8 is a WireError). */
  utf8(): string {
    const b = this.string();
    try {
      return utf8.decode(b);
    } catch (e) {
      throw new WireError("String is not valid UTF-8", undefined, { cause: e });
    }
  }

  /** Reads a string that must be US-ASCII (algorithm and request names). */
  ascii(): string {
    const b = this.string();
    let s = "";
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      if (c > 0x7e || c < 0x20) throw new WireError("Name is not printable US-ASCII");
      s += String.fromCharCode(c);
    }
    return s;
  }

  /**
   * Reads an mpint (two's complement, big-endian). Non-minimal encodings (a redundant leading
   * 0x00 or 0xff byte) are rejected as RFC 4251 §5 requires.
   */
  mpint(): bigint {
    const b = this.string();
    if (b.length === 0) return 0n;
    // Zero is the empty string (RFC 4251 §5), so a lone 0x00 is as non-minimal as 00 7f.
    if (b.length === 1 && b[0] === 0) throw new WireError("Non-minimal mpint encoding");
    if (b.length > 1) {
      if (b[0] === 0 && (b[1] & 0x80) === 0) throw new WireError("Non-minimal mpint encoding");
      if (b[0] === 0xff && (b[1] & 0x80) !== 0) throw new WireError("Non-minimal mpint encoding");
    }
    let hex = "";
    for (let i = 0; i < b.length; i++) hex += b[i].toString(16).padStart(2, "0");
    let v = BigInt("0x" + hex);
    if (b[0] & 0x80) v -= 1n << BigInt(b.length * 8);
    return v;
  }

  /**
   * Reads a name-list: comma-separated US-ASCII names, none empty. An empty string is an
   * empty list.
   */
  nameList(): string[] {
    const s = this.ascii();
    if (s.length === 0) return [];
    const names = s.split(",");
    for (const n of names) if (n.length === 0) throw new WireError("Empty name in name-list");
    return names;
  }

  /** Returns the bytes not yet read as a view and consumes them. */
  rest(): Uint8Array {
    const v = this.#bytes.subarray(this.#offset);
    this.#offset = this.#bytes.length;
    return v;
  }

  /** Throws a WireError if any bytes remain (trailing garbage after a message). */
  end(): void {
    if (this.#offset !== this.#bytes.length) {
      throw new WireError(`Unexpected ${this.remaining} trailing bytes`);
    }
  }
}
