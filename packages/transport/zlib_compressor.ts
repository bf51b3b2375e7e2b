/**
 * The `zlib` compression stage's sending half (RFC 4253 §6.2): one deflate stream per direction
 * and key exchange, each payload flushed with zlib's partial flush, as OpenSSH's packet.c does.
 * @module
 */
import { DisconnectReason, type PayloadCompressor, WireError } from "@hush/wire";
import {
  Z_BUF_ERROR,
  Z_DEFAULT_STRATEGY,
  Z_OK,
  Z_PARTIAL_FLUSH,
  zlibDeflate,
  zlibDeflateEnd,
  zlibDeflateInit2,
  ZStream,
} from "pako";

/** The zlib level OpenSSH compresses at (packet.c: `start_compression_out(ssh, 6)`). */
export const ZLIB_LEVEL = 6;

/** zlib's window (2^15 bytes) and memory level, its defaults and OpenSSH's. */
const WINDOW_BITS = 15;
const MEM_LEVEL = 8;
/** The only method deflate has (Z_DEFLATED). */
const DEFLATED = 8;

/**
 * Compresses payloads into one zlib stream, each flushed with `Z_PARTIAL_FLUSH` so that the
 * peer inflates all of it from the bytes sent so far. The deflater is pako's port of zlib with
 * zlib's own hash, so the bytes are the ones OpenSSH's zlib would send for the same payloads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ZlibCompressor, ZlibDecompressor } from "@hush/transport";
 * const out = new ZlibCompressor();
 * const line = new TextEncoder().encode("hello hello hello hello\n");
 * const first = out.compress(line);
 * const second = out.compress(line); // the stream remembers the first
 * assert.equal(first.length > second.length, true);
 * const back = new ZlibDecompressor();
 * assert.equal(back.decompress(first).length, 24);
 * assert.equal(back.decompress(second).length, 24);
 * ```
 */
export class ZlibCompressor implements PayloadCompressor {
  #stream: ZStream | undefined = new ZStream();
  /** Reused output space: each payload's bytes are copied out of it. */
  #out = new Uint8Array(16 * 1024);

  /** Starts a fresh deflate stream at {@linkcode ZLIB_LEVEL}. */
  constructor() {
    const status = zlibDeflateInit2(
      this.#stream!,
      ZLIB_LEVEL,
      DEFLATED,
      WINDOW_BITS,
      MEM_LEVEL,
      Z_DEFAULT_STRATEGY,
      true, // zlib's hash, byte for byte zlib's output (pako's default hash is Chromium's)
    );
    if (status !== Z_OK) {
      throw new WireError(
        `Cannot start zlib compression (status ${status})`,
        DisconnectReason.COMPRESSION_ERROR,
      );
    }
  }

  /** Compresses one payload; returns a fresh array. */
  compress(payload: Uint8Array): Uint8Array {
    const s = this.#stream;
    if (!s) throw new TypeError("The compressor was disposed");
    s.input = payload;
    s.next_in = 0;
    s.avail_in = payload.length;
    let produced = 0;
    // As zlib asks: call again with more room while the output space was filled.
    for (;;) {
      if (produced === this.#out.length) this.#grow(produced);
      s.output = this.#out;
      s.next_out = produced;
      s.avail_out = this.#out.length - produced;
      const status = zlibDeflate(s, Z_PARTIAL_FLUSH);
      produced = s.next_out;
      if (status !== Z_OK && status !== Z_BUF_ERROR) {
        throw new WireError(
          `zlib compression failed (status ${status})`,
          DisconnectReason.COMPRESSION_ERROR,
        );
      }
      if (s.avail_out !== 0) break;
    }
    s.input = EMPTY; // keep no reference to the caller's payload
    return this.#out.slice(0, produced);
  }

  /** Ends the stream and zeroes the output space. */
  dispose(): void {
    if (!this.#stream) return;
    zlibDeflateEnd(this.#stream);
    this.#stream = undefined;
    this.#out.fill(0);
  }

  #grow(keep: number): void {
    const next = new Uint8Array(this.#out.length * 2);
    next.set(this.#out.subarray(0, keep));
    this.#out.fill(0);
    this.#out = next;
  }
}

const EMPTY = new Uint8Array(0);
