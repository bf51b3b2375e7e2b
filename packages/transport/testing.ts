/**
 * A socket-like in-memory byte duplex pair for tests: each direction buffers up to a high-water
 * mark like a kernel socket buffer (a write resolves at once while there is room, and waits
 * when there is not), copies what is written, and can be paused to play a peer that stops
 * reading.
 * @module
 */
import type { ByteDuplex } from "./options.ts";

export type { ByteDuplex };

/** Options of {@linkcode memoryDuplexPair}. */
export interface MemoryDuplexOptions {
  /** Bytes each direction buffers before a write waits (default 256 KiB, a socket's buffer). */
  highWaterMark?: number;
}

/** One end of {@linkcode memoryDuplexPair}: a {@linkcode ByteDuplex} plus test controls. */
export interface MemoryDuplex extends ByteDuplex {
  /** Bytes written by this end that the other end has not read yet. */
  readonly buffered: number;
  /** Total bytes this end has written. */
  readonly written: number;
  /** Stops handing bytes to this end's `readable` (a peer that stops reading). */
  pause(): void;
  /** Resumes handing bytes to this end's `readable`. */
  resume(): void;
}

class Pipe {
  chunks: Uint8Array[] = [];
  buffered = 0;
  written = 0;
  paused = false;
  closed = false;
  cancelled = false;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #pulling = false;
  #room: (() => void)[] = [];
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;

  constructor(readonly highWaterMark: number) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      pull: () => {
        this.#pulling = true;
        this.deliver();
      },
      cancel: () => {
        this.cancelled = true;
        this.chunks = [];
        this.buffered = 0;
        this.#wake();
      },
    }, { highWaterMark: 0 });
    this.writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        if (this.cancelled) throw new Error("Connection reset by peer");
        this.chunks.push(chunk.slice());
        this.buffered += chunk.length;
        this.written += chunk.length;
        this.deliver();
        while (this.buffered > this.highWaterMark && !this.cancelled) {
          await new Promise<void>((r) => this.#room.push(r));
        }
      },
      close: () => {
        this.closed = true;
        this.deliver();
      },
      abort: () => {
        this.closed = true;
        this.deliver();
      },
    });
  }

  deliver(): void {
    if (this.cancelled || this.paused || !this.#pulling) return;
    const chunk = this.chunks.shift();
    if (chunk) {
      this.#pulling = false;
      this.buffered -= chunk.length;
      this.#controller.enqueue(chunk);
      this.#wake();
    } else if (this.closed) {
      this.#pulling = false;
      this.#controller.close();
    }
  }

  #wake(): void {
    if (this.buffered > this.highWaterMark && !this.cancelled) return;
    const room = this.#room;
    this.#room = [];
    for (const r of room) r();
  }
}

/**
 * Two byte duplexes wired back to back: what one writes, the other reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryDuplexPair } from "@hush/transport/testing";
 * const [a, b] = memoryDuplexPair();
 * const w = a.writable.getWriter();
 * await w.write(new Uint8Array([1, 2, 3])); // resolves at once: there is room
 * assert.equal(a.buffered, 3);
 * const { value } = await b.readable.getReader().read();
 * assert.deepEqual(value, new Uint8Array([1, 2, 3]));
 * assert.equal(a.buffered, 0);
 * ```
 */
export function memoryDuplexPair(options: MemoryDuplexOptions = {}): [MemoryDuplex, MemoryDuplex] {
  const hwm = options.highWaterMark ?? 256 * 1024;
  const ab = new Pipe(hwm);
  const ba = new Pipe(hwm);
  const end = (incoming: Pipe, outgoing: Pipe): MemoryDuplex => ({
    readable: incoming.readable,
    writable: outgoing.writable,
    writesAreDone: true, // a write copies the chunk
    readsAreOwned: true, // so each chunk read is that copy, nobody else's
    get buffered() {
      return outgoing.buffered;
    },
    get written() {
      return outgoing.written;
    },
    pause() {
      incoming.paused = true;
    },
    resume() {
      incoming.paused = false;
      incoming.deliver();
    },
  });
  return [end(ba, ab), end(ab, ba)];
}
