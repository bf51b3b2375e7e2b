/**
 * Dynamic port forwarding (`ssh -D`, DynamicForward): a local SOCKS4/4a/5 listener whose
 * every CONNECT goes out through its own `direct-tcpip` channel, the SSH server making the
 * TCP connection, as OpenSSH's. The reply waits for the server's answer, so a client learns
 * whether its connection was made; a malformed request gets the protocol's error and a close.
 * @module
 */
import { listenTcp, type TcpConnection } from "./adapters/tcp.ts";
import {
  type DirectTcpipOpener,
  type LocalForward,
  relayDuplexes,
  serveForward,
} from "./client_forward.ts";
import {
  Socks5Reply,
  SocksHandshake,
  socksReply,
  socksReplyForOpenFailure,
  type SocksRequest,
} from "./socks.ts";

/** Options for {@linkcode forwardDynamic}. */
export interface DynamicForwardOptions {
  /** Local address to listen on (`127.0.0.1`). */
  bindHost?: string;
  /** Local port to listen on (0 picks a free one). */
  bindPort?: number;
  /** Told about each request before its channel is opened (for a trace). */
  onRequest?: (request: SocksRequest, connection: { address: string; port: number }) => void;
  /** Told about clients turned away: a bad request, or the server refused the open. */
  onError?: (error: unknown, connection: { address: string; port: number }) => void;
}

/**
 * Listens locally as a SOCKS server and sends each client's CONNECT through a `direct-tcpip`
 * channel (`ssh -D [bindHost:]bindPort`). Usually called as `client.forwardDynamic(…)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection } from "@hush/channels";
 * import { memoryConnPair } from "@hush/channels/testing";
 * import { forwardDynamic } from "@hush/ssh";
 * // A connection whose server echoes each direct-tcpip channel; `connect()`'s client in real use.
 * const [a, b] = memoryConnPair();
 * new Connection(b, { role: "server", onChannelOpen: () => true, onChannel: (ch) => ch.readable.pipeTo(ch.writable) });
 * const conn = new Connection(a, { role: "client" });
 * const client = {
 *   forwardOut: (host: string, port: number) =>
 *     conn.openDirectTcpip({ host, port, originatorAddress: "127.0.0.1", originatorPort: 0 }),
 * };
 * const socks = await forwardDynamic(client, { bindPort: 0 }); // 1080, as `ssh -D 1080`
 * // curl --socks5-hostname 127.0.0.1:<port> http://intranet.example/
 * assert.ok(socks.port > 0);
 * await socks.close();
 * await conn.close();
 * ```
 */
export async function forwardDynamic(
  client: DirectTcpipOpener,
  options: DynamicForwardOptions = {},
): Promise<LocalForward> {
  const listener = await listenTcp(options.bindHost ?? "127.0.0.1", options.bindPort ?? 0);
  return serveForward(listener, (conn) => {
    const origin = { address: conn.remoteAddress, port: conn.remotePort };
    return serveSocks(client, conn, origin, options);
  }, options.onError);
}

/** A SOCKS client turned away, with why. */
class SocksRefused extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SocksRefused";
  }
}

/** One client: its handshake, the channel, then the relay until both sides end. */
async function serveSocks(
  client: DirectTcpipOpener,
  conn: TcpConnection,
  origin: { address: string; port: number },
  options: DynamicForwardOptions,
): Promise<void> {
  const reader = conn.readable.getReader();
  const writer = conn.writable.getWriter();
  const handshake = new SocksHandshake();
  let request: SocksRequest | undefined;
  let rest: Uint8Array = new Uint8Array(0);
  while (!request) {
    const { value, done } = await reader.read();
    if (done) throw new SocksRefused("The client closed before its request was complete");
    const step = handshake.feed(value);
    if (step.reply) await writer.write(step.reply);
    if (step.type === "error") throw new SocksRefused(step.message);
    if (step.type === "request") {
      request = step.request;
      rest = step.rest;
    }
  }
  options.onRequest?.(request, origin);
  let channel;
  try {
    channel = await client.forwardOut(request.host, request.port, origin);
  } catch (e) {
    const { openFailure } = e as { openFailure?: number };
    const code = socksReplyForOpenFailure(openFailure, (e as Error)?.message);
    await writer.write(socksReply(request.version, code)).catch(() => {});
    throw new SocksRefused(`Cannot open a channel to ${request.host} port ${request.port}`, {
      cause: e,
    });
  }
  await writer.write(socksReply(request.version, Socks5Reply.SUCCEEDED));
  // bytes the client sent right after its request go first
  if (rest.length > 0) {
    const w = channel.writable.getWriter();
    await w.write(rest);
    w.releaseLock();
  }
  reader.releaseLock();
  writer.releaseLock();
  await relayDuplexes(conn, channel);
  await channel.close().catch(() => {});
}
