/**
 * chacha20-poly1305@openssh.com on the package's WebAssembly module (`wasm/chacha20_poly1305.c`,
 * built by `wasm/build.sh`): a packet is framed straight into the module's I/O area, sealed or
 * opened there in one call (SIMD ChaCha20, 26-bit-limb Poly1305, constant-time tag check), and
 * copied out once. Measured against noble, `node:crypto` and libsodium's WebAssembly build in
 * bench/README.md. The module holds no key between calls: each call copies the 64-byte key in
 * and the module wipes it (and every derived secret) before returning.
 * @module
 */
import {
  decodeBase64,
  type PacketOpener,
  type PacketSealer,
  paddingLength,
  type RandomSource,
} from "@hush/wire";
import { CHACHA20_POLY1305_WASM } from "./chacha20_poly1305_wasm_module.ts";
import { CipherError } from "./errors.ts";
import {
  checkPacketLength,
  macError,
  needHeader,
  poolRandom,
  sizeMismatch,
  writeUint32,
} from "./packet_layout.ts";

const TAG = 16;

/** The module's exports (`wasm/chacha20_poly1305.c`). */
interface Exports {
  memory: WebAssembly.Memory;
  io(): number;
  key(): number;
  io_size(): number;
  packet_length(seq: number): number;
  open(seq: number, n: number): number;
  seal(seq: number, n: number): void;
  poly1305(len: number): void;
  chacha20(n0: number, n1: number, counterLo: number, counterHi: number, len: number): void;
}

/**
 * An instance of the chacha20-poly1305 WebAssembly module, from {@linkcode loadChaChaPolyWasm}.
 * One instance serves every sealer and opener of the process (calls never overlap: each runs to
 * its end synchronously).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadChaChaPolyWasm } from "@hush/cipher";
 * const wasm = await loadChaChaPolyWasm();
 * assert.equal(wasm.ioSize, 262208);
 * ```
 */
export class ChaChaPolyWasm {
  /** Bytes of the I/O area: the largest packet (length, body and tag) one call takes. */
  readonly ioSize: number;
  #x: Exports;
  #mem: Uint8Array;
  #io: number;
  #key: number;

  /** Use {@linkcode loadChaChaPolyWasm}. */
  constructor(instance: WebAssembly.Instance) {
    this.#x = instance.exports as unknown as Exports;
    // The memory cannot grow (its maximum is its initial size), so one view stays valid.
    this.#mem = new Uint8Array(this.#x.memory.buffer);
    this.#io = this.#x.io();
    this.#key = this.#x.key();
    this.ioSize = this.#x.io_size();
  }

  /** The I/O area (a view into the module's memory; valid until the next call). */
  get io(): Uint8Array {
    return this.#mem.subarray(this.#io, this.#io + this.ioSize);
  }

  /** packet_length of the packet whose first 4 bytes are in the I/O area. */
  packetLength(key: Uint8Array, sequence: number): number {
    this.#mem.set(key, this.#key);
    return this.#x.packet_length(sequence) >>> 0;
  }

  /** Opens length ‖ body(n) ‖ tag in the I/O area: 1 opened, 0 bad tag, 2 length mismatch. */
  open(key: Uint8Array, sequence: number, n: number): number {
    this.#mem.set(key, this.#key);
    return this.#x.open(sequence, n);
  }

  /** Seals clear length ‖ body(n) in the I/O area in place and appends the tag. */
  seal(key: Uint8Array, sequence: number, n: number): void {
    this.#mem.set(key, this.#key);
    this.#x.seal(sequence, n);
  }

  /** Poly1305 of `message` under `oneTimeKey` (RFC 8439 §2.5), for known-answer tests. */
  poly1305(oneTimeKey: Uint8Array, message: Uint8Array): Uint8Array {
    if (oneTimeKey.length !== 32 || message.length > this.ioSize - 32) {
      throw new RangeError("poly1305: a 32-byte key and a message that fits the I/O area");
    }
    const io = this.io;
    io.set(oneTimeKey);
    io.set(message, 32);
    this.#x.poly1305(message.length);
    const tag = io.slice(0, 16);
    io.fill(0, 0, 32 + message.length);
    return tag;
  }

  /** DJB's ChaCha20 keystream XORed into `data` (64-bit nonce and counter), for tests. */
  chacha20(key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
    if (key.length !== 32 || nonce.length !== 8 || data.length > this.ioSize) {
      throw new RangeError("chacha20: a 32-byte key, an 8-byte nonce and data that fits");
    }
    const io = this.io;
    io.set(data);
    const keyArea = this.#mem.subarray(this.#key, this.#key + 64);
    keyArea.set(key);
    const view = new DataView(nonce.buffer, nonce.byteOffset, 8);
    const hi = Math.floor(counter / 0x1_0000_0000);
    this.#x.chacha20(
      view.getUint32(0, true),
      view.getUint32(4, true),
      counter >>> 0,
      hi,
      data.length,
    );
    const out = io.slice(0, data.length);
    io.fill(0, 0, data.length);
    return out;
  }
}

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * Compiles (once per process) and instantiates the chacha20-poly1305 module. Rejects where
 * WebAssembly or its 128-bit SIMD is missing; callers then leave the `wasm` backend out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createOpener, createSealer, loadChaChaPolyWasm } from "@hush/cipher";
 * const backends = { providers: { wasm: await loadChaChaPolyWasm() } };
 * const keys = { iv: new Uint8Array(0), key: new Uint8Array(64).fill(1), macKey: new Uint8Array(0) };
 * const c = "chacha20-poly1305@openssh.com";
 * const packet = await createSealer(c, undefined, keys, { backends }).seal(new Uint8Array([94, 7]));
 * assert.deepEqual(
 *   await createOpener(c, undefined, keys, { backends }).open(packet),
 *   new Uint8Array([94, 7]),
 * );
 * ```
 */
export async function loadChaChaPolyWasm(): Promise<ChaChaPolyWasm> {
  compiled ??= WebAssembly.compile(decodeBase64(CHACHA20_POLY1305_WASM)!);
  return new ChaChaPolyWasm(await WebAssembly.instantiate(await compiled, {}));
}

/** The packet body (padding length, payload, padding) size and the key copy both ends keep. */
function keyCopy(key: Uint8Array): Uint8Array {
  if (key.length !== 64) throw new RangeError("chacha20-poly1305 needs 64 bytes of key");
  return new Uint8Array(key);
}

/** Seals packets with chacha20-poly1305@openssh.com in WebAssembly. */
export class WasmChaChaPolySealer implements PacketSealer {
  /** Sequence number of the next packet. */
  sequence = 0;
  #wasm: ChaChaPolyWasm;
  #key: Uint8Array;
  #random?: RandomSource;

  /** @param key 64 bytes (copied): K_2 then K_1. */
  constructor(wasm: ChaChaPolyWasm, key: Uint8Array, random?: RandomSource) {
    this.#wasm = wasm;
    this.#key = keyCopy(key);
    this.#random = random;
  }

  /** Frames the payload in the module's I/O area, seals it there, returns a copy. */
  seal(payload: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.sealedLength(payload.length));
    this.sealInto(payload, out, 0);
    return out;
  }

  /** The sealed size of a payload of `payloadLength` bytes. */
  sealedLength(payloadLength: number): number {
    return 4 + 1 + payloadLength + paddingLength(payloadLength, 8, true) + TAG;
  }

  /** Seals in the module's I/O area and copies the packet into `out` at `at`. */
  sealInto(payload: Uint8Array, out: Uint8Array, at: number): number {
    const pad = paddingLength(payload.length, 8, true);
    const n = 1 + payload.length + pad;
    const io = this.#wasm.io;
    if (4 + n + TAG > io.length) {
      throw new RangeError(`Payload of ${payload.length} bytes is too long`);
    }
    writeUint32(io, 0, n);
    io[4] = pad;
    io.set(payload, 5);
    io.set((this.#random ?? poolRandom)(pad), 5 + payload.length);
    this.#wasm.seal(this.#key, this.sequence, n);
    this.sequence = (this.sequence + 1) >>> 0;
    out.set(io.subarray(0, 4 + n + TAG), at);
    return 4 + n + TAG;
  }

  /** Zeroes the key. */
  dispose(): void {
    this.#key.fill(0);
  }
}

/** Opens packets sealed with chacha20-poly1305@openssh.com, in WebAssembly. */
export class WasmChaChaPolyOpener implements PacketOpener {
  /** Sequence number of the next packet. */
  sequence = 0;
  /** It decrypts into memory of its own and copies what it keeps before returning. */
  readonly preservesInput = true;
  /** The encrypted length field. */
  readonly headerLength = 4;
  #wasm: ChaChaPolyWasm;
  #key: Uint8Array;

  /** @param key 64 bytes (copied): K_2 then K_1. */
  constructor(wasm: ChaChaPolyWasm, key: Uint8Array) {
    this.#wasm = wasm;
    this.#key = keyCopy(key);
  }

  /** Decrypts the length under K_1 and checks it. */
  packetLength(header: Uint8Array): number {
    needHeader(header, 4);
    this.#wasm.io.set(header.subarray(0, 4));
    const n = this.#wasm.packetLength(this.#key, this.sequence);
    checkPacketLength(n, 8, true);
    return 4 + n + TAG;
  }

  /** Verifies the tag, then decrypts; the payload comes back in a fresh array. */
  open(packet: Uint8Array): Uint8Array {
    const io = this.#wasm.io;
    try {
      const [from, to] = this.#openInModule(packet);
      return io.slice(from, to);
    } finally {
      io.fill(0, 0, packet.length); // the plaintext does not stay in the module's memory
    }
  }

  /**
   * As {@linkcode WasmChaChaPolyOpener.open}, but the payload is written back over the packet's
   * own bytes and returned as a view of them: no memory is allocated. For a packet its caller
   * owns and gives up.
   */
  openInPlace(packet: Uint8Array): Uint8Array {
    const io = this.#wasm.io;
    try {
      const [from, to] = this.#openInModule(packet);
      packet.set(io.subarray(from, to), from);
      // a plain Uint8Array, as every payload is, even over a Node Buffer
      return new Uint8Array(packet.buffer, packet.byteOffset + from, to - from);
    } finally {
      io.fill(0, 0, packet.length);
    }
  }

  /**
   * Checks and decrypts the packet in the module's I/O area; returns where its payload lies
   * there and advances the sequence number. The caller zeroes the area.
   */
  #openInModule(packet: Uint8Array): [number, number] {
    needHeader(packet, 4 + 8 + TAG);
    const n = packet.length - 4 - TAG;
    checkPacketLength(n, 8, true);
    const io = this.#wasm.io;
    if (packet.length > io.length) throw sizeMismatch();
    io.set(packet);
    const result = this.#wasm.open(this.#key, this.sequence, n);
    if (result !== 1) throw result === 0 ? macError() : sizeMismatch();
    const pad = io[4];
    if (pad < 4) throw new CipherError(`Padding of ${pad} bytes is under the minimum of 4`);
    if (pad + 1 > n) throw new CipherError("Padding longer than the packet");
    this.sequence = (this.sequence + 1) >>> 0;
    return [5, 4 + n - pad];
  }

  /** Zeroes the key. */
  dispose(): void {
    this.#key.fill(0);
  }
}
