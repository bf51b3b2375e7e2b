/**
 * The compression stage of the binary packet protocol (RFC 4253 §6.2): a payload is compressed
 * right before it is sealed and decompressed right after it is opened. The stage is an
 * interface here; the transport picks the method (`zlib`, `zlib@openssh.com`) and hands
 * {@linkcode PacketWriter} and {@linkcode PacketDeframer} a stage at the moment it starts.
 * @module
 */

/**
 * Compresses outgoing payloads, one stream per direction and key exchange: each call is one
 * packet's payload, flushed so that the peer can inflate all of it from the bytes sent so far
 * (zlib's partial flush, as OpenSSH does).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PayloadCompressor } from "@hush/wire";
 * // A stage that does nothing, to show the shape (the transport's zlib stage is the real one).
 * const identity: PayloadCompressor = { compress: (payload) => payload.slice() };
 * assert.equal(identity.compress(new Uint8Array([2])).length, 1);
 * ```
 */
export interface PayloadCompressor {
  /** Compresses one payload; returns a fresh array the caller owns. */
  compress(payload: Uint8Array): Uint8Array;
  /** Frees the stream; the compressor is unusable afterwards. */
  dispose?(): void;
}

/**
 * Decompresses incoming payloads, one stream per direction and key exchange. It never inflates
 * more than the packet limit: a larger payload (a decompression bomb) or corrupt data throws a
 * {@linkcode WireError} with COMPRESSION_ERROR, and the connection ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PayloadDecompressor } from "@hush/wire";
 * const identity: PayloadDecompressor = { decompress: (payload) => payload.slice() };
 * assert.equal(identity.decompress(new Uint8Array([2])).length, 1);
 * ```
 */
export interface PayloadDecompressor {
  /** Inflates one packet's payload; returns a fresh array the caller owns. */
  decompress(payload: Uint8Array): Uint8Array;
  /** Frees the stream; the decompressor is unusable afterwards. */
  dispose?(): void;
}
