/**
 * The cipher package's one error class.
 * @module
 */
import { DisconnectReason, type DisconnectReasonCode, SshError } from "@hush/wire";

/**
 * Raised for packets from the peer that cannot be opened: a MAC or tag that does not verify
 * (reason MAC_ERROR), or a length over the limit, not aligned to the block size, or a packet
 * whose padding is malformed (reason PROTOCOL_ERROR). No plaintext is ever attached.
 *
 * Extends `SshError` from `@hush/wire` with the stable `code` `"ERR_SSH_CIPHER"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CipherError } from "@hush/cipher";
 * import { DisconnectReason } from "@hush/wire";
 * const e = new CipherError("Corrupted MAC on input", DisconnectReason.MAC_ERROR);
 * assert.equal(e.name, "CipherError");
 * assert.equal(e.reason, 5);
 * assert.equal(e.code, "ERR_SSH_CIPHER");
 * ```
 */
export class CipherError extends SshError {
  /** The SSH disconnect reason code that fits this error. */
  readonly reason: DisconnectReasonCode;

  /**
   * Creates the error.
   * @param message What was wrong, in sentence case, with no secret material.
   * @param reason The disconnect reason; PROTOCOL_ERROR unless given.
   * @param options Standard error options (`cause`).
   */
  constructor(
    message: string,
    reason: DisconnectReasonCode = DisconnectReason.PROTOCOL_ERROR,
    options?: ErrorOptions,
  ) {
    super(
      "ERR_SSH_CIPHER",
      message,
      options,
    );
    this.name = "CipherError";
    this.reason = reason;
  }
}
