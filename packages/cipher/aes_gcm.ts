/**
 * `aes128-gcm@openssh.com` and `aes256-gcm@openssh.com` (RFC 5647 as OpenSSH does it): the
 * 4-byte length stays in the clear as the additional authenticated data, the 12-byte IV is a
 * 4-byte fixed field and an 8-byte invocation counter incremented after every packet, and a
 * 16-byte tag follows the ciphertext. Synchronous backends (noble, `node:crypto`).
 * @module
 */
import { gcm } from "@noble/ciphers/aes.js";
import type { PacketOpener, RandomSource } from "@hush/wire";
import { InPlaceSealer } from "./in_place_sealer.ts";
import type { NodeCrypto } from "./node_crypto.ts";
import {
  checkPacketLength,
  macError,
  needHeader,
  payloadView,
  readUint32,
  sizeMismatch,
} from "./packet_layout.ts";

/** One AES-GCM operation with a given key. */
export interface GcmPrimitive {
  /** Encrypts `data` in place and writes the tag. */
  seal(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): void;
  /**
   * Verifies `tag` and returns the plaintext of `data` in a fresh array the opener owns (and
   * hands on as the payload), or `undefined` when the tag does not verify (no plaintext is
   * returned then).
   */
  open(iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array | undefined;
  dispose(): void;
}

/** noble's AES-GCM (pure JavaScript; verifies the tag before it decrypts). */
export function nobleGcm(key: Uint8Array): GcmPrimitive {
  const k = new Uint8Array(key);
  let buf = new Uint8Array(0);
  return {
    seal(iv, aad, data, tag) {
      const out = gcm(k, iv, aad).encrypt(data);
      data.set(out.subarray(0, data.length));
      tag.set(out.subarray(data.length));
      out.fill(0);
    },
    open(iv, aad, data, tag) {
      // noble wants ciphertext || tag in one array; they are adjacent in the packet.
      let ct: Uint8Array;
      if (data.buffer === tag.buffer && data.byteOffset + data.length === tag.byteOffset) {
        ct = new Uint8Array(data.buffer, data.byteOffset, data.length + tag.length);
      } else {
        if (buf.length < data.length + tag.length) buf = new Uint8Array(data.length + tag.length);
        ct = buf.subarray(0, data.length + tag.length);
        ct.set(data);
        ct.set(tag, data.length);
      }
      try {
        return gcm(k, iv, aad).decrypt(ct);
      } catch {
        return undefined;
      }
    },
    dispose() {
      k.fill(0);
    },
  };
}

/**
 * OpenSSL's AES-GCM through `node:crypto`. OpenSSL's decrypt produces plaintext before
 * `final()` checks the tag; that plaintext stays private and is wiped when the tag fails.
 */
export function nodeGcm(nc: NodeCrypto, key: Uint8Array): GcmPrimitive {
  const k = new Uint8Array(key);
  const algorithm = `aes-${k.length * 8}-gcm`;
  return {
    seal(iv, aad, data, tag) {
      const c = nc.createCipheriv(algorithm, k, iv, { authTagLength: 16 });
      c.setAAD(aad);
      data.set(c.update(data));
      c.final();
      tag.set(c.getAuthTag());
    },
    open(iv, aad, data, tag) {
      const d = nc.createDecipheriv(algorithm, k, iv, { authTagLength: 16 });
      d.setAAD(aad);
      d.setAuthTag(tag);
      const plain = d.update(data);
      try {
        d.final();
      } catch {
        plain.fill(0);
        return undefined;
      }
      return plain;
    },
    dispose() {
      k.fill(0);
    },
  };
}

/** Adds one to the 64-bit big-endian invocation counter in bytes 4–11 of a GCM IV. */
export function incrementInvocation(iv: Uint8Array): void {
  for (let i = 11; i >= 4; i--) {
    iv[i] = (iv[i] + 1) & 0xff;
    if (iv[i] !== 0) break;
  }
}

const TAG = 16;

/** Seals packets with AES-GCM through a synchronous primitive. */
export class GcmSealer extends InPlaceSealer {
  #gcm: GcmPrimitive;
  #iv: Uint8Array;

  /** @param iv 12 bytes (copied). */
  constructor(primitive: GcmPrimitive, iv: Uint8Array, random?: RandomSource) {
    if (iv.length !== 12) throw new RangeError("AES-GCM needs a 12-byte IV");
    super({ blockSize: 16, lengthInClear: true, prefix: 0, macLength: TAG, random });
    this.#gcm = primitive;
    this.#iv = new Uint8Array(iv);
  }

  /** Encrypts and tags in place; the nonce is the IV's invocation counter, not the sequence. */
  protected sealFramed(out: Uint8Array): void {
    const end = out.length - TAG;
    this.#gcm.seal(this.#iv, out.subarray(0, 4), out.subarray(4, end), out.subarray(end));
    incrementInvocation(this.#iv);
  }

  /** Zeroes the key and IV. */
  dispose(): void {
    this.#gcm.dispose();
    this.#iv.fill(0);
  }
}

/** Opens AES-GCM packets through a synchronous primitive. */
export class GcmOpener implements PacketOpener {
  /** Sequence number of the next packet. */
  sequence = 0;
  /** It decrypts into memory of its own and copies what it keeps before returning. */
  readonly preservesInput = true;
  /** The length is in the clear. */
  readonly headerLength = 4;
  #gcm: GcmPrimitive;
  #iv: Uint8Array;

  /** @param iv 12 bytes (copied). */
  constructor(primitive: GcmPrimitive, iv: Uint8Array) {
    if (iv.length !== 12) throw new RangeError("AES-GCM needs a 12-byte IV");
    this.#gcm = primitive;
    this.#iv = new Uint8Array(iv);
  }

  /** Checks the clear length. */
  packetLength(header: Uint8Array): number {
    needHeader(header, 4);
    const n = readUint32(header, 0);
    checkPacketLength(n, 16, true);
    return 4 + n + TAG;
  }

  /** Verifies the tag, then decrypts. */
  open(packet: Uint8Array): Uint8Array {
    needHeader(packet, 4);
    const n = readUint32(packet, 0);
    checkPacketLength(n, 16, true);
    if (packet.length !== 4 + n + TAG) throw sizeMismatch();
    const body = this.#gcm.open(
      this.#iv,
      packet.subarray(0, 4),
      packet.subarray(4, 4 + n),
      packet.subarray(4 + n),
    );
    if (!body) throw macError();
    // The primitive's plaintext is a fresh array of ours: the payload is a view of it, handed
    // on, instead of one more copy per packet.
    let payload: Uint8Array;
    try {
      payload = payloadView(body);
    } catch (e) {
      body.fill(0);
      throw e;
    }
    incrementInvocation(this.#iv);
    this.sequence = (this.sequence + 1) >>> 0;
    return payload;
  }

  /** Zeroes the key and IV. */
  dispose(): void {
    this.#gcm.dispose();
    this.#iv.fill(0);
  }
}
