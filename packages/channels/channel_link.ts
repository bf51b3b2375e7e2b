/**
 * The link between a channel and its connection, as two narrow, named interfaces: what the
 * connection gives a channel to talk through ({@linkcode ChannelHost}), and what the peer's
 * messages do to a channel ({@linkcode ChannelInput}, handed to the connection through
 * {@linkcode ChannelInit.attach} at construction). Nothing else passes between them.
 * @module
 */
import type { ChannelRequest, Message } from "@hush/wire";
import type { ChannelLife } from "./channel_life.ts";
import type { ChannelError } from "./errors.ts";

/** What a connection gives a channel to talk through. Applications do not implement it. */
export interface ChannelHost {
  /**
   * Sends one message on the connection. Byte fields (CHANNEL_DATA's `data`) may be views into
   * the application's buffer: the message must be encoded (copied) before the promise resolves,
   * as `@hush/transport` does.
   */
  send(message: Message): Promise<void>;
  /** Forgets the channel's id once both sides have closed it. */
  free(id: number): void;
  /** Trace hook (`ssh -v` style lines). */
  trace(line: string): void;
}

/** How a connection creates a channel. Applications get channels from a `Connection`. */
export interface ChannelInit {
  /** Our channel id. */
  id: number;
  /** The channel type, e.g. `session` or `direct-tcpip`. */
  channelType: string;
  /** The connection. */
  host: ChannelHost;
  /** The window we grant the peer. */
  initialWindow: number;
  /** The largest data payload we accept. */
  maxPacket: number;
  /** The peer's side, when the peer opened the channel. */
  remote?: { id: number; window: number; maxPacket: number };
  /**
   * Receives the channel's input side (what the peer's messages do to it), once, during
   * construction: the connection's only way in, kept out of the application's API.
   */
  attach(input: ChannelInput): void;
}

/**
 * The connection's side of a channel: what the peer's messages do to it. The connection gets it
 * through {@linkcode ChannelInit.attach}; applications never see it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Channel } from "./channel.ts";
 * import type { ChannelInput } from "./channel_link.ts";
 * const inputs: ChannelInput[] = [];
 * const channel = new Channel({
 *   id: 0, channelType: "session", initialWindow: 1 << 20, maxPacket: 32768,
 *   remote: { id: 7, window: 1 << 20, maxPacket: 32768 }, // the peer opened it
 *   host: { send: () => Promise.resolve(), free: () => {}, trace: () => {} },
 *   attach: (input) => void inputs.push(input),
 * });
 * const [input] = inputs;
 * input.data(new TextEncoder().encode("hi")); // a CHANNEL_DATA for it
 * input.eof();
 * assert.equal(await new Response(channel.readable).text(), "hi");
 * ```
 */
export interface ChannelInput {
  /** Where the channel is. */
  life(): ChannelLife;
  /** Settles when our open is confirmed (rejects when refused). */
  opened(): Promise<void>;
  /** CHANNEL_OPEN_CONFIRMATION for our open. */
  confirm(remoteId: number, window: number, maxPacket: number): void;
  /** CHANNEL_OPEN_FAILURE for our open. */
  refuse(error: ChannelError): void;
  /** CHANNEL_WINDOW_ADJUST. */
  windowAdjust(bytes: number): void;
  /** CHANNEL_DATA. */
  data(data: Uint8Array): void;
  /** CHANNEL_EXTENDED_DATA. */
  extendedData(dataType: number, data: Uint8Array): void;
  /** CHANNEL_EOF. */
  eof(): void;
  /** CHANNEL_CLOSE. */
  close(): void;
  /** CHANNEL_REQUEST; settles once it has been answered (or dropped with the channel). */
  request(message: ChannelRequest): Promise<void>;
  /** CHANNEL_SUCCESS or CHANNEL_FAILURE. */
  reply(success: boolean): void;
  /** The connection ended (or the open failed): everything fails with `error`. */
  teardown(error: ChannelError): void;
}
