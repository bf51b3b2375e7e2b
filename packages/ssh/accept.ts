/**
 * `accept()`: serves SSH on one byte duplex. It runs the transport and authentication, then
 * the connection layer with the application's callbacks. Port forwarding is decided by the
 * application and plumbed here: a `direct-tcpip` open is accepted with the duplex the
 * application connected, a `tcpip-forward` listener hands each incoming duplex back as a
 * `forwarded-tcpip` channel.
 * @module
 */
import { type AuthenticatedUser, authenticateServer } from "@hush/auth";
import {
  type Channel,
  type ChannelOpenRefusal,
  type ChannelOpenRequest,
  Connection,
  type ServerSession,
} from "@hush/channels";
import { type ByteDuplex, startTransport } from "@hush/transport";
import type { GlobalRequestBody } from "@hush/wire";
import { defaultCipherBackends } from "./adapters/crypto_backends.ts";
import {
  defaultSntrup761,
  defaultX25519,
  installDefaultEd25519,
} from "./adapters/curve_backends.ts";
import { pipeChannel } from "./channel_pipe.ts";
import { isKeepaliveTimeout } from "./keepalive_timeout.ts";
import { DEFAULT_MAX_SESSIONS, MAX_SESSIONS_REFUSAL } from "./max_sessions.ts";
import type { ServeOptions } from "./serve_options.ts";
import type { PeerInfo, ServerContext } from "./server_context.ts";
import type { ForwardSocket, RemoteForward } from "./server_forward_handlers.ts";
import { escapedTrace } from "./trace_line.ts";

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
 * ```ts
 * import assert from "node:assert/strict";
 * import { accept, connect, generateKey } from "@hush/ssh";
 * import { memoryDuplexPair } from "@hush/ssh/adapters";
 * const hostKey = await generateKey("ssh-ed25519");
 * const [a, b] = memoryDuplexPair(); // the server's end `b` would be an accepted socket
 * const accepted = accept(b, { hostKeys: [hostKey], authenticate: { password: (_u, p) => p === "secret" } });
 * const client = await connect({ hostname: "h", username: "me", password: "secret", policy: "no", duplex: a });
 * const ctx = await accepted;
 * assert.equal(ctx.user.user, "me");
 * assert.equal(ctx.user.method, "password");
 * await client.close();
 * await ctx.closed;
 * ```
 */
export async function accept(
  duplex: ByteDuplex,
  options: ServeOptions,
  peer: PeerInfo = {},
): Promise<ServerContext> {
  if (options.hostKeys.length === 0) throw new TypeError("serve()/accept() need a host key");
  await installDefaultEd25519();
  const maxSessions = options.limits?.maxSessions ?? DEFAULT_MAX_SESSIONS;
  if (!Number.isInteger(maxSessions) || maxSessions < 0) {
    throw new RangeError(`limits.maxSessions must be an integer >= 0, got ${maxSessions}`);
  }
  const trace = escapedTrace(options.trace);
  const transport = await startTransport(duplex, {
    role: "server",
    hostKeys: options.hostKeys,
    algorithms: options.algorithms,
    cipherBackends: options.cipherBackends ?? defaultCipherBackends(),
    x25519: options.x25519 ?? defaultX25519(),
    sntrup761: options.sntrup761 ?? defaultSntrup761(),
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
      trace: options.authenticate.trace ? escapedTrace(options.authenticate.trace) : trace,
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
  // Session channels accepted and not yet closed (MaxSessions).
  let sessions = 0;
  // deno-lint-ignore prefer-const -- assigned once the connection exists; callbacks run later
  let context!: ServerContext;
  const connection = new Connection(transport, {
    role: "server",
    trace,
    keepaliveInterval: options.limits?.clientAliveInterval,
    // OpenSSH's ClientAliveCountMax 0: keepalives without ever dropping the client
    keepaliveCountMax: options.limits?.clientAliveCountMax === 0
      ? Infinity
      : options.limits?.clientAliveCountMax,
    timers: options.keepaliveTimers,
    onChannelOpen: async (open): Promise<boolean | ChannelOpenRefusal> => {
      if (open.channelType === "session") {
        if (!options.onSession) return false;
        if (sessions >= maxSessions) {
          trace("no more sessions");
          return MAX_SESSIONS_REFUSAL;
        }
        sessions++;
        return true;
      }
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
    onSession: (session: ServerSession) => {
      session.closed.then(() => sessions--);
      options.onSession?.(session, context);
    },
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
  closed.then(() => {
    if (isKeepaliveTimeout(connection.error)) {
      trace(
        `Timeout, client not responding from user ${user.user} ${peer.remoteAddress ?? "?"} port ${
          peer.remotePort ?? "?"
        }`,
      );
    }
    options.onClose?.(context);
  });
  return context;
}

/** Whether a `permitopen`/`permitlisten` pattern (`host:port`, `*` allowed) allows this. */
function permits(pattern: string, host: string, port: number): boolean {
  const colon = pattern.lastIndexOf(":");
  const h = colon < 0 ? "localhost" : pattern.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const p = colon < 0 ? pattern : pattern.slice(colon + 1);
  return (h === "*" || h === host) && (p === "*" || Number(p) === port);
}
