/**
 * The server facade: `serve()` listens on TCP, on WebSocket upgrades of an HTTP port, or both,
 * and serves every connection with {@linkcode accept}; `SshServer` is the running server.
 * @module
 */
import { accept } from "./accept.ts";
import { listenTcp, type TcpConnection } from "./adapters/tcp.ts";
import { type AcceptedWebSocket, listenWebSocket } from "./adapters/websocket_server.ts";
import { DEFAULT_MAX_STARTUPS, shouldDropStartup } from "./max_startups.ts";
import type { ServeOptions } from "./serve_options.ts";
import type { ServerContext } from "./server_context.ts";
import { escapedTrace } from "./trace_line.ts";

/**
 * A running server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serve } from "@hush/ssh";
 * import { generateKey } from "@hush/keys";
 * const server = await serve({ port: 0, hostKeys: [await generateKey("ssh-ed25519")], authenticate: {} });
 * assert.equal(server.hostname, "127.0.0.1");
 * assert.equal(server.port > 0, true);
 * assert.equal(server.connections, 0);
 * await server.close();
 * ```
 */
export interface SshServer {
  /** Bound address. */
  hostname: string;
  /** Bound port. */
  port: number;
  /**
   * Where SSH over WebSocket is taken, when `webSocket` was given. With `tcp: false`,
   * `hostname` and `port` above are these too.
   */
  webSocket?: { hostname: string; port: number };
  /** Connections being served now. */
  readonly connections: number;
  /** Stops listening and closes every connection (disconnecting authenticated ones); once. */
  close(): Promise<void>;
  /**
   * Closes the server as `close()` does, for `await using`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { serve } from "@hush/ssh";
   * import { generateKey } from "@hush/keys";
   * {
   *   await using server = await serve({ port: 0, hostKeys: [await generateKey("ssh-ed25519")], authenticate: {} });
   *   assert.equal(server.port > 0, true);
   * } // closed here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Listens on TCP (and, with `webSocket`, on an HTTP port taking WebSocket upgrades; Deno and
 * Bun) and serves every connection with {@linkcode accept}. A failed TCP accept (such as "Too
 * many open files") is traced as `accept: …` and accepting goes on after a short pause.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect, generateKey, serve } from "@hush/ssh";
 * const hostKey = await generateKey("ssh-ed25519");
 * await using server = await serve({
 *   hostname: "127.0.0.1",
 *   port: 0, // any free port
 *   hostKeys: [hostKey],
 *   authenticate: { password: (_user, password) => password === "secret" },
 *   onSession: (session) => (session.onExec = () => 0),
 * });
 * await using client = await connect({
 *   hostname: server.hostname, port: server.port, username: "me", password: "secret", policy: "no",
 * });
 * assert.equal((await client.exec("true")).code, 0);
 * assert.equal(server.connections, 1);
 * ```
 */
export async function serve(options: ServeOptions): Promise<SshServer> {
  if (options.tcp === false && !options.webSocket) {
    throw new TypeError("serve() with tcp: false needs webSocket options");
  }
  const trace = escapedTrace(options.trace);
  const listeners: Listener[] = [];
  try {
    if (options.tcp !== false) {
      // A failed accept (out of descriptors) is logged as OpenSSH's sshd does; accepting goes on.
      listeners.push(
        await listenTcp(options.hostname ?? "127.0.0.1", options.port ?? 22, {
          onAcceptError: (e) => trace(`accept: ${e.message}`),
        }),
      );
    }
    if (options.webSocket) {
      listeners.push(await listenWebSocket({ trace, ...options.webSocket }));
    }
  } catch (e) {
    for (const l of listeners) await l.close();
    throw e;
  }
  const open = new Map<ServedSocket, ServerContext | undefined>();
  const maxStartups = options.limits?.maxStartups ?? DEFAULT_MAX_STARTUPS;
  let connectionNumber = 0;
  const serveSocket = (socket: ServedSocket) => {
    connectionNumber++;
    let pending = 0;
    for (const ctx of open.values()) if (ctx === undefined) pending++;
    if (shouldDropStartup(pending, maxStartups)) {
      trace(
        `drop connection #${connectionNumber} from [${socket.remoteAddress}]:${socket.remotePort} on [${socket.localAddress}]:${socket.localPort} past MaxStartups`,
      );
      socket.close();
      return;
    }
    open.set(socket, undefined);
    const webSocket = "requestUrl" in socket;
    trace(
      `Connection from ${socket.remoteAddress} port ${socket.remotePort} on ${socket.localAddress} port ${socket.localPort}${
        webSocket ? " (WebSocket)" : ""
      }`,
    );
    if (webSocket) {
      // the transport says the stream broke; this says why (a text message, one too big)
      socket.closed.then(({ error }) => {
        if (error) {
          trace(
            `WebSocket from ${socket.remoteAddress} port ${socket.remotePort}: ${error.message}`,
          );
        }
      });
    }
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
  };
  for (const listener of listeners) {
    (async () => {
      for await (const socket of listener) serveSocket(socket);
    })().catch((e) => trace(`Listener stopped: ${e instanceof Error ? e.message : e}`));
  }
  const [first] = listeners;
  const ws = options.webSocket ? listeners[listeners.length - 1] : undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      for (const l of listeners) await l.close();
      await Promise.all([...open].map(async ([socket, ctx]) => {
        if (ctx) await ctx.connection.close().catch(() => {});
        socket.close();
      }));
    })();
  return {
    hostname: first.hostname,
    port: first.port,
    webSocket: ws ? { hostname: ws.hostname, port: ws.port } : undefined,
    get connections() {
      return open.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A connection either listener accepted. */
type ServedSocket = TcpConnection | AcceptedWebSocket;

/** What serve() needs of a TCP or WebSocket listener. */
interface Listener extends AsyncIterable<ServedSocket> {
  hostname: string;
  port: number;
  close(): void | Promise<void>;
}
