/**
 * The one base class of every error Hush's packages raise.
 * @module
 */

/**
 * The base of every error a Hush package raises: `WireError`, `KeyError`, `KexError`,
 * `AuthError`, `DisconnectError`, `ChannelError`, `SftpError` and the facade's own all extend
 * it, so one `instanceof SshError` catches them and `code` tells them apart without string
 * matching on messages. A `code` is stable across releases: upper case, `ERR_SSH_` and the
 * concern (`ERR_SSH_WIRE`, `ERR_SSH_AUTH`, …); a class may narrow it further.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SshError, SshReader } from "@hush/wire";
 * assert.throws(
 *   () => new SshReader(new Uint8Array([0, 0, 0, 9])).string(),
 *   (e) => e instanceof SshError && e.code === "ERR_SSH_WIRE",
 * );
 * ```
 */
export class SshError extends Error {
  /** A stable machine-readable code, such as `"ERR_SSH_WIRE"`; see the subclass for its set. */
  readonly code: string;

  /**
   * Creates an error with a code.
   *
   * @param code The stable code (`ERR_SSH_…`).
   * @param message What was wrong, in sentence case, with no secret material.
   * @param options Standard error options (`cause`).
   */
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SshError";
    this.code = code;
  }
}
