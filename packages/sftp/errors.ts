/**
 * The sftp package's error class.
 * @module
 */
import { SshError } from "@hush/wire";
import { StatusCode, statusMessage } from "./status.ts";

/** Extra fields of an {@linkcode SftpError}. */
export interface SftpErrorOptions extends ErrorOptions {
  /** The status code: the server's, or BAD_MESSAGE / CONNECTION_LOST for the session's own. */
  statusCode?: number;
  /**
   * The status code, under its old name.
   * @deprecated Use `statusCode`: `code` on the error is now the `SshError` code `"ERR_SSH_SFTP"`.
   */
  code?: number;
  /** The path the request named, when it named one. */
  path?: string;
  /** Bytes moved before a transfer failed (what a resume starts from). */
  bytesTransferred?: number;
}

/**
 * Raised for a request the server refused (its SFTP status in `statusCode`, and its message),
 * for a peer's bytes that are not SFTP (`statusCode` BAD_MESSAGE), and for requests cut off when
 * the session ended (`statusCode` CONNECTION_LOST). A failed transfer says how far it got in
 * `bytesTransferred`.
 *
 * Extends `SshError` from `@hush/wire` with the stable `code` `"ERR_SSH_SFTP"`, like every Hush
 * error; the SFTP status number (which ssh2 puts in `code`) is `statusCode`, its words `status`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SftpError, StatusCode } from "@hush/sftp";
 * const e = new SftpError("Cannot open /etc/shadow: Permission denied", {
 *   statusCode: StatusCode.PERMISSION_DENIED,
 *   path: "/etc/shadow",
 * });
 * assert.equal(e.name, "SftpError");
 * assert.equal(e.code, "ERR_SSH_SFTP");
 * assert.equal(e.statusCode, 3);
 * assert.equal(e.path, "/etc/shadow");
 * ```
 */
export class SftpError extends SshError {
  /** The SFTP status code that fits this error (`StatusCode`). */
  readonly statusCode: number;
  /** The path of the request, when it had one. */
  readonly path?: string;
  /** For a failed transfer: bytes moved (and acknowledged) from its start offset. */
  readonly bytesTransferred?: number;

  /**
   * Creates an SFTP error.
   * @param message What happened, in sentence case.
   * @param options The status code, the path, the bytes moved and the cause.
   */
  constructor(message: string, options: SftpErrorOptions = {}) {
    super(
      "ERR_SSH_SFTP",
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "SftpError";
    this.statusCode = options.statusCode ?? options.code ?? StatusCode.BAD_MESSAGE;
    if (options.path !== undefined) this.path = options.path;
    if (options.bytesTransferred !== undefined) this.bytesTransferred = options.bytesTransferred;
  }

  /** The words of the status code, e.g. "No such file". */
  get status(): string {
    return statusMessage(this.statusCode);
  }
}
