/**
 * The hostkeys package's error class.
 * @module
 */
import { DisconnectReason, type DisconnectReasonCode, SshError } from "@hush/wire";

/**
 * What a refused host key looked like in the known_hosts files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostKeyError, type HostKeyRefusal } from "@hush/hostkeys";
 * const why: HostKeyRefusal = "revoked";
 * assert.equal(
 *   new HostKeyError("Host key verification failed.", { status: why }).status,
 *   "revoked",
 * );
 * ```
 */
export type HostKeyRefusal = "unknown" | "changed" | "revoked";

/**
 * Extra fields of a {@linkcode HostKeyError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostKeyError, type HostKeyErrorOptions } from "@hush/hostkeys";
 * const options: HostKeyErrorOptions = { status: "unknown", cause: new Error("declined") };
 * assert.equal(new HostKeyError("Host key verification failed.", options).reason, 9);
 * ```
 */
export interface HostKeyErrorOptions extends ErrorOptions {
  /** The disconnect reason that fits (HOST_KEY_NOT_VERIFIABLE unless given). */
  reason?: DisconnectReasonCode;
  /** Why the key was refused, when it was refused after a known_hosts lookup. */
  status?: HostKeyRefusal;
}

/**
 * Raised when a server's host key is refused: unknown under a strict policy, changed, revoked,
 * or declined by the user. `status` tells which; `reason` is the disconnect reason to send.
 *
 * Extends `SshError` from `@hush/wire` with the stable `code` `"ERR_SSH_HOST_KEY"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostKeyError } from "@hush/hostkeys";
 * const e = new HostKeyError("Host key verification failed.", { status: "changed" });
 * assert.equal(e.name, "HostKeyError");
 * assert.equal(e.reason, 9);
 * assert.equal(e.status, "changed");
 * assert.equal(e.code, "ERR_SSH_HOST_KEY");
 * ```
 */
export class HostKeyError extends SshError {
  /** The SSH disconnect reason code that fits this error. */
  readonly reason: DisconnectReasonCode;
  /** Why the key was refused, when a known_hosts lookup decided it. */
  readonly status?: HostKeyRefusal;

  /**
   * Creates a host key error.
   * @param message What happened, in sentence case; may span several lines like OpenSSH's.
   * @param options The disconnect reason, the status and the cause.
   */
  constructor(message: string, options: HostKeyErrorOptions = {}) {
    super(
      "ERR_SSH_HOST_KEY",
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "HostKeyError";
    this.reason = options.reason ?? DisconnectReason.HOST_KEY_NOT_VERIFIABLE;
    if (options.status !== undefined) this.status = options.status;
  }
}
