/**
 * The client facade: `connect()` wires TCP, transport, host key policy, authentication and the
 * connection layer together; `SshClient` runs commands, shells and forwardings.
 * @module
 */
import { type AgentClient, authenticateClient } from "@hush/auth";
import {
  type Channel,
  type ChannelOpenHandler,
  type ChannelOpenRequest,
  Connection,
  type Session,
} from "@hush/channels";
import { checkHostKey, type HostKeyPolicy, type KnownHosts } from "@hush/hostkeys";
import type { AlgorithmPreferences } from "@hush/kex";
import type { Signer } from "@hush/keys";
import { type ByteDuplex, startTransport, type Transport } from "@hush/transport";
import type { TerminalModes } from "@hush/wire";
import { connectTcp } from "./adapters/tcp.ts";

/** Options for {@linkcode connect}. */
export interface ConnectOptions {
  /** Host to connect to (also the name looked up in known_hosts). */
  hostname: string;
  /** TCP port (22). */
  port?: number;
  /** User to log in as. */
  username: string;
  /** Keys to offer, in order (in memory, loaded from files, or WebCrypto keys). */
  identities?: Signer[];
  /** An ssh-agent to take keys and signatures from. */
  agent?: AgentClient;
  /** Password, or a callback asked when the server wants one. */
  password?: string | (() => Promise<string | undefined>);
  /** Answers keyboard-interactive prompts. */
  keyboardInteractive?: (
    req: { name: string; instruction: string; prompts: { prompt: string; echo: boolean }[] },
  ) => Promise<string[]>;
  /** The known_hosts store; without one the policy must be `no`. */
  knownHosts?: KnownHosts;
  /** StrictHostKeyChecking: `yes`, `accept-new`, `ask` or `no` (default `yes`). */
  policy?: HostKeyPolicy;
  /** Decides about an unknown host key under the `ask` policy. */
  ask?: (
    info: { host: string; port: number; keyType: string; fingerprint: string; randomart: string },
  ) => Promise<boolean>;
  /** Algorithm preferences (OpenSSH 10's defaults otherwise). */
  algorithms?: Partial<AlgorithmPreferences>;
  /** `ssh -v` style trace lines. */
  trace?: (line: string) => void;
  /** Banners from the server. */
  onBanner?: (message: string) => void;
  /** Aborts connecting and closes the connection. */
  signal?: AbortSignal;
  /** Use this byte duplex instead of opening a TCP connection. */
  duplex?: ByteDuplex;
  /** Rekey after this many bytes each way. */
  rekeyBytes?: number;
  /** Send keepalive@openssh.com every this many milliseconds (0: never). */
  keepaliveInterval?: number;
  /** Give up after this many unanswered keepalives (3). */
  keepaliveCountMax?: number;
  /** Milliseconds allowed for TCP connect plus handshake. */
  connectTimeout?: number;
  /**
   * Decides the server's channel opens (`forwarded-tcpip` for {@linkcode SshClient.forwardIn});
   * without it every open is refused.
   */
  onChannelOpen?: ChannelOpenHandler;
  /** Receives each channel accepted by `onChannelOpen`, with its open request. */
  onChannel?: (channel: Channel, open: ChannelOpenRequest) => void;
}

/** What `exec` returns once the command has finished. */
export interface ExecResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Exit status, or null when the command died of a signal or sent none. */
  code: number | null;
  /** The signal that killed it, if any. */
  signal: string | null;
}

/** Options for a shell or a streaming exec. */
export interface PtyOptions {
  term?: string;
  cols?: number;
  rows?: number;
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
  #keepalive?: ReturnType<typeof setInterval>;

  /** Use {@linkcode connect}. */
  constructor(
    transport: Transport,
    connection: Connection,
    options: ConnectOptions = { hostname: "", username: "" },
  ) {
    this.transport = transport;
    this.connection = connection;
    const interval = options.keepaliveInterval ?? 0;
    if (interval > 0) {
      let missed = 0;
      const max = options.keepaliveCountMax ?? 3;
      this.#keepalive = setInterval(async () => {
        if (++missed > max) {
          options.trace?.(`Timeout, server not responding.`);
          clearInterval(this.#keepalive);
          await this.transport.disconnect(10, "Keepalive timeout");
          return;
        }
        try {
          await connection.globalRequest({
            request: "other",
            name: "keepalive@openssh.com",
            data: new Uint8Array(),
          }, { wantReply: true });
        } catch { /* closed */ }
        missed = 0;
      }, interval);
      (this.#keepalive as unknown as { unref?: () => void }).unref?.();
    }
    transport.closed.then(() => clearInterval(this.#keepalive));
  }

  /** Runs a command and collects its output and exit status. `stdin` is sent, then EOF. */
  async exec(command: string, options: { stdin?: Uint8Array | string } = {}): Promise<ExecResult> {
    const session = await this.execStream(command);
    const writer = session.writable.getWriter();
    const input = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    const writing = (async () => {
      if (input?.length) await writer.write(input);
      await writer.close();
    })();
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
    const session = await this.connection.openSession();
    for (const [name, value] of Object.entries(options.env ?? {})) await session.env(name, value);
    if (options.pty) await session.pty(ptyRequest(options.pty));
    await session.exec(command);
    return session;
  }

  /** Starts an interactive shell, with a pty unless `pty: false`. */
  async shell(
    options: { pty?: PtyOptions | false; env?: Record<string, string> } = {},
  ): Promise<Session> {
    const session = await this.connection.openSession();
    for (const [name, value] of Object.entries(options.env ?? {})) await session.env(name, value);
    if (options.pty !== false) await session.pty(ptyRequest(options.pty ?? {}));
    await session.shell();
    return session;
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
   * Asks the server to listen on `bindHost:bindPort` (`ssh -R`); connections arrive as channels
   * through `onConnection`. Resolves with the bound port.
   */
  async forwardIn(bindHost: string, bindPort: number): Promise<number> {
    const reply = await this.connection.globalRequest({
      request: "tcpip-forward",
      address: bindHost,
      port: bindPort,
    }, { wantReply: true });
    if (reply === false) throw new Error(`Server refused to listen on ${bindHost}:${bindPort}`);
    if (bindPort === 0 && reply.length >= 4) {
      return new DataView(reply.buffer, reply.byteOffset).getUint32(0);
    }
    return bindPort;
  }

  /** Closes every channel and the connection. */
  async close(): Promise<void> {
    clearInterval(this.#keepalive);
    await this.transport.disconnect();
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

/**
 * Connects, checks the host key against known_hosts, authenticates, and returns a client.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@hush/ssh";
 * const client = await connect({ hostname: "example.org", username: "me", identities: [key], knownHosts, policy: "accept-new" });
 * ```
 */
export async function connect(options: ConnectOptions): Promise<SshClient> {
  const port = options.port ?? 22;
  const trace = options.trace ?? (() => {});
  const timeout = options.connectTimeout ? AbortSignal.timeout(options.connectTimeout) : undefined;
  const signal = timeout && options.signal
    ? AbortSignal.any([timeout, options.signal])
    : timeout ?? options.signal;
  let duplex = options.duplex;
  if (!duplex) {
    trace(`Connecting to ${options.hostname} port ${port}.`);
    duplex = await connectTcp(options.hostname, port, signal);
    trace("Connection established.");
  }
  const policy = options.policy ?? "yes";
  const transport = await startTransport(duplex, {
    role: "client",
    algorithms: options.algorithms,
    rekeyBytes: options.rekeyBytes,
    trace,
    signal,
    handshakeTimeout: options.connectTimeout,
    verifyHostKey: async ({ hostKey }) => {
      const outcome = await checkHostKey({
        store: options.knownHosts,
        policy,
        host: options.hostname,
        port,
        hostKey,
        ask: options.ask,
      });
      for (const line of outcome.messages ?? []) trace(line);
    },
  });
  try {
    await transport.requestService("ssh-userauth");
    await authenticateClient(transport, {
      user: options.username,
      sessionId: transport.sessionId!,
      identities: options.identities,
      agent: options.agent,
      password: options.password,
      keyboardInteractive: options.keyboardInteractive,
      serverSigAlgs: transport.serverSigAlgs,
      onBanner: options.onBanner,
      trace,
      signal,
    });
  } catch (e) {
    await transport.disconnect(14, "Authentication failed").catch(() => {});
    throw e;
  }
  const connection = new Connection(transport, {
    role: "client",
    trace,
    onChannelOpen: options.onChannelOpen,
    onChannel: options.onChannel,
  });
  return new SshClient(transport, connection, options);
}
