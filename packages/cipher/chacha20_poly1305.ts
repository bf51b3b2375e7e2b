/**
 * `chacha20-poly1305@openssh.com` (OpenSSH PROTOCOL.chacha20poly1305): 64 bytes of key
 * material split into K_2 (the first 32, for the payload and the Poly1305 key) and K_1 (the
 * last 32, for the length). The nonce of both ChaCha20 instances is the sequence number as a
 * 64-bit big-endian value; the length is encrypted under K_1 from block 0, the Poly1305 key is
 * the first 32 bytes of K_2's block 0, the payload is encrypted under K_2 from block 1, and the
 * tag is Poly1305 over the encrypted length and encrypted payload (no padding, no lengths).
 * @module
 */
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { Poly1305 } from "@noble/ciphers/_poly1305.js";
import type { PacketOpener, RandomSource } from "@hush/wire";
import { InPlaceSealer } from "./in_place_sealer.ts";
// The MAC and tag check: @hush/wire's bytesEqual never exits early.
import { bytesEqual as constantTimeEqual } from "@hush/wire";
import type { NodeCrypto } from "./node_crypto.ts";
import { intoAligned } from "./noble_aligned.ts";
import {
  checkPacketLength,
  copyPayload,
  macError,
  needHeader,
  payloadView,
  readUint32,
  sizeMismatch,
  writeUint32,
} from "./packet_layout.ts";

/**
 * The raw ChaCha20 stream (DJB's original: 64-bit counter, 64-bit nonce): XORs `src` into
 * `dst` with the keystream of `key` and `nonce` starting at block `counter`.
 */
export type ChaCha20Stream = (
  key: Uint8Array,
  nonce: Uint8Array,
  counter: number,
  src: Uint8Array,
  dst: Uint8Array,
) => void;

/** noble's ChaCha20 (pure JavaScript). */
export const nobleChaCha20: ChaCha20Stream = (key, nonce, counter, src, dst) => {
  intoAligned(dst, (out) => chacha20orig(key, nonce, src, out, counter));
};

/**
 * Below this many bytes noble's ChaCha20 beats a `node:crypto` cipher object, whose setup
 * costs several microseconds (measured on Deno 2.9 and Node 20: at 1 KiB packets noble
 * ≈ 21–43 MB/s against OpenSSL ≈ 15–23 MB/s; at 32 KiB OpenSSL wins, ≈ 120 against 75).
 */
export const NODE_CHACHA_MIN_BYTES = 2048;

/**
 * OpenSSL's ChaCha20 through `node:crypto` for runs of at least
 * {@linkcode NODE_CHACHA_MIN_BYTES} (noble below: the length, the Poly1305 key and small
 * payloads). OpenSSL's 16-byte IV is the state's words 12–15: the 64-bit block counter
 * (little-endian) then the 64-bit nonce.
 */
export function nodeChaCha20(nc: NodeCrypto): ChaCha20Stream {
  const iv = new Uint8Array(16);
  return (key, nonce, counter, src, dst) => {
    if (src.length < NODE_CHACHA_MIN_BYTES) {
      nobleChaCha20(key, nonce, counter, src, dst);
      return;
    }
    iv[0] = counter;
    iv[1] = counter >>> 8;
    iv[2] = counter >>> 16;
    iv[3] = counter >>> 24;
    iv.set(nonce, 8);
    dst.set(nc.createCipheriv("chacha20", key, iv).update(src));
  };
}

const TAG = 16;
const ZEROS = new Uint8Array(32);

/** Key and per-packet state shared by the sealer and the opener. */
class ChaChaState {
  readonly k1: Uint8Array; // length key
  readonly k2: Uint8Array; // payload and Poly1305 key
  readonly nonce = new Uint8Array(8);
  readonly polyKey = new Uint8Array(32);
  readonly tag = new Uint8Array(TAG);
  readonly stream: ChaCha20Stream;

  constructor(key: Uint8Array, stream: ChaCha20Stream) {
    if (key.length !== 64) throw new RangeError("chacha20-poly1305 needs 64 bytes of key");
    this.k2 = new Uint8Array(key.subarray(0, 32));
    this.k1 = new Uint8Array(key.subarray(32, 64));
    this.stream = stream;
  }

  /** Sets the nonce to the sequence number and derives this packet's Poly1305 key. */
  start(sequence: number): void {
    writeUint32(this.nonce, 4, sequence);
    this.stream(this.k2, this.nonce, 0, ZEROS, this.polyKey);
  }

  /** Poly1305 over `data` into `this.tag`. */
  mac(data: Uint8Array): Uint8Array {
    new Poly1305(this.polyKey).update(data).digestInto(this.tag);
    return this.tag;
  }

  dispose(): void {
    this.k1.fill(0);
    this.k2.fill(0);
    this.polyKey.fill(0);
  }
}

/** Seals packets with chacha20-poly1305@openssh.com. */
export class ChaChaPolySealer extends InPlaceSealer {
  #s: ChaChaState;

  /** @param key 64 bytes (copied). */
  constructor(key: Uint8Array, stream: ChaCha20Stream, random?: RandomSource) {
    super({ blockSize: 8, lengthInClear: true, prefix: 0, macLength: TAG, random });
    this.#s = new ChaChaState(key, stream);
  }

  /** Encrypts the length under K_1 and the rest under K_2, then tags it all. */
  protected sealFramed(out: Uint8Array, sequence: number): void {
    const s = this.#s;
    const end = out.length - TAG;
    s.start(sequence);
    const length = out.subarray(0, 4);
    s.stream(s.k1, s.nonce, 0, length, length);
    const body = out.subarray(4, end);
    s.stream(s.k2, s.nonce, 1, body, body);
    out.set(s.mac(out.subarray(0, end)), end);
  }

  /** Zeroes the keys. */
  dispose(): void {
    this.#s.dispose();
  }
}

/** Opens packets sealed with chacha20-poly1305@openssh.com. */
export class ChaChaPolyOpener implements PacketOpener {
  /** Sequence number of the next packet. */
  sequence = 0;
  /** It decrypts into memory of its own and copies what it keeps before returning. */
  readonly preservesInput = true;
  /** The encrypted length field. */
  readonly headerLength = 4;
  #s: ChaChaState;
  #length = new Uint8Array(4);
  #nonce = new Uint8Array(8);
  #body = new Uint8Array(0);

  /** @param key 64 bytes (copied). */
  constructor(key: Uint8Array, stream: ChaCha20Stream) {
    this.#s = new ChaChaState(key, stream);
  }

  #decryptLength(header: Uint8Array): number {
    needHeader(header, 4);
    writeUint32(this.#nonce, 4, this.sequence);
    this.#s.stream(this.#s.k1, this.#nonce, 0, header.subarray(0, 4), this.#length);
    return readUint32(this.#length, 0);
  }

  /** Decrypts the length under K_1 and checks it. */
  packetLength(header: Uint8Array): number {
    const n = this.#decryptLength(header);
    checkPacketLength(n, 8, true);
    return 4 + n + TAG;
  }

  /** Verifies the tag, then decrypts the payload. */
  open(packet: Uint8Array): Uint8Array {
    const n = this.#verify(packet);
    if (this.#body.length < n) this.#body = new Uint8Array(Math.max(n, 2 * this.#body.length));
    const body = this.#body.subarray(0, n);
    const s = this.#s;
    s.stream(s.k2, s.nonce, 1, packet.subarray(4, 4 + n), body);
    try {
      const payload = copyPayload(body);
      this.sequence = (this.sequence + 1) >>> 0;
      return payload;
    } finally {
      body.fill(0);
    }
  }

  /**
   * As {@linkcode ChaChaPolyOpener.open}, decrypting over the packet's own bytes: the payload
   * is a view of the packet. For a packet its caller owns and gives up.
   */
  openInPlace(packet: Uint8Array): Uint8Array {
    const n = this.#verify(packet);
    const body = packet.subarray(4, 4 + n);
    const s = this.#s;
    s.stream(s.k2, s.nonce, 1, body, body);
    try {
      const payload = payloadView(body);
      this.sequence = (this.sequence + 1) >>> 0;
      return payload;
    } catch (e) {
      body.fill(0);
      throw e;
    }
  }

  /** Checks the packet's length and tag (nothing decrypted yet); returns the body's length. */
  #verify(packet: Uint8Array): number {
    const n = this.#decryptLength(packet);
    checkPacketLength(n, 8, true);
    if (packet.length !== 4 + n + TAG) throw sizeMismatch();
    const s = this.#s;
    s.start(this.sequence);
    const tag = s.mac(packet.subarray(0, 4 + n));
    if (!constantTimeEqual(tag, packet.subarray(4 + n))) throw macError();
    return n;
  }

  /** Zeroes the keys. */
  dispose(): void {
    this.#s.dispose();
    this.#body.fill(0);
  }
}
