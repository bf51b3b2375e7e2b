/**
 * The shape the synchronous suites share: frame a payload straight into a buffer (the writer's
 * batch, or a fresh one for `seal`), then encrypt and tag it there.
 * @module
 */
import type { FrameOptions, PacketSealer } from "@hush/wire";
import { framedLength, frameInto } from "./packet_layout.ts";

/**
 * A sealer that frames into the caller's buffer and seals the packet in place; a suite gives
 * its framing (block size, where the length is, MAC room) and `sealFramed`.
 */
export abstract class InPlaceSealer implements PacketSealer {
  /** Sequence number of the next packet. */
  sequence = 0;
  readonly #layout: FrameOptions;

  /** @param layout How this suite frames a packet (its padding source included). */
  constructor(layout: FrameOptions) {
    this.#layout = layout;
  }

  /** Frames, encrypts and tags one payload into a fresh array. */
  seal(payload: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.sealedLength(payload.length));
    this.sealInto(payload, out, 0);
    return out;
  }

  /** The sealed size of a payload of `payloadLength` bytes. */
  sealedLength(payloadLength: number): number {
    return framedLength(payloadLength, this.#layout);
  }

  /** Frames, encrypts and tags one payload into `into` at `at`; returns its size. */
  sealInto(payload: Uint8Array, into: Uint8Array, at: number): number {
    const size = frameInto(payload, this.#layout, into, at);
    const sequence = this.sequence;
    this.sequence = (sequence + 1) >>> 0;
    this.sealFramed(into.subarray(at, at + size), sequence);
    return size;
  }

  /**
   * Encrypts and tags, in place, a framed packet (length field first, MAC room last) whose
   * sequence number is `sequence`.
   */
  protected abstract sealFramed(packet: Uint8Array, sequence: number): void;
}
