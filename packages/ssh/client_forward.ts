/**
 * The client's port forwarding: the table that routes the server's `forwarded-tcpip` opens to
 * the `forwardIn` that asked for them (`ssh -R`), and a local listener that sends each
 * connection through a `direct-tcpip` channel (`ssh -L`).
 * @module
 */
import type { Channel, ChannelOpenHandler, ChannelOpenRequest } from "@hush/channels";
import type { ByteDuplex } from "@hush/transport";
import { listenTcp, type TcpConnection, type TcpListener } from "./adapters/tcp.ts";

/** Where a connection to a remote forward came from. */
export interface ForwardedConnectionInfo {
  /** The address the server listens on, as the `forwarded-tcpip` open names it. */
  address: string;
  /** The port the server listens on. */
  port: number;
  /** The address of the client that connected to the server's port. */
  originatorAddress: string;
  /** Its port. */
  originatorPort: number;
}

/**
 * Receives each connection to a remote forward: the channel is a byte duplex (`readable`,
 * `writable`) to the client that connected on the server's side.
 */
export type ForwardedConnectionHandler = (channel: Channel, info: ForwardedConnectionInfo) => void;

/** A forward the server granted, with the handler of its connections. */
export interface RemoteForwardEntry {
  /** The address asked for in `tcpip-forward`. */
  address: string;
  /** The port bound. */
  port: number;
  /** Receives its connections. */
  handler: ForwardedConnectionHandler;
}

/**
 * Routes the server's `forwarded-tcpip` opens to the handler of the forward they belong to
 * (matched by port, and by address when several forwards share a port); opens for no known
 * forward go to the application's own `onChannelOpen`, else are refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RemoteForwardTable } from "./client_forward.ts";
 * const table = new RemoteForwardTable();
 * table.add("localhost", 8080, (channel) => channel.close());
 * assert.equal(table.size, 1);
 * ```
 */
export class RemoteForwardTable {
  #entries: RemoteForwardEntry[] = [];

  /** Forwards registered now. */
  get size(): number {
    return this.#entries.length;
  }

  /** Registers the handler of a forward the server has granted. */
  add(address: string, port: number, handler: ForwardedConnectionHandler): void {
    this.remove(address, port);
    this.#entries.push({ address, port, handler });
  }

  /** Forgets a forward; returns whether there was one. */
  remove(address: string, port: number): boolean {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => !(e.address === address && e.port === port));
    return this.#entries.length !== before;
  }

  /** The forward a `forwarded-tcpip` open belongs to. */
  find(address: string, port: number): RemoteForwardEntry | undefined {
    const samePort = this.#entries.filter((e) => e.port === port);
    return samePort.find((e) => e.address === address) ??
      (samePort.length === 1 ? samePort[0] : undefined);
  }

  /** A channel-open handler that accepts opens for known forwards, else asks `fallback`. */
  openHandler(fallback?: ChannelOpenHandler): ChannelOpenHandler {
    return (open) => {
      if (open.channelType === "forwarded-tcpip" && this.find(open.address, open.port)) return true;
      return fallback?.(open) ?? false;
    };
  }

  /** A channel handler that gives accepted channels to their forward, else to `fallback`. */
  channelHandler(
    fallback?: (channel: Channel, open: ChannelOpenRequest) => void,
  ): (channel: Channel, open: ChannelOpenRequest) => void {
    return (channel, open) => {
      const entry = open.channelType === "forwarded-tcpip"
        ? this.find(open.address, open.port)
        : undefined;
      if (entry && open.channelType === "forwarded-tcpip") {
        const { address, port, originatorAddress, originatorPort } = open;
        try {
          entry.handler(channel, { address, port, originatorAddress, originatorPort });
        } catch {
          channel.close().catch(() => {});
        }
        return;
      }
      if (fallback) fallback(channel, open);
      else channel.close().catch(() => {});
    };
  }
}

/**
 * Copies bytes both ways between two duplexes, with backpressure (each side reads only as
 * fast as the other writes), passing EOF along in each direction; resolves once both
 * directions have ended. Errors end the relay quietly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relayDuplexes } from "./client_forward.ts";
 * import { memoryDuplexPair } from "@hush/ssh/adapters";
 * const [a, a2] = memoryDuplexPair();
 * const [b, b2] = memoryDuplexPair();
 * const done = relayDuplexes(a2, b2);
 * const w = a.writable.getWriter();
 * await w.write(new TextEncoder().encode("hi"));
 * await w.close();
 * assert.equal(await new Response(b.readable).text(), "hi");
 * await b.writable.close();
 * await done;
 * ```
 */
export async function relayDuplexes(a: ByteDuplex, b: ByteDuplex): Promise<void> {
  await Promise.allSettled([a.readable.pipeTo(b.writable), b.readable.pipeTo(a.writable)]);
}

/** Options for {@linkcode forwardLocal}. */
export interface LocalForwardOptions {
  /** Local address to listen on (`127.0.0.1`). */
  bindHost?: string;
  /** Local port to listen on (0 picks a free one). */
  bindPort?: number;
  /** Host to connect to, as the server resolves it. */
  host: string;
  /** Port to connect to. */
  port: number;
  /** Told about connections that could not be forwarded (e.g. the server refused the open). */
  onError?: (error: unknown, connection: { address: string; port: number }) => void;
}

/** A running local forward (`ssh -L`). */
export interface LocalForward {
  /** The local address listened on. */
  hostname: string;
  /** The local port listened on (the one picked when 0 was asked for). */
  port: number;
  /** Connections being relayed now. */
  readonly active: number;
  /** Stops listening and closes the connections being relayed. */
  close(): Promise<void>;
}

/** What {@linkcode forwardLocal} needs of a client. */
export interface DirectTcpipOpener {
  /** Opens a `direct-tcpip` channel to `host:port` from the server. */
  forwardOut(
    host: string,
    port: number,
    origin?: { address: string; port: number },
  ): Promise<Channel>;
}

/**
 * Listens locally and relays each connection through its own `direct-tcpip` channel to
 * `host:port` on the server's side (`ssh -L bindHost:bindPort:host:port`). Usually called as
 * `client.forwardLocal(…)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection } from "@hush/channels";
 * import { memoryConnPair } from "@hush/channels/testing";
 * import { forwardLocal } from "@hush/ssh";
 * import { connectTcp } from "@hush/ssh/adapters";
 * // A connection whose server echoes each direct-tcpip channel; `connect()`'s client in real use.
 * const [a, b] = memoryConnPair();
 * new Connection(b, { role: "server", onChannelOpen: () => true, onChannel: (ch) => ch.readable.pipeTo(ch.writable) });
 * const conn = new Connection(a, { role: "client" });
 * const client = {
 *   forwardOut: (host: string, port: number) =>
 *     conn.openDirectTcpip({ host, port, originatorAddress: "127.0.0.1", originatorPort: 0 }),
 * };
 * const forward = await forwardLocal(client, { bindPort: 0, host: "localhost", port: 80 });
 * const socket = await connectTcp("127.0.0.1", forward.port); // reaches the server's port 80
 * const w = socket.writable.getWriter();
 * await w.write(new TextEncoder().encode("GET /"));
 * await w.close();
 * assert.equal(await new Response(socket.readable).text(), "GET /");
 * await forward.close();
 * await conn.close();
 * ```
 */
export async function forwardLocal(
  client: DirectTcpipOpener,
  options: LocalForwardOptions,
): Promise<LocalForward> {
  const listener = await listenTcp(options.bindHost ?? "127.0.0.1", options.bindPort ?? 0);
  return serveForward(listener, async (conn) => {
    const channel = await client.forwardOut(options.host, options.port, {
      address: conn.remoteAddress,
      port: conn.remotePort,
    });
    await relayDuplexes(conn, channel);
    await channel.close().catch(() => {});
  }, options.onError);
}

/**
 * Runs `relay` for each connection `listener` accepts until closed, and closes each connection
 * after its relay: the life shared by a local forward (`-L`) and a dynamic one (`-D`). A relay's
 * failure goes to `onError` with the connection's origin.
 */
export function serveForward(
  listener: TcpListener,
  relay: (conn: TcpConnection) => Promise<void>,
  onError?: (error: unknown, connection: { address: string; port: number }) => void,
): LocalForward {
  const live = new Set<TcpConnection>();
  const relays = new Set<Promise<void>>();
  const serve = async (conn: TcpConnection) => {
    live.add(conn);
    try {
      await relay(conn);
    } catch (e) {
      onError?.(e, { address: conn.remoteAddress, port: conn.remotePort });
    } finally {
      conn.close();
      live.delete(conn);
    }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        const running = serve(conn);
        relays.add(running);
        running.finally(() => relays.delete(running));
      }
    } catch { /* listener closed */ }
  })();
  return {
    hostname: listener.hostname,
    port: listener.port,
    get active() {
      return live.size;
    },
    async close() {
      listener.close();
      for (const conn of live) conn.close();
      await accepting;
      await Promise.allSettled([...relays]);
    },
  };
}
