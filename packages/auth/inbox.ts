/**
 * Reading authentication messages: the method-specific numbers 60–79 decoded with the method in
 * progress, the end of the stream and an abort turned into {@linkcode AuthError}.
 * @module
 */
import { decodeMessage, DisconnectReason, type Message, WireError } from "@hush/wire";
import { AuthError } from "./errors.ts";

/** The methods whose messages reuse numbers 60–79. */
export type MethodContext = "publickey" | "password" | "keyboard-interactive";

/**
 * One side's view of the incoming messages while authentication runs. Holds the reader lock of
 * the connection's `messages` until {@linkcode Inbox.release}.
 */
export class Inbox {
  #reader: ReadableStreamDefaultReader<Message>;
  #stopped: Promise<never>;
  #pending: Promise<ReadableStreamReadResult<Message>> | undefined;

  /**
   * @param messages The connection's incoming messages.
   * @param signal Aborts every wait; its reason becomes the error thrown (an AuthError as is).
   */
  constructor(messages: ReadableStream<Message>, signal: AbortSignal) {
    this.#reader = messages.getReader();
    this.#stopped = new Promise<never>((_, reject) => {
      const fail = () => reject(stopError(signal.reason));
      if (signal.aborted) fail();
      else signal.addEventListener("abort", fail, { once: true });
    });
    this.#stopped.catch(() => {});
  }

  /** Waits for `promise`, unless the signal fires first. */
  guard<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.#stopped]);
  }

  /**
   * The next message; an `unknown` numbered 60–79 is decoded for `method`. Throws AuthError
   * when the connection ends or the payload is malformed.
   */
  async next(method?: MethodContext): Promise<Message> {
    const read = this.#pending ?? this.#reader.read();
    this.#pending = undefined;
    const result = await this.guard(read);
    if (result.done) {
      throw new AuthError(
        "Connection closed during authentication",
        DisconnectReason.CONNECTION_LOST,
      );
    }
    const message = result.value;
    if (message.type !== "unknown" || method === undefined) return message;
    if (message.number < 60 || message.number > 79) return message;
    try {
      return decodeMessage(message.payload, { auth: method });
    } catch (e) {
      const why = e instanceof WireError ? e.message : "malformed message";
      throw new AuthError(`Malformed ${method} message ${message.number}: ${why}`, undefined, {
        cause: e,
      });
    }
  }

  /**
   * Whether a message has already arrived, without waiting for one: resolves after the
   * messages already queued had their chance (one macrotask).
   */
  async hasQueued(): Promise<boolean> {
    const read = this.#pending ?? this.#reader.read();
    this.#pending = read;
    read.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 0)));
    const arrived = read.then(() => true, () => true);
    try {
      return await this.guard(Promise.race([arrived, idle]));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Gives the connection's messages back (for the connection layer after success). */
  release(): void {
    this.#pending?.catch(() => {});
    try {
      this.#reader.releaseLock();
    } catch { /* already released */ }
  }
}

function stopError(reason: unknown): AuthError {
  if (reason instanceof AuthError) return reason;
  return new AuthError("Authentication aborted", DisconnectReason.BY_APPLICATION, {
    cause: reason,
  });
}
