/**
 * `ExecError`: why `SshClient.exec()` rejected a command that ran: it failed under `check`,
 * or its output passed `maxBuffer`.
 * @module
 */
import { printable } from "@hush/auth";
import { SshError } from "@hush/wire";

/**
 * The codes of an {@linkcode ExecError}: `ERR_SSH_EXEC` for a command that did not succeed
 * under `check`, `ERR_SSH_EXEC_MAX_BUFFER` for output past `maxBuffer`.
 *
 * @example
 * ```ts
 * import type { ExecErrorCode } from "@hush/ssh";
 * const code: ExecErrorCode = "ERR_SSH_EXEC_MAX_BUFFER";
 * ```
 */
export type ExecErrorCode = "ERR_SSH_EXEC" | "ERR_SSH_EXEC_MAX_BUFFER";

/**
 * What an {@linkcode ExecError} carries besides its message.
 *
 * @example
 * ```ts
 * import type { ExecErrorDetails } from "@hush/ssh";
 * const details: ExecErrorDetails = { status: 1, signal: null, stdout: "", stderr: "no such file" };
 * ```
 */
export interface ExecErrorDetails {
  /** The exit status, or null (killed by a signal, no status sent, or cut short). */
  status: number | null;
  /** The signal that ended the command (`TERM`, `KILL`, …), or null. */
  signal: string | null;
  /** The command's stdout (up to `maxBuffer` bytes): a string under `encoding: "utf8"`. */
  stdout: Uint8Array | string;
  /** The command's stderr (up to `maxBuffer` bytes): a string under `encoding: "utf8"`. */
  stderr: Uint8Array | string;
  /** The stream that passed `maxBuffer` (`ERR_SSH_EXEC_MAX_BUFFER` only). */
  stream?: "stdout" | "stderr";
  /** The bound that was passed, in bytes (`ERR_SSH_EXEC_MAX_BUFFER` only). */
  maxBuffer?: number;
}

/** How much of stderr's last line a check failure's message quotes. */
const STDERR_IN_MESSAGE = 200;

/**
 * Raised by `SshClient.exec()` for a command that ran but did not do as asked:
 * - `code: "ERR_SSH_EXEC"`: with `check: true`, it exited with a non-zero `status`, died of a
 *   `signal`, or ended without reporting either. The message quotes stderr's last line.
 * - `code: "ERR_SSH_EXEC_MAX_BUFFER"`: its `stream` (stdout or stderr) passed `maxBuffer` bytes;
 *   its channel was closed, and `stdout`/`stderr` hold what came up to the bound.
 *
 * Unlike Node's child_process errors, `code` is the error's code, never the exit status: that
 * is `status`. The command line is not repeated in the message (it may hold a secret).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExecError, SshError } from "@hush/ssh";
 * const e = ExecError.failed({ status: 2, signal: null, stdout: "", stderr: "ls: cannot access 'x'\n" });
 * assert.equal(e instanceof SshError, true);
 * assert.equal(e.code, "ERR_SSH_EXEC");
 * assert.equal(e.status, 2);
 * assert.equal(e.message, "Command failed with exit status 2: ls: cannot access 'x'");
 * ```
 */
export class ExecError extends SshError {
  /** `ERR_SSH_EXEC` (failed under `check`) or `ERR_SSH_EXEC_MAX_BUFFER` (output too large). */
  declare readonly code: ExecErrorCode;
  /** The exit status, or null (killed by a signal, no status sent, or cut short). */
  readonly status: number | null;
  /** The signal that ended the command (`TERM`, `KILL`, …), or null. */
  readonly signal: string | null;
  /** The command's stdout (up to `maxBuffer` bytes): a string under `encoding: "utf8"`. */
  readonly stdout: Uint8Array | string;
  /** The command's stderr (up to `maxBuffer` bytes): a string under `encoding: "utf8"`. */
  readonly stderr: Uint8Array | string;
  /** The stream that passed `maxBuffer` (`ERR_SSH_EXEC_MAX_BUFFER` only). */
  readonly stream?: "stdout" | "stderr";
  /** The bound that was passed, in bytes (`ERR_SSH_EXEC_MAX_BUFFER` only). */
  readonly maxBuffer?: number;

  /**
   * Creates an exec error; {@linkcode ExecError.failed} and {@linkcode ExecError.overflowed}
   * write the message.
   *
   * @param code `ERR_SSH_EXEC` or `ERR_SSH_EXEC_MAX_BUFFER`.
   * @param message What happened, in sentence case.
   * @param details The status, signal, output and (for an overflow) stream and bound.
   * @param options Standard error options (`cause`).
   */
  constructor(
    code: ExecErrorCode,
    message: string,
    details: ExecErrorDetails,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.name = "ExecError";
    this.status = details.status;
    this.signal = details.signal;
    this.stdout = details.stdout;
    this.stderr = details.stderr;
    if (details.stream !== undefined) this.stream = details.stream;
    if (details.maxBuffer !== undefined) this.maxBuffer = details.maxBuffer;
  }

  /**
   * The error of a command that did not exit with status 0 under `check`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ExecError } from "@hush/ssh";
   * const e = ExecError.failed({ status: null, signal: "KILL", stdout: "", stderr: "" });
   * assert.equal(e.message, "Command was killed by signal KILL");
   * ```
   */
  static failed(details: ExecErrorDetails): ExecError {
    const what = details.signal !== null
      ? `Command was killed by signal ${details.signal}`
      : details.status !== null
      ? `Command failed with exit status ${details.status}`
      : "Command ended without an exit status";
    const last = lastLine(details.stderr);
    return new ExecError("ERR_SSH_EXEC", last ? `${what}: ${last}` : what, details);
  }

  /**
   * The error of a command whose `stream` passed `maxBuffer` bytes.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ExecError } from "@hush/ssh";
   * const e = ExecError.overflowed("stderr", 1024, new Uint8Array(0), new Uint8Array(1024));
   * assert.equal(
   *   e.message,
   *   "Command's stderr passed maxBuffer (1024 bytes): its channel was closed",
   * );
   * ```
   */
  static overflowed(
    stream: "stdout" | "stderr",
    maxBuffer: number,
    stdout: Uint8Array | string,
    stderr: Uint8Array | string,
  ): ExecError {
    return new ExecError(
      "ERR_SSH_EXEC_MAX_BUFFER",
      `Command's ${stream} passed maxBuffer (${maxBuffer} bytes): its channel was closed`,
      { status: null, signal: null, stdout, stderr, stream, maxBuffer },
    );
  }
}

/**
 * The last non-blank line of `output`, cut to {@linkcode STDERR_IN_MESSAGE} characters and
 * escaped: the peer wrote it, and it must not send escape sequences to a terminal showing it.
 */
function lastLine(output: Uint8Array | string): string {
  const text = typeof output === "string" ? output : new TextDecoder().decode(
    output.subarray(Math.max(0, output.length - 4 * STDERR_IN_MESSAGE)),
  );
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  return printable(lines[lines.length - 1] ?? "", STDERR_IN_MESSAGE);
}
