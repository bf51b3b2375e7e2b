/**
 * The server facade: `serve()` listens on TCP and serves every connection with
 * {@linkcode accept}; `SshServer` is the running server.
 * @module
 */
import { accept } from "./accept.ts";
import { listenTcp, type TcpConnection } from "./adapters/tcp.ts";
import { DEFAULT_MAX_STARTUPS, shouldDropStartup } from "./max_startups.ts";
import type { ServeOptions } from "./serve_options.ts";
import type { ServerContext } from "./server_context.ts";
import { escapedTrace } from "./trace_line.ts";

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
 * Listens on TCP and serves every connection with {@linkcode accept}. A failed accept (such as
 * "Too many open files") is traced as `accept: …` and accepting goes on after a short pause.
 *
 * @example
 * ```ts ignore
 * import { serve } from "@hush/ssh";
 * const server = await serve({ port: 0, hostKeys: [hostKey], authenticate: { publickey: () => true } });
 * console.log(`listening on ${server.hostname}:${server.port}`);
 * ```
 */
export async function serve(options: ServeOptions): Promise<SshServer> {
  const trace = escapedTrace(options.trace);
  // A failed accept (out of descriptors) is logged as OpenSSH's sshd does; accepting goes on.
  const listener = await listenTcp(options.hostname ?? "127.0.0.1", options.port ?? 22, {
    onAcceptError: (e) => trace(`accept: ${e.message}`),
  });
  const open = new Map<TcpConnection, ServerContext | undefined>();
  const maxStartups = options.limits?.maxStartups ?? DEFAULT_MAX_STARTUPS;
  let connectionNumber = 0;
  (async () => {
    for await (const socket of listener) {
      connectionNumber++;
      let pending = 0;
      for (const ctx of open.values()) if (ctx === undefined) pending++;
      if (shouldDropStartup(pending, maxStartups)) {
        trace(
          `drop connection #${connectionNumber} from [${socket.remoteAddress}]:${socket.remotePort} on [${socket.localAddress}]:${socket.localPort} past MaxStartups`,
        );
        socket.close();
        continue;
      }
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
