/**
 * AES-CTR with an HMAC (classic and `-etm@openssh.com`) through WebCrypto. The counter block
 * and sequence number of each packet are fixed when `seal`/`open` is called, so many packets
 * may be in flight. The classic (encrypt-and-MAC) opener reads the encrypted length with
 * noble's AES, since `packetLength` must answer synchronously.
 * @module
 */
import type { PacketOpener, PacketSealer, RandomSource } from "@hush/wire";
import { ctr } from "@noble/ciphers/aes.js";
import { addBlocks, type CtrHmacPrimitive, macHash } from "./aes_ctr_hmac.ts";
import { bytes, type SmallPackets, SubtleKey } from "./aes_gcm_webcrypto.ts";
// The MAC and tag check: @hush/wire's bytesEqual never exits early.
import { bytesEqual as constantTimeEqual } from "@hush/wire";
import {
  checkPacketLength,
  copyPayload,
  frame,
  macError,
  needHeader,
  payloadView,
  readUint32,
  sizeMismatch,
  writeUint32,
} from "./packet_layout.ts";
import type { MacSpec } from "./registry.ts";

const HASH_NAMES = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" } as const;

/** Subtracts one from a 128-bit big-endian counter (wrapping). */
function subtractBlock(counter: Uint8Array): void {
  for (let i = 15; i >= 0; i--) {
    counter[i] = (counter[i] - 1) & 0xff;
    if (counter[i] !== 0xff) break;
  }
}

/** The AES and HMAC keys of one direction. */
class CtrHmacKeys {
  readonly subtle: SubtleCrypto;
  readonly aes: SubtleKey;
  readonly mac: SubtleKey;
  readonly counter: Uint8Array;
  readonly tagLength: number;
  readonly etm: boolean;

  constructor(
    subtle: SubtleCrypto,
    key: Uint8Array,
    iv: Uint8Array,
    spec: MacSpec,
    macKey: Uint8Array,
    usage: "encrypt" | "decrypt",
  ) {
    if (iv.length !== 16) throw new RangeError("AES-CTR needs a 16-byte IV");
    this.subtle = subtle;
    this.aes = new SubtleKey(subtle, key, "AES-CTR", [usage]);
    this.mac = new SubtleKey(
      subtle,
      macKey,
      { name: "HMAC", hash: HASH_NAMES[macHash(spec)], length: macKey.length * 8 },
      [usage === "encrypt" ? "sign" : "verify"],
    );
    this.counter = new Uint8Array(iv);
    this.tagLength = spec.tagLength;
    this.etm = spec.etm;
  }

  /** This packet's counter block (a copy), advancing the running one. */
  take(blocks: number): Uint8Array {
    const c = this.counter.slice();
    addBlocks(this.counter, blocks);
    return c;
  }

  async keys(): Promise<[CryptoKey, CryptoKey]> {
    return [this.aes.key ?? await this.aes.ready, this.mac.key ?? await this.mac.ready];
  }

  dispose(): void {
    this.aes.dispose();
    this.mac.dispose();
    this.counter.fill(0);
  }
}

/** Seals AES-CTR + HMAC packets through WebCrypto. */
export class SubtleCtrHmacSealer implements PacketSealer {
  /** Sequence number of the next packet. */
  sequence = 0;
  #k: CtrHmacKeys;
  #random?: RandomSource;
  #small?: SmallPackets<CtrHmacPrimitive>;

  /** Copies the keys. */
  constructor(
    subtle: SubtleCrypto,
    key: Uint8Array,
    iv: Uint8Array,
    spec: MacSpec,
    macKey: Uint8Array,
    random?: RandomSource,
    small?: SmallPackets<CtrHmacPrimitive>,
  ) {
    this.#k = new CtrHmacKeys(subtle, key, iv, spec, macKey, "encrypt");
    this.#random = random;
    this.#small = small;
  }

  #sealSmall(p: CtrHmacPrimitive, payload: Uint8Array, sequence: number): Uint8Array {
    const k = this.#k;
    const out = frame(payload, {
      blockSize: 16,
      lengthInClear: k.etm,
      prefix: 0,
      macLength: k.tagLength,
      random: this.#random,
    });
    const end = out.length - k.tagLength;
    if (k.etm) {
      const body = out.subarray(4, end);
      p.ctr(k.take(body.length >>> 4), body, body);
      p.mac.compute(sequence, out.subarray(0, end), out.subarray(end));
    } else {
      const packet = out.subarray(0, end);
      p.mac.compute(sequence, packet, out.subarray(end));
      p.ctr(k.take(end >>> 4), packet, packet);
    }
    return out;
  }

  /**
   * Frames one payload, encrypts and MACs it; resolves to the whole packet. The ciphertext
   * comes back from WebCrypto in a fresh buffer; the layouts below let that buffer become the
   * packet, so that no 32 KiB copy follows: the bytes encrypted past the packet (the MAC's
   * room, and for encrypt-then-MAC one block before it under the previous counter) are
   * overwritten before anything leaves.
   */
  seal(payload: Uint8Array): Uint8Array | Promise<Uint8Array> {
    const k = this.#k;
    const sequence = this.sequence;
    this.sequence = (sequence + 1) >>> 0;
    if (this.#small && payload.length < this.#small.below) {
      return this.#sealSmall(this.#small.primitive, payload, sequence);
    }
    // encrypt-then-MAC: | 12 spare | length | body | MAC room |, encrypted from one block early
    // classic:          | sequence | length | body | MAC room |, encrypted from the length on
    const buf = frame(payload, {
      blockSize: 16,
      lengthInClear: k.etm,
      prefix: k.etm ? 12 : 4,
      macLength: k.tagLength,
      random: this.#random,
    });
    const n = buf.length - k.tagLength - (k.etm ? 16 : 8);
    const counter = k.take((k.etm ? n : 4 + n) >>> 4);
    if (k.etm) subtractBlock(counter);
    else writeUint32(buf, 0, sequence);
    const aes = k.aes.key;
    const mac = k.mac.key;
    if (aes && mac) return this.#seal(aes, mac, buf, n, sequence, counter);
    return k.keys().then(([aes, mac]) => this.#seal(aes, mac, buf, n, sequence, counter));
  }

  async #seal(
    aes: CryptoKey,
    mac: CryptoKey,
    buf: Uint8Array,
    n: number,
    sequence: number,
    counter: Uint8Array,
  ): Promise<Uint8Array> {
    const aesParams = { name: "AES-CTR", counter: bytes(counter), length: 128 };
    if (this.#k.etm) {
      const out = new Uint8Array(await this.#k.subtle.encrypt(aesParams, aes, bytes(buf)));
      writeUint32(out, 8, sequence);
      writeUint32(out, 12, n);
      const tag = await this.#k.subtle.sign("HMAC", mac, bytes(out.subarray(8, 16 + n)));
      out.set(new Uint8Array(tag), 16 + n);
      return out.subarray(12);
    }
    const [ct, tag] = await Promise.all([
      this.#k.subtle.encrypt(aesParams, aes, bytes(buf.subarray(4))),
      this.#k.subtle.sign("HMAC", mac, bytes(buf.subarray(0, 8 + n))),
    ]);
    const out = new Uint8Array(ct);
    out.set(new Uint8Array(tag), 4 + n);
    return out;
  }

  /** Drops the keys. */
  dispose(): void {
    this.#k.dispose();
    this.#small?.primitive.dispose();
  }
}

/** Opens AES-CTR + HMAC packets through WebCrypto. */
export class SubtleCtrHmacOpener implements PacketOpener {
  /** Sequence number of the next packet. */
  sequence = 0;
  /** It decrypts into memory of its own and copies what it keeps before returning. */
  readonly preservesInput = true;
  /** 4 (length in the clear) for encrypt-then-MAC, else one cipher block. */
  readonly headerLength: number;
  #k: CtrHmacKeys;
  #rawKey?: Uint8Array; // classic form: noble reads the encrypted length
  #first = new Uint8Array(16);
  #small?: SmallPackets<CtrHmacPrimitive>;
  #tag: Uint8Array;

  /** Copies the keys. */
  constructor(
    subtle: SubtleCrypto,
    key: Uint8Array,
    iv: Uint8Array,
    spec: MacSpec,
    macKey: Uint8Array,
    small?: SmallPackets<CtrHmacPrimitive>,
  ) {
    this.#k = new CtrHmacKeys(subtle, key, iv, spec, macKey, "decrypt");
    this.#small = small;
    this.#tag = new Uint8Array(spec.tagLength);
    this.headerLength = spec.etm ? 4 : 16;
    if (!spec.etm) this.#rawKey = new Uint8Array(key);
  }

  #length(header: Uint8Array): number {
    needHeader(header, this.headerLength);
    if (this.#k.etm) return readUint32(header, 0);
    ctr(this.#rawKey!, this.#k.counter).encrypt(header.subarray(0, 16), this.#first);
    const n = readUint32(this.#first, 0);
    this.#first.fill(0);
    return n;
  }

  /** Reads (decrypting the first block unless encrypt-then-MAC) and checks the length. */
  packetLength(header: Uint8Array): number {
    const n = this.#length(header);
    checkPacketLength(n, 16, this.#k.etm);
    return 4 + n + this.#k.tagLength;
  }

  /**
   * Encrypt-then-MAC: verifies the MAC, then decrypts. Classic: decrypts into private memory,
   * verifies the MAC over the plaintext, and returns nothing unless it verifies.
   */
  open(packet: Uint8Array): Uint8Array | Promise<Uint8Array> {
    const k = this.#k;
    let n: number;
    try {
      n = this.#length(packet);
      checkPacketLength(n, 16, k.etm);
      if (packet.length !== 4 + n + k.tagLength) throw sizeMismatch();
      if (this.#small && n < this.#small.below) {
        return this.#openSmall(this.#small.primitive, packet, n);
      }
    } catch (e) {
      return Promise.reject(e);
    }
    const counter = k.take((k.etm ? n : 4 + n) >>> 4);
    const sequence = this.sequence;
    this.sequence = (sequence + 1) >>> 0;
    const tag = new Uint8Array(packet.subarray(4 + n));
    // Copied now (the caller's buffer is theirs once this returns):
    // encrypt-then-MAC: | sequence | length | ciphertext |, the MAC input as it stands;
    // classic: | 16 spare | length | ciphertext |, decrypted from one block early so that
    // the plaintext lands right after room for the sequence number, ready for the MAC.
    let input: Uint8Array;
    if (k.etm) {
      input = new Uint8Array(8 + n);
      writeUint32(input, 0, sequence);
      input.set(packet.subarray(0, 4 + n), 4);
    } else {
      input = new Uint8Array(20 + n);
      input.set(packet.subarray(0, 4 + n), 16);
      subtractBlock(counter);
    }
    const aes = k.aes.key;
    const mac = k.mac.key;
    if (aes && mac) return this.#open(aes, mac, input, tag, sequence, counter);
    return k.keys().then(([aes, mac]) => this.#open(aes, mac, input, tag, sequence, counter));
  }

  async #open(
    aes: CryptoKey,
    mac: CryptoKey,
    input: Uint8Array,
    tag: Uint8Array,
    sequence: number,
    counter: Uint8Array,
  ): Promise<Uint8Array> {
    const aesParams = { name: "AES-CTR", counter: bytes(counter), length: 128 };
    if (this.#k.etm) {
      if (!await this.#k.subtle.verify("HMAC", mac, bytes(tag), bytes(input))) throw macError();
      const body = new Uint8Array(
        await this.#k.subtle.decrypt(aesParams, aes, bytes(input.subarray(8))),
      );
      return this.#payload(body);
    }
    const plain = new Uint8Array(await this.#k.subtle.decrypt(aesParams, aes, bytes(input)));
    writeUint32(plain, 12, sequence);
    if (!await this.#k.subtle.verify("HMAC", mac, bytes(tag), bytes(plain.subarray(12)))) {
      plain.fill(0);
      throw macError();
    }
    return this.#payload(plain.subarray(20));
  }

  #openSmall(p: CtrHmacPrimitive, packet: Uint8Array, n: number): Uint8Array {
    const k = this.#k;
    const received = packet.subarray(4 + n);
    let plain: Uint8Array;
    if (k.etm) {
      p.mac.compute(this.sequence, packet.subarray(0, 4 + n), this.#tag);
      if (!constantTimeEqual(this.#tag, received)) throw macError();
      plain = new Uint8Array(n);
      p.ctr(k.take(n >>> 4), packet.subarray(4, 4 + n), plain);
    } else {
      // Classic: the MAC covers the plaintext; it stays private until the MAC verifies.
      plain = new Uint8Array(4 + n);
      p.ctr(k.take((4 + n) >>> 4), packet.subarray(0, 4 + n), plain);
      p.mac.compute(this.sequence, plain, this.#tag);
      if (!constantTimeEqual(this.#tag, received)) {
        plain.fill(0);
        throw macError();
      }
      plain = plain.subarray(4);
    }
    try {
      const payload = copyPayload(plain);
      this.sequence = (this.sequence + 1) >>> 0;
      return payload;
    } finally {
      plain.fill(0);
    }
  }

  #payload(body: Uint8Array): Uint8Array {
    try {
      return payloadView(body);
    } catch (e) {
      body.fill(0);
      throw e;
    }
  }

  /** Drops the keys. */
  dispose(): void {
    this.#k.dispose();
    this.#small?.primitive.dispose();
    this.#rawKey?.fill(0);
  }
}
