/**
 * Turning an arbitrarily chunked byte stream into packets, switching cipher suites at the
 * NEWKEYS boundary without losing or reordering a byte.
 * @module
 */
import { WireError } from "./errors.ts";
import { NoneOpener, type PacketOpener } from "./packet.ts";
import type { PayloadDecompressor } from "./payload_compression.ts";

/** SSH_MSG_NEWKEYS: the message after which each direction switches keys. */
const NEWKEYS = 21;

/** SSH_MSG_KEXINIT: after the peer's, no packet is opened ahead until the keys have switched. */
const KEXINIT = 20;

/** Opens started ahead of delivery at most (each holds one packet's bytes). */
const MAX_OPENS_AHEAD = 16;

/**
 * A payload opened in place keeps its whole chunk alive while anyone holds it. Only packets of
 * at least this size, and at least 1/{@linkcode IN_PLACE_SHARE} of their chunk's memory, are
 * opened so: what a slow reader holds is then at most that many times the payload bytes it
 * holds (bulk data, where the gain is, comes in packets of 32 KiB in chunks of 64–512 KiB).
 */
const IN_PLACE_MIN_BYTES = 8192;
const IN_PLACE_SHARE = 16;

/**
 * A received packet: its payload (owned by the receiver) and its sequence number.
 *
 * @example
 * ```ts
 * import type { Packet } from "@hush/wire";
 * const messageNumber = (p: Packet): number => p.payload[0];
 * ```
 */
export interface Packet {
  /** The decrypted payload; the first byte is the message number. */
  payload: Uint8Array;
  /** The sequence number it arrived with (for SSH_MSG_UNIMPLEMENTED replies). */
  sequence: number;
}

/**
 * How a switch at NEWKEYS treats the sequence number.
 *
 * @example
 * ```ts
 * import type { SwitchOptions } from "@hush/wire";
 * const strictKex: SwitchOptions = { resetSequence: true };
 * ```
 */
export interface SwitchOptions {
  /** Strict kex (OpenSSH PROTOCOL §1.9): the sequence number restarts at zero. */
  resetSequence?: boolean;
}

/**
 * How a deframer switches at the peer's NEWKEYS: the sequence number, and the decompression
 * stage of the new keys.
 *
 * @example
 * ```ts
 * import type { OpenerSwitchOptions } from "@hush/wire";
 * const uncompressed: OpenerSwitchOptions = { resetSequence: false, decompressor: undefined };
 * ```
 */
export interface OpenerSwitchOptions extends SwitchOptions {
  /**
   * Decompresses every payload opened with the new keys (`zlib`, or `zlib@openssh.com` after
   * authentication: a fresh stream each key exchange, RFC 4253 §6.2). None when absent.
   */
  decompressor?: PayloadDecompressor;
}

/**
 * Deframes an arbitrarily chunked byte stream into packets, with no stream stage of its own:
 * the caller pushes the bytes it reads and gets each packet through a callback. It starts with
 * the `none` opener; after it hands on a NEWKEYS packet it waits for the opener given to
 * {@linkcode PacketDeframer.nextOpener} (which may be given before or after) and opens the
 * following bytes with it.
 *
 * Only a packet split across chunks is copied (just its bytes, into a buffer of its own); whole
 * packets are opened where they arrived (in place, when the caller gives the chunk up).
 * Openers that answer with promises (WebCrypto) get up to 16 packets in flight, so decryption
 * overlaps; packets still come out one by one in order, and a packet that fails to open ends
 * the reading after every packet before it. Nothing is opened ahead from the peer's KEXINIT until the keys have switched, so no packet is opened
 * with keys that are about to change (the peer's NEWKEYS needs our reply to that KEXINIT
 * first, RFC 4253 §7).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NoneSealer, PacketDeframer } from "@hush/wire";
 * const bytes = new NoneSealer().seal(new Uint8Array([2, 0, 0, 0, 0])) as Uint8Array;
 * const seen: [number, number][] = [];
 * const deframer = new PacketDeframer((p) => void seen.push([p.payload[0], p.sequence]));
 * await deframer.push(bytes.subarray(0, 3));
 * await deframer.push(bytes.subarray(3));
 * await deframer.end();
 * assert.deepEqual(seen, [[2, 0]]);
 * ```
 */
export class PacketDeframer {
  #onPacket: (packet: Packet) => void | Promise<void>;
  #onFailure?: (error: unknown) => void;
  #opener: PacketOpener = new NoneOpener();
  #next?: { opener: PacketOpener; options: OpenerSwitchOptions };
  #decompressor?: PayloadDecompressor;
  #nextWaiter?: () => void;
  #awaitingKeys = false;
  /** Opening ahead is allowed: keys in use and no KEXINIT from the peer since they came. */
  #ahead = false;
  /** The last open answered with a promise (an asynchronous opener). */
  #async = false;
  /** Opens started ahead, oldest first, each delivered in order by `#delivered`. */
  #inFlight: Promise<void>[] = [];
  /** Resolves once every packet opened so far has been delivered (rejects on the first failure). */
  #delivered: Promise<void> = Promise.resolve();
  #buf = new Uint8Array(0);
  #scratch = new Uint8Array(0);
  #start = 0;
  #end = 0;
  #need = 0; // whole size of the packet being read, 0 while its header is unread
  /** The first failure of a packet opened ahead. */
  #failed: unknown;
  /** Bytes received so far (for rekey limits). */
  bytesIn = 0;
  /** Packets received so far. */
  packetsIn = 0;

  /**
   * A deframer that starts with the `none` opener and hands each packet, in order, to
   * `onPacket`; a promise it returns is awaited before the next packet is handed on.
   * `onFailure` hears at once of a packet opened ahead that failed (the next `push` or `end`
   * rejects with it too).
   */
  constructor(
    onPacket: (packet: Packet) => void | Promise<void>,
    onFailure?: (error: unknown) => void,
  ) {
    this.#onPacket = onPacket;
    this.#onFailure = onFailure;
  }

  /**
   * Opens every whole packet in `chunk` (and what earlier chunks left), handing each on;
   * resolves once they all have been. Rejects with the first failure (a WireError, a cipher's
   * error, or `onPacket`'s), after every packet before it was handed on.
   *
   * With `owned`, the caller gives the chunk up: large packets whole in it are opened in place
   * where the opener can (`openInPlace`), their payloads views of the chunk. Otherwise the
   * chunk is only read, and only until this resolves.
   */
  async push(chunk: Uint8Array, owned = false): Promise<void> {
    this.bytesIn += chunk.length;
    try {
      await this.#readPackets(chunk, owned);
    } catch (e) {
      // Packets opened ahead come out before the error, as if opened one at a time (an
      // earlier failure among them wins).
      await this.#delivered;
      throw e;
    }
  }

  /** The byte stream ended: rejects when it ended in the middle of a packet. */
  async end(): Promise<void> {
    await this.#delivered;
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#end - this.#start > 0) {
      throw new WireError("Connection closed in the middle of a packet");
    }
  }

  /**
   * The opener (and decompression stage) to use after the next NEWKEYS received. Setting it
   * twice before that NEWKEYS is a programming error.
   */
  nextOpener(opener: PacketOpener, options: OpenerSwitchOptions = {}): void {
    if (this.#next) throw new TypeError("A next opener is already waiting");
    this.#next = { opener, options };
    this.#nextWaiter?.();
  }

  /**
   * Decompresses every payload delivered from now on (`zlib@openssh.com`, which starts after
   * authentication, not at NEWKEYS). The next key switch replaces it with the new keys' stage.
   * Starting a second stage while one runs is a programming error.
   */
  startDecompression(decompressor: PayloadDecompressor): void {
    if (this.#decompressor) throw new TypeError("Decompression has already started");
    this.#decompressor = decompressor;
  }

  /** Payloads are being decompressed. */
  get decompressing(): boolean {
    return this.#decompressor !== undefined;
  }

  /**
   * The opener in use. Its `sequence` is the next sequence number to open, which runs ahead of
   * the packets delivered while opens are in flight; each {@linkcode Packet} carries its own.
   */
  get opener(): PacketOpener {
    return this.#opener;
  }

  #append(chunk: Uint8Array): void {
    const have = this.#end - this.#start;
    if (this.#end + chunk.length > this.#buf.length) {
      if (have + chunk.length <= this.#buf.length && this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const next = new Uint8Array(Math.max(have + chunk.length, this.#buf.length * 2, 16384));
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#start = 0;
      this.#end = have;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** Copies bytes of the caller's chunk into the scratch buffer (grown as needed, kept). */
  #copy(bytes: Uint8Array): Uint8Array {
    if (this.#scratch.length < bytes.length) {
      this.#scratch = new Uint8Array(Math.max(bytes.length, 2 * this.#scratch.length));
    }
    const out = this.#scratch.subarray(0, bytes.length);
    out.set(bytes);
    return out;
  }

  async #switchKeys(): Promise<void> {
    if (!this.#next) {
      await new Promise<void>((resolve) => (this.#nextWaiter = resolve));
      this.#nextWaiter = undefined;
    }
    const { opener, options } = this.#next!;
    this.#next = undefined;
    opener.sequence = options.resetSequence ? 0 : this.#opener.sequence;
    this.#opener.dispose?.();
    this.#opener = opener;
    this.#decompressor?.dispose?.();
    this.#decompressor = options.decompressor;
    this.#awaitingKeys = false;
    this.#ahead = true;
    this.#async = false;
  }

  /** Hands one opened packet on, in order, decompressed; notes a KEXINIT or NEWKEYS. */
  #deliver(opened: Uint8Array, sequence: number): void | Promise<void> {
    if (this.#awaitingKeys) {
      // Opened ahead with the old keys, yet it follows a NEWKEYS: the peer switched keys
      // without the key exchange that must come first.
      opened.fill(0);
      throw new WireError("Packets followed a NEWKEYS that no key exchange led to");
    }
    // Decompressed here, in delivery order, so that a stage started by the packet before
    // (USERAUTH_SUCCESS) applies from the very next one.
    const payload = this.#decompressor ? this.#decompressor.decompress(opened) : opened;
    if (payload.length === 0) throw new WireError("Empty packet payload");
    this.packetsIn++;
    if (payload[0] === KEXINIT) this.#ahead = false;
    if (payload[0] === NEWKEYS) this.#awaitingKeys = true;
    return this.#onPacket({ payload, sequence });
  }

  /**
   * Takes `want` bytes into the buffer from `chunk` at `off` (as many as there are); returns
   * how many it took.
   */
  #fill(chunk: Uint8Array, off: number, want: number): number {
    const take = Math.min(want, chunk.length - off);
    if (take > 0) this.#append(chunk.subarray(off, off + take));
    return take;
  }

  /**
   * Opens every whole packet in the buffer and `chunk`, keeping the rest for later. Only a
   * packet split across chunks is copied into the buffer (just its own bytes); whole packets
   * are opened where they arrived: in place when the chunk is `owned` and the opener can, as
   * views when the opener `preservesInput`, else from a copy (an opener may decrypt in place,
   * and a chunk not owned is the writer's, never ours to modify).
   */
  async #readPackets(chunk: Uint8Array, owned: boolean): Promise<void> {
    let off = 0;
    for (;;) {
      if (this.#failed !== undefined) throw this.#failed;
      if (!this.#ahead || !this.#async) {
        // One at a time: whatever is in flight is delivered before the next header is read.
        await this.#delivered;
        if (this.#awaitingKeys) await this.#switchKeys();
      }
      const opener = this.#opener;
      let packet: Uint8Array;
      let fromBuffer = false;
      if (this.#end > this.#start) {
        // A packet begun in an earlier chunk: complete it from this one.
        if (this.#need === 0) {
          off += this.#fill(chunk, off, opener.headerLength - (this.#end - this.#start));
          if (this.#end - this.#start < opener.headerLength) break;
          this.#need = opener.packetLength(
            this.#buf.subarray(this.#start, this.#start + opener.headerLength),
          );
        }
        off += this.#fill(chunk, off, this.#need - (this.#end - this.#start));
        if (this.#end - this.#start < this.#need) break;
        packet = this.#buf.subarray(this.#start, this.#start + this.#need);
        this.#start += this.#need;
        fromBuffer = true;
      } else {
        const avail = chunk.length - off;
        if (this.#need === 0) {
          if (avail < opener.headerLength) break;
          this.#need = opener.packetLength(
            this.#copy(chunk.subarray(off, off + opener.headerLength)),
          );
        }
        if (avail < this.#need) break;
        packet = chunk.subarray(off, off + this.#need);
        off += this.#need;
      }
      this.#need = 0;
      const ahead = this.#ahead && this.#async;
      if (
        owned && !fromBuffer && !ahead && opener.openInPlace &&
        packet.length >= IN_PLACE_MIN_BYTES &&
        packet.length * IN_PLACE_SHARE >= chunk.buffer.byteLength
      ) {
        const sequence = opener.sequence;
        this.#async = false;
        const handed = this.#deliver(opener.openInPlace(packet), sequence);
        if (handed) await handed;
        continue;
      }
      // Opened ahead, a packet keeps bytes of its own until its promise settles, unless the
      // opener is done with them when it returns; the buffer is ours but is reused.
      let packetBytes = packet;
      if (!opener.preservesInput) {
        packetBytes = ahead || fromBuffer ? packet.slice() : this.#copy(packet);
      }
      if (this.#start === this.#end) this.#start = this.#end = 0;
      const sequence = opener.sequence;
      const opened = opener.open(packetBytes);
      this.#async = opened instanceof Promise;
      if (!ahead) {
        const payload = opened instanceof Promise ? await opened : opened;
        const handed = this.#deliver(payload, sequence);
        if (handed) await handed;
        continue;
      }
      const done = this.#delivered.then(async () => {
        try {
          await this.#deliver(await opened, sequence);
        } finally {
          this.#inFlight.shift(); // itself: deliveries happen in the order they were queued
        }
      });
      // A failure ends the reading at once (the peer may be waiting for our answer and send
      // nothing more); every packet queued after it is dropped unopened or undelivered.
      done.catch((e) => {
        if (this.#failed !== undefined) return;
        this.#failed = e;
        this.#onFailure?.(e);
      });
      Promise.resolve(opened).catch(() => {}); // reported through `done`, or moot after a failure
      this.#delivered = done;
      this.#inFlight.push(done);
      if (this.#inFlight.length >= MAX_OPENS_AHEAD) await this.#inFlight[0];
    }
    if (off < chunk.length) this.#append(chunk.subarray(off));
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }
}
