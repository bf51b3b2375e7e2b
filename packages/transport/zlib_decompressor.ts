/**
 * The `zlib` compression stage's receiving half: one inflate stream per direction and key
 * exchange, bounded so that a decompression bomb ends the connection instead of the memory.
 * @module
 */
import {
  DisconnectReason,
  PACKET_LENGTH_LIMIT,
  type PayloadDecompressor,
  WireError,
} from "@hush/wire";
import {
  Z_BUF_ERROR,
  Z_OK,
  Z_STREAM_END,
  Z_SYNC_FLUSH,
  zlibInflate,
  zlibInflateEnd,
  zlibInflateInit,
  ZStream,
} from "pako";

/** Output space a stream starts with; it doubles as payloads need, up to the limit. */
const INITIAL_OUTPUT = 16 * 1024;

/**
 * Inflates payloads from one zlib stream. Each payload is inflated into output space that
 * grows by doubling and never past `limit + 1` bytes, so one packet can make it hold at most
 * that: a payload that inflates to more than `limit` bytes ({@linkcode PACKET_LENGTH_LIMIT}, as
 * OpenSSH's packet size bound) is a {@linkcode WireError} with COMPRESSION_ERROR, found before
 * another byte is inflated; so is corrupt data or a stream the peer ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ZlibCompressor, ZlibDecompressor } from "@hush/transport";
 * const bomb = new ZlibCompressor().compress(new Uint8Array(1 << 20)); // 1 MiB of zeros
 * assert.equal(bomb.length < 2048, true);
 * try {
 *   new ZlibDecompressor().decompress(bomb);
 * } catch (e) {
 *   assert.equal((e as Error).message, "Decompressed payload is over the limit of 262144 bytes");
 * }
 * ```
 */
export class ZlibDecompressor implements PayloadDecompressor {
  #stream: ZStream | undefined = new ZStream();
  /** Reused output space (at most `limit + 1` bytes): each payload is copied out of it. */
  #out: Uint8Array<ArrayBuffer>;
  readonly #limit: number;

  /** Starts a fresh inflate stream; payloads over `limit` bytes are refused. */
  constructor(limit: number = PACKET_LENGTH_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Bad limit ${limit}`);
    this.#limit = limit;
    this.#out = new Uint8Array(Math.min(INITIAL_OUTPUT, limit + 1));
    const status = zlibInflateInit(this.#stream!);
    if (status !== Z_OK) {
      throw new WireError(
        `Cannot start zlib decompression (status ${status})`,
        DisconnectReason.COMPRESSION_ERROR,
      );
    }
  }

  /** Inflates one payload; returns a fresh array. */
  decompress(payload: Uint8Array): Uint8Array {
    const s = this.#stream;
    if (!s) throw new TypeError("The decompressor was disposed");
    s.input = payload;
    s.next_in = 0;
    s.avail_in = payload.length;
    let produced = 0;
    for (;;) {
      if (produced === this.#out.length) {
        // Full: one byte past the limit is proof enough, and nothing more is inflated.
        if (produced > this.#limit) {
          throw new WireError(
            `Decompressed payload is over the limit of ${this.#limit} bytes`,
            DisconnectReason.COMPRESSION_ERROR,
          );
        }
        this.#grow(produced);
      }
      s.output = this.#out;
      s.next_out = produced;
      s.avail_out = this.#out.length - produced;
      const status = zlibInflate(s, Z_SYNC_FLUSH);
      produced = s.next_out;
      if (status === Z_STREAM_END) {
        throw new WireError(
          "The peer ended its zlib stream inside the connection",
          DisconnectReason.COMPRESSION_ERROR,
        );
      }
      if (status !== Z_OK && status !== Z_BUF_ERROR) {
        throw new WireError(
          `Cannot decompress the peer's payload: ${s.msg || `zlib status ${status}`}`,
          DisconnectReason.COMPRESSION_ERROR,
        );
      }
      // Room left over: every byte of input was used and all it holds is out.
      if (s.avail_out !== 0) break;
    }
    s.input = EMPTY;
    return this.#out.slice(0, produced);
  }

  /** Ends the stream and zeroes the output space. */
  dispose(): void {
    if (!this.#stream) return;
    zlibInflateEnd(this.#stream);
    this.#stream = undefined;
    this.#out.fill(0);
  }

  #grow(keep: number): void {
    const next = new Uint8Array(Math.min(this.#out.length * 2, this.#limit + 1));
    next.set(this.#out.subarray(0, keep));
    this.#out.fill(0);
    this.#out = next;
  }
}

const EMPTY = new Uint8Array(0);
