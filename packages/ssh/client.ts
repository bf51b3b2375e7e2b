/**
 * An authenticated client connection, `SshClient`: runs commands and shells and opens port
 * forwardings over the connection {@linkcode connect} set up.
 * @module
 */
import type { Channel, Connection, Session } from "@hush/channels";
import { ChannelError } from "@hush/channels";
import { SftpClient, type SftpClientOptions } from "@hush/sftp";
import type { Transport } from "@hush/transport";
import type { TerminalModes } from "@hush/wire";
import {
  type ForwardedConnectionHandler,
  forwardLocal,
  type LocalForward,
  type LocalForwardOptions,
  RemoteForwardTable,
} from "./client_forward.ts";
import { requestAgentForwarding } from "./agent_forward.ts";
import { type DynamicForwardOptions, forwardDynamic } from "./dynamic_forward.ts";
import type { ConnectOptions } from "./connect_options.ts";
import { isKeepaliveTimeout } from "./keepalive_timeout.ts";
import { localFileSystem } from "./adapters/local_file_system.ts";

/**
 * What `exec` returns once the command has finished.
 *
 * @example
 * ```ts
 * import type { ExecResult } from "@hush/ssh";
 * const describe = ({ code, signal, stdout }: ExecResult) =>
 *   `${code ?? signal}: ${new TextDecoder().decode(stdout)}`;
 * ```
 */
export interface ExecResult {
  /** Everything the command wrote to stdout. */
  stdout: Uint8Array;
  /** Everything it wrote to stderr (extended data type 1). */
  stderr: Uint8Array;
  /** Exit status, or null when the command died of a signal or sent none. */
  code: number | null;
  /** The signal that killed it, if any. */
  signal: string | null;
}

/**
 * Options for a shell or a streaming exec.
 *
 * @example
 * ```ts
 * import type { PtyOptions } from "@hush/ssh";
 * const pty: PtyOptions = { term: "vt100", cols: 132, rows: 43 };
 * ```
 */
export interface PtyOptions {
  /** `TERM` for the remote side (`xterm-256color`). */
  term?: string;
  /** Width in characters (80). */
  cols?: number;
  /** Height in rows (24). */
  rows?: number;
  /** Terminal modes (RFC 4254 §8), none by default. */
  modes?: TerminalModes;
}

/**
 * An authenticated SSH client connection.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@hush/ssh";
 * const client = await connect({ hostname: "127.0.0.1", port: 22, username: "me", identities: [key] });
 * const { stdout, code } = await client.exec("uname -a");
 * await client.close();
 * ```
 */
export class SshClient {
  /** The transport underneath (algorithms, session id, host key). */
  readonly transport: Transport;
  /** The connection layer (channels, global requests). */
  readonly connection: Connection;
  /** The jump hosts this connection goes through (`proxyJump`), outermost first. */
  readonly jumps: readonly SshClient[];
  #forwards: RemoteForwardTable;
  #forwardAgent: boolean;
  #jumpsClosed?: Promise<void>;

  /**
   * Use {@linkcode connect}. `forwards` must be the table whose handlers the `connection` was
   * built with, for {@linkcode SshClient.forwardIn} to receive connections. Keepalives are the
   * `connection`'s (its `keepaliveInterval`); when they give up, `options.trace` gets
   * "Timeout, server not responding.". `jumps` are the jump hosts the connection runs through,
   * closed once it closes.
   */
  constructor(
    transport: Transport,
    connection: Connection,
    options: ConnectOptions = { hostname: "", username: "" },
    forwards: RemoteForwardTable = new RemoteForwardTable(),
    jumps: readonly SshClient[] = [],
  ) {
    this.transport = transport;
    this.connection = connection;
    this.jumps = jumps;
    this.#forwards = forwards;
    this.#forwardAgent = options.forwardAgent !== undefined;
    if (jumps.length > 0) transport.closed.then(() => this.#closeJumps());
    connection.closed.then(() => {
      if (isKeepaliveTimeout(connection.error)) {
        options.trace?.("Timeout, server not responding.");
      }
    });
  }

  /** Runs a command and collects its output and exit status. `stdin` is sent, then EOF. */
  async exec(command: string, options: { stdin?: Uint8Array | string } = {}): Promise<ExecResult> {
    const session = await this.execStream(command);
    const writer = session.writable.getWriter();
    const input = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    // A command may exit without reading all its input (as `ssh host true < big` does): the
    // channel closes under the write, which is not an error of the command.
    const writing = (async () => {
      if (input?.length) await writer.write(input);
      await writer.close();
    })().catch(() => {});
    const [stdout, stderr] = await Promise.all([
      collect(session.readable),
      collect(session.stderr),
      writing,
    ]);
    const code = await session.exitStatus;
    const sig = await session.exitSignal;
    return { stdout, stderr, code, signal: sig?.signal ?? null };
  }

  /** Starts a command and returns its session with live streams. */
  async execStream(
    command: string,
    options: { pty?: PtyOptions; env?: Record<string, string> } = {},
  ): Promise<Session> {
    const session = await this.#openSession(options.env);
    if (options.pty) await session.pty(ptyRequest(options.pty));
    await session.exec(command);
    return session;
  }

  /** Starts an interactive shell, with a pty unless `pty: false`. */
  async shell(
    options: { pty?: PtyOptions | false; env?: Record<string, string> } = {},
  ): Promise<Session> {
    const session = await this.#openSession(options.env);
    if (options.pty !== false) await session.pty(ptyRequest(options.pty ?? {}));
    await session.shell();
    return session;
  }

  /** A new session with `env` sent, and agent forwarding asked for when `forwardAgent` is set. */
  async #openSession(env: Record<string, string> = {}): Promise<Session> {
    const session = await this.connection.openSession();
    if (this.#forwardAgent) await requestAgentForwarding(session);
    for (const [name, value] of Object.entries(env)) await session.env(name, value);
    return session;
  }

  /**
   * Opens an SFTP session: a session channel running the `sftp` subsystem. Its `fastGet` and
   * `fastPut` read and write the runtime's own files (`localFileSystem()`); the channel closes
   * when the SFTP session ends (`sftp.close()`).
   *
   * @example
   * ```ts ignore
   * const sftp = await client.sftp();
   * await sftp.fastPut("report.pdf", "/srv/reports/report.pdf", { preserve: true });
   * for await (const entry of sftp.readdir("/srv/reports")) console.log(entry.longname);
   * await sftp.close();
   * ```
   */
  async sftp(options: SftpClientOptions = {}): Promise<SftpClient> {
    const session = await this.connection.openSession();
    try {
      await session.subsystem("sftp");
      const sftp = await SftpClient.start(session, { local: localFileSystem(), ...options });
      sftp.closed.then(() => session.close()).catch(() => {});
      return sftp;
    } catch (e) {
      await session.close().catch(() => {});
      throw e;
    }
  }

  /** Opens a `direct-tcpip` channel to `host:port` as seen from the server (`ssh -L`). */
  forwardOut(
    host: string,
    port: number,
    origin = { address: "127.0.0.1", port: 0 },
  ): Promise<Channel> {
    return this.connection.openDirectTcpip({
      host,
      port,
      originatorAddress: origin.address,
      originatorPort: origin.port,
    });
  }

  /**
   * Asks the server to listen on `bindHost:bindPort` (`ssh -R`; port 0 lets the server pick)
   * and resolves with the bound port. Each connection to it arrives as a `forwarded-tcpip`
   * channel (a byte duplex) through `onConnection`; without `onConnection` they go to
   * `connect()`'s `onChannelOpen`/`onChannel`. {@linkcode SshClient.cancelForwardIn} stops it.
   *
   * @example
   * ```ts ignore
   * const port = await client.forwardIn("localhost", 0, (channel, info) => {
   *   console.log(`connection from ${info.originatorAddress}:${info.originatorPort}`);
   *   channel.readable.pipeTo(channel.writable); // an echo service
   * });
   * ```
   */
  async forwardIn(
    bindHost: string,
    bindPort: number,
    onConnection?: ForwardedConnectionHandler,
  ): Promise<number> {
    const reply = await this.connection.globalRequest({
      request: "tcpip-forward",
      address: bindHost,
      port: bindPort,
    }, { wantReply: true });
    if (reply === false) {
      throw new ChannelError(`Server refused to listen on ${bindHost}:${bindPort}`);
    }
    let port = bindPort;
    if (bindPort === 0) {
      if (reply.length < 4) throw new ChannelError("Server did not say which port it listens on");
      port = new DataView(reply.buffer, reply.byteOffset).getUint32(0);
    }
    if (onConnection) this.#forwards.add(bindHost, port, onConnection);
    return port;
  }

  /** Asks the server to stop listening on `bindHost:port` (`cancel-tcpip-forward`). */
  async cancelForwardIn(bindHost: string, port: number): Promise<void> {
    this.#forwards.remove(bindHost, port);
    const reply = await this.connection.globalRequest({
      request: "cancel-tcpip-forward",
      address: bindHost,
      port,
    }, { wantReply: true });
    if (reply === false) {
      throw new ChannelError(`Server refused to cancel the forward ${bindHost}:${port}`);
    }
  }

  /**
   * Listens locally and sends each connection through a `direct-tcpip` channel to
   * `host:port` on the server's side (`ssh -L`), with backpressure both ways.
   *
   * @example
   * ```ts ignore
   * const forward = await client.forwardLocal({ bindPort: 0, host: "localhost", port: 5432 });
   * console.log(`127.0.0.1:${forward.port} now reaches the server's port 5432`);
   * await forward.close();
   * ```
   */
  forwardLocal(options: LocalForwardOptions): Promise<LocalForward> {
    return forwardLocal(this, options);
  }

  /**
   * Listens locally as a SOCKS4/4a/5 server (no authentication, CONNECT) and sends each
   * client's connection through its own `direct-tcpip` channel (`ssh -D`), the server making
   * the TCP connection.
   *
   * @example
   * ```ts ignore
   * const socks = await client.forwardDynamic({ bindPort: 1080 });
   * // curl --socks5-hostname 127.0.0.1:1080 http://intranet.example/
   * await socks.close();
   * ```
   */
  forwardDynamic(options: DynamicForwardOptions = {}): Promise<LocalForward> {
    return forwardDynamic(this, options);
  }

  /** Closes every channel and the connection, then the jump hosts it went through. */
  async close(): Promise<void> {
    await this.transport.disconnect();
    await this.#closeJumps();
  }

  /** Closes the jump hosts, innermost first, once. */
  #closeJumps(): Promise<void> {
    this.#jumpsClosed ??= (async () => {
      for (const jump of [...this.jumps].reverse()) await jump.close().catch(() => {});
    })();
    return this.#jumpsClosed;
  }
}

function ptyRequest(p: PtyOptions) {
  return {
    term: p.term ?? "xterm-256color",
    cols: p.cols ?? 80,
    rows: p.rows ?? 24,
    widthPx: 0,
    heightPx: 0,
    modes: p.modes ?? [],
  };
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of stream) {
    parts.push(c);
    n += c.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
