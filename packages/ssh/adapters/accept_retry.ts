/**
 * A listener's accept loop that survives a failed accept. `accept()` fails for reasons that
 * pass ("Too many open files" while every descriptor is taken, a connection reset before it
 * was accepted); ending the loop there would leave a process that runs but never accepts
 * again. OpenSSH's sshd logs the error, sleeps 100 ms and goes on; so does this.
 * @module
 */

/**
 * Milliseconds to wait after a failed accept before the next one (OpenSSH's sshd sleeps
 * 100 ms after EMFILE/ENFILE). The waiting connections stay in the kernel's backlog meanwhile.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ACCEPT_RETRY_DELAY } from "@hush/ssh/adapters";
 * assert.equal(ACCEPT_RETRY_DELAY, 100);
 * ```
 */
export const ACCEPT_RETRY_DELAY = 100;

/**
 * What a listener does when an accept fails (`listenTcp`'s options).
 *
 * @example
 * ```ts
 * import type { AcceptRetryOptions } from "@hush/ssh/adapters";
 * const options: AcceptRetryOptions = { onAcceptError: (e) => console.error(`accept: ${e.message}`) };
 * ```
 */
export interface AcceptRetryOptions {
  /** Told of each failed accept, before the pause. */
  onAcceptError?: (error: Error) => void;
  /** Pause after a failed accept, in milliseconds ({@linkcode ACCEPT_RETRY_DELAY}). */
  retryDelay?: number;
  /** Waits `ms` milliseconds (default `setTimeout`; a fake one in tests). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Yields each connection `accept` resolves until it resolves `undefined` (the listener was
 * closed). A rejected accept is reported to `onAcceptError`, and after a pause the loop goes on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acceptEach } from "./accept_retry.ts";
 * const results: (string | Error | undefined)[] = ["a", new Error("Too many open files"), "b", undefined];
 * const accept = () => {
 *   const next = results.shift();
 *   return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
 * };
 * const errors: string[] = [];
 * const got: string[] = [];
 * for await (const c of acceptEach(accept, { onAcceptError: (e) => errors.push(e.message), retryDelay: 0 })) {
 *   got.push(c);
 * }
 * assert.deepEqual(got, ["a", "b"]);
 * assert.deepEqual(errors, ["Too many open files"]);
 * ```
 */
export async function* acceptEach<T>(
  accept: () => Promise<T | undefined>,
  options: AcceptRetryOptions = {},
): AsyncGenerator<T> {
  const delay = options.retryDelay ?? ACCEPT_RETRY_DELAY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (;;) {
    let conn: T | undefined;
    try {
      conn = await accept();
    } catch (e) {
      // allow-plain-error: only gives a non-Error the runtime threw the Error shape
      options.onAcceptError?.(e instanceof Error ? e : new Error(String(e)));
      await sleep(delay);
      continue;
    }
    if (conn === undefined) return;
    yield conn;
  }
}
