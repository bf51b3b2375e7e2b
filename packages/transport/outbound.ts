/**
 * The outgoing side of the transport, over the packet writer: messages the application sends
 * (which wait while a batch is queued), answers owed to the peer (which never wait and count in
 * a backlog that pauses the receive loop), and application messages held while a key exchange
 * runs (bounded by the held-bytes limit), sent in order right after our NEWKEYS.
 * @module
 */
import {
  encodeMessage,
  type Message,
  type MessageType,
  type PacketWriter,
  SshWriter,
  writeMessage,
} from "@hush/wire";

/**
 * Default bound on application payload bytes the transport holds while a key exchange runs
 * (`heldBytesLimit`): 4 MiB. A `send()` past it waits, unencoded, until the exchange is over.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_HELD_BYTES_LIMIT } from "@hush/transport";
 * assert.equal(DEFAULT_HELD_BYTES_LIMIT, 4194304);
 * ```
 */
export const DEFAULT_HELD_BYTES_LIMIT = 4 * 1024 * 1024;

/**
 * Answers owed to the peer — key exchange messages, PONG, UNIMPLEMENTED, SERVICE_ACCEPT, and the
 * connection protocol's replies to its requests and opens — are written without waiting; once
 * this many bytes of them are not yet taken by the byte stream, the receive loop stops reading
 * until they are, so a peer that sends requests but never reads the answers cannot grow our
 * memory (OpenSSH stops reading such a peer too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONTROL_BACKLOG_LIMIT } from "@hush/transport";
 * assert.equal(CONTROL_BACKLOG_LIMIT, 262144);
 * ```
 */
export const CONTROL_BACKLOG_LIMIT = 256 * 1024;

/** Messages that answer something the peer sent: written without waiting, counted instead. */
export const REPLY_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  "requestSuccess",
  "requestFailure",
  "channelOpenConfirmation",
  "channelOpenFailure",
  "channelSuccess",
  "channelFailure",
  "pong",
  "unimplemented",
  "serviceAccept",
]);

/** An application message held during a key exchange. */
interface Held {
  /** Set while the message waits past the held-bytes bound, unencoded. */
  message?: Message;
  /** The encoded payload, counted in the held bytes. */
  payload?: Uint8Array;
  reply: boolean;
  resolve: () => void;
  reject: (e: unknown) => void;
  /** Runs right after the payload is handed to the writer, before anything behind it. */
  afterWrite?: () => void;
}

/**
 * Everything the transport writes, in order, into the packet writer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PacketWriter } from "@hush/wire";
 * import { Outbound } from "./outbound.ts";
 * const out = new Outbound(new PacketWriter(), 64 * 1024);
 * out.writeReply(new Uint8Array([20])); // a KEXINIT-like answer: never waits
 * // During a key exchange, application messages wait until the new keys are in.
 * const message = { type: "ignore", data: new Uint8Array(3) } as const;
 * const sent = new Promise<void>((resolve, reject) => out.hold(message, resolve, reject));
 * assert.equal(out.heldMessages, 1);
 * out.flushHeld();
 * await sent;
 * assert.equal(out.heldMessages, 0);
 * ```
 */
export class Outbound {
  readonly #writer: PacketWriter;
  #held: Held[] = [];
  #heldBytes = 0;
  #heldLimit: number;
  /** Channel data is encoded here when the writer is done with a payload at once. */
  #scratch = new SshWriter(0);

  /** Writes into `writer`; holds up to `heldLimit` encoded bytes during a key exchange. */
  constructor(writer: PacketWriter, heldLimit: number) {
    this.#writer = writer;
    this.#heldLimit = heldLimit;
  }

  /** Encoded application bytes held (≤ the held-bytes limit). */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Application messages held, encoded or waiting. */
  get heldMessages(): number {
    return this.#held.length;
  }

  /** Answers written and not yet taken by the byte stream. */
  get replyBacklog(): number {
    return this.#writer.replyBacklog;
  }

  /** Settles once the answers not yet taken are within {@linkcode CONTROL_BACKLOG_LIMIT}. */
  replyBacklogDrained(): Promise<void> {
    return this.#writer.replyBacklogAtMost(CONTROL_BACKLOG_LIMIT);
  }

  /** Writes a payload; resolves once the writer has room for more. */
  write(payload: Uint8Array): Promise<void> {
    return this.#writer.write(payload);
  }

  /** Writes an answer (or one of our key exchange messages) without waiting. */
  writeReply(payload: Uint8Array): void {
    this.#writer.writeReply(payload);
  }

  /** Sends `message` the way its type calls for; resolves once it is queued. */
  send(message: Message): Promise<void> {
    if (
      (message.type === "channelData" || message.type === "channelExtendedData") &&
      this.#writer.takesPayloadAtOnce
    ) {
      // The bulk of the traffic: no fresh buffer per packet. Zeroed after, as it held user data.
      const scratch = this.#scratch.reset();
      writeMessage(scratch, message);
      try {
        return this.write(scratch.view());
      } finally {
        scratch.view().fill(0);
      }
    }
    const payload = encodeMessage(message);
    if (!REPLY_TYPES.has(message.type)) return this.write(payload);
    this.writeReply(payload);
    return Promise.resolve();
  }

  /**
   * Holds an application message until {@linkcode flushHeld}; settles the send then.
   * `afterWrite` runs as soon as the writer has the message, before any message behind it
   * (the server starts delayed compression right after its USERAUTH_SUCCESS).
   */
  hold(
    message: Message,
    resolve: () => void,
    reject: (e: unknown) => void,
    afterWrite?: () => void,
  ): void {
    const reply = REPLY_TYPES.has(message.type);
    const waiting = this.#held.length > 0 && this.#held[this.#held.length - 1].message;
    if (!waiting) {
      const payload = encodeMessage(message);
      if (this.#heldBytes + payload.length <= this.#heldLimit) {
        this.#heldBytes += payload.length;
        this.#held.push({ payload, reply, resolve, reject, afterWrite });
        return;
      }
    }
    this.#held.push({ message, reply, resolve, reject, afterWrite });
  }

  /** Hands every held message to the writer, in order, without waiting for room. */
  flushHeld(): void {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    for (const h of held) {
      const payload = h.payload ?? encodeMessage(h.message!);
      try {
        if (h.reply) {
          this.#writer.writeReply(payload);
          h.afterWrite?.();
          h.resolve();
        } else {
          // write() hands the payload to the writer before it first waits
          this.#writer.write(payload).then(h.resolve, h.reject);
          h.afterWrite?.();
        }
      } catch (e) {
        h.reject(e);
      }
    }
  }

  /** Fails every held send with `error` (the connection closed). */
  rejectHeld(error: unknown): void {
    for (const h of this.#held.splice(0)) h.reject(error);
    this.#heldBytes = 0;
  }
}
