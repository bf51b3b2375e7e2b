/**
 * The binary packet protocol (RFC 4253 §6): the sealer/opener interfaces that cipher suites
 * implement, padding rules, and the unencrypted `none` framing used before the first NEWKEYS.
 * @module
 */
import { WireError } from "./errors.ts";

/**
 * Largest `packet_length` accepted from a peer (256 KiB, as OpenSSH). Checked before any byte
 * of the packet body is buffered.
 */
export const PACKET_LENGTH_LIMIT = 256 * 1024;

/** Smallest padding RFC 4253 §6 allows. */
export const MIN_PADDING = 4;

/** A source of random bytes; injectable so that tests are deterministic. */
export type RandomSource = (n: number) => Uint8Array;

/**
 * The default random source (`crypto.getRandomValues`, in 64 KiB steps).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomBytes } from "@hush/wire";
 * assert.equal(randomBytes(16).length, 16);
 * ```
 */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) {
    crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  }
  return out;
}

// Padding comes from a pool refilled 4 KiB at a time: one crypto.getRandomValues call costs
// about as much as sealing a small packet (≈10 µs on Node 20), far more than a copy.
const paddingPool = new Uint8Array(4096);
let paddingPoolAt = paddingPool.length;
/** Longest padding served from the pool (RFC 4253 padding is at most 255 bytes). */
const PADDING_POOL_TAKE = 256;

/**
 * Random bytes for packet padding, from a pool of `crypto.getRandomValues` output refilled
 * 4 KiB at a time. The view is only valid until the next call: copy it at once (as
 * {@linkcode framePacket} does). More than 256 bytes come from {@linkcode randomBytes}.
 *
 * @example
 * ```ts
 * import { paddingBytes } from "@hush/wire";
 * const padding = paddingBytes(8).slice(); // a copy outlives the next call
 * console.log(padding.length); // 8
 * ```
 */
export function paddingBytes(n: number): Uint8Array {
  if (n > PADDING_POOL_TAKE) return randomBytes(n);
  if (paddingPoolAt + n > paddingPool.length) {
    crypto.getRandomValues(paddingPool);
    paddingPoolAt = 0;
  }
  return paddingPool.subarray(paddingPoolAt, paddingPoolAt += n);
}

/**
 * Seals payloads into on-the-wire packets for one direction. Owns the keys and the sequence
 * number; `seal` takes the sequence number synchronously, so several seals may be in flight
 * when it returns promises (results are written in call order by {@linkcode PacketWriter}).
 */
export interface PacketSealer {
  /** Sequence number of the next packet (uint32, wraps). Set by the writer at a NEWKEYS switch. */
  sequence: number;
  /** Returns the whole packet: length, padding length, payload, padding, MAC or tag. */
  seal(payload: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /**
   * Optional, with `sealInto`: the size of the sealed packet for a payload of `payloadLength`
   * bytes.
   */
  sealedLength?(payloadLength: number): number;
  /**
   * Optional, for sealers that work synchronously: seals like `seal`, into `out` at `at`
   * (which has room for `sealedLength(payload.length)` bytes), and returns the bytes written.
   * The sealer is done with `payload` when it returns, so the caller may reuse it; the writer
   * seals a batch of packets straight into the buffer it hands to the socket.
   */
  sealInto?(payload: Uint8Array, out: Uint8Array, at: number): number;
  /**
   * Optional, for sealers whose cipher answers asynchronously (WebCrypto): lays the packet out
   * in `out` at `at` (exactly `sealedLength(payload.length)` bytes) and is done with `payload`
   * when it returns, like `sealInto`; the sealed bytes are in place once the promise it returns
   * resolves (`undefined`: sealed already). The writer keeps the batch back until then, so a
   * packet costs no buffer of its own.
   */
  sealIntoLater?(payload: Uint8Array, out: Uint8Array, at: number): Promise<void> | undefined;
  /** Zeroes key material; the sealer is unusable afterwards. */
  dispose?(): void;
}

/**
 * Opens packets for one direction, in two steps so that a peer's length is checked before the
 * body is buffered: `packetLength` inspects (decrypting where the suite hides it) the first
 * `headerLength` bytes, then `open` verifies the MAC/tag before decrypting the rest.
 */
export interface PacketOpener {
  /** Sequence number of the next packet (uint32, wraps). Set by the reader at a NEWKEYS switch. */
  sequence: number;
  /** Bytes needed before `packetLength` can be called (4, or one cipher block). */
  readonly headerLength: number;
  /**
   * The packet's whole size on the wire (4 + packet_length + MAC length), from its first
   * `headerLength` bytes. Throws when packet_length is over {@linkcode PACKET_LENGTH_LIMIT} or
   * not aligned. Does not advance the sequence number.
   */
  packetLength(header: Uint8Array): number;
  /**
   * Verifies and decrypts a whole packet (which it may overwrite in place) and returns the
   * payload in a fresh array the caller owns. Advances the sequence number. An opener that
   * answers with a promise must advance all per-packet state (sequence number, counters, IV)
   * before it returns: the reader then reads the next packet's header and opens it before
   * this promise settles (it gives each such packet its own bytes).
   */
  open(packet: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /**
   * As `open()`, synchronously, for a packet whose bytes the caller owns and gives up: the
   * payload is decrypted over them and returned as a view of the packet, with no copy kept
   * elsewhere. The reader uses it for whole packets in chunks the socket hands over
   * (`ByteDuplex.readsAreOwned`); a payload then pins its chunk's memory while it is kept.
   */
  openInPlace?(packet: Uint8Array): Uint8Array;
  /** Zeroes key material; the opener is unusable afterwards. */
  dispose?(): void;
  /**
   * `open()` neither writes into the packet it is given nor reads it after it returns (a
   * promise it returns has copied what it needs): the reader may then hand it a view of the
   * bytes as they arrived instead of a copy.
   */
  readonly preservesInput?: boolean;
}

/**
 * Padding length for a payload (RFC 4253 §6): at least 4 bytes, and the padded region a multiple
 * of `blockSize` (at least 8). With `lengthInClear` (AEAD and encrypt-then-MAC suites) the
 * 4-byte length field is left out of the alignment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paddingLength } from "@hush/wire";
 * assert.equal(paddingLength(10, 8, false), 9); // 4 + 1 + 10 + 9 = 24
 * ```
 */
export function paddingLength(
  payloadLength: number,
  blockSize: number,
  lengthInClear: boolean,
): number {
  const bs = Math.max(blockSize, 8);
  const covered = (lengthInClear ? 0 : 4) + 1 + payloadLength;
  let pad = bs - (covered % bs);
  if (pad < MIN_PADDING) pad += bs;
  return pad;
}

/** Options for {@linkcode framePacket}. */
export interface FrameOptions {
  /** Cipher block size; padding aligns to max(blockSize, 8). */
  blockSize: number;
  /** Leave the length field out of the alignment (AEAD / encrypt-then-MAC). */
  lengthInClear: boolean;
  /** Bytes to reserve after the padding for a MAC or tag (left zero). */
  macLength: number;
  /** Bytes to reserve before the length field (left zero), e.g. for the sequence number a MAC covers; 0 by default. */
  prefix?: number;
  /** Padding source; {@linkcode paddingBytes} by default. */
  random?: RandomSource;
}

/**
 * Lays out an unencrypted packet `uint32 packet_length, byte padding_length, payload, padding`
 * in one fresh buffer, with `prefix` spare bytes before it and `macLength` after it, ready to be
 * encrypted in place. The one framing of every suite: `none` here, the ciphers of
 * `@hush/cipher`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { framePacket } from "@hush/wire";
 * const p = framePacket(new Uint8Array([21]), { blockSize: 8, lengthInClear: false, macLength: 0 });
 * assert.equal(p.length % 8, 0);
 * assert.equal(p[4], 10);
 * ```
 */
export function framePacket(payload: Uint8Array, options: FrameOptions): Uint8Array {
  const pad = paddingLength(payload.length, options.blockSize, options.lengthInClear);
  const n = 1 + payload.length + pad;
  const at = options.prefix ?? 0;
  const out = new Uint8Array(at + 4 + n + options.macLength);
  writeFrame(payload, pad, out, at, options.random);
  return out;
}

/**
 * The size {@linkcode framePacket} gives a payload of `payloadLength` bytes (prefix and MAC
 * room included).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { framedLength } from "@hush/wire";
 * assert.equal(framedLength(1, { blockSize: 16, lengthInClear: true, macLength: 16 }), 36);
 * ```
 */
export function framedLength(payloadLength: number, options: FrameOptions): number {
  const pad = paddingLength(payloadLength, options.blockSize, options.lengthInClear);
  return (options.prefix ?? 0) + 4 + 1 + payloadLength + pad + options.macLength;
}

/**
 * Lays out a packet like {@linkcode framePacket}, into `out` at `at` (which has room for
 * {@linkcode framedLength} bytes), for suites that seal into a buffer of the writer's. The prefix
 * and MAC room are left as they were. Returns the bytes it covers, prefix and MAC room included.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { framePacket, framePacketInto } from "@hush/wire";
 * const options = { blockSize: 8, lengthInClear: false, macLength: 0, random: (n: number) => new Uint8Array(n) };
 * const out = new Uint8Array(20);
 * assert.equal(framePacketInto(new Uint8Array([21]), options, out, 4), 16);
 * assert.deepEqual(out.subarray(4), framePacket(new Uint8Array([21]), options));
 * ```
 */
export function framePacketInto(
  payload: Uint8Array,
  options: FrameOptions,
  out: Uint8Array,
  at: number,
): number {
  const pad = paddingLength(payload.length, options.blockSize, options.lengthInClear);
  const prefix = options.prefix ?? 0;
  writeFrame(payload, pad, out, at + prefix, options.random);
  return prefix + 4 + 1 + payload.length + pad + options.macLength;
}

/** Writes `uint32 packet_length, byte padding_length, payload, padding` into `out` at `at`. */
function writeFrame(
  payload: Uint8Array,
  pad: number,
  out: Uint8Array,
  at: number,
  random: RandomSource | undefined,
): void {
  const n = 1 + payload.length + pad;
  out[at] = n >>> 24;
  out[at + 1] = n >>> 16;
  out[at + 2] = n >>> 8;
  out[at + 3] = n;
  out[at + 4] = pad;
  out.set(payload, at + 5);
  out.set((random ?? paddingBytes)(pad), at + 5 + payload.length);
}

/**
 * Checks a decrypted `packet_length`/`padding_length` pair and returns the payload view.
 * `packet` starts at the length field and excludes the MAC.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { framePacket, unframePacket } from "@hush/wire";
 * const p = framePacket(new Uint8Array([1, 2]), { blockSize: 8, lengthInClear: false, macLength: 0 });
 * assert.deepEqual(unframePacket(p), new Uint8Array([1, 2]));
 * ```
 */
export function unframePacket(packet: Uint8Array): Uint8Array {
  if (packet.length < 5) throw new WireError("Packet too short");
  const packetLength = new DataView(packet.buffer, packet.byteOffset, 4).getUint32(0);
  if (packetLength + 4 !== packet.length) {
    throw new WireError("Packet length does not match its bytes");
  }
  const pad = packet[4];
  if (pad < MIN_PADDING) throw new WireError(`Padding of ${pad} bytes is under the minimum of 4`);
  if (pad + 1 > packetLength) throw new WireError("Padding longer than the packet");
  return packet.subarray(5, 4 + packetLength - pad);
}

/**
 * Reads `packet_length` from a 4-byte header and checks it against the limit and the block
 * alignment. Returns the length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPacketLength } from "@hush/wire";
 * assert.equal(checkPacketLength(new Uint8Array([0, 0, 0, 12]), 8, 4), 12);
 * ```
 */
export function checkPacketLength(
  header: Uint8Array,
  blockSize: number,
  alignOffset: number,
): number {
  const n = (header[0] << 24 | header[1] << 16 | header[2] << 8 | header[3]) >>> 0;
  if (n > PACKET_LENGTH_LIMIT) {
    throw new WireError(`Packet length ${n} exceeds the limit of ${PACKET_LENGTH_LIMIT}`);
  }
  if (n < 5) throw new WireError(`Packet length ${n} is too small`);
  if ((n + alignOffset) % Math.max(blockSize, 8) !== 0) {
    throw new WireError(`Packet length ${n} is not a multiple of the block size`);
  }
  return n;
}

/**
 * The `none` sealer: framing with block size 8 and no MAC (before the first NEWKEYS).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NoneSealer } from "@hush/wire";
 * const s = new NoneSealer();
 * assert.equal((s.seal(new Uint8Array([21])) as Uint8Array).length, 16);
 * assert.equal(s.sequence, 1);
 * ```
 */
export class NoneSealer implements PacketSealer {
  /** Sequence number of the next packet. */
  sequence = 0;
  #random?: RandomSource;
  /**
   * Creates a `none` sealer starting at sequence number 0.
   *
   * @param random Padding source (random by default).
   */
  constructor(random?: RandomSource) {
    this.#random = random;
  }
  /** Frames a payload. */
  seal(payload: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.sealedLength(payload.length));
    this.sealInto(payload, out, 0);
    return out;
  }
  /** The framed size of a payload of `payloadLength` bytes. */
  sealedLength(payloadLength: number): number {
    return 4 + 1 + payloadLength + paddingLength(payloadLength, 8, false);
  }
  /** Frames a payload into `out` at `at`; returns its size. */
  sealInto(payload: Uint8Array, out: Uint8Array, at: number): number {
    const pad = paddingLength(payload.length, 8, false);
    writeFrame(payload, pad, out, at, this.#random);
    this.sequence = (this.sequence + 1) >>> 0;
    return 5 + payload.length + pad;
  }
}

/**
 * The `none` opener: unframes packets with no MAC (before the first NEWKEYS).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NoneOpener, NoneSealer } from "@hush/wire";
 * const bytes = new NoneSealer().seal(new Uint8Array([21])) as Uint8Array;
 * const o = new NoneOpener();
 * assert.equal(o.packetLength(bytes), 16);
 * assert.deepEqual(o.open(bytes), new Uint8Array([21]));
 * ```
 */
export class NoneOpener implements PacketOpener {
  /** Sequence number of the next packet. */
  sequence = 0;
  /** It copies the payload out. */
  readonly preservesInput = true;
  /** The length field alone tells the size. */
  readonly headerLength = 4;
  /** Size of the packet on the wire. */
  packetLength(header: Uint8Array): number {
    return 4 + checkPacketLength(header, 8, 4);
  }
  /** Returns a copy of the payload. */
  open(packet: Uint8Array): Uint8Array {
    this.sequence = (this.sequence + 1) >>> 0;
    return unframePacket(packet).slice();
  }
}
