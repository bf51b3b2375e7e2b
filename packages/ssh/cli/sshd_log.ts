/**
 * `hush sshd`'s log: OpenSSH's `LogLevel`s (QUIET … DEBUG3), the level of each line the server
 * traces, and the writer that prints a line when its level is on. Lines carry peer-chosen text
 * (user names, commands, host names), so each is printed as one escaped line.
 * @module
 */
import { printable } from "@hush/auth";
import { UsageError } from "./ssh_args.ts";

/**
 * OpenSSH's log levels, quietest first; a level prints its own lines and every quieter one's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogLevel } from "./sshd_log.ts";
 * assert.equal(LogLevel.INFO < LogLevel.VERBOSE, true);
 * ```
 */
export const LogLevel = {
  QUIET: 0,
  FATAL: 1,
  ERROR: 2,
  INFO: 3,
  VERBOSE: 4,
  DEBUG1: 5,
  DEBUG2: 6,
  DEBUG3: 7,
} as const;

/** One of {@linkcode LogLevel}'s values. */
export type LogLevel = typeof LogLevel[keyof typeof LogLevel];

/** Longest line printed, in characters before escaping (a longer one is cut, ending in `…`). */
export const LOG_LINE_LIMIT = 2048;

/**
 * Reads a `LogLevel` value as sshd_config has it: a level's name in any case, `DEBUG` being
 * `DEBUG1`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogLevel, parseLogLevel } from "./sshd_log.ts";
 * assert.equal(parseLogLevel("verbose") === LogLevel.VERBOSE, true);
 * assert.equal(parseLogLevel("DEBUG") === LogLevel.DEBUG1, true);
 * ```
 */
export function parseLogLevel(text: string): LogLevel {
  const name = text.trim().toUpperCase();
  const level = name === "DEBUG" ? LogLevel.DEBUG1 : LogLevel[name as keyof typeof LogLevel];
  if (level === undefined) {
    throw new UsageError(
      `Bad LogLevel '${text}' (QUIET, FATAL, ERROR, INFO, VERBOSE, DEBUG, DEBUG1, DEBUG2, DEBUG3)`,
    );
  }
  return level;
}

/**
 * The level of the lines the server traces, by how they start (OpenSSH's level for the same
 * message); any other line is DEBUG1.
 */
const TRACE_LEVELS: readonly (readonly [RegExp, LogLevel])[] = [
  [/^accept: /, LogLevel.ERROR],
  [/^Listener stopped/, LogLevel.ERROR],
  [/^no more sessions/, LogLevel.ERROR],
  [/^Connection from \S+ port \d+ on /, LogLevel.VERBOSE],
  [/^Accepted \S+ for \S+ from /, LogLevel.INFO],
  [/^Failed /, LogLevel.INFO],
  [/^Invalid user /, LogLevel.INFO],
  [/^Disconnected from /, LogLevel.INFO],
  [/^Connection from .* ended: /, LogLevel.INFO],
  [/^Timeout, client not responding/, LogLevel.INFO],
  [/^drop connection #/, LogLevel.INFO],
  [/^WebSocket from /, LogLevel.INFO],
  [/^refused WebSocket from /, LogLevel.INFO],
];

/**
 * The level of a line the server traced.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogLevel, traceLevel } from "./sshd_log.ts";
 * assert.equal(traceLevel("accept: Too many open files") === LogLevel.ERROR, true);
 * assert.equal(traceLevel("kex: algorithm: curve25519-sha256") === LogLevel.DEBUG1, true);
 * ```
 */
export function traceLevel(line: string): LogLevel {
  for (const [start, level] of TRACE_LEVELS) if (start.test(line)) return level;
  return LogLevel.DEBUG1;
}

/** What OpenSSH puts before a line of each level on stderr (debug lines only). */
const PREFIX: Record<LogLevel, string> = {
  [LogLevel.QUIET]: "",
  [LogLevel.FATAL]: "",
  [LogLevel.ERROR]: "",
  [LogLevel.INFO]: "",
  [LogLevel.VERBOSE]: "",
  [LogLevel.DEBUG1]: "debug1: ",
  [LogLevel.DEBUG2]: "debug2: ",
  [LogLevel.DEBUG3]: "debug3: ",
};

/** The log of one sshd run. */
export interface SshdLog {
  /** The level lines are printed at and below. */
  readonly level: LogLevel;
  /** Prints `line` if `level` is on. */
  log(level: LogLevel, line: string): void;
  /** Prints a line the server traced, at the level {@linkcode traceLevel} gives it. */
  trace(line: string): void;
}

/**
 * A log printing lines at `level` and below to `write`, each escaped into one line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogLevel, sshdLog } from "./sshd_log.ts";
 * const lines: string[] = [];
 * const log = sshdLog(LogLevel.INFO, (text) => lines.push(text));
 * log.trace("Accepted publickey for alice from 192.0.2.1 port 5000 ssh2");
 * log.trace("kex: algorithm: curve25519-sha256");
 * log.log(LogLevel.ERROR, "accept: Too many open files\x1b[2J");
 * assert.deepEqual(
 *   lines,
 *   ["Accepted publickey for alice from 192.0.2.1 port 5000 ssh2\n", "accept: Too many open files\\x1b[2J\n"],
 * );
 * ```
 */
export function sshdLog(level: LogLevel, write: (text: string) => void): SshdLog {
  const log = (at: LogLevel, line: string) => {
    if (at === LogLevel.QUIET || at > level) return;
    write(`${PREFIX[at]}${printable(line, LOG_LINE_LIMIT)}\n`);
  };
  return { level, log, trace: (line) => log(traceLevel(line), line) };
}
