/**
 * `@hush/channels`: the SSH connection layer (RFC 4254). A {@linkcode Connection} multiplexes
 * channels over a `MessageConn` from `@hush/wire`; each {@linkcode Channel} is a pair of Web
 * Streams whose window is the backpressure; {@linkcode Session} runs commands, shells and
 * subsystems; the server decides each open and request through callbacks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection } from "@hush/channels";
 * import { memoryConnPair } from "@hush/channels/testing";
 * const [a, b] = memoryConnPair();
 * new Connection(b, { role: "server" }); // refuses everything
 * const client = new Connection(a, { role: "client" });
 * await assert.rejects(client.openSession(), {
 *   message: "Cannot open channel: peer refused with reason 1 (administratively prohibited)",
 * });
 * await client.close();
 * ```
 * @module
 */
export { ChannelError, type ChannelErrorOptions } from "./errors.ts";
export { ChannelWindow, WINDOW_LIMIT } from "./window.ts";
export type { ChannelHost, ChannelInit, ChannelInput } from "./channel_link.ts";
export {
  Channel,
  type ChannelRequestHandler,
  EXTENDED_DATA_STDERR,
  MIN_MAX_PACKET,
  type RequestOptions,
  SEND_PACKET_LIMIT,
} from "./channel.ts";
export { ChannelEvent, type ChannelEventName, type ChannelLife } from "./channel_life.ts";
export { type ExitSignal, type PtyRequest, Session, type WindowChange } from "./session.ts";
export {
  HANDLER_FAILURE_STATUS,
  ServerSession,
  type SessionExit,
  type SessionStart,
} from "./server_session.ts";
export {
  Connection,
  DEFAULT_MAX_CHANNELS,
  DEFAULT_MAX_PACKET,
  DEFAULT_WINDOW,
  MAX_MAX_PACKET,
  REQUEST_BACKLOG_LIMIT,
} from "./connection.ts";
export {
  type ChannelOpenHandler,
  type ChannelOpenRefusal,
  type ChannelOpenRequest,
  type ConnectionOptions,
  type DirectTcpipOptions,
  type ForwardedTcpipOptions,
} from "./connection_options.ts";
export { type GlobalRequestHandler, type GlobalRequestOptions } from "./global_requests.ts";
export { type ConnectionTimers, DEFAULT_KEEPALIVE_COUNT_MAX } from "./keepalive.ts";
