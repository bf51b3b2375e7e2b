/**
 * Test support: a man in the middle that flips one byte. It relays two in-memory sockets both
 * ways, follows each direction's plaintext framing up to the first NEWKEYS (so it knows where
 * the first encrypted packet starts), and on request XORs one byte of what passes: at an offset
 * into the first encrypted packet, or into the first chunk written after {@linkcode Direction.arm}.
 * @module
 */
import type { MemoryDuplex } from "@hush/transport/testing";

/** One direction of the relay. */
export class Direction {
  /** Bytes relayed so far. */
  relayed = 0;
  /** Offset of the first byte after the first NEWKEYS packet (once seen). */
  encryptedStart?: number;
  /** Where the flipped byte was, once flipped. */
  flippedAt?: number;
  /** Length of the chunk the flip was made in. */
  flippedChunk?: number;
  #versionDone = false;
  #line = 0;
  #plain = new Uint8Array(0);
  #flip?: { where: "first" | "next"; offset: number; xor: number };

  /**
   * Flips `xor` into the byte `offset` bytes into the first encrypted packet; a negative
   * `offset` counts from the end of the chunk that packet arrives in.
   */
  flipFirstEncrypted(offset: number, xor: number): void {
    this.#flip = { where: "first", offset, xor };
  }

  /** Flips `xor` into the byte `offset` bytes into the next chunk relayed (negative: from its end). */
  arm(offset: number, xor: number): void {
    this.#flip = { where: "next", offset, xor };
  }

  /** Follows the framing and applies the flip; returns the chunk to pass on. */
  pass(chunk: Uint8Array): Uint8Array {
    const base = this.relayed;
    this.#follow(chunk, base);
    this.relayed += chunk.length;
    const f = this.#flip;
    if (!f) return chunk;
    if (f.where === "next") {
      if (this.encryptedStart === undefined || base < this.encryptedStart) return chunk;
      const i = f.offset < 0 ? chunk.length + f.offset : f.offset;
      this.#flip = undefined;
      return this.#flipped(chunk, i, f.xor, base);
    }
    if (this.encryptedStart === undefined) return chunk;
    if (this.encryptedStart >= base + chunk.length) return chunk;
    const at = f.offset < 0 ? base + chunk.length + f.offset : this.encryptedStart + f.offset;
    if (at >= base + chunk.length) return chunk;
    this.#flip = undefined;
    return this.#flipped(chunk, at - base, f.xor, base);
  }

  #flipped(chunk: Uint8Array, i: number, xor: number, base: number): Uint8Array {
    const out = chunk.slice();
    out[i] ^= xor;
    this.flippedAt = base + i;
    this.flippedChunk = chunk.length;
    return out;
  }

  /** Reads the version line and the plaintext packets until the first NEWKEYS. */
  #follow(chunk: Uint8Array, base: number): void {
    if (this.encryptedStart !== undefined) return;
    let i = 0;
    if (!this.#versionDone) {
      for (; i < chunk.length; i++) {
        this.#line++;
        if (chunk[i] === 0x0a && this.#line >= 4) {
          this.#versionDone = true;
          i++;
          break;
        }
      }
      if (!this.#versionDone) return;
    }
    const rest = chunk.subarray(i);
    const plain = new Uint8Array(this.#plain.length + rest.length);
    plain.set(this.#plain);
    plain.set(rest, this.#plain.length);
    let at = 0;
    const consumedBefore = base + i - this.#plain.length;
    while (plain.length - at >= 5) {
      const n = new DataView(plain.buffer, plain.byteOffset + at).getUint32(0);
      if (plain.length - at < 4 + n) break;
      const type = plain[at + 5];
      at += 4 + n;
      if (type === 21) {
        this.encryptedStart = consumedBefore + at;
        this.#plain = new Uint8Array(0);
        return;
      }
    }
    this.#plain = plain.slice(at);
  }
}

/** Relays `a` (one victim's socket end) and `b` (the other's), flipping as told. */
export class BitFlipProxy {
  /** Bytes from `a`'s side to `b`'s. */
  readonly aToB: Direction = new Direction();
  /** Bytes from `b`'s side to `a`'s. */
  readonly bToA: Direction = new Direction();

  constructor(a: MemoryDuplex, b: MemoryDuplex) {
    relay(a.readable, b.writable, this.aToB);
    relay(b.readable, a.writable, this.bToA);
  }
}

function relay(
  from: ReadableStream<Uint8Array>,
  to: WritableStream<Uint8Array>,
  d: Direction,
): void {
  from.pipeThrough(new TransformStream({ transform: (c, ctl) => ctl.enqueue(d.pass(c)) }))
    .pipeTo(to).catch(() => {});
}
