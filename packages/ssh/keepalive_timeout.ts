/**
 * Telling a keepalive timeout apart from other ends of a connection, so that the client and the
 * server can log it in OpenSSH's words ("Timeout, server … not responding", "Timeout, client
 * not responding from …").
 * @module
 */
import type { ChannelError } from "@hush/channels";
import { DisconnectReason } from "@hush/wire";

/**
 * Whether the connection ended because its keepalives found the peer silent: the
 * `Connection` then ends with CONNECTION_LOST and "Timeout, peer not responding".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChannelError } from "@hush/channels";
 * import { DisconnectReason } from "@hush/wire";
 * import { isKeepaliveTimeout } from "./keepalive_timeout.ts";
 * // what `connection.error` holds once the keepalive gave up
 * const error = new ChannelError("Timeout, peer not responding", {
 *   reason: DisconnectReason.CONNECTION_LOST,
 * });
 * assert.equal(isKeepaliveTimeout(error), true);
 * assert.equal(isKeepaliveTimeout(undefined), false); // a connection that ended otherwise
 * ```
 */
export function isKeepaliveTimeout(error: ChannelError | undefined): boolean {
  return error?.reason === DisconnectReason.CONNECTION_LOST &&
    error.message === "Timeout, peer not responding";
}
