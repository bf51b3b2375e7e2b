/**
 * A WebSocket-to-TCP relay for SSH, like websockify: a browser page opens a WebSocket, the relay
 * opens TCP to an SSH server and copies bytes both ways. It is never an open proxy: it reaches
 * only the `host:port` targets on its allow-list, and refuses (and logs) anything else. A page
 * names its target in the URL (`?target=host:port`); with one target on the list it may leave it
 * out. An `Origin` allow-list keeps other sites' pages out, and a connection limit bounds the
 * sockets it holds.
 * @module
 */
import { connectTcp, type TcpConnection } from "./adapters/tcp.ts";
import {
  type AcceptedWebSocket,
  listenWebSocket,
  type WebSocketListenOptions,
} from "./adapters/websocket_server.ts";
import { escapedTrace } from "./trace_line.ts";

/** Relayed connections held at once by default; more are refused (1013, try again later). */
export const RELAY_MAX_CONNECTIONS = 64;
/** Milliseconds a target has to accept the TCP connection by default (10 s). */
export const RELAY_CONNECT_TIMEOUT = 10_000;

/** Close codes the relay ends a WebSocket with. */
const RELAY_CLOSE = {
  NORMAL: 1000,
  INTERNAL: 1011,
  TRY_AGAIN_LATER: 1013,
  /** Application codes (4000–4999): the target asked for is not allowed, or missing. */
  NOT_ALLOWED: 4003,
  NO_TARGET: 4000,
} as const;

/**
 * Options for {@linkcode startWebSocketRelay}.
 *
 * @example
 * ```ts
 * import type { WebSocketRelayOptions } from "@hush/ssh";
 * const options: WebSocketRelayOptions = {
 *   port: 8022,
 *   allow: ["127.0.0.1:22", "[::1]:2222"],
 *   origins: ["https://console.example"],
 *   maxConnections: 16,
 * };
 * ```
 */
export interface WebSocketRelayOptions {
  /** Interface to listen on (`127.0.0.1`). */
  hostname?: string;
  /** Port to listen on (0 picks a free one). */
  port?: number;
  /** Take upgrades only on this path (any by default). */
  path?: string;
  /** The `host:port` targets the relay may reach (IPv6 in brackets); nothing else. */
  allow: readonly string[];
  /** `Origin` values allowed besides the relay's own and none (see `listenWebSocket`). */
  origins?: readonly string[];
  /** Relayed connections held at once ({@linkcode RELAY_MAX_CONNECTIONS}). */
  maxConnections?: number;
  /** Milliseconds a target has to accept TCP ({@linkcode RELAY_CONNECT_TIMEOUT}). */
  connectTimeout?: number;
  /** The largest binary message taken from a page (1 MiB). */
  maxMessageBytes?: number;
  /** Answers plain HTTP requests (404 by default), e.g. to serve the page itself. */
  onRequest?: WebSocketListenOptions["onRequest"];
  /** One line per connection opened, refused, failed or ended. */
  log?: (line: string) => void;
}

/**
 * A running relay.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startWebSocketRelay } from "@hush/ssh";
 * const relay = await startWebSocketRelay({ hostname: "127.0.0.1", port: 0, allow: ["127.0.0.1:22"] });
 * assert.ok(relay.port > 0); // pages connect to ws://127.0.0.1:<port>/?target=127.0.0.1:22
 * assert.equal(relay.connections, 0);
 * await relay.close();
 * ```
 */
export interface WebSocketRelay {
  /** The bound address. */
  hostname: string;
  /** The bound port. */
  port: number;
  /** Connections being relayed now. */
  readonly connections: number;
  /** Stops listening and closes every relayed connection. */
  close(): Promise<void>;
}

/**
 * A relay target as `host:port`, normalized (lower case; IPv6 in brackets), or `undefined` when
 * the text is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRelayTarget } from "@hush/ssh";
 * assert.equal(parseRelayTarget("LocalHost:22")?.name, "localhost:22");
 * assert.deepEqual(parseRelayTarget("[::1]:2222"), { host: "::1", port: 2222, name: "[::1]:2222" });
 * assert.equal(parseRelayTarget("example.org"), undefined);
 * assert.equal(parseRelayTarget("h:99999"), undefined);
 * ```
 */
export function parseRelayTarget(
  text: string,
): { host: string; port: number; name: string } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  const host = (m[1] ?? m[2]).toLowerCase();
  return { host, port, name: targetName(host, port) };
}

/** `host:port`, with an IPv6 host in brackets. */
function targetName(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Starts a relay from WebSocket to the allow-listed SSH servers (Deno and Bun). Each connection
 * is logged when it opens and ends (bytes each way); every refusal is logged with its reason
 * and told to the page in the close frame: a target not on the list (4003), no target (4000),
 * the limit reached (1013), a target that does not answer (1011). A page's bad input (a text
 * message, one too big) ends only its own connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startWebSocketRelay } from "@hush/ssh";
 * const relay = await startWebSocketRelay({ port: 0, allow: ["127.0.0.1:22"], log: console.error });
 * // a page: connect({ duplex: await connectWebSocket(`ws://127.0.0.1:${relay.port}/?target=127.0.0.1:22`), … })
 * assert.ok(relay.port > 0);
 * await relay.close();
 * ```
 */
export async function startWebSocketRelay(options: WebSocketRelayOptions): Promise<WebSocketRelay> {
  const allowed = new Map<string, { host: string; port: number }>();
  for (const entry of options.allow) {
    const target = parseRelayTarget(entry);
    if (!target) throw new TypeError(`Not a relay target (host:port): ${entry}`);
    allowed.set(target.name, target);
  }
  if (allowed.size === 0) throw new TypeError("A relay needs at least one allowed target");
  const maxConnections = options.maxConnections ?? RELAY_MAX_CONNECTIONS;
  const connectTimeout = options.connectTimeout ?? RELAY_CONNECT_TIMEOUT;
  // Lines carry page-chosen text (the target asked for, an Origin): one line each, escaped.
  const log = escapedTrace(options.log);
  const listener = await listenWebSocket({
    hostname: options.hostname,
    port: options.port,
    path: options.path,
    origins: options.origins,
    maxMessageBytes: options.maxMessageBytes,
    onRequest: options.onRequest,
    trace: (line) => log(`relay: ${line}`),
  });
  const open = new Set<AcceptedWebSocket>();
  const sockets = new Set<TcpConnection>();
  let number = 0;

  const relayOne = async (socket: AcceptedWebSocket, id: string) => {
    const asked = socket.requestUrl.searchParams.get("target");
    const target = asked === null
      ? (allowed.size === 1 ? [...allowed.values()][0] : undefined)
      : parseRelayTarget(asked);
    if (!target) {
      const why = asked === null
        ? "no target given (add ?target=host:port)"
        : `target ${JSON.stringify(asked)} is not host:port`;
      log(`relay: refused ${id}: ${why}`);
      return socket.close(RELAY_CLOSE.NO_TARGET, `Relay refused: ${why}`);
    }
    const name = targetName(target.host, target.port);
    if (!allowed.has(name)) {
      log(`relay: refused ${id}: target ${name} is not on the allow-list`);
      return socket.close(
        RELAY_CLOSE.NOT_ALLOWED,
        `Relay refused: ${name} is not on the relay's allow-list`,
      );
    }
    if (open.size >= maxConnections) {
      log(`relay: refused ${id} to ${name}: ${open.size} connections open (the limit)`);
      return socket.close(RELAY_CLOSE.TRY_AGAIN_LATER, "Relay is full: try again later");
    }
    open.add(socket);
    let tcp: TcpConnection;
    try {
      tcp = await connectTcp(target.host, target.port, AbortSignal.timeout(connectTimeout));
    } catch (e) {
      open.delete(socket);
      const why = e instanceof DOMException && e.name === "TimeoutError"
        ? `no answer within ${connectTimeout} ms`
        : e instanceof Error
        ? e.message
        : String(e);
      log(`relay: ${id} cannot reach ${name}: ${why}`);
      return socket.close(RELAY_CLOSE.INTERNAL, `Relay cannot reach ${name}: ${why}`);
    }
    sockets.add(tcp);
    log(`relay: ${id} connected to ${name}`);
    let up = 0;
    let down = 0;
    const counter = (add: (n: number) => void) =>
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          add(chunk.byteLength);
          controller.enqueue(chunk);
        },
      });
    // page → target; the page's end of the socket (or its bad input) ends the TCP connection
    const upstream = socket.readable.pipeThrough(counter((n) => (up += n)))
      .pipeTo(tcp.writable).then(() => "page closed", (e) => `page: ${message(e)}`);
    // target → page; the target's EOF closes the WebSocket normally once its bytes are out
    const downstream = tcp.readable.pipeThrough(counter((n) => (down += n)))
      .pipeTo(socket.writable).then(() => "target closed", (e) => `target: ${message(e)}`);
    const first = await Promise.race([upstream, downstream]);
    const info = await Promise.race([
      socket.closed,
      new Promise((r) => setTimeout(r, 100)).then(() => undefined),
    ]);
    const failure = info?.error ? `page: ${info.error.message}` : undefined;
    socket.close(RELAY_CLOSE.NORMAL);
    tcp.close();
    sockets.delete(tcp);
    open.delete(socket);
    log(`relay: ${id} to ${name} ended (${failure ?? first}): ${up} bytes up, ${down} bytes down`);
  };

  (async () => {
    for await (const socket of listener) {
      const id = `#${++number} from ${socket.remoteAddress}:${socket.remotePort}`;
      relayOne(socket, id).catch((e) => {
        log(`relay: ${id} failed: ${message(e)}`);
        socket.close(RELAY_CLOSE.INTERNAL, "Relay error");
      });
    }
  })().catch((e) => log(`relay: listener stopped: ${message(e)}`));

  return {
    hostname: listener.hostname,
    port: listener.port,
    get connections() {
      return open.size;
    },
    close: async () => {
      for (const tcp of sockets) tcp.close();
      await listener.close();
    },
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
