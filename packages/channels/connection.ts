/**
 * The connection layer's multiplexer (RFC 4254): channel ids, opens, per-channel dispatch and
 * global requests over a {@linkcode MessageConn}.
 * @module
 */
import {
  type ChannelOpen,
  type ChannelOpenBody,
  ChannelOpenFailureReason,
  DisconnectReason,
  type GlobalRequestBody,
  type Message,
  type MessageConn,
  PACKET_LENGTH_LIMIT,
} from "@hush/wire";
import { Channel, MIN_MAX_PACKET } from "./channel.ts";
import type { ChannelHost, ChannelInit, ChannelInput } from "./channel_link.ts";
import { describeLife } from "./channel_life.ts";
import type {
  ChannelOpenRefusal,
  ConnectionOptions,
  DirectTcpipOptions,
  ForwardedTcpipOptions,
} from "./connection_options.ts";
import { ChannelError } from "./errors.ts";
import { type GlobalRequestOptions, GlobalRequests } from "./global_requests.ts";
import { Keepalive } from "./keepalive.ts";
import { openFailureName, openRefusal } from "./open_refusal.ts";
import { ServerSession } from "./server_session.ts";
import { Session } from "./session.ts";
import { WINDOW_LIMIT } from "./window.ts";

/** The window we grant on each channel unless told otherwise: 2 MiB. */
export const DEFAULT_WINDOW = 2 * 1024 * 1024;
/** The largest data payload we accept unless told otherwise: 32 KiB. */
export const DEFAULT_MAX_PACKET = 32 * 1024;
/**
 * The largest `maxPacket` we may announce: a CHANNEL_DATA of that size, with its header, padding
 * and MAC, must still fit the transport's 256 KiB packet limit.
 */
export const MAX_MAX_PACKET = PACKET_LENGTH_LIMIT - 1024;
/** Channels open at once (ours and the peer's, including pending opens) unless told otherwise. */
export const DEFAULT_MAX_CHANNELS = 1024;
/**
 * The peer's requests (global and channel) awaiting the application's answer at once. At the
 * limit the connection takes no more messages until one is answered, so the transport stops
 * reading the socket: a peer cannot queue work without bound behind an application that
 * decides slowly (OpenSSH decides one request at a time). An application must not make its
 * answer wait for a later message from the peer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { REQUEST_BACKLOG_LIMIT } from "@hush/channels";
 * assert.equal(REQUEST_BACKLOG_LIMIT, 64);
 * ```
 */
export const REQUEST_BACKLOG_LIMIT = 64;

/**
 * The connection layer over a {@linkcode MessageConn}: opens channels, answers the peer's opens
 * and requests through callbacks, and dispatches CHANNEL_* and global request messages. It
 * takes over `conn.messages`; any other message there is a protocol error (DISCONNECT).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection } from "@hush/channels";
 * import { memoryConnPair } from "@hush/channels/testing";
 * const [a, b] = memoryConnPair();
 * new Connection(b, {
 *   role: "server",
 *   onGlobalRequest: (req) => req.request === "tcpip-forward" ? new Uint8Array([0, 0, 0x1f, 0x90]) : false,
 * });
 * const client = new Connection(a, { role: "client" });
 * const reply = await client.globalRequest({ request: "tcpip-forward", address: "", port: 0 });
 * assert.deepEqual(reply, new Uint8Array([0, 0, 31, 144]));
 * await client.close();
 * ```
 */
export class Connection {
  /** Resolves once the connection has ended (peer gone, protocol error, or `close()`). */
  readonly closed: Promise<void>;
  /** Why the connection ended, once it has (undefined for a clean end). */
  error?: ChannelError;

  #conn: MessageConn;
  #role: "client" | "server";
  #initialWindow: number;
  #maxPacket: number;
  #maxChannels: number;
  #options: ConnectionOptions;
  /** Our open channels by id, each with the input side its constructor attached. */
  #channels = new Map<number, { channel: Channel; input: ChannelInput }>();
  /** Ids of the peer's opens the application is still deciding. */
  #reserved = new Set<number>();
  #closing = false;
  #nextId = 0;
  #globalRequests: GlobalRequests;
  #ended = false;
  #resolveClosed!: () => void;
  #host: ChannelHost;
  #trace: (line: string) => void;
  #keepalive: Keepalive;
  /** The peer's requests awaiting an answer (see {@linkcode REQUEST_BACKLOG_LIMIT}). */
  #owed = 0;
  #requestRoom?: () => void;

  /** Takes over `conn.messages` and starts dispatching. */
  constructor(conn: MessageConn, options: ConnectionOptions) {
    this.#conn = conn;
    this.#role = options.role;
    this.#options = options;
    this.#initialWindow = checkedUint32(
      "initialWindow",
      options.initialWindow ?? DEFAULT_WINDOW,
      1,
    );
    this.#maxPacket = checkedUint32(
      "maxPacket",
      options.maxPacket ?? DEFAULT_MAX_PACKET,
      MIN_MAX_PACKET,
      MAX_MAX_PACKET,
    );
    this.#maxChannels = options.maxChannels ?? DEFAULT_MAX_CHANNELS;
    this.#trace = options.trace ?? (() => {});
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#host = {
      send: (message) => this.#send(message),
      free: (id) => this.#channels.delete(id),
      trace: this.#trace,
    };
    this.#globalRequests = new GlobalRequests({
      send: (message) => this.#send(message),
      trace: this.#trace,
      ended: () => this.#ended,
      decide: (request) => this.#options.onGlobalRequest?.(request),
    });
    this.#run(conn.messages.getReader());
    this.#keepalive = new Keepalive({
      interval: options.keepaliveInterval ?? 0,
      countMax: options.keepaliveCountMax,
      timers: options.timers,
      trace: this.#trace,
      send: () =>
        void this.globalRequest({
          request: "other",
          name: "keepalive@openssh.com",
          data: new Uint8Array(0),
        } as GlobalRequestBody).catch(() => {}),
      giveUp: () => {
        const error = new ChannelError("Timeout, peer not responding", {
          reason: DisconnectReason.CONNECTION_LOST,
        });
        this.#conn.disconnect(error.reason, error.message).catch(() => {});
        this.#end(error);
      },
    });
  }

  /** Channels open now (including pending opens). */
  get channelCount(): number {
    return this.#channels.size;
  }

  /** Opens a `session` channel. */
  openSession(): Promise<Session> {
    return this.#open({ channelType: "session" }, (init) => new Session(init));
  }

  /** Opens a `direct-tcpip` channel (`ssh -L`); the server connects to `host:port`. */
  openDirectTcpip(options: DirectTcpipOptions): Promise<Channel> {
    return this.#open({ channelType: "direct-tcpip", ...options }, (init) => new Channel(init));
  }

  /** Opens a `forwarded-tcpip` channel to the client for a connection to a `-R` listener. */
  openForwardedTcpip(options: ForwardedTcpipOptions): Promise<Channel> {
    if (this.#role !== "server") {
      throw new TypeError("Only a server opens forwarded-tcpip channels");
    }
    return this.#open({ channelType: "forwarded-tcpip", ...options }, (init) => new Channel(init));
  }

  /** Opens a channel of any type. */
  openChannel(body: ChannelOpenBody): Promise<Channel> {
    return this.#open(body, (init) => new Channel(init));
  }

  /**
   * Sends a global request. With `wantReply` (default) resolves with the REQUEST_SUCCESS data
   * (empty, or the bound port for `tcpip-forward` to port 0) or `false` for REQUEST_FAILURE;
   * replies are matched in order (RFC 4254 §4). Without it resolves an empty array once sent.
   */
  async globalRequest(
    body: GlobalRequestBody,
    options: GlobalRequestOptions = {},
  ): Promise<Uint8Array | false> {
    const wantReply = options.wantReply ?? true;
    this.#checkOpen();
    return await this.#globalRequests.send(body, wantReply);
  }

  /** Ends every channel and disconnects (BY_APPLICATION). */
  async close(): Promise<void> {
    if (!this.#ended && !this.#closing) {
      this.#closing = true;
      await this.#conn.disconnect(DisconnectReason.BY_APPLICATION, "Closed by application")
        .catch(() => {});
      this.#end(undefined);
    }
    return this.closed;
  }

  async #open<T extends Channel>(
    body: ChannelOpenBody,
    make: (init: ChannelInit) => T,
  ): Promise<T> {
    this.#checkOpen();
    const id = this.#allocateId();
    if (id < 0) {
      throw new ChannelError("Cannot open channel: too many channels", {
        reason: DisconnectReason.BY_APPLICATION,
        openFailure: ChannelOpenFailureReason.RESOURCE_SHORTAGE,
      });
    }
    const channelType = body.channelType === "other" ? body.name : body.channelType;
    let input!: ChannelInput;
    const channel = make({
      id,
      channelType,
      host: this.#host,
      initialWindow: this.#initialWindow,
      maxPacket: this.#maxPacket,
      attach: (i) => (input = i),
    });
    this.#channels.set(id, { channel, input });
    this.#trace(`channel ${id}: new ${channelType}`);
    const opened = input.opened();
    await this.#send({
      type: "channelOpen",
      sender: id,
      initialWindow: this.#initialWindow,
      maxPacket: this.#maxPacket,
      ...body,
    } as ChannelOpen);
    await opened;
    return channel;
  }

  #allocateId(): number {
    if (this.#channels.size + this.#reserved.size >= this.#maxChannels) return -1;
    while (this.#channels.has(this.#nextId) || this.#reserved.has(this.#nextId)) {
      this.#nextId = (this.#nextId + 1) >>> 0;
    }
    const id = this.#nextId;
    this.#nextId = (this.#nextId + 1) >>> 0;
    return id;
  }

  async #run(reader: ReadableStreamDefaultReader<Message>): Promise<void> {
    try {
      let next = reader.read();
      while (!this.#ended) {
        const { value, done } = await next;
        if (done || this.#ended) break;
        this.#keepalive.heard();
        this.#dispatch(value);
        next = reader.read();
        next.catch(() => {}); // awaited in turn; this only keeps an early failure handled
        if (this.#owed >= REQUEST_BACKLOG_LIMIT) await this.#roomForRequests(next);
      }
      this.#end(
        this.#closing ? undefined : new ChannelError("Connection lost", {
          reason: DisconnectReason.CONNECTION_LOST,
        }),
      );
    } catch (e) {
      const error = e instanceof ChannelError ? e : new ChannelError("Connection lost", {
        reason: DisconnectReason.CONNECTION_LOST,
        cause: e,
      });
      if (e instanceof ChannelError && !this.#ended && !this.#closing) {
        this.#trace(`disconnect: ${e.message}`);
        await this.#conn.disconnect(e.reason, e.message).catch(() => {});
      }
      this.#end(error);
    } finally {
      try {
        reader.releaseLock();
      } catch { /* already released */ }
    }
  }

  /**
   * Waits until fewer than {@linkcode REQUEST_BACKLOG_LIMIT} requests await an answer, holding
   * the message `next` brings; the end of the messages (or of the connection) ends the wait.
   */
  async #roomForRequests(next: Promise<ReadableStreamReadResult<Message>>): Promise<void> {
    this.#trace(`${this.#owed} requests await an answer: not reading until one is answered`);
    const room = new Promise<void>((resolve) => (this.#requestRoom = resolve));
    const end = next.then((r) => r.done ? undefined : room);
    await Promise.race([room, end]);
    this.#requestRoom = undefined;
  }

  /** Counts one of the peer's requests until `answered` settles. */
  #owe(answered: Promise<void>): void {
    this.#owed++;
    const settle = () => {
      this.#owed--;
      if (this.#owed < REQUEST_BACKLOG_LIMIT) this.#requestRoom?.();
    };
    answered.then(settle, settle);
  }

  #dispatch(m: Message): void {
    switch (m.type) {
      case "globalRequest":
        return this.#owe(this.#globalRequests.receive(m));
      case "requestSuccess":
      case "requestFailure":
        return this.#globalRequests.reply(m);
      case "channelOpen":
        return this.#receiveOpen(m);
      case "channelOpenConfirmation":
        return this.#channel(m.recipient, "an open confirmation", true).confirm(
          m.sender,
          m.initialWindow,
          m.maxPacket,
        );
      case "channelOpenFailure": {
        const ch = this.#channel(m.recipient, "an open failure", true);
        const name = openFailureName(m.reason) ?? "unknown reason";
        this.#trace(`channel ${m.recipient}: open failed: ${name}: ${m.description}`);
        return ch.refuse(
          new ChannelError(`Cannot open channel: peer refused with reason ${m.reason} (${name})`, {
            reason: DisconnectReason.BY_APPLICATION,
            openFailure: m.reason,
          }),
        );
      }
      case "channelWindowAdjust":
        return this.#channel(m.recipient, "a window adjust").windowAdjust(m.bytes);
      case "channelData":
        return this.#channel(m.recipient, "data").data(m.data);
      case "channelExtendedData":
        return this.#channel(m.recipient, "extended data").extendedData(m.dataType, m.data);
      case "channelEof":
        return this.#channel(m.recipient, "EOF").eof();
      case "channelClose":
        return this.#channel(m.recipient, "close").close();
      case "channelRequest":
        return this.#owe(this.#channel(m.recipient, "a request").request(m));
      case "channelSuccess":
      case "channelFailure":
        return this.#channel(m.recipient, "a request reply").reply(m.type === "channelSuccess");
      case "unknown":
        // The transport answers unknown numbers with UNIMPLEMENTED (RFC 4253 §11.4).
        this.#trace(`ignoring unknown message ${m.number}`);
        return;
      default:
        throw new ChannelError(`Unexpected ${m.type} message in the connection protocol`);
    }
  }

  /**
   * The input side of our channel `id` for a message of the peer's: an open we are waiting on
   * when `opening`, else one that is open (or closing: the peer may not have seen our CLOSE).
   */
  #channel(id: number, what: string, opening = false): ChannelInput {
    const entry = this.#channels.get(id);
    if (!entry) throw new ChannelError(`Peer sent ${what} for unknown channel ${id}`);
    const life = entry.input.life();
    const fits = opening
      ? life.phase === "opening"
      : life.phase === "open" || life.phase === "closing";
    if (!fits) {
      throw new ChannelError(`Peer sent ${what} for channel ${id} that is ${describeLife(life)}`);
    }
    return entry.input;
  }

  #receiveOpen(m: ChannelOpen): void {
    const { type: _t, sender, ...request } = m;
    const name = request.channelType === "other" ? request.name : request.channelType;
    if (m.maxPacket < MIN_MAX_PACKET) {
      throw new ChannelError(
        `Peer's max packet ${m.maxPacket} for a ${name} channel is below ${MIN_MAX_PACKET}`,
      );
    }
    this.#trace(`rcvd channel open ${name} from peer's channel ${sender}`);
    const fail = (reason: number, description: string) =>
      this.#send({
        type: "channelOpenFailure",
        recipient: sender,
        reason,
        description,
        language: "",
      })
        .catch(() => {});
    const id = this.#allocateId();
    if (id < 0) {
      fail(ChannelOpenFailureReason.RESOURCE_SHORTAGE, "Too many channels");
      return;
    }
    // Reserve the id while the application decides.
    let input!: ChannelInput;
    const init: ChannelInit = {
      id,
      channelType: name,
      host: this.#host,
      initialWindow: this.#initialWindow,
      maxPacket: this.#maxPacket,
      remote: { id: sender, window: m.initialWindow, maxPacket: m.maxPacket },
      attach: (i) => (input = i),
    };
    this.#reserved.add(id);
    (async () => {
      let decision: boolean | ChannelOpenRefusal = false;
      try {
        decision = (await this.#options.onChannelOpen?.(request)) ?? false;
      } catch {
        decision = false;
      }
      this.#reserved.delete(id);
      if (this.#ended) return;
      if (decision !== true) {
        const refusal = openRefusal(name, decision);
        this.#trace(`channel open ${name} refused: ${refusal.reason}`);
        await fail(refusal.reason, refusal.description);
        return;
      }
      const channel = name === "session" && this.#options.onSession
        ? new ServerSession(init)
        : new Channel(init);
      this.#channels.set(id, { channel, input });
      await this.#send({
        type: "channelOpenConfirmation",
        recipient: sender,
        sender: id,
        initialWindow: this.#initialWindow,
        maxPacket: this.#maxPacket,
        data: new Uint8Array(0),
      }).catch(() => {});
      this.#trace(`channel ${id}: open confirmed for ${name}`);
      if (channel instanceof ServerSession) this.#options.onSession!(channel);
      else this.#options.onChannel?.(channel, request);
    })();
  }

  async #send(message: Message): Promise<void> {
    if (this.#ended) {
      throw new ChannelError("Connection closed", { reason: DisconnectReason.CONNECTION_LOST });
    }
    await this.#conn.send(message);
  }

  #checkOpen(): void {
    if (this.#ended) {
      throw new ChannelError("Connection closed", { reason: DisconnectReason.CONNECTION_LOST });
    }
  }

  #end(error: ChannelError | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#keepalive.stop();
    if (error) this.error ??= error;
    const reason = error ??
      new ChannelError("Connection closed", { reason: DisconnectReason.BY_APPLICATION });
    for (const { input } of [...this.#channels.values()]) input.teardown(reason);
    this.#channels.clear();
    this.#globalRequests.failPending();
    this.#requestRoom?.();
    this.#resolveClosed();
  }
}

function checkedUint32(name: string, value: number, min: number, max = WINDOW_LIMIT): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}: ${value}`);
  }
  return value;
}
