/**
 * The handshake timeout: the first key exchange must finish within `handshakeTimeout`
 * milliseconds of the start, or the connection fails.
 * @module
 */
import { DisconnectReason } from "@hush/wire";
import { DisconnectError } from "./errors.ts";
import type { TransportTimers } from "./options.ts";

/** Default limit on the first key exchange, from the first byte. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 120_000;

/**
 * Starts the handshake clock: once `timeout` ms (default
 * {@linkcode DEFAULT_HANDSHAKE_TIMEOUT}) pass, `onTimeout` hears a CONNECTION_LOST
 * {@linkcode DisconnectError}. Returns what stops the clock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startHandshakeClock } from "./handshake_timeout.ts";
 * const due: (() => void)[] = [];
 * const timers = { setTimeout: (fn: () => void) => due.push(fn), clearTimeout: () => {} };
 * const errors: { reason: number; message: string }[] = [];
 * const stopClock = startHandshakeClock(timers, 30_000, (e) => errors.push(e));
 * due[0](); // 30 s pass before the first key exchange finishes
 * stopClock();
 * assert.equal(errors[0].reason, 10); // CONNECTION_LOST
 * assert.match(errors[0].message, /Key exchange timed out after 30000 ms/);
 * ```
 */
export function startHandshakeClock(
  timers: TransportTimers,
  timeout: number | undefined,
  onTimeout: (error: DisconnectError) => void,
): () => void {
  const ms = timeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  const timer = timers.setTimeout(
    () =>
      onTimeout(
        new DisconnectError(
          DisconnectReason.CONNECTION_LOST,
          `Key exchange timed out after ${ms} ms`,
        ),
      ),
    ms,
  );
  return () => timers.clearTimeout(timer);
}
