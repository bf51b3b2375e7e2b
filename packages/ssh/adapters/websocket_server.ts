/**
 * An HTTP listener that takes WebSocket upgrades, for serving SSH over WebSocket and for the
 * relay: `Deno.serve` with `Deno.upgradeWebSocket` on Deno, `Bun.serve` on Bun. Node has no
 * WebSocket server built in, so there it throws.
 *
 * Browsers send an `Origin` header with every WebSocket handshake; a page from another site
 * must not reach the SSH port through its visitor's browser, so upgrades are taken only from
 * clients that send none (not browsers), from the listener's own origin, and from the origins
 * allowed (`origins`). Everything else gets 403.
 * @module
 */
import { SshError } from "@hush/wire";
import {
  fromWebSocket,
  type WebSocketConnection,
  type WebSocketLike,
  type WebSocketOptions,
} from "./websocket.ts";

/**
 * Options for {@linkcode listenWebSocket}.
 *
 * @example
 * ```ts
 * import type { WebSocketListenOptions } from "@hush/ssh";
 * const options: WebSocketListenOptions = { hostname: "127.0.0.1", port: 8022, path: "/ssh", origins: ["https://example.org"] };
 * ```
 */
export interface WebSocketListenOptions {
  /** Interface to listen on (`127.0.0.1`). */
  hostname?: string;
  /** Port to listen on (0 picks a free one). */
  port?: number;
  /** Take upgrades only on this path (any path by default). */
  path?: string;
  /**
   * `Origin` values allowed besides the listener's own origin and none at all; `"*"` allows
   * every origin (only for a listener no browser can reach with credentials that matter).
   */
  origins?: readonly string[];
  /** The largest binary message accepted (1 MiB). */
  maxMessageBytes?: number;
  /** Answers plain HTTP requests (404 by default), e.g. to serve a page next to the socket. */
  onRequest?: (request: Request) => Response | Promise<Response>;
  /** Lines about refused upgrades (who, and why). */
  trace?: (line: string) => void;
}

/**
 * A WebSocket a listener accepted: the byte duplex, where it came from, and what it asked for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectWebSocket, listenWebSocket } from "@hush/ssh";
 * const listener = await listenWebSocket({ hostname: "127.0.0.1", port: 0 });
 * const client = await connectWebSocket(`ws://127.0.0.1:${listener.port}/?target=db:22`);
 * for await (const socket of listener) {
 *   assert.equal(socket.remoteAddress, "127.0.0.1");
 *   assert.equal(socket.requestUrl.searchParams.get("target"), "db:22");
 *   socket.close(1000, "bye");
 *   break;
 * }
 * client.close();
 * await listener.close();
 * ```
 */
export interface AcceptedWebSocket extends WebSocketConnection {
  /** The client's address. */
  remoteAddress: string;
  /** The client's port. */
  remotePort: number;
  /** Our address. */
  localAddress: string;
  /** Our port. */
  localPort: number;
  /** The URL of the upgrade request (path and query the client chose). */
  requestUrl: URL;
  /** The request's `Origin` header, when it had one (browsers always send it). */
  origin: string | undefined;
}

/**
 * A listening HTTP port that yields each accepted WebSocket.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenWebSocket } from "@hush/ssh";
 * const listener = await listenWebSocket({ hostname: "127.0.0.1", port: 0 });
 * assert.ok(listener.port > 0); // ws://127.0.0.1:<port>/
 * // for await (const socket of listener) accepts, until `close()`
 * await listener.close();
 * ```
 */
export interface WebSocketListener extends AsyncIterable<AcceptedWebSocket> {
  /** The bound address. */
  hostname: string;
  /** The bound port. */
  port: number;
  /** Stops listening and closes the WebSockets still open. */
  close(): Promise<void>;
}

/** A close code of our own: the server is going away (RFC 6455's 1001). */
const GOING_AWAY = 1001;

/**
 * Listens for WebSocket upgrades on an HTTP port (Deno and Bun).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accept, connect, connectWebSocket, generateKey, listenWebSocket } from "@hush/ssh";
 * const hostKey = await generateKey("ssh-ed25519");
 * const listener = await listenWebSocket({ hostname: "127.0.0.1", port: 0 });
 * (async () => {
 *   for await (const socket of listener) {
 *     accept(socket, { hostKeys: [hostKey], authenticate: { password: () => true } }, socket);
 *   }
 * })();
 * const duplex = await connectWebSocket(`ws://127.0.0.1:${listener.port}/`);
 * const client = await connect({ hostname: "127.0.0.1", username: "me", password: "", policy: "no", duplex });
 * await client.close();
 * await listener.close();
 * assert.ok(listener.port > 0);
 * ```
 */
export function listenWebSocket(options: WebSocketListenOptions = {}): Promise<WebSocketListener> {
  const runtime = globalThis as { Deno?: unknown; Bun?: unknown };
  if (runtime.Deno) return listenDeno(options);
  if (runtime.Bun) return listenBun(options);
  return Promise.reject(
    new SshError(
      "ERR_SSH_UNSUPPORTED_RUNTIME",
      "listenWebSocket needs Deno or Bun: Node has no WebSocket server built in",
    ),
  );
}

/** Whether an upgrade from `origin` to a server reached as `host` is allowed. */
export function originAllowed(
  origin: string | null,
  host: string | null,
  allowed: readonly string[] = [],
): boolean {
  if (origin === null) return true; // not a browser: Origin protects browsers' users only
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    return host !== null && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The accept queue behind a listener, and the sockets still open. */
class AcceptQueue {
  #queue: AcceptedWebSocket[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  readonly open: Set<AcceptedWebSocket> = new Set();

  push(socket: AcceptedWebSocket): void {
    if (this.#closed) return socket.close(GOING_AWAY, "Server is shutting down");
    this.open.add(socket);
    socket.closed.then(() => this.open.delete(socket));
    this.#queue.push(socket);
    this.#wake?.();
  }

  close(): void {
    this.#closed = true;
    for (const socket of this.open) socket.close(GOING_AWAY, "Server is shutting down");
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<AcceptedWebSocket> {
    while (!this.#closed) {
      if (this.#queue.length) yield this.#queue.shift()!;
      else await new Promise<void>((r) => (this.#wake = r));
    }
  }
}

/** What an HTTP request gets: a plain answer, a refusal, or the go-ahead to upgrade. */
function route(
  request: Request,
  options: WebSocketListenOptions,
  remote: string,
): Response | Promise<Response> | "upgrade" {
  const url = new URL(request.url);
  const upgrade = request.headers.get("upgrade")?.toLowerCase() === "websocket";
  if (!upgrade || (options.path !== undefined && url.pathname !== options.path)) {
    return options.onRequest?.(request) ?? new Response("Not found\n", { status: 404 });
  }
  const origin = request.headers.get("origin");
  if (!originAllowed(origin, request.headers.get("host"), options.origins)) {
    options.trace?.(`refused WebSocket from ${remote}: Origin ${origin} is not allowed`);
    return new Response("Origin not allowed\n", { status: 403 });
  }
  return "upgrade";
}

/** The upgrade request's URL as the client wrote it (`ws:`/`wss:`, not `http:`/`https:`). */
function webSocketUrl(requestUrl: string): string {
  return requestUrl.replace(/^http/, "ws");
}

function socketOptions(options: WebSocketListenOptions): WebSocketOptions {
  return { maxMessageBytes: options.maxMessageBytes };
}

// deno-lint-ignore no-explicit-any
type Any = any;

async function listenDeno(options: WebSocketListenOptions): Promise<WebSocketListener> {
  const D = (globalThis as Any).Deno;
  const accepted = new AcceptQueue();
  let listening!: (addr: { hostname: string; port: number }) => void;
  const bound = new Promise<{ hostname: string; port: number }>((r) => (listening = r));
  const server = D.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen: (addr: { hostname: string; port: number }) => listening(addr),
    onError: (e: unknown) => {
      options.trace?.(`HTTP error: ${e instanceof Error ? e.message : e}`);
      return new Response("Internal error\n", { status: 500 });
    },
  }, (request: Request, info: Any) => {
    const remote = info.remoteAddr;
    const answer = route(request, options, `${remote.hostname}:${remote.port}`);
    if (answer !== "upgrade") return answer;
    // The request's headers cannot be read once it is upgraded.
    const origin = request.headers.get("origin") ?? undefined;
    // Deno pings an idle socket and drops it when no pong comes (120 s); browsers answer.
    const { socket, response } = D.upgradeWebSocket(request);
    const local = server.addr;
    accepted.push({
      ...fromWebSocket(socket, socketOptions(options), webSocketUrl(request.url)),
      remoteAddress: remote.hostname,
      remotePort: remote.port,
      localAddress: local.hostname,
      localPort: local.port,
      requestUrl: new URL(request.url),
      origin,
    });
    return response;
  });
  const addr = await bound;
  return {
    hostname: addr.hostname,
    port: addr.port,
    close: async () => {
      accepted.close();
      await server.shutdown().catch(() => {});
    },
    [Symbol.asyncIterator]: () => accepted[Symbol.asyncIterator](),
  };
}

/**
 * Bun's server WebSocket (callbacks on the server, `send` returning a status) behind the
 * standard WebSocket's events, for {@linkcode fromWebSocket}.
 */
class BunSocketShim extends EventTarget implements WebSocketLike {
  readyState = 0;
  binaryType = "arraybuffer";
  protocol = "";
  ws: Any;

  get bufferedAmount(): number {
    return this.ws?.getBufferedAmount?.() ?? 0;
  }

  send(data: Uint8Array<ArrayBuffer>): void {
    // -1: queued under backpressure; 0: dropped (the socket is closing or over Bun's limit,
    // which our high-water mark keeps us under).
    if (this.ws.send(data) === 0 && this.readyState === 1) {
      this.close(1011, "Send buffer overflow");
    }
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.ws?.close(code, reason);
  }

  opened(ws: Any): void {
    this.ws = ws;
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }

  message(data: unknown): void {
    this.dispatchEvent(new MessageEvent("message", { data }));
  }

  closed(code: number, reason: string): void {
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent("close", { code, reason }));
  }
}

/** Bun's own limit, above ours so that an oversized message reaches our check and its error. */
const BUN_PAYLOAD_FACTOR = 4;

async function listenBun(options: WebSocketListenOptions): Promise<WebSocketListener> {
  const B = (globalThis as Any).Bun;
  const accepted = new AcceptQueue();
  const server = B.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    fetch(request: Request, srv: Any) {
      const ip = srv.requestIP(request) ?? { address: "", port: 0 };
      const answer = route(request, options, `${ip.address}:${ip.port}`);
      if (answer !== "upgrade") return answer;
      const origin = request.headers.get("origin") ?? undefined;
      const shim = new BunSocketShim();
      if (!srv.upgrade(request, { data: shim })) {
        return new Response("WebSocket upgrade failed\n", { status: 400 });
      }
      accepted.push({
        ...fromWebSocket(shim, socketOptions(options), webSocketUrl(request.url)),
        remoteAddress: ip.address,
        remotePort: ip.port,
        localAddress: srv.hostname,
        localPort: srv.port,
        requestUrl: new URL(request.url),
        origin,
      });
      return undefined;
    },
    websocket: {
      maxPayloadLength: (options.maxMessageBytes ?? 1024 * 1024) * BUN_PAYLOAD_FACTOR,
      open: (ws: Any) => (ws.data as BunSocketShim).opened(ws),
      message: (ws: Any, data: unknown) => (ws.data as BunSocketShim).message(data),
      close: (ws: Any, code: number, reason: string) =>
        (ws.data as BunSocketShim).closed(code, reason),
    },
  });
  return await Promise.resolve({
    hostname: server.hostname,
    port: server.port,
    close: async () => {
      accepted.close();
      await server.stop(true);
    },
    [Symbol.asyncIterator]: () => accepted[Symbol.asyncIterator](),
  });
}
