/**
 * The server half of agent forwarding: a Unix socket for a session's `SSH_AUTH_SOCK`, in a
 * fresh directory only the server's user can enter (as OpenSSH's `/tmp/ssh-XXXX/agent.<pid>`);
 * each connection to it becomes an `auth-agent@openssh.com` channel to the client.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { Connection } from "@hush/channels";
import { AGENT_CHANNEL_TYPE } from "../agent_forward.ts";
import { pipeChannel } from "../channel_pipe.ts";
import { listenUnix } from "./unix.ts";

/**
 * A forwarded agent's socket on the server.
 *
 * @example
 * ```ts
 * import type { ForwardedAgent } from "@hush/ssh/adapters";
 * const describe = (agent: ForwardedAgent) => `SSH_AUTH_SOCK=${agent.path}`;
 * ```
 */
export interface ForwardedAgent {
  /** The socket path, for the session's `SSH_AUTH_SOCK`. */
  path: string;
  /** Stops listening and removes the socket and its directory (also done when the connection ends). */
  close(): void;
}

/** Directories of agent sockets still open, removed at exit if nothing closed them before. */
const openDirectories = new Set<string>();
let removeAtExit: (() => void) | undefined;

function track(dir: string): void {
  openDirectories.add(dir);
  if (removeAtExit) return;
  removeAtExit = () => {
    for (const d of openDirectories) rmSync(d, { recursive: true, force: true });
  };
  process.once("exit", removeAtExit);
}

function untrack(dir: string): void {
  openDirectories.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Listens on a new agent socket whose connections are relayed to the client's agent over
 * `connection` (after the client asked with `auth-agent-req@openssh.com`).
 *
 * @example Not run here: it needs a client that forwards its ssh-agent
 * ```ts ignore
 * import { listenForwardedAgent } from "@hush/ssh/adapters";
 * const agent = await listenForwardedAgent(context.connection, console.error);
 * env.SSH_AUTH_SOCK = agent.path;
 * ```
 */
export async function listenForwardedAgent(
  connection: Connection,
  trace: (line: string) => void = () => {},
): Promise<ForwardedAgent> {
  const dir = mkdtempSync(join(tmpdir(), "hush-ssh-")); // mode 0700, as OpenSSH's /tmp/ssh-XXXX
  track(dir);
  let closed = false;
  let close = () => {
    closed = true;
    untrack(dir);
  };
  try {
    const listener = await listenUnix(join(dir, `agent.${process.pid}`));
    close = () => {
      if (closed) return;
      closed = true;
      listener.close();
      untrack(dir);
    };
    connection.closed.then(close);
    (async () => {
      for await (const socket of listener) {
        connection.openChannel({
          channelType: "other",
          name: AGENT_CHANNEL_TYPE,
          data: new Uint8Array(0),
        }).then(
          (channel) => pipeChannel(channel, socket, trace),
          (e) => {
            trace(`agent forwarding: the client refused the channel: ${(e as Error).message}`);
            socket.close();
          },
        );
      }
    })().catch((e) => trace(`agent forwarding: listener stopped: ${(e as Error).message}`));
    trace(`agent forwarding: listening on ${listener.path}`);
    return { path: listener.path, close: () => close() };
  } catch (e) {
    close();
    throw e;
  }
}
