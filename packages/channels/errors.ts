/**
 * The channels package's error class.
 * @module
 */
import { DisconnectReason, type DisconnectReasonCode, SshError } from "@hush/wire";

/** Extra fields of a {@linkcode ChannelError}. */
export interface ChannelErrorOptions extends ErrorOptions {
  /** The disconnect reason that fits (PROTOCOL_ERROR unless given). */
  reason?: DisconnectReasonCode;
  /** The reason code of the peer's CHANNEL_OPEN_FAILURE, when the peer refused an open. */
  openFailure?: number;
}

/**
 * Raised for the peer's protocol violations in the connection layer (RFC 4254), for a channel
 * open the peer refused (`openFailure` holds its reason code), and for channels and requests
 * that end because the channel or the connection closed.
 *
 * Extends `SshError` from `@hush/wire` with the stable `code` `"ERR_SSH_CHANNEL"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChannelError } from "@hush/channels";
 * const e = new ChannelError("Cannot open channel: peer refused with reason 2 (connect failed)", {
 *   openFailure: 2,
 * });
 * assert.equal(e.name, "ChannelError");
 * assert.equal(e.reason, 2);
 * assert.equal(e.openFailure, 2);
 * assert.equal(e.code, "ERR_SSH_CHANNEL");
 * ```
 */
export class ChannelError extends SshError {
  /** The SSH disconnect reason code that fits this error. */
  readonly reason: DisconnectReasonCode;
  /** The peer's CHANNEL_OPEN_FAILURE reason code, when this error is a refused open. */
  readonly openFailure?: number;

  /**
   * Creates a channel error.
   * @param message What happened, in sentence case, with no secret material.
   * @param options The disconnect reason, the open failure code and the cause.
   */
  constructor(message: string, options: ChannelErrorOptions = {}) {
    super(
      "ERR_SSH_CHANNEL",
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "ChannelError";
    this.reason = options.reason ?? DisconnectReason.PROTOCOL_ERROR;
    if (options.openFailure !== undefined) this.openFailure = options.openFailure;
  }
}
