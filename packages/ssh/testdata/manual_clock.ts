/**
 * Keepalive timers driven by hand, for tests: each `tick` is one interval, however loaded the
 * host is.
 * @module
 */
import type { ConnectionTimers } from "@hush/channels";

/** Timers that record the callback and interval they are given, to be ticked by the test. */
export function manualClock(): {
  timers: ConnectionTimers;
  /** Callbacks of the running intervals (emptied by clearInterval). */
  ticks: (() => void)[];
  /** The interval asked for last, in milliseconds. */
  interval: () => number;
} {
  const ticks: (() => void)[] = [];
  let interval = 0;
  return {
    timers: {
      setInterval: (fn, ms) => {
        interval = ms;
        return ticks.push(fn);
      },
      clearInterval: () => void ticks.splice(0),
    },
    ticks,
    interval: () => interval,
  };
}
