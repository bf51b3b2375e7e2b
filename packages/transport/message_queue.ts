/**
 * The stream of messages handed to the layers above the transport, with backpressure: the
 * receive loop waits while the consumer is behind.
 * @module
 */
import type { Message } from "@hush/wire";

/** Messages queued for the upper layers before the receive loop stops reading the socket. */
export const UPSTREAM_HIGH_WATER_MARK = 64;

/** A readable of messages that the transport pushes into and awaits room in. */
export class MessageQueue {
  /** The consumer's side. */
  readonly readable: ReadableStream<Message>;
  #controller!: ReadableStreamDefaultController<Message>;
  #room?: () => void;
  #closed = false;

  constructor() {
    this.readable = new ReadableStream<Message>({
      start: (c) => {
        this.#controller = c;
      },
      pull: () => {
        this.#room?.();
        this.#room = undefined;
      },
      cancel: () => {
        this.#closed = true;
        this.#room?.();
      },
    }, { highWaterMark: UPSTREAM_HIGH_WATER_MARK });
  }

  /** Queues a message; resolves once there is room for more. */
  async push(m: Message): Promise<void> {
    if (this.#closed) return;
    this.#controller.enqueue(m);
    while (!this.#closed && (this.#controller.desiredSize ?? 1) <= 0) {
      await new Promise<void>((r) => (this.#room = r));
    }
  }

  /** Ends the stream, with an error when given. */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (error) this.#controller.error(error);
      else this.#controller.close();
    } catch { /* already closed */ }
    this.#room?.();
  }
}
