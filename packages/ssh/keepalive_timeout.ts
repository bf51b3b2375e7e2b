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
 * ```ts ignore
 * connection.closed.then(() => isKeepaliveTimeout(connection.error) && log("Timeout"));
 * ```
 */
export function isKeepaliveTimeout(error: ChannelError | undefined): boolean {
  return error?.reason === DisconnectReason.CONNECTION_LOST &&
    error.message === "Timeout, peer not responding";
}
