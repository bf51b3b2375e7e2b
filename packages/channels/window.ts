/**
 * The send side of a channel's flow control: the window the peer granted us (RFC 4254 §5.2).
 * @module
 */
import { ChannelError } from "./errors.ts";

/** The largest window a peer may grant: 2^32 − 1 bytes. */
export const WINDOW_LIMIT = 0xffff_ffff;

/**
 * Bytes the peer lets us send on one channel. Writers `take` credit before each CHANNEL_DATA
 * and wait while there is none; WINDOW_ADJUST `add`s credit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChannelWindow } from "@hush/channels";
 * const window = new ChannelWindow(10);
 * assert.equal(await window.take(32768), 10);
 * window.add(5);
 * assert.equal(window.available, 5);
 * ```
 */
export class ChannelWindow {
  #available: number;
  #waiters: (() => void)[] = [];
  #error?: Error;

  /**
   * Creates a window.
   * @param initial The initial window from CHANNEL_OPEN or CHANNEL_OPEN_CONFIRMATION.
   */
  constructor(initial = 0) {
    this.#available = initial;
  }

  /** Bytes we may send now. */
  get available(): number {
    return this.#available;
  }

  /**
   * Adds credit from a WINDOW_ADJUST. Throws a {@linkcode ChannelError} when the window would
   * pass 2^32 − 1 (RFC 4254 §5.2).
   */
  add(bytes: number): void {
    if (this.#available + bytes > WINDOW_LIMIT) {
      throw new ChannelError("Peer's window adjust overflows the window past 2^32-1");
    }
    this.#available += bytes;
    this.#wake();
  }

  /**
   * Waits until some credit is there, then takes up to `max` bytes of it and resolves with how
   * many were taken (at least 1). Rejects once the window is failed (channel closed).
   */
  async take(max: number): Promise<number> {
    while (this.#available === 0 && !this.#error) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#error) throw this.#error;
    const n = Math.min(max, this.#available);
    this.#available -= n;
    return n;
  }

  /** Makes every waiting and later `take` reject with `error`. */
  fail(error: Error): void {
    this.#error ??= error;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
