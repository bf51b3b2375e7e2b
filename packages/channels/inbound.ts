/**
 * The receive side of one channel data stream (data or stderr): a pull-based ReadableStream
 * whose consumption is what earns the peer new window.
 * @module
 */

/**
 * Holds what the peer sent until the consumer reads it. Nothing is handed to the stream before
 * a read asks for it (highWaterMark 0), so `queued` is exactly the data not yet consumed and
 * `onConsumed` reports bytes as the consumer takes them. Internal to the package.
 */
export class InboundQueue {
  /** The stream the application reads. */
  readonly readable: ReadableStream<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #head = 0;
  #queued = 0;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #readPending = false;
  #ended = false;
  #done = false;
  #cancelled = false;
  #onConsumed: (bytes: number) => void;

  /** @param onConsumed Called with the byte count of each chunk the consumer takes or drops. */
  constructor(onConsumed: (bytes: number) => void) {
    this.#onConsumed = onConsumed;
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#pull(),
      cancel: () => {
        this.#cancelled = true;
        this.#done = true;
        const dropped = this.#queued;
        this.#chunks = [];
        this.#head = 0;
        this.#queued = 0;
        if (dropped > 0) this.#onConsumed(dropped);
      },
    }, { highWaterMark: 0 });
  }

  /** Bytes received and not yet read. */
  get queued(): number {
    return this.#queued;
  }

  /** Whether EOF, close or an error has ended this stream. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Queues data from the peer (already checked against the window). */
  push(data: Uint8Array): void {
    if (this.#ended) return;
    if (this.#cancelled) {
      this.#onConsumed(data.length);
      return;
    }
    if (this.#readPending && this.#queued === 0) {
      this.#readPending = false;
      this.#controller.enqueue(data);
      this.#onConsumed(data.length);
      return;
    }
    this.#chunks.push(data);
    this.#queued += data.length;
  }

  /** EOF: the stream closes once the queued data has been read. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#queued === 0) this.#finish();
  }

  /** Ends the stream with an error (connection lost) unless EOF came first; drops queued data. */
  error(error: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#done = true;
    this.#chunks = [];
    this.#queued = 0;
    this.#controller.error(error);
  }

  #pull(): void {
    if (this.#queued === 0) {
      if (this.#ended) this.#finish();
      else this.#readPending = true;
      return;
    }
    const chunk = this.#chunks[this.#head];
    this.#chunks[this.#head++] = EMPTY;
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
    this.#queued -= chunk.length;
    this.#controller.enqueue(chunk);
    this.#onConsumed(chunk.length);
    if (this.#queued === 0 && this.#ended) this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#controller.close();
  }
}

const EMPTY = new Uint8Array(0);
