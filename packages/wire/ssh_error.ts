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
 * The codes: `ERR_SSH_WIRE` (`WireError`), `ERR_SSH_CIPHER` (`CipherError`), `ERR_SSH_KEY`
 * (`KeyError`), `ERR_SSH_KEX` (`KexError`), `ERR_SSH_HOST_KEY` (`HostKeyError`), `ERR_SSH_AUTH`
 * (`AuthError`), `ERR_SSH_DISCONNECT` (`DisconnectError`), `ERR_SSH_CHANNEL` (`ChannelError`),
 * `ERR_SSH_SFTP` (`SftpError`, whose SFTP status is `statusCode`), `ERR_SSH_CONFIG`
 * (`SshConfigError`), `ERR_SSH_PROXY_JUMP` (`ProxyJumpError`), `ERR_SSH_EXEC` and
 * `ERR_SSH_EXEC_MAX_BUFFER` (`ExecError`); and raised as `SshError` itself by `@hush/ssh`:
 * `ERR_SSH_CONNECT_TIMEOUT` (`connectTimeout` ran out), `ERR_SSH_UNSUPPORTED_RUNTIME` (TCP, local
 * files or a WebSocket server where the runtime has none), `ERR_SSH_WEBSOCKET` (a WebSocket that
 * closed or broke the protocol). Bad arguments from the caller stay `TypeError` and `RangeError`,
 * as the platform's own.
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
