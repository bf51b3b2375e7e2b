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
 * ```ts ignore
 * const stopClock = startHandshakeClock(timers, options.handshakeTimeout, (e) => fail(e));
 * try {
 *   await firstKex;
 * } finally {
 *   stopClock();
 * }
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
