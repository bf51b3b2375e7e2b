/**
 * Web Streams that turn bytes into packets and payloads into bytes, switching cipher suites at
 * the NEWKEYS boundary without losing or reordering a byte.
 * @module
 */
import { WireError } from "./errors.ts";
import { NoneOpener, NoneSealer, type PacketOpener, type PacketSealer } from "./packet.ts";

/** SSH_MSG_NEWKEYS: the message after which each direction switches keys. */
const NEWKEYS = 21;

/** A received packet: its payload (owned by the receiver) and its sequence number. */
export interface Packet {
  /** The decrypted payload; the first byte is the message number. */
  payload: Uint8Array;
  /** The sequence number it arrived with (for SSH_MSG_UNIMPLEMENTED replies). */
  sequence: number;
}

/** How a switch at NEWKEYS treats the sequence number. */
export interface SwitchOptions {
  /** Strict kex (OpenSSH PROTOCOL §1.9): the sequence number restarts at zero. */
  resetSequence?: boolean;
}

/** SSH_MSG_KEXINIT: after the peer's, no packet is opened ahead until the keys have switched. */
const KEXINIT = 20;

/** Opens started ahead of delivery at most (each holds one packet's bytes). */
const MAX_OPENS_AHEAD = 16;

/**
 * Deframes an arbitrarily chunked byte stream into packets. It starts with the `none` opener;
 * after it emits a NEWKEYS packet it waits for the opener given to {@linkcode PacketReader.nextOpener}
 * (which may be given before or after) and opens the following bytes with it.
 *
 * Openers that answer with promises (WebCrypto) get up to 16 packets in flight, so decryption
 * overlaps; packets still come out one by one in order, and a packet that fails to open ends
 * the stream after every packet before it. Nothing is opened ahead from the peer's KEXINIT
 * until the keys have switched, so no packet is opened with keys that are about to change
 * (the peer's NEWKEYS needs our reply to that KEXINIT first, RFC 4253 §7).
 *
 * @example
 * ```ts
 * import { NoneSealer, PacketReader } from "@hush/wire";
 * const bytes = new NoneSealer().seal(new Uint8Array([2, 0, 0, 0, 0])) as Uint8Array;
 * const reader = new PacketReader();
 * const w = reader.writable.getWriter();
 * w.write(bytes.subarray(0, 3)); w.write(bytes.subarray(3)); w.close();
 * for await (const p of reader.readable) console.log(p.payload[0], p.sequence); // 2 0
 * ```
 */
export class PacketReader {
  /** Bytes in. */
  readonly writable: WritableStream<Uint8Array>;
  /** Packets out. */
  readonly readable: ReadableStream<Packet>;
  #opener: PacketOpener = new NoneOpener();
  #next?: { opener: PacketOpener; options: SwitchOptions };
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
  /** Bytes received so far (for rekey limits). */
  bytesIn = 0;
  /** Packets received so far. */
  packetsIn = 0;

  /**
   * Creates a reader that starts with the `none` opener.
   *
   * @param highWaterMark How many packets may wait unread before bytes stop being pulled.
   */
  constructor(highWaterMark = 4) {
    const ts = new TransformStream<Uint8Array, Packet>(
      {
        transform: (chunk, controller) => this.#push(chunk, controller),
        flush: async () => {
          await this.#delivered;
          if (this.#end - this.#start > 0) {
            throw new WireError("Connection closed in the middle of a packet");
          }
        },
      },
      undefined,
      { highWaterMark },
    );
    this.writable = ts.writable;
    this.readable = ts.readable;
  }

  /**
   * The opener to use after the next NEWKEYS received. Setting it twice before that NEWKEYS
   * is a programming error.
   */
  nextOpener(opener: PacketOpener, options: SwitchOptions = {}): void {
    if (this.#next) throw new Error("A next opener is already waiting");
    this.#next = { opener, options };
    this.#nextWaiter?.();
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
    this.#awaitingKeys = false;
    this.#ahead = true;
    this.#async = false;
  }

  /** Hands one opened packet on, in order; notes a KEXINIT or NEWKEYS. */
  #deliver(
    payload: Uint8Array,
    sequence: number,
    controller: TransformStreamDefaultController<Packet>,
  ): void {
    if (payload.length === 0) throw new WireError("Empty packet payload");
    if (this.#awaitingKeys) {
      // Opened ahead with the old keys, yet it follows a NEWKEYS: the peer switched keys
      // without the key exchange that must come first.
      payload.fill(0);
      throw new WireError("Packets followed a NEWKEYS that no key exchange led to");
    }
    this.packetsIn++;
    controller.enqueue({ payload, sequence });
    if (payload[0] === KEXINIT) this.#ahead = false;
    if (payload[0] === NEWKEYS) this.#awaitingKeys = true;
  }

  async #push(
    chunk: Uint8Array,
    controller: TransformStreamDefaultController<Packet>,
  ): Promise<void> {
    this.bytesIn += chunk.length;
    try {
      await this.#readPackets(chunk, controller);
    } catch (e) {
      // Packets opened ahead come out before the error, as if opened one at a time (an
      // earlier failure among them wins).
      await this.#delivered;
      throw e;
    }
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
   * are opened where they arrived, as views when the opener `preservesInput`, else from a copy
   * (an opener may decrypt in place, and the chunk is the writer's, never ours to modify).
   */
  async #readPackets(
    chunk: Uint8Array,
    controller: TransformStreamDefaultController<Packet>,
  ): Promise<void> {
    let off = 0;
    for (;;) {
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
        this.#deliver(await opened, sequence, controller);
        continue;
      }
      const done = this.#delivered.then(async () => {
        try {
          this.#deliver(await opened, sequence, controller);
        } finally {
          this.#inFlight.shift(); // itself: deliveries happen in the order they were queued
        }
      });
      // A failure ends the stream at once (the peer may be waiting for our answer and send
      // nothing more); every packet queued after it is dropped unopened or undelivered.
      done.catch((e) => controller.error(e));
      Promise.resolve(opened).catch(() => {}); // reported through `done`, or moot after a failure
      this.#delivered = done;
      this.#inFlight.push(done);
      if (this.#inFlight.length >= MAX_OPENS_AHEAD) await this.#inFlight[0];
    }
    if (off < chunk.length) this.#append(chunk.subarray(off));
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }
}

/**
 * Bytes of sealed packets the writer holds before a write waits for its output to be read:
 * what one socket write takes at most, so that packets sealed while the previous write was in
 * flight go out together.
 */
export const WRITE_BATCH_LIMIT = 512 * 1024;

/** A sealed packet waiting for the output, or its seal still running. */
interface Sealed {
  bytes?: Uint8Array;
  pending?: Promise<Uint8Array>;
}

/**
 * Frames payloads into bytes with the current sealer. After it seals a NEWKEYS payload it uses
 * the sealer given to {@linkcode PacketWriter.nextSealer} (which must be given before the NEWKEYS
 * is written). Sealers that return promises may have up to `maxInFlight` packets in flight;
 * output order is always input order.
 *
 * The output is pulled: each chunk read holds every packet sealed since the previous read (up
 * to {@linkcode WRITE_BATCH_LIMIT} bytes), so a socket write in flight lets the next packets
 * gather into one write instead of one system call each.
 *
 * @example
 * ```ts
 * import { PacketWriter } from "@hush/wire";
 * const writer = new PacketWriter();
 * const w = writer.writable.getWriter();
 * w.write(new Uint8Array([2, 0, 0, 0, 0])); w.close(); // an empty IGNORE
 * for await (const bytes of writer.readable) console.log(bytes.length); // 16
 * ```
 */
export class PacketWriter {
  /** Payloads in. */
  readonly writable: WritableStream<Uint8Array>;
  /** Bytes out: one or more whole packets per chunk. */
  readonly readable: ReadableStream<Uint8Array>;
  #sealer: PacketSealer = new NoneSealer();
  #next?: { sealer: PacketSealer; options: SwitchOptions };
  #queue: Sealed[] = [];
  #queuedBytes = 0;
  #inFlight = 0;
  #maxInFlight: number;
  #closed = false;
  #error: unknown;
  #wakeReader?: () => void;
  #wakeWriter?: () => void;
  #drained!: () => void;
  /** Settles once every packet has been read from `readable` after a close, or on failure. */
  #allRead = new Promise<void>((resolve) => (this.#drained = resolve));
  /** Bytes sent so far (for rekey limits). */
  bytesOut = 0;
  /** Packets sent so far. */
  packetsOut = 0;

  /**
   * Creates a writer that starts with the `none` sealer.
   *
   * @param options `maxInFlight`: packets sealed concurrently by async sealers (default 16).
   * `random`: padding source for the initial `none` sealer.
   */
  constructor(options: { maxInFlight?: number; random?: (n: number) => Uint8Array } = {}) {
    this.#maxInFlight = options.maxInFlight ?? 16;
    this.#sealer = new NoneSealer(options.random);
    this.writable = new WritableStream<Uint8Array>({
      write: (payload) => this.#write(payload),
      close: async () => {
        this.#closed = true;
        this.#wake();
        // As a TransformStream's close: done once the output has taken every packet.
        await this.#allRead;
        if (this.#error !== undefined) throw this.#error;
      },
      abort: (reason) => this.#fail(reason),
    });
    this.readable = new ReadableStream<Uint8Array>({
      pull: (controller) => this.#pull(controller),
      cancel: (reason) => this.#fail(reason),
    }, { highWaterMark: 0 });
  }

  /** The sealer to switch to right after the next NEWKEYS payload is sealed. */
  nextSealer(sealer: PacketSealer, options: SwitchOptions = {}): void {
    if (this.#next) throw new Error("A next sealer is already waiting");
    this.#next = { sealer, options };
  }

  /** The sealer in use. */
  get sealer(): PacketSealer {
    return this.#sealer;
  }

  async #write(payload: Uint8Array): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    if (payload.length === 0) throw new TypeError("Cannot send an empty payload");
    let sealed: Uint8Array | Promise<Uint8Array>;
    try {
      sealed = this.#sealer.seal(payload);
      this.packetsOut++;
      if (payload[0] === NEWKEYS) {
        if (!this.#next) throw new Error("NEWKEYS sent before the next sealer was set");
        const { sealer, options } = this.#next;
        this.#next = undefined;
        sealer.sequence = options.resetSequence ? 0 : this.#sealer.sequence;
        const old = this.#sealer;
        this.#sealer = sealer;
        // dispose once the NEWKEYS packet itself is sealed
        Promise.resolve(sealed).then(() => old.dispose?.(), () => {});
      }
    } catch (e) {
      this.#fail(e);
      throw e;
    }
    if (sealed instanceof Promise) {
      const entry: Sealed = { pending: sealed };
      this.#inFlight++;
      sealed.then((bytes) => {
        entry.bytes = bytes;
        entry.pending = undefined;
        this.bytesOut += bytes.length;
        this.#queuedBytes += bytes.length;
      }, (e) => this.#fail(e)).finally(() => {
        this.#inFlight--;
        this.#wake();
      });
      this.#queue.push(entry);
    } else {
      this.bytesOut += sealed.length;
      this.#queuedBytes += sealed.length;
      this.#queue.push({ bytes: sealed });
    }
    this.#wake();
    // Backpressure: wait while the output holds a full batch or too many seals run.
    while (
      this.#error === undefined &&
      (this.#queuedBytes >= WRITE_BATCH_LIMIT || this.#inFlight >= this.#maxInFlight)
    ) {
      await new Promise<void>((resolve) => (this.#wakeWriter = resolve));
    }
    if (this.#error !== undefined) throw this.#error;
  }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      if (this.#error !== undefined) throw this.#error;
      const head = this.#queue[0];
      if (head?.bytes) break;
      if (!head && this.#closed) {
        controller.close();
        this.#drained();
        return;
      }
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
    }
    // Every packet sealed and in order from the head, up to one batch.
    let n = 0;
    let bytes = 0;
    while (n < this.#queue.length) {
      const b = this.#queue[n].bytes;
      if (!b || (n > 0 && bytes + b.length > WRITE_BATCH_LIMIT)) break;
      bytes += b.length;
      n++;
    }
    const taken = this.#queue.splice(0, n);
    this.#queuedBytes -= bytes;
    let chunk: Uint8Array;
    if (n === 1) chunk = taken[0].bytes!;
    else {
      chunk = new Uint8Array(bytes);
      let at = 0;
      for (const t of taken) {
        chunk.set(t.bytes!, at);
        at += t.bytes!.length;
      }
    }
    controller.enqueue(chunk);
    this.#wakeWriter?.();
    this.#wakeWriter = undefined;
  }

  #wake(): void {
    this.#wakeReader?.();
    this.#wakeReader = undefined;
    this.#wakeWriter?.();
    this.#wakeWriter = undefined;
  }

  #fail(e: unknown): void {
    this.#error ??= e ?? new Error("Packet writer aborted");
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#wake();
    this.#drained();
  }
}
