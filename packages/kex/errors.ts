/**
 * The key exchange package's one error class.
 * @module
 */
import { DisconnectReason, type DisconnectReasonCode, SshError } from "@hush/wire";

/**
 * Raised for a key exchange that cannot go on: no common algorithm, a peer's value out of
 * range or off the curve, a bad host key signature, a message out of order. `reason` is the
 * disconnect reason the transport sends (KEY_EXCHANGE_FAILED or PROTOCOL_ERROR).
 *
 * Extends `SshError` from `@hush/wire` with the stable `code` `"ERR_SSH_KEX"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KexError } from "@hush/kex";
 * import { DisconnectReason } from "@hush/wire";
 * const e = new KexError("No common key exchange algorithm", DisconnectReason.KEY_EXCHANGE_FAILED);
 * assert.equal(e.name, "KexError");
 * assert.equal(e.reason, 3);
 * assert.equal(e.code, "ERR_SSH_KEX");
 * ```
 */
export class KexError extends SshError {
  /** The SSH disconnect reason code that fits this error. */
  readonly reason: DisconnectReasonCode;

  /**
   * Makes a key exchange error.
   *
   * @param message What went wrong, in sentence case, with no secret material.
   * @param reason The disconnect reason; KEY_EXCHANGE_FAILED unless given.
   * @param options Standard error options (`cause`).
   */
  constructor(
    message: string,
    reason: DisconnectReasonCode = DisconnectReason.KEY_EXCHANGE_FAILED,
    options?: ErrorOptions,
  ) {
    super(
      "ERR_SSH_KEX",
      message,
      options,
    );
    this.name = "KexError";
    this.reason = reason;
  }
}

/** Shorthand for a PROTOCOL_ERROR KexError. */
export function protocolError(message: string, cause?: unknown): KexError {
  return new KexError(message, DisconnectReason.PROTOCOL_ERROR, cause ? { cause } : undefined);
}

/** Shorthand for a KEY_EXCHANGE_FAILED KexError. */
export function kexFailed(message: string, cause?: unknown): KexError {
  return new KexError(message, DisconnectReason.KEY_EXCHANGE_FAILED, cause ? { cause } : undefined);
}
