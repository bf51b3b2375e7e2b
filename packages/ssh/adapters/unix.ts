/**
 * Unix domain sockets as byte duplexes (Deno, Node, Bun), connecting and listening, and the
 * ssh-agent client over one.
 * @module
 */
import { AuthError, createAgentClient, type SshAgentClient } from "@hush/auth";
import type { ByteDuplex } from "@hush/transport";
import { environmentVariable } from "./files.ts";
import { acceptEach } from "./accept_retry.ts";
import { acceptQueue } from "./node_listener.ts";
import { fromNodeSocket } from "./tcp.ts";

/** A connected Unix socket. */
export interface UnixConnection extends ByteDuplex {
  /** The socket path. */
  path: string;
  /** Closes the socket at once. */
  close(): void;
}

// deno-lint-ignore no-explicit-any
const Deno_ = (globalThis as any).Deno;

/** A Deno Unix connection as a {@linkcode UnixConnection}. */
// deno-lint-ignore no-explicit-any
function fromDenoUnixConn(conn: any, path: string): UnixConnection {
  return {
    path,
    readable: conn.readable,
    writable: conn.writable,
    close: () => {
      try {
        conn.close();
      } catch { /* closed */ }
    },
  };
}

/**
 * Connects to the Unix socket at `path`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectUnix, listenUnix } from "@hush/ssh/adapters";
 * const path = `${Deno.makeTempDirSync()}/agent.sock`; // an agent's, e.g. $SSH_AUTH_SOCK
 * const listener = await listenUnix(path);
 * const socket = await connectUnix(path);
 * assert.equal(socket.path, path);
 * socket.close();
 * listener.close();
 * ```
 */
export async function connectUnix(path: string): Promise<UnixConnection> {
  if (Deno_?.connect) {
    return fromDenoUnixConn(await Deno_.connect({ transport: "unix", path }), path);
  }
  const net = await import("node:net");
  const socket = net.connect({ path });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve();
    });
    socket.once("error", reject);
  });
  const { readable, writable, close } = fromNodeSocket(socket);
  return { path, readable, writable, close };
}

/** A listening Unix socket. */
export interface UnixListener extends AsyncIterable<UnixConnection> {
  /** The socket path. */
  path: string;
  /** Stops listening (the socket file stays; its directory's owner removes it). */
  close(): void;
}

/**
 * Listens on a new Unix socket at `path` (the file must not exist yet).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectUnix, listenUnix } from "@hush/ssh/adapters";
 * const listener = await listenUnix(`${Deno.makeTempDirSync()}/hush-agent.sock`);
 * const client = await connectUnix(listener.path);
 * for await (const conn of listener) {
 *   await conn.writable.getWriter().write(new TextEncoder().encode("hi"));
 *   conn.close();
 *   break;
 * }
 * assert.equal(await new Response(client.readable).text(), "hi");
 * client.close();
 * listener.close();
 * ```
 */
export async function listenUnix(path: string): Promise<UnixListener> {
  if (Deno_?.listen) {
    const l = Deno_.listen({ transport: "unix", path });
    let closed = false;
    // A failed accept (out of descriptors) pauses the loop rather than ending it.
    const accept = async (): Promise<UnixConnection | undefined> => {
      try {
        return fromDenoUnixConn(await l.accept(), path);
      } catch (e) {
        if (closed || e instanceof Deno_.errors.BadResource) return undefined;
        throw e;
      }
    };
    return {
      path,
      close: () => {
        closed = true;
        try {
          l.close();
        } catch { /* closed */ }
      },
      [Symbol.asyncIterator]: () => acceptEach(accept),
    };
  }
  const net = await import("node:net");
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    path,
    ...acceptQueue(server, (socket): UnixConnection => {
      const { readable, writable, close } = fromNodeSocket(socket);
      return { path, readable, writable, close };
    }),
  };
}

/**
 * Connects to an ssh-agent (by default the one in `$SSH_AUTH_SOCK`) and returns an agent
 * client for `connect({ agent })`; `close()` it when done.
 *
 * @example Not run here: it needs a running ssh-agent and a server
 * ```ts ignore
 * import { connect, connectAgent } from "@hush/ssh";
 * const agent = await connectAgent();
 * console.log((await agent.identities()).map((i) => i.key.fingerprint()));
 * const client = await connect({ hostname: "example.org", username: "me", agent });
 * ```
 */
export async function connectAgent(path?: string): Promise<SshAgentClient> {
  const socketPath = path ?? environmentVariable("SSH_AUTH_SOCK");
  if (!socketPath) throw new AuthError("Cannot connect to an agent: SSH_AUTH_SOCK is not set");
  const socket = await connectUnix(socketPath);
  const agent = createAgentClient(socket);
  const close = agent.close.bind(agent);
  agent.close = async () => {
    await close();
    socket.close();
  };
  return agent;
}
