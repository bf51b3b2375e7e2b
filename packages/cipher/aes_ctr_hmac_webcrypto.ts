/**
 * AES-CTR with an HMAC (classic and `-etm@openssh.com`) through WebCrypto. The counter block
 * and sequence number of each packet are fixed when `seal`/`open` is called, so many packets
 * may be in flight. The classic (encrypt-and-MAC) opener reads the encrypted length with
 * noble's AES, since `packetLength` must answer synchronously.
 * @module
 */
import type { PacketOpener, PacketSealer, RandomSource } from "@hush/wire";
import { ctr } from "@noble/ciphers/aes.js";
import { addBlocks, macHash } from "./aes_ctr_hmac.ts";
import { bytes, SubtleKey } from "./aes_gcm_webcrypto.ts";
import {
  checkPacketLength,
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

/** The AES and HMAC keys of one direction. */
class CtrHmacKeys {
  readonly aes: SubtleKey;
  readonly mac: SubtleKey;
  readonly counter: Uint8Array;
  readonly tagLength: number;
  readonly etm: boolean;

  constructor(
    key: Uint8Array,
    iv: Uint8Array,
    spec: MacSpec,
    macKey: Uint8Array,
    usage: "encrypt" | "decrypt",
  ) {
    if (iv.length !== 16) throw new RangeError("AES-CTR needs a 16-byte IV");
    this.aes = new SubtleKey(key, "AES-CTR", [usage]);
    this.mac = new SubtleKey(
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

  /** Copies the keys. */
  constructor(
    key: Uint8Array,
    iv: Uint8Array,
    spec: MacSpec,
    macKey: Uint8Array,
    random?: RandomSource,
  ) {
    this.#k = new CtrHmacKeys(key, iv, spec, macKey, "encrypt");
    this.#random = random;
  }

  /** Frames one payload, encrypts and MACs it; resolves to the whole packet. */
  seal(payload: Uint8Array): Promise<Uint8Array> {
    const k = this.#k;
    // Layout: uint32 sequence (MAC input only) | packet | MAC.
    const buf = frame(payload, {
      blockSize: 16,
      lengthInClear: k.etm,
      prefix: 4,
      macLength: k.tagLength,
      random: this.#random,
    });
    const end = buf.length - k.tagLength;
    writeUint32(buf, 0, this.sequence);
    this.sequence = (this.sequence + 1) >>> 0;
    const counter = k.take((end - 4) >>> 4);
    return this.#seal(buf, end, counter);
  }

  async #seal(buf: Uint8Array, end: number, counter: Uint8Array): Promise<Uint8Array> {
    const k = this.#k;
    const [aes, mac] = await k.keys();
    const aesParams = { name: "AES-CTR", counter: bytes(counter), length: 128 };
    if (k.etm) {
      const ct = await crypto.subtle.encrypt(aesParams, aes, bytes(buf.subarray(8, end)));
      buf.set(new Uint8Array(ct), 8);
      buf.set(
        new Uint8Array(await crypto.subtle.sign("HMAC", mac, bytes(buf.subarray(0, end)))),
        end,
      );
    } else {
      const [ct, tag] = await Promise.all([
        crypto.subtle.encrypt(aesParams, aes, bytes(buf.subarray(4, end))),
        crypto.subtle.sign("HMAC", mac, bytes(buf.subarray(0, end))),
      ]);
      buf.set(new Uint8Array(ct), 4);
      buf.set(new Uint8Array(tag), end);
    }
    return buf.subarray(4);
  }

  /** Drops the keys. */
  dispose(): void {
    this.#k.dispose();
  }
}

/** Opens AES-CTR + HMAC packets through WebCrypto. */
export class SubtleCtrHmacOpener implements PacketOpener {
  /** Sequence number of the next packet. */
  sequence = 0;
  /** 4 (length in the clear) for encrypt-then-MAC, else one cipher block. */
  readonly headerLength: number;
  #k: CtrHmacKeys;
  #rawKey?: Uint8Array; // classic form: noble reads the encrypted length
  #first = new Uint8Array(16);

  /** Copies the keys. */
  constructor(key: Uint8Array, iv: Uint8Array, spec: MacSpec, macKey: Uint8Array) {
    this.#k = new CtrHmacKeys(key, iv, spec, macKey, "decrypt");
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
  open(packet: Uint8Array): Promise<Uint8Array> {
    const k = this.#k;
    let n: number;
    try {
      n = this.#length(packet);
      checkPacketLength(n, 16, k.etm);
      if (packet.length !== 4 + n + k.tagLength) throw sizeMismatch();
    } catch (e) {
      return Promise.reject(e);
    }
    const counter = k.take((k.etm ? n : 4 + n) >>> 4);
    // uint32 sequence || the packet up to the MAC, copied now (the caller's buffer is theirs).
    const input = new Uint8Array(8 + n);
    writeUint32(input, 0, this.sequence);
    input.set(packet.subarray(0, 4 + n), 4);
    const tag = new Uint8Array(packet.subarray(4 + n));
    this.sequence = (this.sequence + 1) >>> 0;
    return this.#open(input, tag, counter);
  }

  async #open(input: Uint8Array, tag: Uint8Array, counter: Uint8Array): Promise<Uint8Array> {
    const k = this.#k;
    const [aes, mac] = await k.keys();
    const aesParams = { name: "AES-CTR", counter: bytes(counter), length: 128 };
    if (k.etm) {
      if (!await crypto.subtle.verify("HMAC", mac, bytes(tag), bytes(input))) throw macError();
      const body = new Uint8Array(
        await crypto.subtle.decrypt(aesParams, aes, bytes(input.subarray(8))),
      );
      return this.#payload(body);
    }
    const plain = new Uint8Array(
      await crypto.subtle.decrypt(aesParams, aes, bytes(input.subarray(4))),
    );
    input.set(plain, 4);
    plain.fill(0);
    if (!await crypto.subtle.verify("HMAC", mac, bytes(tag), bytes(input))) {
      input.fill(0);
      throw macError();
    }
    return this.#payload(input.subarray(8));
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
    this.#rawKey?.fill(0);
  }
}
