/**
 * The server's port forwarding callbacks and what they are given and give back: the
 * application decides each `direct-tcpip` open and `tcpip-forward` request, {@linkcode accept}
 * plumbs the bytes.
 * @module
 */
import type { ChannelOpenRefusal } from "@hush/channels";
import type { ByteDuplex } from "@hush/transport";
import type { ServerContext } from "./server_context.ts";

/**
 * A byte duplex the application connected for a forward, with a way to close it.
 *
 * @example
 * ```ts
 * import { type ForwardSocket } from "@hush/ssh";
 * import { memoryDuplexPair } from "@hush/ssh/adapters";
 * const [a] = memoryDuplexPair();
 * const socket: ForwardSocket = { ...a, close: () => {} };
 * ```
 */
export interface ForwardSocket extends ByteDuplex {
  /** Closes the socket at once (called when the channel ends). */
  close?(): void;
}

/**
 * A `direct-tcpip` open (`ssh -L`): where the client wants to go and where it came from.
 *
 * @example
 * ```ts
 * import type { DirectTcpipRequest } from "@hush/ssh";
 * const open: DirectTcpipRequest = { host: "127.0.0.1", port: 80, originatorAddress: "127.0.0.1", originatorPort: 50000 };
 * ```
 */
export interface DirectTcpipRequest {
  /** Host to connect to. */
  host: string;
  /** Port to connect to. */
  port: number;
  /** Address of the client's client. */
  originatorAddress: string;
  /** Port of the client's client. */
  originatorPort: number;
}

/**
 * A `tcpip-forward` request (`ssh -R`), with a way to hand incoming connections back.
 *
 * @example
 * ```ts
 * import type { ForwardHandlers, TcpipForwardRequest } from "@hush/ssh";
 * const handlers: ForwardHandlers = {
 *   tcpipForward: (request: TcpipForwardRequest) => request.port === 8080 ? { port: 8080, close: () => {} } : false,
 * };
 * ```
 */
export interface TcpipForwardRequest {
  /** Address to listen on as the client sent it (`""`, `localhost`, `0.0.0.0`, …). */
  address: string;
  /** Port to listen on (0: pick one and report it). */
  port: number;
  /**
   * Sends one incoming connection to the client as a `forwarded-tcpip` channel and pipes it
   * both ways; resolves when the channel is open (rejects when the client refuses).
   */
  forward(socket: ForwardSocket, originatorAddress: string, originatorPort: number): Promise<void>;
}

/**
 * A listener the application opened for a `tcpip-forward`.
 *
 * @example
 * ```ts
 * import type { RemoteForward } from "@hush/ssh";
 * const listening = new Set([8080]); // stands for the listener the application opened
 * const forward: RemoteForward = { port: 8080, close: () => void listening.delete(8080) };
 * ```
 */
export interface RemoteForward {
  /** The port actually bound (reported to the client when it asked for 0). */
  port: number;
  /** Stops listening (on `cancel-tcpip-forward` and when the connection ends). */
  close(): void;
}

/**
 * Port forwarding callbacks; each kind is refused when its callback is absent.
 *
 * @example
 * ```ts
 * import { type ForwardHandlers, tcpForwarding } from "@hush/ssh";
 * // Local forwards only, and only to port 80 on loopback.
 * const tcp = tcpForwarding({ remote: false });
 * const handlers: ForwardHandlers = {
 *   directTcpip: (req, ctx) => req.host === "127.0.0.1" && req.port === 80 ? tcp.directTcpip!(req, ctx) : false,
 * };
 * ```
 */
export interface ForwardHandlers {
  /**
   * Connects a `direct-tcpip` open. Resolve the connected socket to accept (the facade pipes
   * it both ways), `false` or a refusal to refuse.
   */
  directTcpip?: (
    request: DirectTcpipRequest,
    context: ServerContext,
  ) =>
    | Promise<ForwardSocket | false | ChannelOpenRefusal>
    | ForwardSocket
    | false
    | ChannelOpenRefusal;
  /** Opens a listener for a `tcpip-forward`; `false` refuses. */
  tcpipForward?: (
    request: TcpipForwardRequest,
    context: ServerContext,
  ) => Promise<RemoteForward | false> | RemoteForward | false;
}
