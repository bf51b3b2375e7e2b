/**
 * Waiting for something that an `AbortSignal` may cut short, without leaking what it yields.
 * @module
 */

/**
 * Settles with `promise`, or rejects with the abort reason when `signal` aborts first; a result
 * that comes after that is handed to `dispose` (a socket closed, a channel closed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withSignal } from "./with_signal.ts";
 * const controller = new AbortController();
 * const late = new Promise<string>((resolve) => setTimeout(() => resolve("socket"), 10));
 * const disposed = Promise.withResolvers<string>();
 * const settled = withSignal(late, controller.signal, disposed.resolve);
 * controller.abort(new Error("stop"));
 * await assert.rejects(settled, { message: "stop" });
 * assert.equal(await disposed.promise, "socket"); // the late socket is handed to dispose
 * ```
 */
export function withSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  dispose: (value: T) => void,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.then(dispose, () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.then(dispose, () => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) dispose(v);
        else resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
