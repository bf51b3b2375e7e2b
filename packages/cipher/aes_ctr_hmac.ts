/**
 * `aes128-ctr`, `aes192-ctr`, `aes256-ctr` (RFC 4344) with an HMAC (RFC 4253 §6.4, RFC 6668),
 * in the classic encrypt-and-MAC form (MAC over `uint32 sequence || plaintext packet`, length
 * encrypted) and the `-etm@openssh.com` form (length in the clear, MAC over
 * `uint32 sequence || length || ciphertext`, checked before anything is decrypted). The CTR
 * counter is the IV as a 128-bit big-endian number and runs on across packets. Synchronous
 * backends (noble, `node:crypto`).
 * @module
 */
import { ctr } from "@noble/ciphers/aes.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import type { PacketOpener, RandomSource } from "@hush/wire";
import { InPlaceSealer } from "./in_place_sealer.ts";
// The MAC and tag check: @hush/wire's bytesEqual never exits early.
import { bytesEqual as constantTimeEqual } from "@hush/wire";
import type { NodeCipher, NodeCrypto } from "./node_crypto.ts";
import { intoAligned } from "./noble_aligned.ts";
import {
  checkPacketLength,
  copyPayload,
  macError,
  needHeader,
  readUint32,
  sizeMismatch,
  writeUint32,
} from "./packet_layout.ts";
import type { MacSpec } from "./registry.ts";

/** AES-CTR whose counter runs on across calls. */
export interface CtrStream {
  /** XORs the keystream into `dst` and advances the counter by `src.length / 16` blocks. */
  process(src: Uint8Array, dst: Uint8Array): void;
  /** XORs the next block of keystream into `dst` without advancing (to read a length). */
  peek(src: Uint8Array, dst: Uint8Array): void;
  dispose(): void;
}

/** An HMAC over `uint32 sequence || data`. */
export interface SequenceMac {
  readonly tagLength: number;
  /** Writes the MAC of `uint32 sequence || data` into `out`. */
  compute(sequence: number, data: Uint8Array, out: Uint8Array): void;
  dispose(): void;
}

/** Adds `blocks` to a 128-bit big-endian counter. */
export function addBlocks(counter: Uint8Array, blocks: number): void {
  let carry = blocks;
  for (let i = 15; i >= 0 && carry > 0; i--) {
    const v = counter[i] + (carry & 0xff);
    counter[i] = v & 0xff;
    carry = Math.floor(carry / 256) + (v >> 8);
  }
}

/** noble's AES-CTR (pure JavaScript). `peek` also serves the other backends. */
export function nobleCtr(key: Uint8Array, iv: Uint8Array): CtrStream {
  const k = new Uint8Array(key);
  const counter = new Uint8Array(iv);
  return {
    process(src, dst) {
      intoAligned(dst, (out) => ctr(k, counter).encrypt(src, out));
      addBlocks(counter, src.length >>> 4);
    },
    peek(src, dst) {
      intoAligned(dst, (out) => ctr(k, counter).encrypt(src, out));
    },
    dispose() {
      k.fill(0);
      counter.fill(0);
    },
  };
}

/** OpenSSL's AES-CTR through `node:crypto`: one long-lived cipher whose counter runs on. */
export function nodeCtr(nc: NodeCrypto, key: Uint8Array, iv: Uint8Array): CtrStream {
  const k = new Uint8Array(key);
  const counter = new Uint8Array(iv); // tracked alongside, for peek
  let c: NodeCipher | undefined = nc.createCipheriv(`aes-${k.length * 8}-ctr`, k, iv);
  return {
    process(src, dst) {
      dst.set(c!.update(src));
      addBlocks(counter, src.length >>> 4);
    },
    peek(src, dst) {
      ctr(k, counter).encrypt(src, dst);
    },
    dispose() {
      k.fill(0);
      counter.fill(0);
      c = undefined;
    },
  };
}

const nobleHashes = { "sha1": sha1, "sha256": sha256, "sha512": sha512 } as const;

/** The hash behind an HMAC name. */
export function macHash(spec: MacSpec): "sha1" | "sha256" | "sha512" {
  return spec.name.startsWith("hmac-sha2-512")
    ? "sha512"
    : spec.name.startsWith("hmac-sha2-256")
    ? "sha256"
    : "sha1";
}

/** noble's HMAC: the keyed state is built once and cloned for every packet. */
export function nobleMac(spec: MacSpec, key: Uint8Array): SequenceMac {
  const base = hmac.create(nobleHashes[macHash(spec)], key);
  const work = base._cloneInto();
  const seq = new Uint8Array(4);
  return {
    tagLength: spec.tagLength,
    compute(sequence, data, out) {
      base._cloneInto(work);
      writeUint32(seq, 0, sequence);
      work.update(seq).update(data).digestInto(out);
    },
    dispose() {
      base.destroy();
      work.destroy();
    },
  };
}

/** OpenSSL's HMAC through `node:crypto`. */
export function nodeMac(nc: NodeCrypto, spec: MacSpec, key: Uint8Array): SequenceMac {
  const k = new Uint8Array(key);
  const hash = macHash(spec);
  const seq = new Uint8Array(4);
  return {
    tagLength: spec.tagLength,
    compute(sequence, data, out) {
      writeUint32(seq, 0, sequence);
      out.set(nc.createHmac(hash, k).update(seq).update(data).digest());
    },
    dispose() {
      k.fill(0);
    },
  };
}

/** Synchronous AES-CTR at an explicit counter, and an HMAC, for small packets. */
export interface CtrHmacPrimitive {
  /** XORs the keystream from counter block `counter` into `dst`. */
  ctr(counter: Uint8Array, src: Uint8Array, dst: Uint8Array): void;
  /** The HMAC over `uint32 sequence || data`. */
  mac: SequenceMac;
  /** Zeroes the keys. */
  dispose(): void;
}

/**
 * OpenSSL's AES-CTR at an explicit counter (a cipher object per call) and HMAC, for the small
 * packets of a WebCrypto suite.
 */
export function nodeCtrHmac(
  nc: NodeCrypto,
  key: Uint8Array,
  spec: MacSpec,
  macKey: Uint8Array,
): CtrHmacPrimitive {
  const k = new Uint8Array(key);
  const algorithm = `aes-${k.length * 8}-ctr`;
  const mac = nodeMac(nc, spec, macKey);
  return {
    ctr(counter, src, dst) {
      dst.set(nc.createCipheriv(algorithm, k, counter).update(src));
    },
    mac,
    dispose() {
      k.fill(0);
      mac.dispose();
    },
  };
}

/** Seals packets with AES-CTR and an HMAC through synchronous primitives. */
export class CtrHmacSealer extends InPlaceSealer {
  #ctr: CtrStream;
  #mac: SequenceMac;
  #etm: boolean;

  /** Takes ownership of the primitives. */
  constructor(ctr: CtrStream, mac: SequenceMac, etm: boolean, random?: RandomSource) {
    super({ blockSize: 16, lengthInClear: etm, prefix: 0, macLength: mac.tagLength, random });
    this.#ctr = ctr;
    this.#mac = mac;
    this.#etm = etm;
  }

  /** Encrypts and MACs in place: the ciphertext with encrypt-then-MAC, else the plaintext. */
  protected sealFramed(out: Uint8Array, sequence: number): void {
    const end = out.length - this.#mac.tagLength;
    if (this.#etm) {
      const body = out.subarray(4, end);
      this.#ctr.process(body, body);
      this.#mac.compute(sequence, out.subarray(0, end), out.subarray(end));
    } else {
      const packet = out.subarray(0, end);
      this.#mac.compute(sequence, packet, out.subarray(end));
      this.#ctr.process(packet, packet);
    }
  }

  /** Zeroes the keys. */
  dispose(): void {
    this.#ctr.dispose();
    this.#mac.dispose();
  }
}

/** Opens AES-CTR + HMAC packets through synchronous primitives. */
export class CtrHmacOpener implements PacketOpener {
  /** Sequence number of the next packet. */
  sequence = 0;
  /** It decrypts into memory of its own and copies what it keeps before returning. */
  readonly preservesInput = true;
  /** 4 (length in the clear) for encrypt-then-MAC, else one cipher block. */
  readonly headerLength: number;
  #ctr: CtrStream;
  #mac: SequenceMac;
  #etm: boolean;
  #first = new Uint8Array(16);
  #tag: Uint8Array;
  #plain = new Uint8Array(0);

  /** Takes ownership of the primitives. */
  constructor(ctr: CtrStream, mac: SequenceMac, etm: boolean) {
    this.#ctr = ctr;
    this.#mac = mac;
    this.#etm = etm;
    this.headerLength = etm ? 4 : 16;
    this.#tag = new Uint8Array(mac.tagLength);
  }

  #length(header: Uint8Array): number {
    needHeader(header, this.headerLength);
    if (this.#etm) return readUint32(header, 0);
    this.#ctr.peek(header.subarray(0, 16), this.#first);
    const n = readUint32(this.#first, 0);
    this.#first.fill(0);
    return n;
  }

  /** Reads (decrypting the first block unless encrypt-then-MAC) and checks the length. */
  packetLength(header: Uint8Array): number {
    const n = this.#length(header);
    checkPacketLength(n, 16, this.#etm);
    return 4 + n + this.#mac.tagLength;
  }

  #scratch(n: number): Uint8Array {
    if (this.#plain.length < n) this.#plain = new Uint8Array(Math.max(n, 2 * this.#plain.length));
    return this.#plain.subarray(0, n);
  }

  /** Verifies the MAC and decrypts (encrypt-then-MAC: verifies before decrypting). */
  open(packet: Uint8Array): Uint8Array {
    const t = this.#mac.tagLength;
    const n = this.#length(packet);
    checkPacketLength(n, 16, this.#etm);
    if (packet.length !== 4 + n + t) throw sizeMismatch();
    const received = packet.subarray(4 + n);
    let body: Uint8Array;
    let plain: Uint8Array;
    if (this.#etm) {
      this.#mac.compute(this.sequence, packet.subarray(0, 4 + n), this.#tag);
      if (!constantTimeEqual(this.#tag, received)) throw macError();
      plain = body = this.#scratch(n);
      this.#ctr.process(packet.subarray(4, 4 + n), body);
    } else {
      // Encrypt-and-MAC: the MAC is over the plaintext, so it can only be checked after
      // decrypting into private memory; that memory is wiped and nothing returned on failure.
      plain = this.#scratch(4 + n);
      this.#ctr.process(packet.subarray(0, 4 + n), plain);
      this.#mac.compute(this.sequence, plain, this.#tag);
      if (!constantTimeEqual(this.#tag, received)) {
        plain.fill(0);
        throw macError();
      }
      body = plain.subarray(4);
    }
    try {
      const payload = copyPayload(body);
      this.sequence = (this.sequence + 1) >>> 0;
      return payload;
    } finally {
      plain.fill(0);
    }
  }

  /** Zeroes the keys. */
  dispose(): void {
    this.#ctr.dispose();
    this.#mac.dispose();
    this.#plain.fill(0);
  }
}
