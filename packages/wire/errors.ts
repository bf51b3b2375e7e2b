/**
 * SSH disconnect reason codes (RFC 4253 §11.1) and the wire package's error class.
 * @module
 */
import { SshError } from "./ssh_error.ts";

/**
 * The reason codes of SSH_MSG_DISCONNECT (RFC 4253 §11.1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DisconnectReason } from "@hush/wire";
 * assert.equal(DisconnectReason.PROTOCOL_ERROR, 2);
 * ```
 */
export const DisconnectReason = {
  HOST_NOT_ALLOWED_TO_CONNECT: 1,
  PROTOCOL_ERROR: 2,
  KEY_EXCHANGE_FAILED: 3,
  RESERVED: 4,
  MAC_ERROR: 5,
  COMPRESSION_ERROR: 6,
  SERVICE_NOT_AVAILABLE: 7,
  PROTOCOL_VERSION_NOT_SUPPORTED: 8,
  HOST_KEY_NOT_VERIFIABLE: 9,
  CONNECTION_LOST: 10,
  BY_APPLICATION: 11,
  TOO_MANY_CONNECTIONS: 12,
  AUTH_CANCELLED_BY_USER: 13,
  NO_MORE_AUTH_METHODS_AVAILABLE: 14,
  ILLEGAL_USER_NAME: 15,
} as const;

/** One of the values of {@linkcode DisconnectReason}. */
export type DisconnectReasonCode = (typeof DisconnectReason)[keyof typeof DisconnectReason];

/**
 * Raised for bytes from the peer that are not valid SSH: truncated fields, bad lengths,
 * non-minimal mpints, malformed name-lists, oversized packets. Carries the disconnect reason
 * the transport sends before closing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SshReader, WireError } from "@hush/wire";
 * assert.throws(() => new SshReader(new Uint8Array([0, 0, 0, 9])).string(), WireError);
 * assert.throws(() => new SshReader(new Uint8Array([0, 0, 0, 9])).string(), {
 *   reason: 2,
 *   code: "ERR_SSH_WIRE",
 * });
 * ```
 */
export class WireError extends SshError {
  /** The SSH disconnect reason code that fits this error. */
  readonly reason: DisconnectReasonCode;

  /**
   * Creates a WireError.
   *
   * @param message What was wrong, in sentence case, with no secret material.
   * @param reason The disconnect reason; PROTOCOL_ERROR unless given.
   * @param options Standard error options (`cause`).
   */
  constructor(
    message: string,
    reason: DisconnectReasonCode = DisconnectReason.PROTOCOL_ERROR,
    options?: ErrorOptions,
  ) {
    super("ERR_SSH_WIRE", message, options);
    this.name = "WireError";
    this.reason = reason;
  }
}
