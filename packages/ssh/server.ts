/**
 * The server facade: `serve()` listens on TCP, `accept()` serves one byte duplex; each
 * connection runs the transport, authentication, then the connection layer with the
 * application's callbacks. Port forwarding is decided by the application and plumbed here:
 * a `direct-tcpip` open is accepted with the duplex the application connected, a
 * `tcpip-forward` listener hands each incoming duplex back as a `forwarded-tcpip` channel.
 * @module
 */
import { type AuthenticatedUser, authenticateServer, type ServerAuthOptions } from "@hush/auth";
import {
  type Channel,
  type ChannelOpenRefusal,
  type ChannelOpenRequest,
  Connection,
  type ServerSession,
} from "@hush/channels";
import type { AlgorithmPreferences } from "@hush/kex";
import type { Signer } from "@hush/keys";
import { type ByteDuplex, startTransport, type Transport } from "@hush/transport";
import type { GlobalRequestBody } from "@hush/wire";
import { listenTcp, type TcpConnection } from "./adapters/tcp.ts";

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
 * Limits a server enforces per connection.
 *
 * @example
 * ```ts
 * import type { ServerLimits } from "@hush/ssh";
 * const limits: ServerLimits = { maxAuthTries: 3, loginGraceTime: 30_000, rekeyBytes: 1 << 30 };
 * ```
 */
export interface ServerLimits {
  /** Failed authentication attempts allowed (6). */
  maxAuthTries?: number;
  /** Milliseconds allowed from connect to successful login (120 000; 0: no limit). */
  loginGraceTime?: number;
  /** Rekey after this many bytes each way (RekeyLimit; transport default 1 GiB). */
  rekeyBytes?: number;
  /** Rekey after this many milliseconds (RekeyLimit's second field; transport default 1 h). */
  rekeyInterval?: number;
}

/**
 * A byte duplex the application connected for a forward, with a way to close it.
 *
 * @example
 * ```ts
 * import { memoryDuplexPair, type ForwardSocket } from "@hush/ssh";
 * const [a] = memoryDuplexPair();
 * const socket: ForwardSocket = { ...a, close: () => {} };
 * ```
 */
export interface ForwardSocket extends ByteDuplex {
  /** Closes the socket at once (called when the channel ends). */
  close?(): void;
}

/**
 * A `direct-tcpip` open (`ssh -L`): where the client wants to go and where it came from.
 *
 * @example
 * ```ts
 * import type { DirectTcpipRequest } from "@hush/ssh";
 * const open: DirectTcpipRequest = { host: "127.0.0.1", port: 80, originatorAddress: "127.0.0.1", originatorPort: 50000 };
 * ```
 */
export interface DirectTcpipRequest {
  /** Host to connect to. */
  host: string;
  /** Port to connect to. */
  port: number;
  /** Address of the client's client. */
  originatorAddress: string;
  /** Port of the client's client. */
  originatorPort: number;
}

/**
 * A `tcpip-forward` request (`ssh -R`), with a way to hand incoming connections back.
 *
 * @example
 * ```ts
 * import type { ForwardHandlers, TcpipForwardRequest } from "@hush/ssh";
 * const handlers: ForwardHandlers = {
 *   tcpipForward: (request: TcpipForwardRequest) => request.port === 8080 ? { port: 8080, close: () => {} } : false,
 * };
 * ```
 */
export interface TcpipForwardRequest {
  /** Address to listen on as the client sent it (`""`, `localhost`, `0.0.0.0`, …). */
  address: string;
  /** Port to listen on (0: pick one and report it). */
  port: number;
  /**
   * Sends one incoming connection to the client as a `forwarded-tcpip` channel and pipes it
   * both ways; resolves when the channel is open (rejects when the client refuses).
   */
  forward(socket: ForwardSocket, originatorAddress: string, originatorPort: number): Promise<void>;
}

/**
 * A listener the application opened for a `tcpip-forward`.
 *
 * @example
 * ```ts
 * import type { RemoteForward } from "@hush/ssh";
 * const forward: RemoteForward = { port: 8080, close: () => console.log("stopped listening") };
 * ```
 */
export interface RemoteForward {
  /** The port actually bound (reported to the client when it asked for 0). */
  port: number;
  /** Stops listening (on `cancel-tcpip-forward` and when the connection ends). */
  close(): void;
}

/**
 * Port forwarding callbacks; each kind is refused when its callback is absent.
 *
 * @example
 * ```ts
 * import { type ForwardHandlers, tcpForwarding } from "@hush/ssh";
 * // Local forwards only, and only to port 80 on loopback.
 * const tcp = tcpForwarding({ remote: false });
 * const handlers: ForwardHandlers = {
 *   directTcpip: (req, ctx) => req.host === "127.0.0.1" && req.port === 80 ? tcp.directTcpip!(req, ctx) : false,
 * };
 * ```
 */
export interface ForwardHandlers {
  /**
   * Connects a `direct-tcpip` open. Resolve the connected socket to accept (the facade pipes
   * it both ways), `false` or a refusal to refuse.
   */
  directTcpip?: (
    request: DirectTcpipRequest,
    context: ServerContext,
  ) =>
    | Promise<ForwardSocket | false | ChannelOpenRefusal>
    | ForwardSocket
    | false
    | ChannelOpenRefusal;
  /** Opens a listener for a `tcpip-forward`; `false` refuses. */
  tcpipForward?: (
    request: TcpipForwardRequest,
    context: ServerContext,
  ) => Promise<RemoteForward | false> | RemoteForward | false;
}

/**
 * Options for {@linkcode serve} and {@linkcode accept}.
 *
 * @example
 * ```ts
 * import type { ServeOptions } from "@hush/ssh";
 * import { generateKey } from "@hush/keys";
 * const options: ServeOptions = {
 *   hostKeys: [await generateKey("ssh-ed25519")],
 *   authenticate: { password: (user, password) => user === "demo" && password === "demo" },
 *   onSession: (session) => {
 *     session.onRequest = (req) => req.request === "shell";
 *   },
 *   port: 0,
 * };
 * ```
 */
export interface ServeOptions {
  /** Host keys to offer (at least one). */
  hostKeys: Signer[];
  /** How users authenticate (callbacks per method). */
  authenticate: Omit<ServerAuthOptions, "sessionId">;
  /** A session channel was opened; handle its requests (exec, shell, pty, env, …). */
  onSession?: (session: ServerSession, context: ServerContext) => void;
  /** `direct-tcpip` (ssh -L) and `tcpip-forward` (ssh -R); refused when absent. */
  onForward?: ForwardHandlers;
  /** Called once a connection has ended (after its forwards are closed). */
  onClose?: (context: ServerContext) => void;
  /** Algorithm preferences. */
  algorithms?: Partial<AlgorithmPreferences>;
  /** Limits. */
  limits?: ServerLimits;
  /** Software version in our identification line (`Hush_0.1.0`). */
  softwareVersion?: string;
  /** Trace lines (`sshd -d` style). */
  trace?: (line: string) => void;
  /** Interface to listen on (`127.0.0.1`). */
  hostname?: string;
  /** Port to listen on (22; 0 picks a free one). */
  port?: number;
}

/**
 * A running server.
 *
 * @example
 * ```ts
 * import { serve } from "@hush/ssh";
 * import { generateKey } from "@hush/keys";
 * const server = await serve({ port: 0, hostKeys: [await generateKey("ssh-ed25519")], authenticate: {} });
 * console.log(server.hostname, server.port > 0, server.connections); // 127.0.0.1 true 0
 * await server.close();
 * ```
 */
export interface SshServer {
  /** Bound address. */
  hostname: string;
  /** Bound port. */
  port: number;
  /** Connections being served now. */
  readonly connections: number;
  /** Stops listening and closes every connection (disconnecting authenticated ones). */
  close(): Promise<void>;
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

/** Pipes a channel and a socket both ways; closes both once either side is done with both. */
function pipeChannel(channel: Channel, socket: ForwardSocket, trace: (line: string) => void): void {
  const up = socket.readable.pipeTo(channel.writable).catch(() => {});
  const down = channel.readable.pipeTo(socket.writable).catch(() => {});
  Promise.all([up, down]).then(() => channel.close()).catch(() => {});
  channel.closed.then(() => {
    trace(`channel ${channel.id}: ${channel.channelType} closed`);
    socket.close?.();
  });
}

function portReply(port: number): Uint8Array {
  const reply = new Uint8Array(4);
  new DataView(reply.buffer).setUint32(0, port);
  return reply;
}

/**
 * Serves SSH on one byte duplex (a socket accepted elsewhere, a WebSocket, a test pair).
 * Resolves once the client is authenticated; the connection then runs until it closes
 * (`context.closed`).
 *
 * @example
 * ```ts ignore
 * import { accept } from "@hush/ssh";
 * const ctx = await accept(duplex, { hostKeys: [hostKey], authenticate: { password: (u, p) => p === "secret" } });
 * await ctx.closed;
 * ```
 */
export async function accept(
  duplex: ByteDuplex,
  options: ServeOptions,
  peer: PeerInfo = {},
): Promise<ServerContext> {
  if (options.hostKeys.length === 0) throw new TypeError("serve()/accept() need a host key");
  const trace = options.trace ?? (() => {});
  const transport = await startTransport(duplex, {
    role: "server",
    hostKeys: options.hostKeys,
    algorithms: options.algorithms,
    rekeyBytes: options.limits?.rekeyBytes,
    rekeyInterval: options.limits?.rekeyInterval,
    handshakeTimeout: options.limits?.loginGraceTime || undefined,
    softwareVersion: options.softwareVersion,
    trace,
  });
  let user: AuthenticatedUser;
  try {
    user = await authenticateServer(transport, {
      ...options.authenticate,
      maxAuthTries: options.limits?.maxAuthTries ?? options.authenticate.maxAuthTries,
      loginGraceTime: options.limits?.loginGraceTime ?? options.authenticate.loginGraceTime,
      remoteAddress: peer.remoteAddress,
      sessionId: transport.sessionId!,
      trace: options.authenticate.trace ?? trace,
    });
  } catch (e) {
    await transport.disconnect(14, "Authentication failed").catch(() => {});
    throw e;
  }
  trace(
    `Accepted ${user.method} for ${user.user} from ${peer.remoteAddress ?? "?"} port ${
      peer.remotePort ?? "?"
    } ssh2`,
  );
  const forwarding = !user.options?.noPortForwarding;
  const listeners = new Map<string, RemoteForward>();
  const sockets = new WeakMap<ChannelOpenRequest, ForwardSocket>();
  // deno-lint-ignore prefer-const -- assigned once the connection exists; callbacks run later
  let context!: ServerContext;
  const connection = new Connection(transport, {
    role: "server",
    trace,
    onChannelOpen: async (open): Promise<boolean | ChannelOpenRefusal> => {
      if (open.channelType === "session") return options.onSession ? true : false;
      if (open.channelType !== "direct-tcpip") return false;
      const connect = options.onForward?.directTcpip;
      if (!connect || !forwarding) {
        trace(`refused direct-tcpip to ${open.host}:${open.port}: forwarding is not allowed`);
        return false;
      }
      const permitOpen = user.options?.permitOpen;
      if (permitOpen && !permitOpen.some((p) => permits(p, open.host, open.port))) {
        trace(`refused direct-tcpip to ${open.host}:${open.port}: not in permitopen`);
        return false;
      }
      const socket = await connect({
        host: open.host,
        port: open.port,
        originatorAddress: open.originatorAddress,
        originatorPort: open.originatorPort,
      }, context);
      if (socket === false || !("readable" in socket)) return socket;
      sockets.set(open, socket);
      return true;
    },
    onSession: (session: ServerSession) => options.onSession?.(session, context),
    onChannel: (channel, open) => {
      const socket = sockets.get(open);
      if (socket) pipeChannel(channel, socket, trace);
      else channel.close();
    },
    onGlobalRequest: async (req: GlobalRequestBody) => {
      if (req.request === "tcpip-forward") {
        const listen = options.onForward?.tcpipForward;
        if (!listen || !forwarding) {
          trace(`refused tcpip-forward ${req.address}:${req.port}: forwarding is not allowed`);
          return false;
        }
        const permitListen = user.options?.permitListen;
        if (permitListen && !permitListen.some((p) => permits(p, req.address, req.port))) {
          trace(`refused tcpip-forward ${req.address}:${req.port}: not in permitlisten`);
          return false;
        }
        const address = req.address;
        // The port we tell the client (the bound one once known, for a request of port 0).
        let boundPort = req.port;
        const forward = await listen({
          address,
          port: req.port,
          forward: async (socket, originatorAddress, originatorPort) => {
            let channel: Channel;
            try {
              channel = await connection.openForwardedTcpip({
                address,
                port: boundPort,
                originatorAddress,
                originatorPort,
              });
            } catch (e) {
              socket.close?.();
              throw e;
            }
            pipeChannel(channel, socket, trace);
          },
        }, context);
        if (forward === false) return false;
        boundPort = forward.port;
        listeners.set(`${address}:${forward.port}`, forward);
        trace(`tcpip-forward listening on ${address || "*"}:${forward.port}`);
        return req.port === 0 ? portReply(forward.port) : true;
      }
      if (req.request === "cancel-tcpip-forward") {
        const key = `${req.address}:${req.port}`;
        const forward = listeners.get(key);
        if (!forward) return false;
        listeners.delete(key);
        forward.close();
        trace(`cancel-tcpip-forward ${key}`);
        return true;
      }
      return false;
    },
  });
  const closed = Promise.all([connection.closed, transport.closed]).then(() => {
    for (const forward of listeners.values()) forward.close();
    listeners.clear();
  });
  context = {
    user,
    remoteAddress: peer.remoteAddress,
    remotePort: peer.remotePort,
    localAddress: peer.localAddress,
    localPort: peer.localPort,
    transport,
    connection,
    closed,
  };
  closed.then(() => options.onClose?.(context));
  return context;
}

/** Whether a `permitopen`/`permitlisten` pattern (`host:port`, `*` allowed) allows this. */
function permits(pattern: string, host: string, port: number): boolean {
  const colon = pattern.lastIndexOf(":");
  const h = colon < 0 ? "localhost" : pattern.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const p = colon < 0 ? pattern : pattern.slice(colon + 1);
  return (h === "*" || h === host) && (p === "*" || Number(p) === port);
}

/**
 * Listens on TCP and serves every connection with {@linkcode accept}.
 *
 * @example
 * ```ts ignore
 * import { serve } from "@hush/ssh";
 * const server = await serve({ port: 0, hostKeys: [hostKey], authenticate: { publickey: () => true } });
 * console.log(`listening on ${server.hostname}:${server.port}`);
 * ```
 */
export async function serve(options: ServeOptions): Promise<SshServer> {
  const listener = await listenTcp(options.hostname ?? "127.0.0.1", options.port ?? 22);
  const open = new Map<TcpConnection, ServerContext | undefined>();
  const trace = options.trace ?? (() => {});
  (async () => {
    for await (const socket of listener) {
      open.set(socket, undefined);
      trace(
        `Connection from ${socket.remoteAddress} port ${socket.remotePort} on ${socket.localAddress} port ${socket.localPort}`,
      );
      accept(socket, options, socket)
        .then((ctx) => {
          open.set(socket, ctx);
          return ctx.closed;
        })
        .then(() => trace(`Disconnected from ${socket.remoteAddress} port ${socket.remotePort}`))
        .catch((e) =>
          trace(
            `Connection from ${socket.remoteAddress} port ${socket.remotePort} ended: ${
              e instanceof Error ? e.message : e
            }`,
          )
        )
        .finally(() => {
          open.delete(socket);
          socket.close();
        });
    }
  })().catch((e) => trace(`Listener stopped: ${e instanceof Error ? e.message : e}`));
  return {
    hostname: listener.hostname,
    port: listener.port,
    get connections() {
      return open.size;
    },
    close: async () => {
      listener.close();
      await Promise.all([...open].map(async ([socket, ctx]) => {
        if (ctx) await ctx.connection.close().catch(() => {});
        socket.close();
      }));
    },
  };
}
