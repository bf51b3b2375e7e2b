/**
 * One channel of the connection layer (RFC 4254 §5): data and stderr streams with window flow
 * control, EOF and CLOSE in both directions, and channel requests.
 * @module
 */
import { type ChannelRequest, type ChannelRequestBody, DisconnectReason } from "@hush/wire";
import {
  ChannelEvent,
  type ChannelEventName,
  type ChannelLife,
  describeLife,
  moveChannelLife,
  OPENING,
} from "./channel_life.ts";
import type { ChannelHost, ChannelInit } from "./channel_link.ts";
import { ChannelError } from "./errors.ts";
import { InboundQueue } from "./inbound.ts";
import { ChannelWindow } from "./window.ts";

/** Smallest max packet a peer may announce; anything less is a protocol error. */
export const MIN_MAX_PACKET = 9;
/**
 * Largest CHANNEL_DATA payload we send, whatever larger max packet the peer announces: 128 KiB,
 * well inside the 256 KiB packets every SSH transport we know accepts. Peers announce 32 KiB by
 * default (OpenSSH and Hush), but one that announces more gets fewer, larger packets — a
 * third fewer seal/open calls per byte at 64 KiB, half at 128 KiB.
 */
export const SEND_PACKET_LIMIT = 128 * 1024;
/** Extended data type of stderr (RFC 4254 §5.2). */
export const EXTENDED_DATA_STDERR = 1;

/** Handles an incoming channel request: resolve `true` to reply success, `false` to refuse. */
export type ChannelRequestHandler = (request: ChannelRequestBody) => boolean | Promise<boolean>;

/** Options for {@linkcode Channel.request}. */
export interface RequestOptions {
  /** Ask for CHANNEL_SUCCESS/FAILURE (default true). Without it the promise resolves `true`. */
  wantReply?: boolean;
}

/** The wire name of a channel request. */
function requestName(body: ChannelRequestBody): string {
  return body.request === "other" ? body.name : body.request;
}

/**
 * A channel: `readable` (data), `stderr` (extended data 1), `writable` (closing it sends EOF),
 * `stderrWritable`, requests both ways, and `close()`. The peer gets new window only as
 * `readable`/`stderr` are read, so a slow reader slows the sender; writes wait for window and
 * go out in pieces of at most the peer's max packet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection } from "@hush/channels";
 * import { memoryConnPair } from "@hush/channels/testing";
 * const [a, b] = memoryConnPair();
 * new Connection(b, {
 *   role: "server",
 *   onChannelOpen: () => true,
 *   onChannel: (ch) => ch.readable.pipeTo(ch.writable), // echo
 * });
 * const client = new Connection(a, { role: "client" });
 * const ch = await client.openDirectTcpip({
 *   host: "localhost", port: 7, originatorAddress: "127.0.0.1", originatorPort: 5000,
 * });
 * const w = ch.writable.getWriter();
 * await w.write(new TextEncoder().encode("hi"));
 * await w.close();
 * assert.equal(await new Response(ch.readable).text(), "hi");
 * await client.close();
 * ```
 */
export class Channel {
  /** Our channel id. */
  readonly id: number;
  /** The channel type (`session`, `direct-tcpip`, `forwarded-tcpip`, ...). */
  readonly channelType: string;
  /** Data from the peer. Ends at the peer's EOF or CLOSE. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Extended data of type 1 (stderr) from the peer. Ends with `readable`. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Data to the peer; closing it sends EOF. */
  readonly writable: WritableStream<Uint8Array>;
  /** Extended data of type 1 to the peer (server side stderr). Close it before `writable`. */
  readonly stderrWritable: WritableStream<Uint8Array>;
  /**
   * Always true: a write to `writable` settles only once its bytes are encoded into messages,
   * so the writer may reuse the chunk then (`ByteDuplex.writesAreDone`).
   */
  readonly writesAreDone = true;
  /** Resolves once both sides have closed the channel or the connection ended. */
  readonly closed: Promise<void>;
  /**
   * Handles the peer's channel requests; without it every request is refused. On a
   * `ServerSession` it is the low-level hook: it gets only the requests whose typed handler
   * (`onExec`, `onPty`, ...) is unset.
   */
  onRequest?: ChannelRequestHandler;
  /**
   * Send CLOSE once EOF has gone both ways (true, as OpenSSH does for forwarded connections).
   * Sessions set it false: the server closes after the exit status.
   */
  protected closeAfterEof = true;

  #host: ChannelHost;
  #remoteId = -1;
  #remoteMaxPacket = 0;
  #window = new ChannelWindow();
  #localWindow: number;
  #localMaxPacket: number;
  #unadjusted = 0;
  #adjustThreshold: number;
  #stdout: InboundQueue;
  #stderr: InboundQueue;
  /** Where the channel is: the one value its life is kept in (`channel_life.ts`). */
  #life: ChannelLife = OPENING;
  #opened: { resolve: () => void; reject: (e: Error) => void } | undefined;
  #replies: ((success: boolean) => void)[] = [];
  #requests: Promise<void> = Promise.resolve();
  #resolveClosed!: () => void;

  /** Channels are made by a `Connection` (`openSession`, `openDirectTcpip`, `onChannel`). */
  constructor(init: ChannelInit) {
    this.id = init.id;
    this.channelType = init.channelType;
    this.#host = init.host;
    this.#localWindow = init.initialWindow;
    this.#localMaxPacket = init.maxPacket;
    this.#adjustThreshold = Math.max(1, init.initialWindow >>> 1);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    const consumed = (n: number) => this.#consumed(n);
    this.#stdout = new InboundQueue(consumed);
    this.#stderr = new InboundQueue(consumed);
    this.readable = this.#stdout.readable;
    this.stderr = this.#stderr.readable;
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => this.#send(chunk, 0),
      close: () => this.#sendEof(),
      abort: () => this.close(),
    });
    this.stderrWritable = new WritableStream<Uint8Array>({
      write: (chunk) => this.#send(chunk, EXTENDED_DATA_STDERR),
    });
    if (init.remote) this.#confirm(init.remote.id, init.remote.window, init.remote.maxPacket);
    init.attach({
      life: () => this.#life,
      opened: () => {
        if (this.#life.phase === "open") return Promise.resolve();
        return new Promise((resolve, reject) => (this.#opened = { resolve, reject }));
      },
      confirm: (id, window, maxPacket) => this.#confirm(id, window, maxPacket),
      refuse: (error) => this.#refuse(error),
      windowAdjust: (bytes) => this.#window.add(bytes),
      data: (data) => this.#receive(data, this.#stdout),
      extendedData: (dataType, data) => {
        if (dataType === EXTENDED_DATA_STDERR) return this.#receive(data, this.#stderr);
        this.#receive(data, undefined);
      },
      eof: () => this.#receiveEof(),
      close: () => this.#receiveClose(),
      request: (message) => this.#receiveRequest(message),
      reply: (success) => this.#receiveReply(success),
      teardown: (error) => this.#teardown(error),
    });
  }

  /** The peer's id for this channel (−1 until the open is confirmed). */
  get remoteId(): number {
    return this.#remoteId;
  }

  /** Bytes received and not yet read, over `readable` and `stderr` (bounded by our window). */
  get queuedBytes(): number {
    return this.#stdout.queued + this.#stderr.queued;
  }

  /** Bytes the peer currently lets us send. */
  get sendWindow(): number {
    return this.#window.available;
  }

  /**
   * Sends a channel request. With `wantReply` (the default) resolves with the peer's answer;
   * replies come back in order (RFC 4254 §5.4). Resolves `false` if the channel closes first.
   */
  request(body: ChannelRequestBody, options: RequestOptions = {}): Promise<boolean> {
    const wantReply = options.wantReply ?? true;
    if (this.#life.phase !== "open") return Promise.resolve(false);
    const message = {
      type: "channelRequest",
      recipient: this.#remoteId,
      wantReply,
      ...body,
    } as const;
    this.#host.trace(`channel ${this.id}: request ${requestName(body)}`);
    if (!wantReply) return this.#host.send(message as ChannelRequest).then(() => true);
    const answer = new Promise<boolean>((resolve) => this.#replies.push(resolve));
    return this.#host.send(message as ChannelRequest).then(() => answer);
  }

  /** Sends EOF (if not sent) and CLOSE; resolves once the peer has closed too. */
  close(): Promise<void> {
    this.#sendClose();
    return this.closed;
  }

  /**
   * Closes the channel when an `await using` block ends (as {@linkcode Channel.close}).
   *
   * @example
   * ```ts ignore
   * {
   *   await using session = await client.execStream("tail -f /var/log/syslog");
   *   // read some of session.readable
   * } // closed here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Handles an incoming request; subclasses answer the ones they know. */
  protected handleRequest(request: ChannelRequestBody): boolean | Promise<boolean> {
    if (request.request === "other" && request.name === "keepalive@openssh.com") return false;
    return this.onRequest?.(request) ?? false;
  }

  /**
   * Called once an accepted request's SUCCESS has been sent (at once when the peer wanted no
   * reply), in request order, before the next request is handled: what a request starts runs
   * from here, so its output follows the reply on the wire.
   */
  protected requestAccepted(_request: ChannelRequestBody): void {}

  /** Sends EOF once; later writes fail. */
  protected sendEof(): Promise<void> {
    return this.#sendEof();
  }

  /** Called once when the channel is gone (both closes, or connection lost). */
  protected onClosed(): void {}

  /** Moves the channel's life; a move the table lacks is the peer's protocol error. */
  #move(event: ChannelEventName): void {
    this.#life = moveChannelLife(this.#life, event, `channel ${this.id}`);
  }

  /** The peer sent EOF (open or closing). */
  #eofReceived(): boolean {
    return this.#life.phase !== "opening" && this.#life.phase !== "closed" &&
      this.#life.eofReceived;
  }

  #confirm(remoteId: number, window: number, maxPacket: number): void {
    if (this.#life.phase !== "opening") {
      throw new ChannelError(`Channel ${this.id} is already ${describeLife(this.#life)}`);
    }
    if (maxPacket < MIN_MAX_PACKET) {
      throw new ChannelError(`Peer's max packet ${maxPacket} is below ${MIN_MAX_PACKET}`);
    }
    this.#move(ChannelEvent.CONFIRMED);
    this.#remoteId = remoteId;
    this.#remoteMaxPacket = Math.min(maxPacket, SEND_PACKET_LIMIT);
    this.#window.add(window);
    this.#opened?.resolve();
  }

  #refuse(error: ChannelError): void {
    if (this.#life.phase !== "opening") {
      throw new ChannelError(`Channel ${this.id} is already ${describeLife(this.#life)}`);
    }
    this.#opened?.reject(error);
    this.#opened = undefined;
    this.#teardown(error);
  }

  #receive(data: Uint8Array, queue: InboundQueue | undefined): void {
    if (this.#eofReceived()) {
      throw new ChannelError(`Peer sent data on channel ${this.id} after EOF`);
    }
    if (data.length > this.#localWindow) {
      throw new ChannelError(
        `Peer sent ${data.length} bytes on channel ${this.id} past its window of ${this.#localWindow}`,
      );
    }
    if (data.length > this.#localMaxPacket) {
      throw new ChannelError(
        `Peer sent a ${data.length} byte packet past max packet on channel ${this.id}`,
      );
    }
    this.#localWindow -= data.length;
    // After our CLOSE the peer's data still counts against the window, and is dropped.
    if (this.#life.phase === "closing" || !queue) {
      this.#consumed(data.length);
      return;
    }
    queue.push(data);
  }

  #consumed(bytes: number): void {
    this.#unadjusted += bytes;
    if (
      this.#unadjusted < this.#adjustThreshold || this.#life.phase !== "open" ||
      this.#life.eofReceived
    ) return;
    const bytesToAdd = this.#unadjusted;
    this.#unadjusted = 0;
    this.#localWindow += bytesToAdd;
    this.#host.send({ type: "channelWindowAdjust", recipient: this.#remoteId, bytes: bytesToAdd })
      .catch(() => {});
  }

  #receiveEof(): void {
    if (this.#eofReceived()) {
      throw new ChannelError(`Peer sent a second EOF on channel ${this.id}`);
    }
    this.#move(ChannelEvent.EOF_RECEIVED);
    this.#host.trace(`channel ${this.id}: rcvd eof`);
    this.#stdout.end();
    this.#stderr.end();
    if (this.#life.phase === "open" && this.#life.eofSent && this.closeAfterEof) {
      this.#sendClose();
    }
  }

  #receiveClose(): void {
    this.#host.trace(`channel ${this.id}: rcvd close`);
    this.#stdout.end();
    this.#stderr.end();
    this.#answerPending();
    this.#sendClose(); // our answer, unless sent already
    this.#move(ChannelEvent.CLOSE_RECEIVED);
    this.#free();
  }

  #receiveRequest(message: ChannelRequest): Promise<void> {
    const { type: _t, recipient: _r, wantReply, ...body } = message;
    this.#host.trace(`channel ${this.id}: rcvd request ${requestName(body)}`);
    return this.#requests = this.#requests.then(async () => {
      let success = false;
      try {
        success = (await this.handleRequest(body)) === true;
      } catch {
        success = false;
      }
      if (wantReply && this.#life.phase === "open") {
        await this.#host.send({
          type: success ? "channelSuccess" : "channelFailure",
          recipient: this.#remoteId,
        }).catch(() => {});
      }
      if (success && this.#life.phase === "open") this.requestAccepted(body);
    });
  }

  #receiveReply(success: boolean): void {
    const answer = this.#replies.shift();
    if (!answer) {
      throw new ChannelError(`Peer sent a reply on channel ${this.id} with no request pending`);
    }
    answer(success);
  }

  async #send(chunk: Uint8Array, dataType: number): Promise<void> {
    if (!(chunk instanceof Uint8Array)) throw new TypeError("Channel data must be a Uint8Array");
    let offset = 0;
    while (offset < chunk.length) {
      this.#checkWritable();
      const n = await this.#window.take(Math.min(this.#remoteMaxPacket, chunk.length - offset));
      this.#checkWritable();
      // a view: the message is encoded (copied) before `send` resolves, and this write's
      // promise resolves only after that
      const data = chunk.subarray(offset, offset + n);
      offset += n;
      await this.#host.send(
        dataType === 0
          ? { type: "channelData", recipient: this.#remoteId, data }
          : { type: "channelExtendedData", recipient: this.#remoteId, dataType, data },
      );
    }
  }

  #checkWritable(): void {
    const life = this.#life;
    if (life.phase !== "open") {
      throw new ChannelError(`Channel ${this.id} is closed`, {
        reason: DisconnectReason.BY_APPLICATION,
      });
    }
    if (life.eofSent) {
      throw new ChannelError(`Channel ${this.id}: cannot write after EOF`, {
        reason: DisconnectReason.BY_APPLICATION,
      });
    }
  }

  async #sendEof(): Promise<void> {
    if (this.#life.phase !== "open" || this.#life.eofSent) return;
    this.#move(ChannelEvent.EOF_SENT);
    this.#host.trace(`channel ${this.id}: send eof`);
    await this.#host.send({ type: "channelEof", recipient: this.#remoteId });
    if (this.#life.phase === "open" && this.#life.eofReceived && this.closeAfterEof) {
      this.#sendClose();
    }
  }

  #sendClose(): void {
    if (this.#life.phase !== "open") return;
    this.#move(ChannelEvent.CLOSE_SENT);
    this.#host.trace(`channel ${this.id}: send close`);
    this.#window.fail(
      new ChannelError(`Channel ${this.id} is closed`, { reason: DisconnectReason.BY_APPLICATION }),
    );
    this.#host.send({ type: "channelClose", recipient: this.#remoteId }).catch(() => {});
  }

  #answerPending(): void {
    const replies = this.#replies;
    this.#replies = [];
    for (const answer of replies) answer(false);
  }

  /** Called once, as the life becomes `closed`: the id is free again; the streams end. */
  #free(): void {
    this.#host.trace(`channel ${this.id}: free`);
    this.#host.free(this.id);
    this.#stdout.end();
    this.#stderr.end();
    this.onClosed();
    this.#resolveClosed();
  }

  #teardown(error: ChannelError): void {
    if (this.#life.phase === "closed") return;
    this.#move(ChannelEvent.TORN_DOWN);
    this.#window.fail(error);
    this.#stdout.error(error);
    this.#stderr.error(error);
    this.#answerPending();
    this.#opened?.reject(error);
    this.#opened = undefined;
    this.#free();
  }
}
