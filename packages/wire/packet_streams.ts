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
    // Fast path: nothing buffered, so whole packets are opened from the chunk itself, each copied
    // into a reused scratch buffer first: an opener may decrypt in place, and the chunk is the
    // writer's (it may be reused, or shared by a tee), never ours to modify.
    let input: Uint8Array | undefined = chunk;
    if (this.#end > this.#start) {
      this.#append(chunk);
      input = undefined;
    }
    try {
      await this.#readPackets(input, controller);
    } catch (e) {
      // Packets opened ahead come out before the error, as if opened one at a time (an
      // earlier failure among them wins).
      await this.#delivered;
      throw e;
    }
  }

  /** Opens every whole packet in `input` (or the buffer), keeping the rest for later. */
  async #readPackets(
    input: Uint8Array | undefined,
    controller: TransformStreamDefaultController<Packet>,
  ): Promise<void> {
    let off = 0;
    for (;;) {
      if (!this.#ahead || !this.#async) {
        // One at a time: whatever is in flight is delivered before the next header is read.
        await this.#delivered;
        if (this.#awaitingKeys) await this.#switchKeys();
      }
      const src = input ?? this.#buf;
      const from = input ? off : this.#start;
      const avail = (input ? input.length : this.#end) - from;
      const opener = this.#opener;
      if (this.#need === 0) {
        if (avail < opener.headerLength) break;
        const header = src.subarray(from, from + opener.headerLength);
        this.#need = opener.packetLength(input ? this.#copy(header) : header);
      }
      if (avail < this.#need) break;
      const ahead = this.#ahead && this.#async;
      let packetBytes = src.subarray(from, from + this.#need);
      // Opened ahead, a packet keeps its own copy until its promise settles.
      if (ahead) packetBytes = packetBytes.slice();
      else if (input) packetBytes = this.#copy(packetBytes);
      if (input) off += this.#need;
      else this.#start += this.#need;
      this.#need = 0;
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
    if (input && off < input.length) this.#append(input.subarray(off));
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }
}

/**
 * Frames payloads into bytes with the current sealer. After it seals a NEWKEYS payload it uses
 * the sealer given to {@linkcode PacketWriter.nextSealer} (which must be given before the NEWKEYS
 * is written). Sealers that return promises may have up to `maxInFlight` packets in flight;
 * output order is always input order.
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
  /** Bytes out. */
  readonly readable: ReadableStream<Uint8Array>;
  #sealer: PacketSealer = new NoneSealer();
  #next?: { sealer: PacketSealer; options: SwitchOptions };
  #inFlight: Promise<void>[] = [];
  #tail: Promise<void> = Promise.resolve();
  #maxInFlight: number;
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
    const ts = new TransformStream<Uint8Array, Uint8Array>({
      transform: (payload, controller) => this.#seal(payload, controller),
      flush: async () => {
        await this.#tail;
      },
    });
    this.writable = ts.writable;
    this.readable = ts.readable;
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

  async #seal(
    payload: Uint8Array,
    controller: TransformStreamDefaultController<Uint8Array>,
  ): Promise<void> {
    if (payload.length === 0) throw new TypeError("Cannot send an empty payload");
    const sealed = this.#sealer.seal(payload);
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
    if (!(sealed instanceof Promise)) {
      if (this.#inFlight.length === 0) {
        this.bytesOut += sealed.length;
        controller.enqueue(sealed);
        return;
      }
    }
    const done = this.#tail.then(() => sealed).then((bytes) => {
      this.bytesOut += bytes.length;
      controller.enqueue(bytes);
    });
    this.#tail = done;
    this.#inFlight.push(done);
    done.then(() => {
      const i = this.#inFlight.indexOf(done);
      if (i >= 0) this.#inFlight.splice(i, 1);
    }, (e) => controller.error(e));
    if (this.#inFlight.length >= this.#maxInFlight) await this.#inFlight[0];
  }
}
