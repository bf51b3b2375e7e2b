/**
 * A listening node:net server (Node, Bun) as an async iterable of wrapped connections, for the
 * TCP and Unix socket adapters.
 * @module
 */
import type { Server, Socket } from "node:net";
import { acceptEach, type AcceptRetryOptions } from "./accept_retry.ts";

/**
 * Queues `server`'s connections, each wrapped by `wrap`, for a `for await` loop that ends once
 * `close()` is called (which also stops the server listening). A failed accept (the server's
 * `error` event: libuv refuses the connection when out of descriptors and keeps listening) is
 * reported to `options.onAcceptError` and the loop goes on (see {@linkcode acceptEach}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connect as netConnect, createServer } from "node:net";
 * import { acceptQueue } from "./node_listener.ts";
 * import { fromNodeSocket } from "./tcp.ts";
 * const server = createServer().listen(0, "127.0.0.1");
 * await new Promise((resolve) => server.once("listening", resolve));
 * const accepted = acceptQueue(server, fromNodeSocket, { onAcceptError: (e) => console.error(e) });
 * const socket = netConnect((server.address() as { port: number }).port, "127.0.0.1");
 * for await (const conn of accepted) {
 *   assert.equal(conn.remoteAddress, "127.0.0.1");
 *   conn.close();
 *   break;
 * }
 * socket.destroy();
 * accepted.close();
 * ```
 */
export function acceptQueue<T>(
  server: Server,
  wrap: (socket: Socket) => T,
  options: AcceptRetryOptions = {},
): { close(): void; [Symbol.asyncIterator](): AsyncGenerator<T> } {
  const queue: ({ conn: T } | { error: Error })[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  server.on("connection", (socket: Socket) => {
    queue.push({ conn: wrap(socket) });
    wake?.();
  });
  server.on("error", (error: Error) => {
    queue.push({ error });
    wake?.();
  });
  const accept = async (): Promise<T | undefined> => {
    while (!closed) {
      const next = queue.shift();
      if (next === undefined) await new Promise<void>((r) => (wake = r));
      else if ("error" in next) throw next.error;
      else return next.conn;
    }
    return undefined;
  };
  return {
    close: () => {
      closed = true;
      server.close();
      wake?.();
    },
    [Symbol.asyncIterator]: () => acceptEach(accept, options),
  };
}
