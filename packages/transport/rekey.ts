/**
 * When to rekey (RFC 4253 §9): after a volume of bytes in either direction since the last
 * NEWKEYS, or after an interval.
 * @module
 */
import type { TransportTimers } from "./options.ts";

/** Default rekey volume: 1 GiB each way (OpenSSH's default depends on the cipher; this is its upper bound). */
export const DEFAULT_REKEY_BYTES = 1 << 30;
/** Default rekey interval: one hour. */
export const DEFAULT_REKEY_INTERVAL = 3_600_000;

/** The limits, as in `TransportOptions`. */
export interface RekeyLimits {
  /** Rekey after this many bytes in either direction (default {@linkcode DEFAULT_REKEY_BYTES}). */
  rekeyBytes?: number;
  /** Rekey after this many milliseconds (default {@linkcode DEFAULT_REKEY_INTERVAL}). */
  rekeyInterval?: number;
}

/**
 * Tracks the bytes since the last key change and the rekey timer of one connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RekeySchedule } from "./rekey.ts";
 * const due: (() => void)[] = [];
 * const timers = { setTimeout: (fn: () => void) => due.push(fn), clearTimeout: () => {} };
 * let rekeys = 0;
 * const schedule = new RekeySchedule({ rekeyBytes: 1000 }, timers, () => {}, () => rekeys++);
 * schedule.keysChanged(500, 500); // bytes in and out when the keys last changed
 * schedule.startTimer();
 * assert.equal(schedule.volumeReached(1499, 900), false);
 * assert.equal(schedule.volumeReached(1500, 900), true);
 * due[0](); // the rekey interval passes
 * assert.equal(rekeys, 1);
 * ```
 */
export class RekeySchedule {
  #limits: RekeyLimits;
  #timers: TransportTimers;
  #trace: (line: string) => void;
  #onTimer: () => void;
  #baseIn = 0;
  #baseOut = 0;
  #timer?: unknown;

  /** `onTimer` runs when the interval has passed. */
  constructor(
    limits: RekeyLimits,
    timers: TransportTimers,
    trace: (line: string) => void,
    onTimer: () => void,
  ) {
    this.#limits = limits;
    this.#timers = timers;
    this.#trace = trace;
    this.#onTimer = onTimer;
  }

  /** Whether either direction carried the rekey volume since the last key change. */
  volumeReached(bytesIn: number, bytesOut: number): boolean {
    const limit = this.#limits.rekeyBytes ?? DEFAULT_REKEY_BYTES;
    return bytesIn - this.#baseIn >= limit || bytesOut - this.#baseOut >= limit;
  }

  /** New keys are in place: counts the volume from these totals on. */
  keysChanged(bytesIn: number, bytesOut: number): void {
    this.#baseIn = bytesIn;
    this.#baseOut = bytesOut;
  }

  /** (Re)starts the interval timer; never keeps a process alive by itself. */
  startTimer(): void {
    this.stop();
    const interval = this.#limits.rekeyInterval ?? DEFAULT_REKEY_INTERVAL;
    if (!Number.isFinite(interval) || interval <= 0) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#trace(`Rekeying after ${interval} ms`);
      this.#onTimer();
    }, interval);
    // never keep a process alive just for a rekey timer
    (this.#timer as { unref?: () => void } | undefined)?.unref?.();
  }

  /** Stops the interval timer. */
  stop(): void {
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
