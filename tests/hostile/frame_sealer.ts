/**
 * Test support: seals packets the way a hostile peer wants them framed. Hush's own sealers
 * always frame correctly; these take the whole plaintext frame (`uint32 packet_length, byte
 * padding_length, payload, padding`) as the test wrote it — a wrong length, short padding, a
 * misaligned size — and encrypt and MAC it with the real keys of the connection, so that the
 * victim gets past the MAC (or not) exactly where a test wants. Written independently of
 * `@hush/cipher` (node:crypto for AES and HMAC, noble for ChaCha20 and Poly1305), so that these
 * tests also cross-check the suites.
 * @module
 */
import { type Cipheriv, createCipheriv, createHmac, type Hmac } from "node:crypto";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { cipherSpec, type DirectionKeys, macSpec } from "@hush/cipher";

/** Seals plaintext frames for one direction; owns the sequence number. */
export interface FrameSealer {
  /** Sequence number of the next packet. */
  sequence: number;
  /** Block size the padded region must align to. */
  readonly blockSize: number;
  /** The length field is outside the alignment (AEAD, encrypt-then-MAC). */
  readonly lengthInClear: boolean;
  /** Encrypts and MACs `frame` as it is (length field included) and returns the wire bytes. */
  sealFrame(frame: Uint8Array): Uint8Array;
}

/** How {@linkcode frame} lays a payload out; every field may be wrong on purpose. */
export interface FrameShape {
  /** Block size to align to (8 or 16). */
  blockSize: number;
  /** Leave the length field out of the alignment. */
  lengthInClear: boolean;
  /** Padding bytes (default: the smallest correct padding). */
  padding?: number;
  /** The `padding_length` byte to write (default: `padding`). */
  paddingField?: number;
  /** The `packet_length` field to write (default: the real length). */
  lengthField?: number;
}

/** The smallest correct padding for `payloadLength` (RFC 4253 §6: at least 4, aligned). */
export function correctPadding(payloadLength: number, blockSize: number, inClear: boolean): number {
  const bs = Math.max(blockSize, 8);
  let pad = bs - (((inClear ? 0 : 4) + 1 + payloadLength) % bs);
  if (pad < 4) pad += bs;
  return pad;
}

/** A plaintext frame for `payload`, shaped as `shape` says (random padding bytes). */
export function frame(payload: Uint8Array, shape: FrameShape): Uint8Array {
  const pad = shape.padding ?? correctPadding(payload.length, shape.blockSize, shape.lengthInClear);
  const out = new Uint8Array(4 + 1 + payload.length + pad);
  new DataView(out.buffer).setUint32(0, shape.lengthField ?? 1 + payload.length + pad);
  out[4] = shape.paddingField ?? pad;
  out.set(payload, 5);
  crypto.getRandomValues(out.subarray(5 + payload.length));
  return out;
}

/** The `none` cipher: frames go out as they are. */
export class PlainFrameSealer implements FrameSealer {
  sequence = 0;
  readonly blockSize = 8;
  readonly lengthInClear = false;
  sealFrame(f: Uint8Array): Uint8Array {
    this.sequence = (this.sequence + 1) >>> 0;
    return f.slice();
  }
}

function uint32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305). */
class ChaChaFrameSealer implements FrameSealer {
  sequence = 0;
  readonly blockSize = 8;
  readonly lengthInClear = true;
  #k2: Uint8Array;
  #k1: Uint8Array;
  constructor(key: Uint8Array) {
    this.#k2 = key.slice(0, 32);
    this.#k1 = key.slice(32, 64);
  }
  sealFrame(f: Uint8Array): Uint8Array {
    const nonce = new Uint8Array(8);
    new DataView(nonce.buffer).setUint32(4, this.sequence);
    this.sequence = (this.sequence + 1) >>> 0;
    const out = new Uint8Array(f.length + 16);
    chacha20orig(this.#k1, nonce, f.subarray(0, 4), out.subarray(0, 4), 0);
    chacha20orig(this.#k2, nonce, f.subarray(4), out.subarray(4, f.length), 1);
    const polyKey = chacha20orig(this.#k2, nonce, new Uint8Array(32), new Uint8Array(32), 0);
    out.set(poly1305(out.subarray(0, f.length), polyKey), f.length);
    return out;
  }
}

/** aes128-gcm@openssh.com and aes256-gcm@openssh.com (RFC 5647, OpenSSH's variant). */
class GcmFrameSealer implements FrameSealer {
  sequence = 0;
  readonly blockSize = 16;
  readonly lengthInClear = true;
  #algorithm: string;
  #key: Uint8Array;
  #iv: Uint8Array;
  constructor(bits: number, key: Uint8Array, iv: Uint8Array) {
    this.#algorithm = `aes-${bits}-gcm`;
    this.#key = key.slice();
    this.#iv = iv.slice(0, 12);
  }
  sealFrame(f: Uint8Array): Uint8Array {
    this.sequence = (this.sequence + 1) >>> 0;
    const c = createCipheriv(this.#algorithm as "aes-128-gcm", this.#key, this.#iv);
    c.setAAD(f.subarray(0, 4));
    const body = c.update(f.subarray(4));
    c.final();
    const out = new Uint8Array(f.length + 16);
    out.set(f.subarray(0, 4));
    out.set(body, 4);
    out.set(c.getAuthTag(), f.length);
    // the invocation counter: the last 8 bytes of the nonce, big-endian
    for (let i = 11; i >= 4; i--) {
      this.#iv[i]++;
      if (this.#iv[i] !== 0) break;
    }
    return out;
  }
}

/** aes{128,192,256}-ctr with an HMAC, encrypt-and-MAC or encrypt-then-MAC. */
class CtrHmacFrameSealer implements FrameSealer {
  sequence = 0;
  readonly blockSize = 16;
  readonly lengthInClear: boolean;
  #ctr: Cipheriv;
  #macKey: Uint8Array;
  #hash: string;
  constructor(bits: number, keys: DirectionKeys, hash: string, etm: boolean) {
    this.#ctr = createCipheriv(`aes-${bits}-ctr`, keys.key, keys.iv.subarray(0, 16));
    this.#macKey = keys.macKey.slice();
    this.#hash = hash;
    this.lengthInClear = etm;
  }
  #mac(sequence: number, data: Uint8Array): Uint8Array {
    const h: Hmac = createHmac(this.#hash, this.#macKey);
    h.update(uint32(sequence));
    h.update(data);
    return new Uint8Array(h.digest());
  }
  sealFrame(f: Uint8Array): Uint8Array {
    const sequence = this.sequence;
    this.sequence = (sequence + 1) >>> 0;
    if (this.lengthInClear) {
      const cipher = new Uint8Array(f.length);
      cipher.set(f.subarray(0, 4));
      cipher.set(this.#ctr.update(f.subarray(4)), 4);
      const tag = this.#mac(sequence, cipher);
      const out = new Uint8Array(f.length + tag.length);
      out.set(cipher);
      out.set(tag, f.length);
      return out;
    }
    const tag = this.#mac(sequence, f);
    const out = new Uint8Array(f.length + tag.length);
    out.set(this.#ctr.update(f));
    out.set(tag, f.length);
    return out;
  }
}

/** A frame sealer for a negotiated cipher (and MAC, for non-AEAD ciphers) with its keys. */
export function frameSealer(
  cipher: string,
  mac: string | undefined,
  keys: DirectionKeys,
): FrameSealer {
  const spec = cipherSpec(cipher);
  if (cipher === "chacha20-poly1305@openssh.com") return new ChaChaFrameSealer(keys.key);
  if (spec.aead) return new GcmFrameSealer(spec.keyLength * 8, keys.key, keys.iv);
  const m = macSpec(mac!);
  const hash = m.name.includes("sha2-512")
    ? "sha512"
    : m.name.includes("sha2-256")
    ? "sha256"
    : "sha1";
  return new CtrHmacFrameSealer(spec.keyLength * 8, keys, hash, m.etm);
}
