/**
 * The server facade: `serve()` listens on TCP, `accept()` serves one byte duplex; each
 * connection runs the transport, authentication, then the connection layer with the
 * application's callbacks.
 * @module
 */
import { type AuthenticatedUser, authenticateServer, type ServerAuthOptions } from "@hush/auth";
import { type ChannelOpenRequest, Connection, type ServerSession } from "@hush/channels";
import type { AlgorithmPreferences } from "@hush/kex";
import type { Signer } from "@hush/keys";
import { type ByteDuplex, startTransport, type Transport } from "@hush/transport";
import type { GlobalRequestBody } from "@hush/wire";
import { listenTcp, type TcpConnection } from "./adapters/tcp.ts";

/** Per-connection context handed to the application's callbacks. */
export interface ServerContext {
  /** Who logged in, how, and any authorized_keys options that apply. */
  user: AuthenticatedUser;
  /** The peer's address, when known. */
  remoteAddress?: string;
  /** The peer's port, when known. */
  remotePort?: number;
  /** The transport (algorithms, versions). */
  transport: Transport;
  /** The connection layer (open forwarded-tcpip channels to the client through it). */
  connection: Connection;
}

/** Limits a server enforces per connection. */
export interface ServerLimits {
  /** Failed authentication attempts allowed (6). */
  maxAuthTries?: number;
  /** Milliseconds allowed from connect to successful login (120 000). */
  loginGraceTime?: number;
  /** Rekey after this many bytes each way. */
  rekeyBytes?: number;
}

/** Options for {@linkcode serve} and {@linkcode accept}. */
export interface ServeOptions {
  /** Host keys to offer (at least one). */
  hostKeys: Signer[];
  /** How users authenticate (callbacks per method). */
  authenticate: Omit<ServerAuthOptions, "sessionId">;
  /** A session channel was opened; handle its requests (exec, shell, pty, env, …). */
  onSession?: (session: ServerSession, context: ServerContext) => void;
  /** `direct-tcpip` (ssh -L) and `tcpip-forward` (ssh -R); refused when absent. */
  onForward?: {
    directTcpip?: (
      open: ChannelOpenRequest & { channelType: "direct-tcpip" },
      context: ServerContext,
    ) => boolean | Promise<boolean>;
    tcpipForward?: (
      request: GlobalRequestBody,
      context: ServerContext,
    ) => Promise<number | false> | number | false;
  };
  /** Algorithm preferences. */
  algorithms?: Partial<AlgorithmPreferences>;
  /** Limits. */
  limits?: ServerLimits;
  /** Trace lines (`sshd -d` style). */
  trace?: (line: string) => void;
  /** Interface to listen on (`127.0.0.1`). */
  hostname?: string;
  /** Port to listen on (22; 0 picks a free one). */
  port?: number;
}

/** A running server. */
export interface SshServer {
  /** Bound address. */
  hostname: string;
  /** Bound port. */
  port: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/**
 * Serves SSH on one byte duplex (a socket accepted elsewhere, a WebSocket, a test pair).
 * Resolves once the client is authenticated; the connection then runs until it closes.
 *
 * @example
 * ```ts ignore
 * import { accept } from "@hush/ssh";
 * const ctx = await accept(duplex, { hostKeys: [hostKey], authenticate: { password: (u, p) => p === "secret" } });
 * ```
 */
export async function accept(
  duplex: ByteDuplex,
  options: ServeOptions,
  peer: { remoteAddress?: string; remotePort?: number } = {},
): Promise<ServerContext> {
  const trace = options.trace ?? (() => {});
  const transport = await startTransport(duplex, {
    role: "server",
    hostKeys: options.hostKeys,
    algorithms: options.algorithms,
    rekeyBytes: options.limits?.rekeyBytes,
    handshakeTimeout: options.limits?.loginGraceTime,
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
      trace,
    });
  } catch (e) {
    await transport.disconnect(14, "Authentication failed").catch(() => {});
    throw e;
  }
  trace(
    `Accepted ${user.method} for ${user.user} from ${peer.remoteAddress ?? "?"} port ${
      peer.remotePort ?? "?"
    }`,
  );
  let context!: ServerContext;
  const connection = new Connection(transport, {
    role: "server",
    trace,
    onChannelOpen: async (open) => {
      if (open.channelType === "session") return options.onSession ? true : false;
      if (open.channelType === "direct-tcpip" && options.onForward?.directTcpip) {
        return await options.onForward.directTcpip(open, context);
      }
      return false;
    },
    onSession: (session: ServerSession) => options.onSession?.(session, context),
    onGlobalRequest: async (req: GlobalRequestBody) => {
      if (req.request === "tcpip-forward" && options.onForward?.tcpipForward) {
        const port = await options.onForward.tcpipForward(req, context);
        if (port === false) return false;
        const reply = new Uint8Array(4);
        new DataView(reply.buffer).setUint32(0, port);
        return req.port === 0 ? reply : true;
      }
      return false;
    },
  });
  context = {
    user,
    remoteAddress: peer.remoteAddress,
    remotePort: peer.remotePort,
    transport,
    connection,
  };
  return context;
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
  const open = new Set<TcpConnection>();
  const trace = options.trace ?? (() => {});
  (async () => {
    for await (const socket of listener) {
      open.add(socket);
      trace(`Connection from ${socket.remoteAddress} port ${socket.remotePort}`);
      accept(socket, options, socket)
        .then((ctx) => ctx.transport.closed)
        .catch((e) =>
          trace(`Connection from ${socket.remoteAddress}: ${e instanceof Error ? e.message : e}`)
        )
        .finally(() => {
          open.delete(socket);
          socket.close();
        });
    }
  })();
  return {
    hostname: listener.hostname,
    port: listener.port,
    close: async () => {
      listener.close();
      for (const s of open) s.close();
    },
  };
}
