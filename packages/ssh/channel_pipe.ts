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
 * ```ts ignore
 * pipeChannel(channel, await connectUnix(agentPath), console.error);
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
