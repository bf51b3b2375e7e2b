/**
 * ssh's escape character on an interactive session: at the start of a line, `~.` disconnects
 * and `~~` sends one `~`; a `~` followed by anything else goes through unchanged.
 * @module
 */

const TILDE = 0x7e;
const DOT = 0x2e;
const CR = 0x0d;
const LF = 0x0a;

/**
 * A stream step for keyboard input that watches for `~.` at the start of a line (calling
 * `onDisconnect` and ending the stream) and turns `~~` into `~`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeFilter } from "./ssh_escape.ts";
 * let disconnected = false;
 * const out = new Blob([]).stream().pipeThrough(escapeFilter(() => (disconnected = true)));
 * assert.equal(typeof out.getReader, "function");
 * ```
 */
export function escapeFilter(onDisconnect: () => void): TransformStream<Uint8Array, Uint8Array> {
  let lineStart = true;
  let tilde = false;
  let done = false;
  return new TransformStream({
    transform(chunk, controller) {
      if (done) return;
      const out: number[] = [];
      for (const b of chunk) {
        if (tilde) {
          tilde = false;
          if (b === DOT) {
            done = true;
            if (out.length) controller.enqueue(new Uint8Array(out));
            controller.terminate();
            onDisconnect();
            return;
          }
          out.push(TILDE);
          if (b === TILDE) {
            lineStart = false;
            continue;
          }
        } else if (lineStart && b === TILDE) {
          tilde = true;
          continue;
        }
        out.push(b);
        lineStart = b === CR || b === LF;
      }
      if (out.length) controller.enqueue(new Uint8Array(out));
    },
    flush(controller) {
      if (tilde && !done) controller.enqueue(new Uint8Array([TILDE]));
    },
  });
}
