/**
 * Waiting in tests for a state the other end reaches on its own schedule: `send()` resolves
 * once a message is queued, not once the peer has handled it.
 * @module
 */

/** Resolves once `condition()` holds, checking every 5 ms; rejects after `ms` with `what`. */
export async function eventually(
  condition: () => boolean,
  what: string,
  ms = 5_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
