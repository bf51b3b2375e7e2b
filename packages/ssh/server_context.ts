/**
 * Who a server is talking to: the per-connection context handed to the application's
 * callbacks, and where a connection came from.
 * @module
 */
import type { AuthenticatedUser } from "@hush/auth";
import type { Connection } from "@hush/channels";
import type { Transport } from "@hush/transport";

/**
 * Per-connection context handed to the application's callbacks.
 *
 * @example
 * ```ts
 * import type { ServerContext } from "@hush/ssh";
 * const describe = (ctx: ServerContext) =>
 *   `${ctx.user.user} via ${ctx.user.method} from ${ctx.remoteAddress}:${ctx.remotePort}`;
 * ```
 */
export interface ServerContext {
  /** Who logged in, how, and any authorized_keys options that apply. */
  user: AuthenticatedUser;
  /** The peer's address, when known. */
  remoteAddress?: string;
  /** The peer's port, when known. */
  remotePort?: number;
  /** Our address on this connection, when known. */
  localAddress?: string;
  /** Our port on this connection, when known. */
  localPort?: number;
  /** The transport (algorithms, versions). */
  transport: Transport;
  /** The connection layer (open forwarded-tcpip channels to the client through it). */
  connection: Connection;
  /** Resolves once the connection has ended. */
  closed: Promise<void>;
}

/**
 * Where a connection came from and arrived at.
 *
 * @example
 * ```ts
 * import type { PeerInfo } from "@hush/ssh";
 * const peer: PeerInfo = { remoteAddress: "192.0.2.7", remotePort: 50022 };
 * ```
 */
export interface PeerInfo {
  /** The client's address. */
  remoteAddress?: string;
  /** The client's port. */
  remotePort?: number;
  /** Our address. */
  localAddress?: string;
  /** Our port. */
  localPort?: number;
}
