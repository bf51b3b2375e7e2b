/**
 * An in-memory {@linkcode MessageConn} pair for tests: what one side sends, the other reads,
 * encoded and decoded through `@hush/wire` like a real transport would.
 * @module
 */
import { decodeMessage, encodeMessage, type Message, type MessageConn } from "@hush/wire";

/** One end of {@linkcode memoryConnPair}, with what a test wants to look at. */
export interface MemoryConn extends MessageConn {
  /** The DISCONNECT this end sent or received, once the pair is closed by one. */
  readonly disconnected: { reason: number; description: string; by: "us" | "peer" } | undefined;
  /** Messages this end has sent, by type. */
  readonly sent: Map<string, number>;
}

/** Options of {@linkcode memoryConnPair}. */
export interface MemoryConnOptions {
  /**
   * Encode and decode each message through the wire codec (default true). Without it the peer
   * gets the very message objects, whose byte fields may be views into the sender's buffers.
   */
  codec?: boolean;
}

/**
 * Two connected in-memory message ports. `disconnect` on either end closes both `messages`
 * streams and records the reason on both ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryConnPair } from "@hush/channels/testing";
 * const [a, b] = memoryConnPair();
 * await a.send({ type: "channelEof", recipient: 3 });
 * const { value } = await b.messages.getReader().read();
 * assert.deepEqual(value, { type: "channelEof", recipient: 3 });
 * ```
 */
export function memoryConnPair(options: MemoryConnOptions = {}): [MemoryConn, MemoryConn] {
  const codec = options.codec ?? true;
  const ends = [makeEnd(), makeEnd()];
  const close = (reason: number, description: string, by: 0 | 1) => {
    for (const [i, end] of ends.entries()) {
      if (end.closed) continue;
      end.closed = true;
      end.conn.disconnected = { reason, description, by: i === by ? "us" : "peer" };
      try {
        end.controller.close();
      } catch { /* cancelled */ }
    }
  };
  for (const i of [0, 1] as const) {
    const me = ends[i], peer = ends[1 - i];
    me.conn.send = (message: Message) => {
      if (me.closed) return Promise.reject(new Error("Connection closed"));
      me.conn.sent.set(message.type, (me.conn.sent.get(message.type) ?? 0) + 1);
      const delivered = codec ? decodeMessage(encodeMessage(message)) : message;
      try {
        peer.controller.enqueue(delivered);
      } catch { /* the peer stopped reading */ }
      return Promise.resolve();
    };
    me.conn.disconnect = (reason: number, description: string) => {
      close(reason, description, i);
      return Promise.resolve();
    };
  }
  return [ends[0].conn, ends[1].conn];
}

interface End {
  conn: {
    -readonly [K in keyof MemoryConn]: MemoryConn[K];
  };
  controller: ReadableStreamDefaultController<Message>;
  closed: boolean;
}

function makeEnd(): End {
  let controller!: ReadableStreamDefaultController<Message>;
  const messages = new ReadableStream<Message>({ start: (c) => (controller = c) });
  const conn = {
    messages,
    sent: new Map<string, number>(),
    disconnected: undefined,
    send: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
  } as End["conn"];
  return { conn, controller, closed: false };
}
