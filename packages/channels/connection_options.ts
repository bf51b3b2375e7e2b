/**
 * What a {@linkcode Connection} is told: its options, the callbacks that decide the peer's opens
 * and requests, and the arguments of the forwarding opens.
 * @module
 */
import type { ChannelOpenBody } from "@hush/wire";
import type { Channel } from "./channel.ts";
import type { GlobalRequestHandler } from "./global_requests.ts";
import type { ConnectionTimers } from "./keepalive.ts";
import type { ServerSession } from "./server_session.ts";

/** A channel open from the peer, as the application sees it. Switch on `channelType`. */
export type ChannelOpenRequest = ChannelOpenBody & { initialWindow: number; maxPacket: number };

/** A refusal with a reason code of {@linkcode ChannelOpenFailureReason}. */
export interface ChannelOpenRefusal {
  /** CHANNEL_OPEN_FAILURE reason code. */
  reason: number;
  /** Text for the peer (default after the reason). */
  description?: string;
}

/** Decides a peer's channel open: `true` accepts, `false` or a refusal refuses. */
export type ChannelOpenHandler = (
  open: ChannelOpenRequest,
) => boolean | ChannelOpenRefusal | Promise<boolean | ChannelOpenRefusal>;

/** Options for a {@linkcode Connection}. */
export interface ConnectionOptions {
  /** Which side we are. */
  role: "client" | "server";
  /** Window we grant per channel (2 MiB). */
  initialWindow?: number;
  /** Largest data payload we accept (32 KiB; at most {@linkcode MAX_MAX_PACKET}). */
  maxPacket?: number;
  /** Most channels at once (1024); further opens from the peer get RESOURCE_SHORTAGE. */
  maxChannels?: number;
  /** Decides the peer's channel opens; without it every open is refused. */
  onChannelOpen?: ChannelOpenHandler;
  /** Receives each accepted `session` channel (set its handlers synchronously). */
  onSession?: (session: ServerSession) => void;
  /** Receives each accepted channel of any other type, with its open request. */
  onChannel?: (channel: Channel, open: ChannelOpenRequest) => void;
  /** Decides the peer's global requests; without it they fail (as OpenSSH does). */
  onGlobalRequest?: GlobalRequestHandler;
  /** `ssh -v` style trace lines. */
  trace?: (line: string) => void;
  /**
   * Send a `keepalive@openssh.com` global request (want-reply) after this many milliseconds
   * without a message from the peer, like OpenSSH's `ServerAliveInterval` and
   * `ClientAliveInterval` (default 0: never).
   */
  keepaliveInterval?: number;
  /**
   * Give up once this many keepalives in a row found the peer silent (default 3, as
   * `ServerAliveCountMax`): the connection disconnects with CONNECTION_LOST and `error` says
   * "Timeout, peer not responding". `Infinity` never gives up.
   */
  keepaliveCountMax?: number;
  /** Timers for keepalives (default: the global `setInterval`/`clearInterval`). */
  timers?: ConnectionTimers;
}

/** Arguments of a `direct-tcpip` open (`ssh -L`). */
export interface DirectTcpipOptions {
  /** Host to connect to, as the server resolves it. */
  host: string;
  /** Port to connect to. */
  port: number;
  /** Address of the client that connected to the forwarded port. */
  originatorAddress: string;
  /** Port of that client. */
  originatorPort: number;
}

/** Arguments of a `forwarded-tcpip` open (`ssh -R`, server to client). */
export interface ForwardedTcpipOptions {
  /** The address that was listened on (as in the `tcpip-forward` request). */
  address: string;
  /** The port that was listened on. */
  port: number;
  /** Address of the client that connected. */
  originatorAddress: string;
  /** Port of that client. */
  originatorPort: number;
}
