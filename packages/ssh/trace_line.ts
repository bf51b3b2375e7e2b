/**
 * Trace lines carry peer-chosen text (user names, commands, host names, a server's disconnect
 * message): the facade escapes each line once, where it hands it to the application, so no peer
 * can forge a log line or send escape sequences to the terminal that shows it.
 * @module
 */
import { printable } from "@hush/auth";

/** The longest trace line passed on; the rest becomes `…`. */
const TRACE_LINE_LIMIT = 2048;

/**
 * `trace` with each line escaped by `printable` (one line, no control characters), or a no-op.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapedTrace } from "./trace_line.ts";
 * const lines: string[] = [];
 * escapedTrace((line) => lines.push(line))("user root\nforged");
 * assert.deepEqual(lines, ["user root\\nforged"]);
 * ```
 */
export function escapedTrace(trace: ((line: string) => void) | undefined): (line: string) => void {
  if (trace === undefined) return () => {};
  return (line) => trace(printable(line, TRACE_LINE_LIMIT));
}
