/**
 * ssh-agent forwarding (`ssh -A`, OpenSSH's PROTOCOL §2.1 and PROTOCOL.agent): the client asks
 * for it on a session with `auth-agent-req@openssh.com`; the server then opens one
 * `auth-agent@openssh.com` channel per connection to the agent socket it made for the session,
 * and the client relays each channel to its own agent.
 * @module
 */
import type { Channel, ChannelOpenHandler, ChannelOpenRequest, Session } from "@hush/channels";
import { pipeChannel } from "./channel_pipe.ts";
import type { ForwardSocket } from "./server_forward_handlers.ts";

/** The session request that asks the server to forward the agent. */
export const AGENT_FORWARD_REQUEST = "auth-agent-req@openssh.com";
/** The channel type the server opens for each connection to the forwarded agent. */
export const AGENT_CHANNEL_TYPE = "auth-agent@openssh.com";

/**
 * Asks the server to forward the agent to this session, without waiting for a reply (as
 * OpenSSH's ssh does: a server that refuses only leaves `SSH_AUTH_SOCK` unset).
 *
 * @example Not run here: it needs a server and an ssh-agent to forward
 * ```ts ignore
 * const session = await client.connection.openSession();
 * await requestAgentForwarding(session);
 * await session.exec("ssh-add -l");
 * ```
 */
export async function requestAgentForwarding(session: Session): Promise<void> {
  await session.request(
    { request: "other", name: AGENT_FORWARD_REQUEST, data: new Uint8Array(0) },
    { wantReply: false },
  );
}

/** Whether `open` is a server's `auth-agent@openssh.com` channel. */
function isAgentOpen(open: ChannelOpenRequest): boolean {
  return open.channelType === "other" && open.name === AGENT_CHANNEL_TYPE;
}

/**
 * Channel handlers for a client that forwards its agent: when `agent` is given, each
 * `auth-agent@openssh.com` channel is accepted and relayed to a fresh connection from `agent`;
 * every other open, and agent opens when no agent is forwarded (a server must not reach an agent
 * nobody offered: the default `next` refuses them), go to `next`.
 *
 * @example Not run here: it needs an ssh-agent (agent_forward_test.ts stands in a small one)
 * ```ts ignore
 * const handlers = agentChannelHandlers(() => connectUnix(process.env.SSH_AUTH_SOCK!), trace, {
 *   open: forwards.openHandler(options.onChannelOpen),
 *   channel: forwards.channelHandler(options.onChannel),
 * });
 * ```
 */
export function agentChannelHandlers(
  agent: (() => Promise<ForwardSocket>) | undefined,
  trace: (line: string) => void,
  next: {
    open: ChannelOpenHandler;
    channel: (channel: Channel, open: ChannelOpenRequest) => void;
  },
): {
  open: ChannelOpenHandler;
  channel: (channel: Channel, open: ChannelOpenRequest) => void;
} {
  return {
    open: (open) => (agent && isAgentOpen(open) ? true : next.open(open)),
    channel: (channel, open) => {
      if (!agent || !isAgentOpen(open)) return next.channel(channel, open);
      agent().then(
        (socket) => pipeChannel(channel, socket, trace),
        (e) => {
          trace(`agent forwarding: cannot reach the local agent: ${(e as Error).message}`);
          channel.close().catch(() => {});
        },
      );
    },
  };
}
