/**
 * Port forwarding for `ssh`: `-L` listens here and opens `direct-tcpip` channels, `-R` asks the
 * server to listen and connects each `forwarded-tcpip` channel it opens to the target.
 * @module
 */
import type { Channel, ChannelOpenRequest } from "@hush/channels";
import type { SshClient } from "../client.ts";
import { connectTcp, listenTcp, type TcpConnection } from "../adapters/tcp.ts";
import { forwardDynamic as socksListener } from "../dynamic_forward.ts";
import type { ForwardSpec } from "./ssh_args.ts";
import type { DynamicForwardSpec } from "./ssh_config.ts";
import { err, type Io } from "./ssh_io.ts";

/** The address a local listener binds: loopback by default, all for `*` or "" (as OpenSSH). */
function localBind(address: string | undefined): string {
  return address === undefined || address === "localhost"
    ? "127.0.0.1"
    : address === "*" || address === ""
    ? "0.0.0.0"
    : address;
}

/** Starts a `-L` forward: listens here and relays each connection; resolves with its stop. */
export async function forwardLocal(
  client: SshClient,
  spec: ForwardSpec,
  io: Io,
): Promise<() => void> {
  const bind = localBind(spec.bindAddress);
  const listener = await listenTcp(bind, spec.bindPort);
  io.trace(
    `Local connections to ${bind}:${listener.port} forwarded to remote address ${spec.host}:${spec.hostPort}`,
  );
  (async () => {
    for await (const conn of listener) void relayLocal(client, spec, conn, io);
  })().catch((e) => io.trace(`Local forwarding listener stopped: ${(e as Error).message}`));
  return () => listener.close();
}

/**
 * Starts a `-D` forward: a SOCKS listener here whose connections go out through direct-tcpip;
 * resolves with its stop. A refused open is reported in OpenSSH's words.
 */
export async function forwardDynamic(
  client: SshClient,
  spec: DynamicForwardSpec,
  io: Io,
): Promise<() => void> {
  const bind = localBind(spec.bindAddress);
  let channels = 0;
  const socks = await socksListener(client, {
    bindHost: bind,
    bindPort: spec.bindPort,
    onRequest: (r) =>
      io.trace(
        `channel ${++channels}: dynamic request: socks${r.version} host ${r.host} port ${r.port} command 1`,
      ),
    onError: (e) => {
      const cause = (e as Error)?.cause as Error | undefined;
      if (cause) err(`channel ${channels}: open failed: ${cause.message}\n`);
      else io.trace(`SOCKS client refused: ${(e as Error)?.message}`);
    },
  });
  io.trace(`Local connections to ${bind}:${socks.port} forwarded to remote address socks:0`);
  io.trace(`Local forwarding listening on ${bind} port ${socks.port}.`);
  return () => void socks.close();
}

async function relayLocal(client: SshClient, spec: ForwardSpec, conn: TcpConnection, io: Io) {
  let channel;
  try {
    channel = await client.forwardOut(spec.host, spec.hostPort, {
      address: conn.remoteAddress,
      port: conn.remotePort,
    });
  } catch (e) {
    err(`channel: open failed: ${(e as Error).message}\n`);
    conn.close();
    return;
  }
  io.trace(
    `Connection to port ${spec.bindPort} forwarding to ${spec.host} port ${spec.hostPort} requested.`,
  );
  await Promise.allSettled([
    conn.readable.pipeTo(channel.writable),
    channel.readable.pipeTo(conn.writable),
  ]);
  conn.close();
  await channel.close().catch(() => {});
}

/** The `-R` forwards the server agreed to, by the port it listens on. */
export interface RemoteForwards {
  byPort: Map<number, ForwardSpec>;
  sockets: WeakMap<ChannelOpenRequest, TcpConnection>;
}

/** Asks the server to listen for a `-R` forward and records the port it listens on. */
export async function remoteForward(
  client: SshClient,
  spec: ForwardSpec,
  io: Io,
  forwards: RemoteForwards,
): Promise<void> {
  const bind = spec.bindAddress === undefined
    ? "localhost"
    : spec.bindAddress === "*"
    ? ""
    : spec.bindAddress;
  // registered first: a connection may arrive before the reply has been read
  if (spec.bindPort !== 0) forwards.byPort.set(spec.bindPort, spec);
  let port: number;
  try {
    port = await client.forwardIn(bind, spec.bindPort);
  } catch (e) {
    forwards.byPort.delete(spec.bindPort);
    throw e;
  }
  forwards.byPort.set(port, spec);
  if (spec.bindPort === 0) {
    err(`Allocated port ${port} for remote forward to ${spec.host}:${spec.hostPort}\n`);
  }
  io.trace(
    `remote forward success for: listen ${bind}:${port}, connect ${spec.host}:${spec.hostPort}`,
  );
}

/** Connects a `forwarded-tcpip` open from the server to the `-R` target before accepting it. */
export async function openRemoteForward(
  forwards: RemoteForwards,
  open: ChannelOpenRequest,
  io: Io,
): Promise<boolean | { reason: number; description: string }> {
  if (open.channelType !== "forwarded-tcpip") {
    return { reason: 1, description: `Unexpected channel type` };
  }
  const spec = forwards.byPort.get(open.port);
  if (!spec) {
    io.trace(`WARNING: Server requests forwarding for unknown listen_port ${open.port}`);
    return { reason: 1, description: "Unknown forward" };
  }
  io.trace(
    `client_request_forwarded_tcpip: listen ${open.address} port ${open.port}, originator ${open.originatorAddress} port ${open.originatorPort}`,
  );
  try {
    forwards.sockets.set(open, await connectTcp(spec.host, spec.hostPort));
    return true;
  } catch (e) {
    err(`connect_to ${spec.host} port ${spec.hostPort}: failed.\n`);
    return { reason: 2, description: (e as Error).message };
  }
}

/** Relays an accepted `forwarded-tcpip` channel to the connection `openRemoteForward` made. */
export async function relayRemote(
  forwards: RemoteForwards,
  channel: Channel,
  open: ChannelOpenRequest,
) {
  const conn = forwards.sockets.get(open);
  if (!conn) return void channel.close().catch(() => {});
  forwards.sockets.delete(open);
  await Promise.allSettled([
    conn.readable.pipeTo(channel.writable),
    channel.readable.pipeTo(conn.writable),
  ]);
  conn.close();
  await channel.close().catch(() => {});
}
