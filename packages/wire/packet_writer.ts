/**
 * Sealing payloads into packets and handing them to the byte stream in batches, switching
 * cipher suites right after a NEWKEYS payload.
 * @module
 */
import { DisconnectReason, WireError } from "./errors.ts";
import { NoneSealer, type PacketSealer } from "./packet.ts";
import type { SwitchOptions } from "./packet_deframer.ts";
import type { PayloadCompressor } from "./payload_compression.ts";

/** SSH_MSG_NEWKEYS: the message after which each direction switches keys. */
const NEWKEYS = 21;

/**
 * Bytes of sealed packets the writer holds before `write()` waits for its output to be read:
 * what one read of the output (one socket write) takes at most. Packets sealed while the
 * previous write was in flight go out together instead of one system call each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WRITE_BATCH_LIMIT } from "@hush/wire";
 * assert.equal(WRITE_BATCH_LIMIT, 524288);
 * ```
 */
export const WRITE_BATCH_LIMIT = 512 * 1024;

/**
 * How a writer switches right after our NEWKEYS: the sequence number, and the compression stage
 * of the new keys.
 *
 * @example
 * ```ts
 * import type { SealerSwitchOptions } from "@hush/wire";
 * const uncompressed: SealerSwitchOptions = { resetSequence: true, compressor: undefined };
 * ```
 */
export interface SealerSwitchOptions extends SwitchOptions {
  /**
   * Compresses every payload sealed with the new keys (`zlib`, or `zlib@openssh.com` after
   * authentication: a fresh stream each key exchange, RFC 4253 §6.2). None when absent.
   */
  compressor?: PayloadCompressor;
}

/**
 * Smallest buffer a batch is sealed into; it grows to what the output took last time (twice
 * that, up to {@linkcode WRITE_BATCH_LIMIT}), so a bulk transfer fills few large buffers and a
 * keystroke costs a small one.
 */
const MIN_BATCH_CAPACITY = 16 * 1024;

/** Buffers kept for reuse once the output is done with them (see `PacketWriter.recycle`). */
const SPARE_BATCHES = 2;

/**
 * Packets waiting for the output, in order: one packet from `seal` (`bytes` once its seal
 * settles), or a batch of packets sealed with `sealInto` or `sealIntoLater` into `batch` (the
 * first `used` bytes; ready once none is `pending`).
 */
interface Sealed {
  bytes?: Uint8Array;
  batch?: Uint8Array;
  /** A batch: its buffer is the writer's own. */
  own?: boolean;
  used: number;
  /** A batch: packets laid out in it whose sealed bytes are still on their way. */
  pending?: number;
  /** A batch the output waits for: what is sealed next goes into a new one. */
  closed?: boolean;
  /** Bytes of it written with `writeReply`. */
  replies: number;
}

/**
 * Seals payloads with the current sealer and queues the packets, in order, for its output.
 * After it seals a NEWKEYS payload it uses the sealer given to {@linkcode PacketWriter.nextSealer}
 * (which must be given before the NEWKEYS is written). Sealers that return promises may have up
 * to `maxInFlight` packets in flight; output order is always input order.
 *
 * Two ways in: {@linkcode PacketWriter.write} waits while a batch is queued (the sender's
 * backpressure), {@linkcode PacketWriter.writeReply} never waits and counts the packet in
 * {@linkcode PacketWriter.replyBacklog} until the output takes it — the receive loop stops
 * reading a peer whose answers it cannot deliver. The output, `readable`, is pulled: each chunk
 * holds every packet queued since the previous read, up to {@linkcode WRITE_BATCH_LIMIT} bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PacketWriter } from "@hush/wire";
 * const writer = new PacketWriter();
 * await writer.write(new Uint8Array([2, 0, 0, 0, 0])); // an empty IGNORE
 * writer.writeReply(new Uint8Array([2, 0, 0, 0, 0]));
 * writer.close();
 * const chunks: number[] = [];
 * for await (const bytes of writer.readable) chunks.push(bytes.length);
 * assert.deepEqual(chunks, [32]); // both at once
 * ```
 */
export class PacketWriter {
  /** Bytes out: one or more whole packets per chunk. */
  readonly readable: ReadableStream<Uint8Array>;
  #writable?: WritableStream<Uint8Array>;
  #sealer: PacketSealer = new NoneSealer();
  #next?: { sealer: PacketSealer; options: SealerSwitchOptions };
  #compressor?: PayloadCompressor;
  #queue: Sealed[] = [];
  #queuedBytes = 0;
  #replyBytes = 0;
  #batchCapacity = MIN_BATCH_CAPACITY;
  /** The last chunk the output read, when it is a buffer of ours (a batch, or a join). */
  #lent?: Uint8Array;
  /** Buffers the output is done with, to seal the next batches into. */
  #spare: Uint8Array[] = [];
  #inFlight = 0;
  #maxInFlight: number;
  #closed = false;
  #error: unknown;
  #wakeReader?: () => void;
  #roomWaiters: (() => void)[] = [];
  #replyWaiters: { below: number; resolve: () => void }[] = [];
  #drained!: () => void;
  /** Settles once every packet has been read from `readable` after a close, or on failure. */
  #allRead = new Promise<void>((resolve) => (this.#drained = resolve));
  /** Bytes sealed so far (for rekey limits). */
  bytesOut = 0;
  /** Packets sealed so far. */
  packetsOut = 0;
  /** Buffers allocated so far for batches and joins (a bulk transfer cycles through a few). */
  buffersAllocated = 0;

  /**
   * Creates a writer that starts with the `none` sealer.
   *
   * @param options `maxInFlight`: packets sealed concurrently by async sealers (default 16).
   * `random`: padding source for the initial `none` sealer.
   */
  constructor(options: { maxInFlight?: number; random?: (n: number) => Uint8Array } = {}) {
    this.#maxInFlight = options.maxInFlight ?? 16;
    this.#sealer = new NoneSealer(options.random);
    this.readable = new ReadableStream<Uint8Array>({
      pull: (controller) => this.#pull(controller),
      cancel: (reason) =>
        this.#fail(reason ?? new WireError("Output cancelled", DisconnectReason.CONNECTION_LOST)),
    }, { highWaterMark: 0 });
  }

  /**
   * Payloads in, as a stream: each write is {@linkcode PacketWriter.write}, closing it is
   * {@linkcode PacketWriter.close} and resolves once the output has taken every packet.
   */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= new WritableStream<Uint8Array>({
      write: (payload) => this.write(payload),
      close: async () => {
        this.close();
        await this.#allRead;
        if (this.#error !== undefined) throw this.#error;
      },
      abort: (reason) =>
        this.#fail(
          reason ?? new WireError("Packet writer aborted", DisconnectReason.CONNECTION_LOST),
        ),
    });
  }

  /**
   * The sealer (and compression stage) to switch to right after the next NEWKEYS payload is
   * sealed.
   */
  nextSealer(sealer: PacketSealer, options: SealerSwitchOptions = {}): void {
    if (this.#next) throw new TypeError("A next sealer is already waiting");
    this.#next = { sealer, options };
  }

  /**
   * Compresses every payload written from now on (`zlib@openssh.com`, which starts after
   * authentication, not at NEWKEYS). The next key switch replaces it with the new keys' stage.
   * Starting a second stage while one runs is a programming error.
   */
  startCompression(compressor: PayloadCompressor): void {
    if (this.#compressor) throw new TypeError("Compression has already started");
    this.#compressor = compressor;
  }

  /** Payloads are being compressed. */
  get compressing(): boolean {
    return this.#compressor !== undefined;
  }

  /**
   * A payload written now is done with once `write` or `writeReply` returns (the sealer seals
   * synchronously with `sealInto`, or a compressor copies it first): the caller may reuse its
   * buffer for the next message.
   */
  get takesPayloadAtOnce(): boolean {
    const sealer = this.#sealer;
    return this.#compressor !== undefined || sealer.sealInto !== undefined ||
      sealer.sealIntoLater !== undefined;
  }

  /** The sealer in use. */
  get sealer(): PacketSealer {
    return this.#sealer;
  }

  /** Bytes sealed and not yet taken by the output. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Bytes written with `writeReply` not yet taken by the output. */
  get replyBacklog(): number {
    return this.#replyBytes;
  }

  /** Settles once the reply backlog is at most `bytes` (or the writer failed). */
  replyBacklogAtMost(bytes: number): Promise<void> {
    if (this.#replyBytes <= bytes || this.#error !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.#replyWaiters.push({ below: bytes, resolve }));
  }

  /**
   * Seals and queues a payload; resolves once the queue has room for more (at once while less
   * than a batch is queued). Rejects once the writer has failed (its output cancelled, a seal
   * failed) and throws for an empty payload.
   */
  async write(payload: Uint8Array): Promise<void> {
    this.#enqueue(payload, false);
    while (this.#error === undefined && this.#full()) {
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    }
    if (this.#error !== undefined) throw this.#error;
  }

  /**
   * Seals and queues an answer the receive loop owes the peer, without waiting; it counts in
   * {@linkcode PacketWriter.replyBacklog} until the output takes it. Throws like `write`.
   */
  writeReply(payload: Uint8Array): void {
    this.#enqueue(payload, true);
  }

  /** Ends the output once every queued packet has been read. */
  close(): void {
    this.#closed = true;
    this.#wakeReader?.();
  }

  #full(): boolean {
    return this.#queuedBytes >= WRITE_BATCH_LIMIT || this.#inFlight >= this.#maxInFlight;
  }

  #enqueue(payload: Uint8Array, reply: boolean): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.#closed) throw new TypeError("The packet writer is closed");
    if (payload.length === 0) throw new TypeError("Cannot send an empty payload");
    let sealed: Uint8Array | Promise<Uint8Array> | undefined;
    let later: Promise<void> | undefined;
    try {
      // Compressed in the order written, right before sealing (RFC 4253 §6.2).
      const body = this.#compressor ? this.#compressor.compress(payload) : payload;
      const sealer = this.#sealer;
      if (sealer.sealInto !== undefined && sealer.sealedLength !== undefined) {
        const batch = this.#batchWithRoom(sealer.sealedLength(body.length));
        const n = sealer.sealInto(body, batch.batch!, batch.used);
        batch.used += n;
        if (reply) batch.replies += n;
        this.#added(n, reply);
      } else if (sealer.sealIntoLater !== undefined && sealer.sealedLength !== undefined) {
        const n = sealer.sealedLength(body.length);
        const batch = this.#batchWithRoom(n);
        later = sealer.sealIntoLater(body, batch.batch!, batch.used);
        batch.used += n;
        if (reply) batch.replies += n;
        if (later === undefined) this.#added(n, reply);
        else this.#sealLater(batch, n, reply, later);
      } else {
        sealed = sealer.seal(body);
      }
      this.packetsOut++;
      if (payload[0] === NEWKEYS) {
        if (!this.#next) throw new TypeError("NEWKEYS sent before the next sealer was set");
        const { sealer, options } = this.#next;
        this.#next = undefined;
        sealer.sequence = options.resetSequence ? 0 : this.#sealer.sequence;
        this.#compressor?.dispose?.();
        this.#compressor = options.compressor;
        const old = this.#sealer;
        this.#sealer = sealer;
        // dispose once the NEWKEYS packet itself is sealed
        Promise.resolve(sealed ?? later).then(() => old.dispose?.(), () => {});
      }
    } catch (e) {
      this.#fail(e);
      throw e;
    }
    if (sealed === undefined) return;
    const entry: Sealed = { used: 0, replies: 0 };
    this.#queue.push(entry);
    if (sealed instanceof Promise) {
      this.#inFlight++;
      sealed.then((bytes) => this.#sealed(entry, bytes, reply), (e) => this.#fail(e)).finally(
        () => {
          this.#inFlight--;
          this.#wakeWriters();
        },
      );
    } else {
      this.#sealed(entry, sealed, reply);
    }
  }

  /** Counts a packet of `n` bytes laid out in `batch` once `later` has put its sealed bytes in. */
  #sealLater(batch: Sealed, n: number, reply: boolean, later: Promise<void>): void {
    batch.pending = (batch.pending ?? 0) + 1;
    this.#inFlight++;
    later.then(() => {
      batch.pending!--;
      this.#added(n, reply);
    }, (e) => this.#fail(e)).finally(() => {
      this.#inFlight--;
      this.#wakeWriters();
    });
  }

  /**
   * Hands back a chunk read from `readable` whose write is over (the sink no longer reads it),
   * so that later packets are sealed into it instead of a fresh buffer: a bulk transfer then
   * cycles through the same few buffers. Chunks that are not the writer's own are ignored.
   */
  recycle(chunk: Uint8Array): void {
    const lent = this.#lent;
    if (lent === undefined || chunk.buffer !== lent.buffer) return;
    this.#lent = undefined;
    this.#keepSpare(lent);
  }

  /** Keeps a buffer of the writer's own that nothing reads any more, for later batches. */
  #keepSpare(buffer: Uint8Array): void {
    const spare = this.#spare;
    if (spare.length < SPARE_BATCHES) spare.push(buffer);
    else {
      // Keep the larger ones: batches grow with the traffic, and a small buffer would stay
      // unused while the larger ones it displaced are allocated afresh.
      let smallest = 0;
      for (let i = 1; i < spare.length; i++) {
        if (spare[i].length < spare[smallest].length) smallest = i;
      }
      if (spare[smallest].length < buffer.length) spare[smallest] = buffer;
    }
  }

  /** The batch at the tail of the queue when it has `size` bytes free, else a new one. */
  #batchWithRoom(size: number): Sealed {
    const tail = this.#queue[this.#queue.length - 1];
    if (tail?.batch !== undefined && !tail.closed && tail.used + size <= tail.batch.length) {
      return tail;
    }
    const want = Math.max(size, this.#batchCapacity);
    const entry: Sealed = {
      // Powers of two, so that the sizes a transfer cycles through are few and fit each other.
      batch: this.#takeSpare(want) ?? this.#allocate(want),
      own: true,
      used: 0,
      replies: 0,
    };
    this.#queue.push(entry);
    return entry;
  }

  /** A fresh buffer of at least `size` bytes, a power of two. */
  #allocate(size: number): Uint8Array {
    this.buffersAllocated++;
    return new Uint8Array(2 ** Math.ceil(Math.log2(size)));
  }

  /** A spare buffer of at least `size` bytes, taken out of the spares; none when none fits. */
  #takeSpare(size: number): Uint8Array | undefined {
    const i = this.#spare.findIndex((b) => b.length >= size);
    return i >= 0 ? this.#spare.splice(i, 1)[0] : undefined;
  }

  #sealed(entry: Sealed, bytes: Uint8Array, reply: boolean): void {
    if (this.#error !== undefined) return;
    entry.bytes = bytes;
    if (reply) entry.replies = bytes.length;
    this.#added(bytes.length, reply);
  }

  /** Counts `n` sealed bytes and wakes the output. */
  #added(n: number, reply: boolean): void {
    this.bytesOut += n;
    this.#queuedBytes += n;
    if (reply) this.#replyBytes += n;
    this.#wakeReader?.();
  }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      if (this.#error !== undefined) throw this.#error;
      const head = this.#queue[0];
      if (head?.bytes || ((head?.used ?? 0) > 0 && !head!.pending)) break;
      // waiting for a batch's last seals: it takes no more packets, so that it can go out
      if (head?.pending) head.closed = true;
      if (!head && this.#closed) {
        controller.close();
        this.#drained();
        return;
      }
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
      this.#wakeReader = undefined;
    }
    // Every packet sealed and in order from the head, up to one batch.
    let n = 0;
    let bytes = 0;
    let replies = 0;
    while (n < this.#queue.length) {
      const entry = this.#queue[n];
      if (entry.pending) break; // a batch whose packets are not all sealed yet
      if (entry.batch !== undefined) {
        // A batch is closed once taken: what is sealed next goes into a new one, sized by this.
        entry.bytes = entry.batch.subarray(0, entry.used);
        entry.batch = undefined;
        this.#batchCapacity = Math.min(
          WRITE_BATCH_LIMIT,
          Math.max(MIN_BATCH_CAPACITY, 2 * entry.used),
        );
      }
      const b = entry.bytes;
      if (!b || (n > 0 && bytes + b.length > WRITE_BATCH_LIMIT)) break;
      bytes += b.length;
      replies += entry.replies;
      n++;
    }
    const taken = this.#queue.splice(0, n);
    this.#queuedBytes -= bytes;
    this.#replyBytes -= replies;
    let chunk: Uint8Array;
    if (n === 1) {
      chunk = taken[0].bytes!;
      // A batch's whole buffer; a packet from seal() is the sealer's, not the writer's.
      this.#lent = taken[0].own ? new Uint8Array(chunk.buffer) : undefined;
    } else {
      // Joined in a spare batch buffer when one is large enough (the packets of an async
      // sealer come in buffers of their own): fresh memory is zeroed and faulted in
      const buffer = this.#takeSpare(bytes) ?? this.#allocate(bytes);
      chunk = buffer.subarray(0, bytes);
      let at = 0;
      for (const t of taken) {
        chunk.set(t.bytes!, at);
        at += t.bytes!.length;
        // a batch's buffer is free once copied
        if (t.own) this.#keepSpare(new Uint8Array(t.bytes!.buffer));
      }
      this.#lent = buffer;
    }
    controller.enqueue(chunk);
    this.#wakeWriters();
  }

  #wakeWriters(): void {
    if (!this.#full() || this.#error !== undefined) {
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const wake of waiters) wake();
    }
    if (this.#replyWaiters.length > 0) {
      const still: { below: number; resolve: () => void }[] = [];
      for (const w of this.#replyWaiters) {
        if (this.#replyBytes <= w.below || this.#error !== undefined) w.resolve();
        else still.push(w);
      }
      this.#replyWaiters = still;
    }
  }

  #fail(e: unknown): void {
    if (this.#error !== undefined) return;
    this.#error = e;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#replyBytes = 0;
    this.#wakeReader?.();
    this.#wakeWriters();
    this.#drained();
  }
}
