/**
 * Relaying a channel to a socket (forwarded TCP connections, forwarded agent connections).
 * @module
 */
import type { Channel } from "@hush/channels";
import type { ForwardSocket } from "./server_forward_handlers.ts";

/**
 * Pipes a channel and a socket both ways; closes the channel once both directions are done,
 * and the socket once the channel has closed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection } from "@hush/channels";
 * import { memoryConnPair } from "@hush/channels/testing";
 * import { memoryDuplexPair } from "@hush/ssh/adapters";
 * import { pipeChannel } from "./channel_pipe.ts";
 * const [socket, far] = memoryDuplexPair(); // a TCP connection, in real use
 * far.readable.pipeTo(far.writable); // the far end echoes
 * const [a, b] = memoryConnPair();
 * new Connection(b, { role: "server", onChannelOpen: () => true, onChannel: (ch) => pipeChannel(ch, socket, () => {}) });
 * const client = new Connection(a, { role: "client" });
 * const ch = await client.openDirectTcpip({ host: "localhost", port: 7, originatorAddress: "::1", originatorPort: 5000 });
 * const w = ch.writable.getWriter();
 * await w.write(new TextEncoder().encode("hi"));
 * await w.close();
 * assert.equal(await new Response(ch.readable).text(), "hi");
 * await client.close();
 * ```
 */
export function pipeChannel(
  channel: Channel,
  socket: ForwardSocket,
  trace: (line: string) => void,
): void {
  const up = socket.readable.pipeTo(channel.writable).catch(() => {});
  const down = channel.readable.pipeTo(socket.writable).catch(() => {});
  Promise.all([up, down]).then(() => channel.close()).catch(() => {});
  channel.closed.then(() => {
    trace(`channel ${channel.id}: ${channel.channelType} closed`);
    socket.close?.();
  });
}
