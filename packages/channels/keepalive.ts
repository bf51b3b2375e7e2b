/**
 * Keepalives with OpenSSH's `ServerAliveInterval`/`ServerAliveCountMax` semantics: on each tick
 * of a silent interval, ask the peer for a reply; give up after too many silent ticks in a row.
 * @module
 */

/** Unanswered keepalives before the connection is given up unless told otherwise (as OpenSSH). */
export const DEFAULT_KEEPALIVE_COUNT_MAX = 3;

/**
 * Timers for keepalives; inject fake ones in tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConnectionTimers } from "@hush/channels";
 * const ticks: (() => void)[] = [];
 * const timers: ConnectionTimers = {
 *   setInterval: (fn) => ticks.push(fn),
 *   clearInterval: () => {},
 * };
 * let count = 0;
 * timers.setInterval(() => count++, 15_000);
 * ticks[0](); // 15 s pass at once
 * assert.equal(count, 1);
 * ```
 */
export interface ConnectionTimers {
  /** Calls `fn` every `ms` milliseconds; returns a handle for `clearInterval`. */
  setInterval(fn: () => void, ms: number): unknown;
  /** Stops an interval. */
  clearInterval(handle: unknown): void;
}

/** The global `setInterval`/`clearInterval`. */
const GLOBAL_TIMERS: ConnectionTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as number),
};

/** How a {@linkcode Keepalive} ticks and what it does on a silent tick. Internal to the package. */
export interface KeepaliveInit {
  /** Milliseconds between ticks; 0 (or less) never ticks. */
  interval: number;
  /**
   * Silent ticks in a row tolerated (default {@linkcode DEFAULT_KEEPALIVE_COUNT_MAX});
   * `Infinity` keeps sending keepalives and never gives up.
   */
  countMax?: number;
  /** The clock (default: the global `setInterval`/`clearInterval`). */
  timers?: ConnectionTimers;
  /** `ssh -v` style trace lines. */
  trace: (line: string) => void;
  /** Asks the peer for a reply (a `keepalive@openssh.com` global request). */
  send: () => void;
  /** Called once the peer has been silent for more than `countMax` ticks in a row. */
  giveUp: () => void;
}

/**
 * Watches a connection for silence. Each tick where nothing was {@linkcode Keepalive.heard}
 * since the last one counts as missed and `send`s a keepalive; anything heard resets the count;
 * more than `countMax` misses in a row `giveUp`. Internal to the package.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Keepalive } from "./keepalive.ts";
 * const ticks: (() => void)[] = [];
 * let sent = 0, gaveUp = false;
 * const keepalive = new Keepalive({
 *   interval: 15_000,
 *   countMax: 1,
 *   timers: { setInterval: (fn) => ticks.push(fn), clearInterval: () => {} },
 *   trace: () => {},
 *   send: () => void sent++,
 *   giveUp: () => void (gaveUp = true),
 * });
 * ticks[0](); // a keepalive goes out
 * keepalive.heard();
 * ticks[0](); // nothing: the peer spoke
 * ticks[0](); // another keepalive
 * assert.equal(sent, 2);
 * ticks[0](); // no answer past countMax
 * assert.equal(gaveUp, true);
 * keepalive.stop();
 * ```
 */
export class Keepalive {
  #timers: ConnectionTimers;
  #timer?: unknown;
  #stopped = false;
  #received = 0;

  /** Starts ticking if `init.interval` is positive. */
  constructor(init: KeepaliveInit) {
    this.#timers = init.timers ?? GLOBAL_TIMERS;
    const { interval, trace, send, giveUp } = init;
    if (!(interval > 0)) return;
    const countMax = init.countMax ?? DEFAULT_KEEPALIVE_COUNT_MAX;
    let seen = this.#received;
    let missed = 0;
    this.#timer = this.#timers.setInterval(() => {
      if (this.#stopped) return;
      if (this.#received !== seen) {
        seen = this.#received;
        missed = 0;
        return;
      }
      if (++missed > countMax) {
        trace("Timeout, peer not responding.");
        giveUp();
        return;
      }
      trace(Number.isFinite(countMax) ? `keepalive ${missed}/${countMax}` : `keepalive ${missed}`);
      send();
    }, interval);
  }

  /** Notes a message from the peer. */
  heard(): void {
    this.#received++;
  }

  /** Stops ticking for good. */
  stop(): void {
    this.#stopped = true;
    this.#timers.clearInterval(this.#timer);
  }
}
