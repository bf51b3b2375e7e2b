/**
 * The one error of ssh_config(5) handling: a line that does not parse, an unknown keyword, an
 * Include nested too deep, a `Match exec` not enabled. It names the file and line, in
 * OpenSSH's words where OpenSSH has some.
 * @module
 */
import { SshError } from "@hush/wire";

/** Where a configuration line came from: its file (or `command-line`) and line number. */
export interface SshConfigLocation {
  /** The file as it was named (after `~` expansion), or `command-line` for `-o` options. */
  file: string;
  /** Line number from 1 (0 on the command line, as OpenSSH counts). */
  line: number;
}

/**
 * A bad ssh_config line, or a configuration that cannot be resolved.
 *
 * Extends {@linkcode SshError} with the stable `code` `"ERR_SSH_CONFIG"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshConfig, SshConfigError } from "@hush/ssh";
 * assert.throws(() => parseSshConfig("Port 99999\n", { file: "cfg" }), (e) => {
 *   assert.ok(e instanceof SshConfigError);
 *   assert.equal(e.code, "ERR_SSH_CONFIG");
 *   assert.equal(e.message, "cfg line 1: Bad port '99999'.");
 *   assert.equal(e.line, 1);
 *   return true;
 * });
 * ```
 */
export class SshConfigError extends SshError {
  /** The file the bad line is in (`command-line` for `-o`). */
  readonly file: string;
  /** Its line number (0 on the command line). */
  readonly line: number;

  /**
   * Creates the error of a configuration line.
   * @param message The whole message, already naming the file and line.
   * @param where The file and line.
   * @param options `cause`, if any.
   */
  constructor(message: string, where: SshConfigLocation, options?: ErrorOptions) {
    super("ERR_SSH_CONFIG", message, options);
    this.name = "SshConfigError";
    this.file = where.file;
    this.line = where.line;
  }
}

/**
 * An {@linkcode SshConfigError} worded as OpenSSH words most of them: `file line N: what`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configError } from "./ssh_config_error.ts";
 * assert.equal(
 *   configError({ file: "cfg", line: 3 }, "Missing argument.").message,
 *   "cfg line 3: Missing argument.",
 * );
 * ```
 */
export function configError(where: SshConfigLocation, what: string): SshConfigError {
  return new SshConfigError(`${where.file} line ${where.line}: ${what}`, where);
}
