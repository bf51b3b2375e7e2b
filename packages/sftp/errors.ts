/**
 * The sftp package's error class.
 * @module
 */
import { StatusCode, statusMessage } from "./status.ts";

/** Extra fields of an {@linkcode SftpError}. */
export interface SftpErrorOptions extends ErrorOptions {
  /** The status code: the server's, or BAD_MESSAGE / CONNECTION_LOST for the session's own. */
  code?: number;
  /** The path the request named, when it named one. */
  path?: string;
  /** Bytes moved before a transfer failed (what a resume starts from). */
  bytesTransferred?: number;
}

/**
 * Raised for a request the server refused (its status `code` and message), for a peer's bytes
 * that are not SFTP (`code` BAD_MESSAGE), and for requests cut off when the session ended
 * (`code` CONNECTION_LOST). A failed transfer says how far it got in `bytesTransferred`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SftpError, StatusCode } from "@hush/sftp";
 * const e = new SftpError("Cannot open /etc/shadow: Permission denied", {
 *   code: StatusCode.PERMISSION_DENIED,
 *   path: "/etc/shadow",
 * });
 * assert.equal(e.name, "SftpError");
 * assert.equal(e.code, 3);
 * assert.equal(e.path, "/etc/shadow");
 * ```
 */
export class SftpError extends Error {
  /** The SFTP status code that fits this error. */
  readonly code: number;
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
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SftpError";
    this.code = options.code ?? StatusCode.BAD_MESSAGE;
    if (options.path !== undefined) this.path = options.path;
    if (options.bytesTransferred !== undefined) this.bytesTransferred = options.bytesTransferred;
  }

  /** The words of the status code, e.g. "No such file". */
  get status(): string {
    return statusMessage(this.code);
  }
}
