/**
 * AES-GCM (`aes128-gcm@openssh.com`, `aes256-gcm@openssh.com`) through WebCrypto. Every
 * `seal`/`open` takes its IV synchronously (WebCrypto copies its inputs when called), so many
 * packets may be in flight and results still match their sequence numbers.
 * @module
 */
import type { PacketOpener, PacketSealer, RandomSource } from "@hush/wire";
import { type GcmPrimitive, incrementInvocation } from "./aes_gcm.ts";
import {
  checkPacketLength,
  copyPayload,
  framedLength,
  frameInto,
  macError,
  needHeader,
  payloadView,
  readUint32,
  sizeMismatch,
} from "./packet_layout.ts";

const TAG = 16;

/** Views bytes as a WebCrypto `BufferSource` (our arrays are never over shared memory). */
export function bytes(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b as Uint8Array<ArrayBuffer>;
}

/** A WebCrypto key that is imported once and then used synchronously. */
export class SubtleKey {
  #key?: CryptoKey;
  readonly ready: Promise<CryptoKey>;

  constructor(
    subtle: SubtleCrypto,
    raw: Uint8Array,
    algorithm: AlgorithmIdentifier | HmacImportParams,
    usages: KeyUsage[],
  ) {
    const copy = new Uint8Array(raw);
    this.ready = subtle.importKey("raw", bytes(copy), algorithm, false, usages).then((k) => {
      copy.fill(0);
      return (this.#key = k);
    });
    this.ready.catch(() => copy.fill(0));
  }

  /** The key once imported. */
  get key(): CryptoKey | undefined {
    return this.#key;
  }

  /** Drops the key (WebCrypto keys cannot be zeroed; they are left to the collector). */
  dispose(): void {
    this.#key = undefined;
  }
}

/**
 * Runs `fn` with the key now when it is imported (so that shared buffers are read right
 * away), or with copies of `copyNow` once it is.
 */
export function withKey<T>(
  key: SubtleKey,
  copyNow: Uint8Array,
  fn: (key: CryptoKey, bytes: Uint8Array) => Promise<T>,
): Promise<T> {
  const k = key.key;
  if (k) return fn(k, copyNow);
  const copy = new Uint8Array(copyNow);
  return key.ready.then((k) => fn(k, copy));
}

/**
 * A synchronous primitive for packets under `below` payload bytes, where WebCrypto's
 * per-call cost (a thread hop and a promise, ≈ 15–40 µs on Deno) outweighs its speed.
 */
export interface SmallPackets<P> {
  /** The synchronous primitive (`node:crypto`). */
  primitive: P;
  /** Payloads (sealing) or packet lengths (opening) under this many bytes take it. */
  below: number;
}

/** Seals AES-GCM packets through WebCrypto (and small ones through a synchronous primitive). */
export class SubtleGcmSealer implements PacketSealer {
  /** Sequence number of the next packet (not part of the GCM nonce). */
  sequence = 0;
  #subtle: SubtleCrypto;
  #key: SubtleKey;
  #iv: Uint8Array;
  #random?: RandomSource;
  #small?: SmallPackets<GcmPrimitive>;

  /** @param key 16 or 32 bytes (copied). @param iv 12 bytes (copied). */
  constructor(
    subtle: SubtleCrypto,
    key: Uint8Array,
    iv: Uint8Array,
    random?: RandomSource,
    small?: SmallPackets<GcmPrimitive>,
  ) {
    if (iv.length !== 12) throw new RangeError("AES-GCM needs a 12-byte IV");
    this.#subtle = subtle;
    this.#key = new SubtleKey(subtle, key, "AES-GCM", ["encrypt"]);
    this.#iv = new Uint8Array(iv);
    this.#random = random;
    this.#small = small;
  }

  /** The sealed size of a payload of `payloadLength` bytes. */
  sealedLength(payloadLength: number): number {
    return framedLength(payloadLength, { blockSize: 16, lengthInClear: true, macLength: TAG });
  }

  /**
   * Lays the packet out in `out` at `at` and encrypts it there: the ciphertext and tag replace
   * the plaintext once the promise resolves. WebCrypto copies its inputs when called, and
   * nothing else writes the region meanwhile. Small packets are sealed at once (`undefined`).
   */
  sealIntoLater(payload: Uint8Array, out: Uint8Array, at: number): Promise<void> | undefined {
    const options = { blockSize: 16, lengthInClear: true, macLength: TAG, random: this.#random };
    const n = frameInto(payload, options, out, at);
    const packet = out.subarray(at, at + n);
    const end = n - TAG;
    if (this.#small && payload.length < this.#small.below) {
      this.#small.primitive.seal(
        this.#iv,
        packet.subarray(0, 4),
        packet.subarray(4, end),
        packet.subarray(end),
      );
      this.#advance();
      return undefined;
    }
    const result = withKey(this.#key, this.#iv, async (key, iv) => {
      try {
        const sealed = await this.#subtle.encrypt(
          {
            name: "AES-GCM",
            iv: bytes(iv),
            additionalData: bytes(packet.subarray(0, 4)),
            tagLength: 128,
          },
          key,
          bytes(packet.subarray(4, end)),
        );
        packet.set(new Uint8Array(sealed), 4);
      } catch (e) {
        packet.fill(0); // the plaintext never leaves
        throw e;
      }
    });
    this.#advance();
    return result;
  }

  #advance(): void {
    incrementInvocation(this.#iv);
    this.sequence = (this.sequence + 1) >>> 0;
  }

  /** Frames one payload and encrypts it; resolves to the whole packet. */
  seal(payload: Uint8Array): Uint8Array | Promise<Uint8Array> {
    const out = new Uint8Array(this.sealedLength(payload.length));
    const later = this.sealIntoLater(payload, out, 0);
    return later ? later.then(() => out) : out;
  }

  /** Drops the key and zeroes the IV. */
  dispose(): void {
    this.#key.dispose();
    this.#small?.primitive.dispose();
    this.#iv.fill(0);
  }
}

/** Opens AES-GCM packets through WebCrypto (and small ones through a synchronous primitive). */
export class SubtleGcmOpener implements PacketOpener {
  /** Sequence number of the next packet. */
  sequence = 0;
  /** It decrypts into memory of its own and copies what it keeps before returning. */
  readonly preservesInput = true;
  /** The length is in the clear. */
  readonly headerLength = 4;
  #subtle: SubtleCrypto;
  #key: SubtleKey;
  #iv: Uint8Array;
  #small?: SmallPackets<GcmPrimitive>;

  /** @param key 16 or 32 bytes (copied). @param iv 12 bytes (copied). */
  constructor(
    subtle: SubtleCrypto,
    key: Uint8Array,
    iv: Uint8Array,
    small?: SmallPackets<GcmPrimitive>,
  ) {
    if (iv.length !== 12) throw new RangeError("AES-GCM needs a 12-byte IV");
    this.#subtle = subtle;
    this.#key = new SubtleKey(subtle, key, "AES-GCM", ["decrypt"]);
    this.#iv = new Uint8Array(iv);
    this.#small = small;
  }

  /** Checks the clear length. */
  packetLength(header: Uint8Array): number {
    needHeader(header, 4);
    const n = readUint32(header, 0);
    checkPacketLength(n, 16, true);
    return 4 + n + TAG;
  }

  /**
   * Verifies the tag and decrypts (WebCrypto returns nothing unless the tag verifies). The
   * IV and sequence number are taken when called, so calls may overlap.
   */
  open(packet: Uint8Array): Uint8Array | Promise<Uint8Array> {
    const n = readUint32(packet, 0);
    try {
      needHeader(packet, 4);
      checkPacketLength(n, 16, true);
      if (packet.length !== 4 + n + TAG) throw sizeMismatch();
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.#small && n < this.#small.below) {
      const body = this.#small.primitive.open(
        this.#iv,
        packet.subarray(0, 4),
        packet.subarray(4, 4 + n),
        packet.subarray(4 + n),
      );
      if (!body) return Promise.reject(macError());
      try {
        const payload = copyPayload(body);
        incrementInvocation(this.#iv);
        this.sequence = (this.sequence + 1) >>> 0;
        return payload;
      } catch (e) {
        return Promise.reject(e);
      } finally {
        body.fill(0);
      }
    }
    // WebCrypto copies its input when called; before the key is imported the call comes later,
    // so the packet is copied now (the caller's buffer is theirs once this returns).
    const input = this.#key.key ? packet : packet.slice();
    const result = withKey(this.#key, this.#iv, async (key, iv) => {
      let plain: ArrayBuffer;
      try {
        plain = await this.#subtle.decrypt(
          {
            name: "AES-GCM",
            iv: bytes(iv),
            additionalData: bytes(input.subarray(0, 4)),
            tagLength: 128,
          },
          key,
          bytes(input.subarray(4)),
        );
      } catch {
        throw macError();
      }
      const body = new Uint8Array(plain);
      try {
        return payloadView(body);
      } catch (e) {
        body.fill(0);
        throw e;
      }
    });
    incrementInvocation(this.#iv);
    this.sequence = (this.sequence + 1) >>> 0;
    return result;
  }

  /** Drops the key and zeroes the IV. */
  dispose(): void {
    this.#key.dispose();
    this.#small?.primitive.dispose();
    this.#iv.fill(0);
  }
}
