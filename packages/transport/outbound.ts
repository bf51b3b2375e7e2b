/**
 * The outgoing side of the transport, above the packet writer: replies the receive loop writes
 * without waiting (the control backlog), and application messages held while a key exchange
 * runs (bounded by the held-bytes limit), sent in order right after our NEWKEYS.
 * @module
 */
import { encodeMessage, type Message } from "@hush/wire";
import type { TransportTimers } from "./options.ts";

/**
 * Default bound on application payload bytes the transport holds while a key exchange runs
 * (`heldBytesLimit`): 4 MiB. A `send()` past it waits, unencoded, until the exchange is over.
 */
export const DEFAULT_HELD_BYTES_LIMIT = 4 * 1024 * 1024;
/**
 * Replies the receive loop writes without waiting (kex messages, PONG, UNIMPLEMENTED, SERVICE
 * ACCEPT): once this many bytes of them are not yet taken by the byte stream, the receive loop
 * stops reading until they are, so a peer that sends but never reads cannot grow our memory.
 */
export const CONTROL_BACKLOG_LIMIT = 256 * 1024;

/** An application message held during a key exchange. */
interface Held {
  /** Set while the message waits past the held-bytes bound, unencoded. */
  message?: Message;
  /** The encoded payload, counted in the held bytes. */
  payload?: Uint8Array;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Everything the transport writes, in order, into the packet writer's stream.
 *
 * @example
 * ```ts ignore
 * const out = new Outbound(packetWriter.writable.getWriter(), DEFAULT_HELD_BYTES_LIMIT, fail);
 * out.writeControl(kexInitPayload); // not awaited
 * await new Promise<void>((resolve, reject) => out.hold(message, resolve, reject));
 * ```
 */
export class Outbound {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #onWriteFailed: (e: unknown) => void;
  #held: Held[] = [];
  #heldBytes = 0;
  #heldLimit: number;
  #controlBacklog = 0;
  #lastControlWrite: Promise<void> = Promise.resolve();

  /** `onWriteFailed` hears of a control write the byte stream refused. */
  constructor(
    writer: WritableStreamDefaultWriter<Uint8Array>,
    heldLimit: number,
    onWriteFailed: (e: unknown) => void,
  ) {
    this.#writer = writer;
    this.#heldLimit = heldLimit;
    this.#onWriteFailed = onWriteFailed;
  }

  /** Encoded application bytes held (≤ the held-bytes limit). */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Application messages held, encoded or waiting. */
  get heldMessages(): number {
    return this.#held.length;
  }

  /** Control bytes written but not yet taken by the byte stream. */
  get controlBacklog(): number {
    return this.#controlBacklog;
  }

  /** Settles when the latest control write has been taken. */
  get lastControlWrite(): Promise<void> {
    return this.#lastControlWrite;
  }

  /** Writes a payload now; resolves once the byte stream has taken it. */
  write(payload: Uint8Array): Promise<void> {
    return this.#writer.write(payload);
  }

  /**
   * Closes the packet writer's stream after everything written so far, waiting at most `ms`
   * for the byte stream to take it; never rejects.
   */
  async close(timers: TransportTimers, ms: number): Promise<void> {
    let timer: unknown;
    try {
      await Promise.race([
        this.#writer.close(),
        new Promise((r) => (timer = timers.setTimeout(() => r(undefined), ms))),
      ]);
    } catch {
      /* already errored */
    } finally {
      timers.clearTimeout(timer); // also when the stream had errored: no timer left behind
    }
  }

  /** Writes a reply from the receive loop without waiting for the byte stream to take it. */
  writeControl(payload: Uint8Array): void {
    this.#controlBacklog += payload.length;
    const written = this.#writer.write(payload).then(
      () => {
        this.#controlBacklog -= payload.length;
      },
      (e) => {
        this.#onWriteFailed(e);
      },
    );
    this.#lastControlWrite = written;
  }

  /** Holds an application message until {@linkcode flushHeld}; settles the send then. */
  hold(message: Message, resolve: () => void, reject: (e: unknown) => void): void {
    const waiting = this.#held.length > 0 && this.#held[this.#held.length - 1].message;
    if (!waiting) {
      const payload = encodeMessage(message);
      if (this.#heldBytes + payload.length <= this.#heldLimit) {
        this.#heldBytes += payload.length;
        this.#held.push({ payload, resolve, reject });
        return;
      }
    }
    this.#held.push({ message, resolve, reject });
  }

  /** Hands every held message to the byte stream, in order, without waiting for it. */
  flushHeld(): void {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    for (const h of held) {
      const payload = h.payload ?? encodeMessage(h.message!);
      this.#writer.write(payload).then(h.resolve, h.reject);
    }
  }

  /** Fails every held send with `error` (the connection closed). */
  rejectHeld(error: unknown): void {
    for (const h of this.#held.splice(0)) h.reject(error);
    this.#heldBytes = 0;
  }
}
