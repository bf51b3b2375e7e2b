/**
 * SSH over WebSocket: a WebSocket as the byte duplex that `connect({ duplex })` and `accept()`
 * take. Runtime-free: it uses the global `WebSocket` (browsers, Deno, Bun, Node ≥ 22), or one
 * passed in.
 *
 * Every byte travels in binary messages; a text message, or a binary one over
 * {@linkcode WEBSOCKET_MESSAGE_LIMIT}, ends the connection with an error. Writes wait while the
 * socket's `bufferedAmount` is over the high-water mark (the WebSocket API has no drain event,
 * so it is polled). Reads cannot push back (the API cannot pause a socket): SSH's channel
 * windows bound what an honest peer sends, and {@linkcode WEBSOCKET_READ_QUEUE_LIMIT} bounds
 * what a dishonest one can make us hold.
 * @module
 */
import type { ByteDuplex } from "@hush/transport";
import { SshError } from "@hush/wire";

/** The largest binary message accepted by default (1 MiB); a bigger one ends the connection. */
export const WEBSOCKET_MESSAGE_LIMIT = 1024 * 1024;
/**
 * Writes are cut into binary messages of at most this many bytes (256 KiB, SSH's own packet
 * limit), far below what a receiver accepts.
 */
export const WEBSOCKET_SEND_MESSAGE_BYTES = 256 * 1024;
/** By default a write waits while more than this many bytes (1 MiB) wait in `bufferedAmount`. */
export const WEBSOCKET_HIGH_WATER_MARK = 1024 * 1024;
/**
 * Received bytes not yet read that end the connection (32 MiB): sixteen times the 2 MiB
 * channel window Hush and OpenSSH grant, so only a peer ignoring windows gets there.
 */
export const WEBSOCKET_READ_QUEUE_LIMIT = 32 * 1024 * 1024;

/** Milliseconds between looks at `bufferedAmount` while a write waits for it to drain. */
const DRAIN_POLL_MS = 2;

/** WebSocket `readyState` values. */
const READY_STATE = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/** Close codes (RFC 6455 §7.4.1). */
const CLOSE_CODE = {
  NORMAL: 1000,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  UNSUPPORTED_DATA: 1003,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
} as const;

/**
 * The part of a WebSocket this adapter uses: the standard `WebSocket`, or a server socket
 * behind a shim with the same events.
 *
 * @example
 * ```ts
 * import type { WebSocketLike } from "@hush/ssh/adapters";
 * const describe = (ws: WebSocketLike) => `state ${ws.readyState}, ${ws.bufferedAmount} queued`;
 * ```
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued by `send` and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** How binary messages arrive; set to `"arraybuffer"`. */
  binaryType: string;
  /** The subprotocol the server chose (`""` for none). */
  readonly protocol?: string;
  /** Queues one binary message. */
  send(data: Uint8Array<ArrayBuffer>): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Listens for `open`, `message`, `close` and `error`. */
  addEventListener(type: string, listener: (event: Event) => void): void;
}

/**
 * A WebSocket as a byte duplex, with a way to close it.
 *
 * @example Not run here: it needs a relay on port 8022 and an SSH server behind it
 * ```ts ignore
 * import { connect, connectWebSocket, type WebSocketConnection } from "@hush/ssh";
 * const socket: WebSocketConnection = await connectWebSocket("ws://127.0.0.1:8022/?target=127.0.0.1:22");
 * const client = await connect({ hostname: "127.0.0.1", username: "me", password: "secret", duplex: socket });
 * ```
 */
export interface WebSocketConnection extends ByteDuplex {
  /** The URL the socket is connected to (for a server, the one the client asked for). */
  readonly url: string;
  /** Resolves with the close code and reason once the socket has closed. */
  readonly closed: Promise<WebSocketCloseInfo>;
  /**
   * Closes the socket at once (1000 by default). A reason (at most 123 bytes of UTF-8, longer
   * ones are cut) tells the peer why.
   */
  close(code?: number, reason?: string): void;
}

/**
 * How a WebSocket closed.
 *
 * @example
 * ```ts
 * import type { WebSocketCloseInfo } from "@hush/ssh";
 * const info: WebSocketCloseInfo = { code: 1000, reason: "", error: undefined };
 * ```
 */
export interface WebSocketCloseInfo {
  /** The close code (1000 normal, 1006 the connection dropped, …). */
  code: number;
  /** The reason the closing side gave. */
  reason: string;
  /** Why the connection failed on our side (the peer's bad input), when it did. */
  error: Error | undefined;
}

/**
 * Options for {@linkcode connectWebSocket} and {@linkcode fromWebSocket}.
 *
 * @example
 * ```ts
 * import type { WebSocketOptions } from "@hush/ssh";
 * const options: WebSocketOptions = { maxMessageBytes: 512 * 1024, signal: AbortSignal.timeout(10_000) };
 * ```
 */
export interface WebSocketOptions {
  /** Subprotocols to offer. */
  protocols?: string | string[];
  /** Aborts connecting (and closes the socket). */
  signal?: AbortSignal;
  /** The largest binary message accepted ({@linkcode WEBSOCKET_MESSAGE_LIMIT}). */
  maxMessageBytes?: number;
  /** Writes wait while more than this many bytes are buffered ({@linkcode WEBSOCKET_HIGH_WATER_MARK}). */
  highWaterMark?: number;
  /** Unread bytes that end the connection ({@linkcode WEBSOCKET_READ_QUEUE_LIMIT}). */
  readQueueLimit?: number;
  /** The WebSocket constructor (the global one by default), e.g. a polyfill on Node 20. */
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocketLike;
}

/**
 * Opens a WebSocket to `url` and resolves once it is open, as a byte duplex for
 * `connect({ duplex })`. Rejects when the handshake fails (browsers do not say why: code 1006)
 * or `options.signal` aborts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accept, connect, connectWebSocket, generateKey, listenWebSocket } from "@hush/ssh";
 * // A WebSocket SSH server for the example; a relay (`deno task ws-relay`) bridges to TCP ones.
 * const hostKey = await generateKey("ssh-ed25519");
 * const listener = await listenWebSocket({ hostname: "127.0.0.1", port: 0 });
 * (async () => {
 *   for await (const socket of listener) {
 *     accept(socket, {
 *       hostKeys: [hostKey],
 *       authenticate: { password: () => true },
 *       onSession: (s) => (s.onExec = async () => {
 *         await s.writable.getWriter().write(new TextEncoder().encode("hi\n"));
 *       }),
 *     });
 *   }
 * })();
 * const duplex = await connectWebSocket(`ws://127.0.0.1:${listener.port}/?target=127.0.0.1:22`);
 * const client = await connect({ hostname: "127.0.0.1", username: "me", password: "secret", policy: "no", duplex });
 * assert.equal(new TextDecoder().decode((await client.exec("echo hi")).stdout), "hi\n");
 * await client.close();
 * await listener.close();
 * ```
 */
export function connectWebSocket(
  url: string | URL,
  options: WebSocketOptions = {},
): Promise<WebSocketConnection> {
  const Constructor = options.WebSocket ??
    (globalThis as { WebSocket?: WebSocketOptions["WebSocket"] }).WebSocket;
  if (!Constructor) {
    return Promise.reject(
      new SshError(
        "ERR_SSH_UNSUPPORTED_RUNTIME",
        "This runtime has no global WebSocket (browsers, Deno, Bun and Node 22 or later have " +
          "one): pass options.WebSocket",
      ),
    );
  }
  const href = String(url);
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const socket = new Constructor(href, options.protocols);
  const connection = fromWebSocket(socket, options, href);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      socket.close(CLOSE_CODE.NORMAL);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.addEventListener("open", () => {
      signal?.removeEventListener("abort", onAbort);
      resolve(connection);
    });
    // After the open this settles nothing: the promise is resolved already.
    connection.closed.then((info) => {
      signal?.removeEventListener("abort", onAbort);
      reject(
        new SshError(
          "ERR_SSH_WEBSOCKET",
          `Cannot connect to ${href}: ${
            info.reason || `the WebSocket handshake failed (code ${info.code})`
          }`,
        ),
      );
    });
  });
}

/**
 * Wraps a WebSocket (open or still connecting) as a byte duplex: the socket a server's upgrade
 * gave, or one the caller opened. Writes wait for it to open.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accept, connect, connectWebSocket, generateKey } from "@hush/ssh";
 * import { fromWebSocket } from "@hush/ssh/adapters";
 * const serveOptions = { hostKeys: [await generateKey("ssh-ed25519")], authenticate: { password: () => true } };
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   accept(fromWebSocket(socket), serveOptions);
 *   return response;
 * });
 * const duplex = await connectWebSocket(`ws://127.0.0.1:${server.addr.port}/`);
 * const client = await connect({ hostname: "h", username: "me", password: "", policy: "no", duplex });
 * assert.ok(client);
 * await client.close();
 * await server.shutdown();
 * ```
 */
export function fromWebSocket(
  socket: WebSocketLike,
  options: Omit<WebSocketOptions, "protocols" | "signal" | "WebSocket"> = {},
  url: string = (socket as { url?: string }).url ?? "",
): WebSocketConnection {
  const maxMessage = options.maxMessageBytes ?? WEBSOCKET_MESSAGE_LIMIT;
  const highWaterMark = options.highWaterMark ?? WEBSOCKET_HIGH_WATER_MARK;
  const queueLimit = options.readQueueLimit ?? WEBSOCKET_READ_QUEUE_LIMIT;
  socket.binaryType = "arraybuffer";
  // Our own queue rather than the stream's, so that what came before a close is still read (a
  // DISCONNECT message, the end of a command's output) before the close's error.
  const queue: Uint8Array[] = [];
  let queuedBytes = 0;
  /** How the readable ends once the queue is empty (set at close or on bad input). */
  let ending: { error?: Error } | undefined;
  /** Set once the readable was cancelled. */
  let cancelled = false;
  let wake: (() => void) | undefined;
  /** Why we ended the connection ourselves (the peer's bad input), if we did. */
  let failure: Error | undefined;
  let closeInfo: WebSocketCloseInfo | undefined;
  let settleClosed!: (info: WebSocketCloseInfo) => void;
  const closed = new Promise<WebSocketCloseInfo>((r) => (settleClosed = r));
  let settleOpen!: () => void;
  const opened = new Promise<void>((r) => (settleOpen = r));
  if (socket.readyState !== READY_STATE.CONNECTING) settleOpen();

  const closeSocket = (code: number, reason = "") => {
    if (socket.readyState >= READY_STATE.CLOSING) return;
    if (socket.readyState === READY_STATE.CONNECTING) {
      // A server's socket cannot close before its upgrade response is out (Deno throws); a
      // client that gives up connecting closes the socket itself (connectWebSocket's signal).
      opened.then(() => closeSocket(code, reason));
      return;
    }
    try {
      socket.close(code, truncateReason(reason));
    } catch {
      socket.close(); // a code the runtime does not let us send
    }
  };
  const endRead = (error?: Error) => {
    ending ??= { error };
    wake?.();
  };
  /** Ends the connection because of the peer's bad input: what is queued is dropped. */
  const fail = (error: Error, code: number, reason: string) => {
    failure ??= error;
    queue.length = 0;
    queuedBytes = 0;
    ending = { error };
    wake?.();
    closeSocket(code, reason);
  };
  /** Why writing is impossible now. */
  const closedError = () =>
    failure ??
      new SshError(
        "ERR_SSH_WEBSOCKET",
        closeInfo ? describeClose(url, closeInfo) : `WebSocket to ${url} is closed`,
      );

  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (queue.length === 0 && !ending) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      const next = queue.shift();
      if (next) {
        queuedBytes -= next.byteLength;
        controller.enqueue(next);
      } else if (ending?.error) controller.error(ending.error);
      else controller.close();
    },
    cancel() {
      cancelled = true;
      queue.length = 0;
      closeSocket(CLOSE_CODE.NORMAL);
    },
  }, { highWaterMark: 0 });

  socket.addEventListener("open", () => settleOpen());
  socket.addEventListener("message", (event) => {
    if (cancelled || ending) return;
    const data = (event as MessageEvent).data;
    if (typeof data === "string") {
      return fail(
        new SshError(
          "ERR_SSH_WEBSOCKET",
          "The peer sent a text message: SSH over WebSocket takes binary messages only",
        ),
        CLOSE_CODE.UNSUPPORTED_DATA,
        "Binary messages only",
      );
    }
    const bytes = binaryData(data);
    if (!bytes) {
      return fail(
        new SshError(
          "ERR_SSH_WEBSOCKET",
          "The peer sent a message that is neither text nor binary",
        ),
        CLOSE_CODE.UNSUPPORTED_DATA,
        "Binary messages only",
      );
    }
    if (bytes.byteLength > maxMessage) {
      return fail(
        new SshError(
          "ERR_SSH_WEBSOCKET",
          `The peer sent a ${bytes.byteLength}-byte message, over the limit of ${maxMessage} bytes`,
        ),
        CLOSE_CODE.MESSAGE_TOO_BIG,
        "Message too big",
      );
    }
    if (bytes.byteLength === 0) return;
    queue.push(bytes);
    queuedBytes += bytes.byteLength;
    wake?.();
    if (queuedBytes > queueLimit) {
      fail(
        new SshError(
          "ERR_SSH_WEBSOCKET",
          `The peer sent more than ${queueLimit} bytes that were not read yet`,
        ),
        CLOSE_CODE.POLICY_VIOLATION,
        "Too much unread data",
      );
    }
  });
  socket.addEventListener("close", (event) => {
    const e = event as CloseEvent;
    closeInfo = { code: e.code, reason: e.reason ?? "", error: failure };
    settleOpen();
    if (e.code === CLOSE_CODE.NORMAL || e.code === CLOSE_CODE.NO_STATUS) endRead();
    else endRead(new SshError("ERR_SSH_WEBSOCKET", describeClose(url, closeInfo)));
    settleClosed(closeInfo);
  });

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      await opened;
      for (let offset = 0; offset < chunk.byteLength; offset += WEBSOCKET_SEND_MESSAGE_BYTES) {
        if (socket.readyState !== READY_STATE.OPEN) throw closedError();
        const end = Math.min(chunk.byteLength, offset + WEBSOCKET_SEND_MESSAGE_BYTES);
        // send() copies the bytes before it returns.
        socket.send(chunk.subarray(offset, end) as Uint8Array<ArrayBuffer>);
        while (socket.bufferedAmount > highWaterMark) {
          if (socket.readyState !== READY_STATE.OPEN) throw closedError();
          await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
        }
      }
    },
    close() {
      // WebSocket has no half-close: the end of what we send ends the connection.
      closeSocket(CLOSE_CODE.NORMAL);
    },
    abort() {
      closeSocket(CLOSE_CODE.NORMAL);
    },
  });

  return {
    readable,
    writable,
    url,
    closed,
    close: (code: number = CLOSE_CODE.NORMAL, reason = "") => {
      closeSocket(code, reason);
      endRead();
    },
  };
}

/** The bytes of a binary message, or `undefined` for anything else. */
function binaryData(data: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    // a copy: a server runtime may reuse the memory behind a view it hands out
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  }
  return undefined;
}

/** What a close means to a user, e.g. "WebSocket to ws://… closed by the peer (code 1011): …". */
function describeClose(url: string, info: WebSocketCloseInfo): string {
  if (info.error) return info.error.message;
  if (info.code === CLOSE_CODE.ABNORMAL || info.code < 1000) {
    // Deno reports a server socket dropped without a close frame as code 0
    return `WebSocket connection to ${url} was lost (code 1006, no close frame)`;
  }
  return `WebSocket to ${url} closed by the peer (code ${info.code})${
    info.reason ? `: ${info.reason}` : ""
  }`;
}

/**
 * A close reason cut to the 123 bytes of UTF-8 a close frame carries, on a character boundary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { truncateReason } from "./websocket.ts";
 * assert.equal(truncateReason("x".repeat(200)).length, 123);
 * ```
 */
export function truncateReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.length <= 123) return reason;
  let end = 123;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
