/**
 * Global requests (RFC 4254 §4): sending ours and matching the peer's replies in order, and
 * answering the peer's one at a time, in the order they came.
 * @module
 */
import type {
  GlobalRequest,
  GlobalRequestBody,
  Message,
  RequestFailure,
  RequestSuccess,
} from "@hush/wire";
import { ChannelError } from "./errors.ts";

/**
 * Decides a peer's global request: `false` fails it, `true` succeeds, bytes succeed with those
 * bytes as the reply's data (the bound port of a `tcpip-forward` to port 0).
 */
export type GlobalRequestHandler = (
  request: GlobalRequestBody,
) => boolean | Uint8Array | Promise<boolean | Uint8Array>;

/** Options of {@linkcode Connection.globalRequest}. */
export interface GlobalRequestOptions {
  /** Ask for REQUEST_SUCCESS/FAILURE (default true). */
  wantReply?: boolean;
}

/** What {@linkcode GlobalRequests} needs from its connection. Internal to the package. */
export interface GlobalRequestsHost {
  /** Sends a message to the peer (rejects once the connection has ended). */
  send(message: Message): Promise<void>;
  /** `ssh -v` style trace lines. */
  trace(line: string): void;
  /** Whether the connection has ended (then the peer's requests get no reply). */
  ended(): boolean;
  /** Decides one of the peer's requests; `undefined` fails it. */
  decide(request: GlobalRequestBody): ReturnType<GlobalRequestHandler> | undefined;
}

/**
 * The global requests of one connection: a FIFO of our requests awaiting REQUEST_SUCCESS or
 * REQUEST_FAILURE (the peer answers in order), and a chain that answers the peer's requests one
 * after another. Internal to the package.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GlobalRequests } from "./global_requests.ts";
 * const sent: string[] = [];
 * const requests = new GlobalRequests({
 *   send: async (message) => void sent.push(message.type),
 *   trace: () => {},
 *   ended: () => false,
 *   decide: () => true,
 * });
 * const reply = requests.send(
 *   { request: "other", name: "no-more-sessions@openssh.com", data: new Uint8Array(0) },
 *   true,
 * );
 * assert.deepEqual(sent, ["globalRequest"]);
 * requests.reply({ type: "requestFailure" });
 * assert.equal(await reply, false);
 * ```
 */
export class GlobalRequests {
  #host: GlobalRequestsHost;
  #replies: ((reply: Uint8Array | false) => void)[] = [];
  #answering: Promise<void> = Promise.resolve();

  /** Sends and answers through `host`. */
  constructor(host: GlobalRequestsHost) {
    this.#host = host;
  }

  /**
   * Sends a global request. With `wantReply` resolves with the REQUEST_SUCCESS data or `false`
   * for REQUEST_FAILURE; without it resolves an empty array once sent.
   */
  async send(body: GlobalRequestBody, wantReply: boolean): Promise<Uint8Array | false> {
    this.#host.trace(`global request ${body.request === "other" ? body.name : body.request}`);
    const message = { type: "globalRequest", wantReply, ...body } as GlobalRequest;
    if (!wantReply) {
      await this.#host.send(message);
      return new Uint8Array(0);
    }
    const reply = new Promise<Uint8Array | false>((resolve) => this.#replies.push(resolve));
    await this.#host.send(message);
    return reply;
  }

  /** Hands the peer's REQUEST_SUCCESS/FAILURE to the oldest request awaiting one. */
  reply(m: RequestSuccess | RequestFailure): void {
    const reply = this.#replies.shift();
    if (!reply) {
      throw new ChannelError("Peer sent a global request reply with no request pending");
    }
    reply(m.type === "requestSuccess" ? m.data.slice() : false);
  }

  /**
   * Answers the peer's request once those before it have been answered; settles once it has
   * been.
   */
  receive(m: GlobalRequest): Promise<void> {
    const { type: _t, wantReply, ...body } = m;
    const name = body.request === "other" ? body.name : body.request;
    this.#host.trace(`rcvd global request ${name}`);
    return this.#answering = this.#answering.then(async () => {
      let result: boolean | Uint8Array = false;
      try {
        result = (await this.#host.decide(body)) ?? false;
      } catch {
        result = false;
      }
      if (!wantReply || this.#host.ended()) return;
      await this.#host.send(
        result === false
          ? { type: "requestFailure" }
          : { type: "requestSuccess", data: result === true ? new Uint8Array(0) : result },
      ).catch(() => {});
    });
  }

  /** Fails every request still awaiting a reply (the connection has ended). */
  failPending(): void {
    const replies = this.#replies;
    this.#replies = [];
    for (const reply of replies) reply(false);
  }
}
