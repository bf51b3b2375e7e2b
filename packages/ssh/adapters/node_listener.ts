/**
 * A listening node:net server (Node, Bun) as an async iterable of wrapped connections, for the
 * TCP and Unix socket adapters.
 * @module
 */
import type { Server, Socket } from "node:net";

/**
 * Queues `server`'s connections, each wrapped by `wrap`, for a `for await` loop that ends once
 * `close()` is called (which also stops the server listening).
 *
 * @example
 * ```ts ignore
 * const accepted = acceptQueue(server, fromNodeSocket);
 * for await (const conn of accepted) conn.close();
 * ```
 */
export function acceptQueue<T>(
  server: Server,
  wrap: (socket: Socket) => T,
): { close(): void; [Symbol.asyncIterator](): AsyncGenerator<T> } {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  server.on("connection", (socket: Socket) => {
    queue.push(wrap(socket));
    wake?.();
  });
  return {
    close: () => {
      closed = true;
      server.close();
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      while (!closed) {
        if (queue.length) yield queue.shift()!;
        else await new Promise<void>((r) => (wake = r));
      }
    },
  };
}
