/**
 * An authenticated client connection, `SshClient`: runs commands and shells and opens port
 * forwardings over the connection {@linkcode connect} set up.
 * @module
 */
import type { Channel, Connection, Session } from "@hush/channels";
import { ChannelError } from "@hush/channels";
import type { SftpClient, SftpClientOptions } from "@hush/sftp";
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
import type { DynamicForwardOptions } from "./dynamic_forward.ts";
import type { ConnectOptions } from "./connect_options.ts";
import { isKeepaliveTimeout } from "./keepalive_timeout.ts";
import { collectExec, execMaxBuffer, type ExecOptions, type ExecResult } from "./exec.ts";
import { withSignal } from "./with_signal.ts";

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
 * An authenticated SSH client connection; `await using` closes it at the end of the block.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accept, connect, generateKey } from "@hush/ssh";
 * import { memoryDuplexPair } from "@hush/ssh/adapters";
 * const [hostKey, key] = await Promise.all([generateKey("ssh-ed25519"), generateKey("ssh-ed25519")]);
 * const [a, b] = memoryDuplexPair(); // without `duplex`, connect() opens a TCP connection
 * accept(b, {
 *   hostKeys: [hostKey],
 *   authenticate: { publickey: (_user, k) => k.equals(key.publicKey) },
 *   onSession: (session) => (session.onExec = (command) => (command === "false" ? 1 : 0)),
 * });
 * await using client = await connect({
 *   hostname: "127.0.0.1", username: "me", identities: [key], policy: "no", duplex: a,
 * });
 * assert.equal((await client.exec("true")).code, 0);
 * assert.equal((await client.exec("false")).code, 1);
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

  /**
   * Runs a command and collects its output and exit status. `stdin` is sent, then EOF. Output
   * comes back as bytes, or as strings with `encoding: "utf8"`; each of stdout and stderr is
   * bounded by `maxBuffer` ({@linkcode DEFAULT_EXEC_MAX_BUFFER}, 16 MiB), past which the
   * command is stopped and `exec` rejects with an {@linkcode ExecError}
   * (`ERR_SSH_EXEC_MAX_BUFFER`). Aborting `signal` stops the command and rejects with its
   * reason. With `check`, a command that does not exit with status 0 rejects with an
   * `ExecError` (`ERR_SSH_EXEC`) carrying `status`, `signal`, `stdout` and `stderr`.
   * `execStream` gives the output as streams, unbounded.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { accept, connect, generateKey } from "@hush/ssh";
   * import { memoryDuplexPair } from "@hush/ssh/adapters";
   * const hostKey = await generateKey("ssh-ed25519");
   * const [a, b] = memoryDuplexPair();
   * accept(b, {
   *   hostKeys: [hostKey],
   *   authenticate: { password: () => true },
   *   onSession: (session) => (session.onExec = async (command) => {
   *     if (command === "test -d /srv/data") return 1;
   *     await session.writable.getWriter().write(new TextEncoder().encode("6.1.0\n"));
   *   }),
   * });
   * await using client = await connect({ hostname: "h", username: "me", password: "", policy: "no", duplex: a });
   * const { stdout } = await client.exec("uname -r", { encoding: "utf8", check: true });
   * assert.equal(stdout, "6.1.0\n");
   * const { code } = await client.exec("test -d /srv/data");
   * assert.equal(code, 1);
   * await assert.rejects(client.exec("test -d /srv/data", { check: true }), { status: 1 });
   * const listing = await client.exec("ls -la /var/log", {
   *   encoding: "utf8",
   *   maxBuffer: 1024 * 1024,
   *   signal: AbortSignal.timeout(5000),
   * });
   * assert.equal(listing.code, 0);
   * ```
   */
  exec(command: string, options: ExecOptions & { encoding: "utf8" }): Promise<ExecResult<string>>;
  /** Runs a command and collects its output (as bytes) and exit status. */
  exec(command: string, options?: ExecOptions & { encoding?: undefined }): Promise<ExecResult>;
  /** Runs a command and collects its output (bytes, or strings under `"utf8"`). */
  exec(command: string, options?: ExecOptions): Promise<ExecResult<Uint8Array | string>>;
  async exec(
    command: string,
    options: ExecOptions = {},
  ): Promise<ExecResult<Uint8Array | string>> {
    execMaxBuffer(options);
    options.signal?.throwIfAborted();
    const session = await withSignal(
      this.execStream(command),
      options.signal,
      (s) => void s.close().catch(() => {}),
    );
    return await collectExec(session, options);
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
   * ```ts
   * import assert from "node:assert/strict";
   * import { accept, connect, generateKey } from "@hush/ssh";
   * import { memoryDuplexPair } from "@hush/ssh/adapters";
   * import { serveSftp } from "@hush/sftp";
   * import { memoryFileSystem } from "@hush/sftp/testing";
   * const [a, b] = memoryDuplexPair();
   * accept(b, {
   *   hostKeys: [await generateKey("ssh-ed25519")],
   *   authenticate: { password: () => true },
   *   onSession: (session) => (session.onSubsystem = () => serveSftp(session, { fs: memoryFileSystem() })),
   * });
   * await using client = await connect({ hostname: "h", username: "me", password: "", policy: "no", duplex: a });
   * const sftp = await client.sftp();
   * // `sftp.fastPut("report.pdf", "/report.pdf")` would send a local file
   * await sftp.put(new TextEncoder().encode("%PDF-1.7"), "/report.pdf");
   * const names: string[] = [];
   * for await (const entry of sftp.readdir("/")) names.push(entry.filename);
   * assert.deepEqual(names, ["report.pdf"]);
   * await sftp.close();
   * ```
   */
  async sftp(options: SftpClientOptions = {}): Promise<SftpClient> {
    // loaded here, not at import: a client that runs commands only never needs SFTP
    const [{ SftpClient }, { localFileSystem }] = await Promise.all([
      import("@hush/sftp"),
      import("./adapters/local_file_system.ts"),
    ]);
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
   * @example Not run here: it needs a server that listens on TCP for the client.
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
   * @example Not run here: it listens on a local TCP port and needs a service behind the server.
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
   * @example Not run here: it listens on a local TCP port and needs a server that opens TCP connections.
   * ```ts ignore
   * const socks = await client.forwardDynamic({ bindPort: 1080 });
   * // curl --socks5-hostname 127.0.0.1:1080 http://intranet.example/
   * await socks.close();
   * ```
   */
  forwardDynamic(options: DynamicForwardOptions = {}): Promise<LocalForward> {
    return import("./dynamic_forward.ts").then((m) => m.forwardDynamic(this, options));
  }

  /** Closes every channel and the connection, then the jump hosts it went through. */
  async close(): Promise<void> {
    await this.transport.disconnect();
    await this.#closeJumps();
  }

  /**
   * Closes the client as {@linkcode SshClient.close} does, for `await using`; closing a
   * closed client does nothing.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { accept, connect, generateKey } from "@hush/ssh";
   * import { memoryDuplexPair } from "@hush/ssh/adapters";
   * const [a, b] = memoryDuplexPair();
   * const server = accept(b, {
   *   hostKeys: [await generateKey("ssh-ed25519")],
   *   authenticate: { password: () => true },
   *   onSession: (session) => (session.onExec = () => 0),
   * });
   * {
   *   await using client = await connect({ hostname: "h", username: "me", password: "", policy: "no", duplex: a });
   *   assert.equal((await client.exec("hostname")).code, 0);
   * } // closed here, even if exec threw
   * await (await server).closed; // the server saw the connection end
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
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
