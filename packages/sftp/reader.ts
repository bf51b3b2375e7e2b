/**
 * A bounds-checked reader for the data types SFTP packets are made of.
 * @module
 */
import { SftpError } from "./errors.ts";
import { StatusCode } from "./status.ts";

const utf8 = new TextDecoder();

/**
 * Reads SFTP fields from one packet. Every length is checked against what remains before
 * anything is sliced, so a peer's length never allocates or loops past the packet; anything
 * short or out of range throws an {@linkcode SftpError} with code BAD_MESSAGE. Byte strings
 * are views into the packet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SftpReader } from "@hush/sftp";
 * const r = new SftpReader(new Uint8Array([0, 0, 0, 2, 104, 105, 0, 0, 0, 0, 0, 0, 0, 7]));
 * assert.equal(r.text(), "hi");
 * assert.equal(r.uint64(), 7);
 * r.end();
 * ```
 */
export class SftpReader {
  #bytes: Uint8Array;
  #view: DataView;
  #offset = 0;

  /**
   * Creates a reader over `bytes` (not copied).
   * @param bytes One packet, or part of one.
   */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(n: number, what: string): void {
    if (n > this.#bytes.length - this.#offset) {
      throw new SftpError(
        `Bad message: truncated ${what} (need ${n} bytes, ${this.remaining} remain)`,
        { statusCode: StatusCode.BAD_MESSAGE },
      );
    }
  }

  /** Reads one byte. */
  byte(): number {
    this.#need(1, "byte");
    return this.#bytes[this.#offset++];
  }

  /** Reads a big-endian uint32. */
  uint32(): number {
    this.#need(4, "uint32");
    const v = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return v;
  }

  /** Reads a big-endian uint64 as a number; past 2^53 − 1 is a BAD_MESSAGE. */
  uint64(): number {
    this.#need(8, "uint64");
    const high = this.#view.getUint32(this.#offset);
    const low = this.#view.getUint32(this.#offset + 4);
    if (high > 0x1f_ffff) {
      throw new SftpError("Bad message: a 64-bit value past 2^53", {
        statusCode: StatusCode.BAD_MESSAGE,
      });
    }
    this.#offset += 8;
    return high * 0x1_0000_0000 + low;
  }

  /** Reads a big-endian uint64 as a bigint (identifiers that may use all 64 bits). */
  bigUint64(): bigint {
    this.#need(8, "uint64");
    const v = this.#view.getBigUint64(this.#offset);
    this.#offset += 8;
    return v;
  }

  /** Reads a length-prefixed string as a view of its bytes. */
  string(): Uint8Array {
    const n = this.uint32();
    this.#need(n, "string");
    const v = this.#bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return v;
  }

  /**
   * Reads a string as text. SFTP v3 names are bytes; bytes that are not UTF-8 become U+FFFD.
   */
  text(): string {
    return utf8.decode(this.string());
  }

  /**
   * Reads a count of items each at least `minItemBytes` long, refusing a count the rest of the
   * packet cannot hold (so a loop over it is bounded by the packet).
   */
  count(minItemBytes: number, what: string): number {
    const n = this.uint32();
    if (n * minItemBytes > this.remaining) {
      throw new SftpError(`Bad message: ${n} ${what} cannot fit in ${this.remaining} bytes`, {
        statusCode: StatusCode.BAD_MESSAGE,
      });
    }
    return n;
  }

  /** Returns the bytes not yet read (a view) and consumes them. */
  rest(): Uint8Array {
    const v = this.#bytes.subarray(this.#offset);
    this.#offset = this.#bytes.length;
    return v;
  }

  /** Throws a BAD_MESSAGE if bytes remain after the message. */
  end(): void {
    if (this.#offset !== this.#bytes.length) {
      throw new SftpError(`Bad message: ${this.remaining} trailing bytes`, {
        statusCode: StatusCode.BAD_MESSAGE,
      });
    }
  }
}
