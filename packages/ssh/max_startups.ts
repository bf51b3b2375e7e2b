/**
 * MaxStartups, as OpenSSH's sshd has it: past `start` connections that have not yet
 * authenticated, new ones are dropped with probability `rate`%, rising linearly to 100% at
 * `full`. Unauthenticated connections cost a key exchange each; this bounds what a flood of
 * them can take.
 * @module
 */

/**
 * The `start:rate:full` triple (OpenSSH's default is 10:30:100).
 *
 * @example
 * ```ts
 * import type { MaxStartups } from "@hush/ssh";
 * const hard: MaxStartups = { start: 20, rate: 100, full: 20 }; // "MaxStartups 20"
 * ```
 */
export interface MaxStartups {
  /** Unauthenticated connections always admitted. */
  start: number;
  /** Percent dropped once `start` are pending. */
  rate: number;
  /** Pending connections at which every new one is dropped. */
  full: number;
}

/** OpenSSH's default, `10:30:100`. */
export const DEFAULT_MAX_STARTUPS: MaxStartups = { start: 10, rate: 30, full: 100 };

/**
 * Whether to drop a new connection when `pending` others have not authenticated yet.
 * `random` gives a number in [0, 1) (injectable for tests).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shouldDropStartup } from "./max_startups.ts";
 * const limits = { start: 10, rate: 30, full: 100 };
 * assert.equal(shouldDropStartup(5, limits), false);
 * assert.equal(shouldDropStartup(100, limits), true);
 * assert.equal(shouldDropStartup(10, limits, () => 0.29), true); // 30% of drops at `start`
 * assert.equal(shouldDropStartup(10, limits, () => 0.3), false);
 * ```
 */
export function shouldDropStartup(
  pending: number,
  limits: MaxStartups,
  random: () => number = Math.random,
): boolean {
  if (pending < limits.start) return false;
  if (pending >= limits.full) return true;
  const percent = limits.rate +
    (100 - limits.rate) * (pending - limits.start) / (limits.full - limits.start);
  return random() * 100 < percent;
}

/**
 * Reads `MaxStartups` as sshd_config writes it: `start:rate:full`, or a single number (a hard
 * limit). Returns `undefined` for a malformed value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMaxStartups } from "./max_startups.ts";
 * assert.deepEqual(parseMaxStartups("10:30:100"), { start: 10, rate: 30, full: 100 });
 * assert.deepEqual(parseMaxStartups("20"), { start: 20, rate: 100, full: 20 });
 * ```
 */
export function parseMaxStartups(text: string): MaxStartups | undefined {
  const m = /^(\d+)(?::(\d+):(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  if (m[2] === undefined) return start >= 1 ? { start, rate: 100, full: start } : undefined;
  const rate = Number(m[2]);
  const full = Number(m[3]);
  if (start < 1 || rate < 1 || rate > 100 || full < start) return undefined;
  return { start, rate, full };
}
