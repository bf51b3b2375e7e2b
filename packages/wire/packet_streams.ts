/**
 * The packet layer as Web Streams, for callers that compose streams: {@linkcode PacketReader}
 * (bytes in, packets out) over a {@linkcode PacketDeframer}. The transport drives the deframer
 * and the writer directly, with no stream stage between the socket and its state machine.
 * @module
 */
import { type OpenerSwitchOptions, type Packet, PacketDeframer } from "./packet_deframer.ts";
import type { PacketOpener } from "./packet.ts";

/**
 * Deframes an arbitrarily chunked byte stream into packets (a {@linkcode PacketDeframer} as a
 * TransformStream). It starts with the `none` opener; after it emits a NEWKEYS packet it waits
 * for the opener given to {@linkcode PacketReader.nextOpener} and opens the following bytes with
 * it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NoneSealer, PacketReader } from "@hush/wire";
 * const bytes = new NoneSealer().seal(new Uint8Array([2, 0, 0, 0, 0])) as Uint8Array;
 * const reader = new PacketReader();
 * const w = reader.writable.getWriter();
 * w.write(bytes.subarray(0, 3)); w.write(bytes.subarray(3)); w.close();
 * const seen: [number, number][] = [];
 * for await (const p of reader.readable) seen.push([p.payload[0], p.sequence]);
 * assert.deepEqual(seen, [[2, 0]]);
 * ```
 */
export class PacketReader {
  /** Bytes in. */
  readonly writable: WritableStream<Uint8Array>;
  /** Packets out. */
  readonly readable: ReadableStream<Packet>;
  #deframer: PacketDeframer;

  /**
   * Creates a reader that starts with the `none` opener.
   *
   * @param highWaterMark How many packets may wait unread before bytes stop being pulled.
   */
  constructor(highWaterMark = 4) {
    let out!: TransformStreamDefaultController<Packet>;
    this.#deframer = new PacketDeframer(
      (packet) => out.enqueue(packet),
      (error) => out.error(error),
    );
    const ts = new TransformStream<Uint8Array, Packet>(
      {
        start: (controller) => {
          out = controller;
        },
        transform: (chunk) => this.#deframer.push(chunk),
        flush: () => this.#deframer.end(),
      },
      undefined,
      { highWaterMark },
    );
    this.writable = ts.writable;
    this.readable = ts.readable;
  }

  /**
   * The opener to use after the next NEWKEYS received. Setting it twice before that NEWKEYS
   * is a programming error.
   */
  nextOpener(opener: PacketOpener, options: OpenerSwitchOptions = {}): void {
    this.#deframer.nextOpener(opener, options);
  }

  /** The opener in use (see {@linkcode PacketDeframer.opener}). */
  get opener(): PacketOpener {
    return this.#deframer.opener;
  }

  /** Bytes received so far (for rekey limits). */
  get bytesIn(): number {
    return this.#deframer.bytesIn;
  }

  /** Packets received so far. */
  get packetsIn(): number {
    return this.#deframer.packetsIn;
  }
}
