/**
 * The authentication package's one error class.
 * @module
 */
import { DisconnectReason, type DisconnectReasonCode, SshError } from "@hush/wire";

/**
 * Options of {@linkcode AuthError} beyond the standard `cause`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuthError, type AuthErrorOptions } from "@hush/auth";
 * const options: AuthErrorOptions = { tried: ["none", "password"] };
 * assert.deepEqual(
 *   new AuthError("Permission denied (password)", 14, options).tried,
 *   ["none", "password"],
 * );
 * ```
 */
export interface AuthErrorOptions extends ErrorOptions {
  /** The methods tried before giving up, in order. */
  tried?: string[];
}

/**
 * Raised when authentication fails or the peer breaks the authentication protocol (RFC 4252,
 * RFC 4256), and for bad replies from an ssh-agent. Carries the disconnect reason that fits and
 * the methods that were tried; never a password or key material.
 *
 * Extends `SshError` from `@hush/wire` with the stable `code` `"ERR_SSH_AUTH"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuthError } from "@hush/auth";
 * import { DisconnectReason } from "@hush/wire";
 * const e = new AuthError("Permission denied (publickey)", DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE, {
 *   tried: ["none", "publickey"],
 * });
 * assert.equal(e.reason, 14);
 * assert.deepEqual(e.tried, ["none", "publickey"]);
 * assert.equal(e.code, "ERR_SSH_AUTH");
 * ```
 */
export class AuthError extends SshError {
  /** The SSH disconnect reason code that fits this error. */
  readonly reason: DisconnectReasonCode;
  /** The authentication methods tried, in order (empty when none was). */
  readonly tried: string[];

  /**
   * Creates an authentication error.
   * @param message What went wrong, in sentence case, with no secret material.
   * @param reason The disconnect reason; PROTOCOL_ERROR unless given.
   * @param options Standard error options (`cause`) and the methods tried.
   */
  constructor(
    message: string,
    reason: DisconnectReasonCode = DisconnectReason.PROTOCOL_ERROR,
    options: AuthErrorOptions = {},
  ) {
    super(
      "ERR_SSH_AUTH",
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "AuthError";
    this.reason = reason;
    this.tried = options.tried ?? [];
  }
}
