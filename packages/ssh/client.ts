/**
 * The client facade: `connect()` wires TCP, transport, host key policy, authentication and the
 * connection layer together; `SshClient` runs commands, shells and forwardings.
 * @module
 */
import { type AgentClient, authenticateClient } from "@hush/auth";
import {
  type Channel,
  type ChannelError,
  type ChannelOpenHandler,
  type ChannelOpenRequest,
  Connection,
  type ConnectionTimers,
  type Session,
} from "@hush/channels";
import { checkHostKey, type HostKeyPolicy, type KnownHosts } from "@hush/hostkeys";
import type { AlgorithmPreferences } from "@hush/kex";
import type { Signer } from "@hush/keys";
import { type ByteDuplex, startTransport, type Transport } from "@hush/transport";
import { DisconnectReason, type TerminalModes } from "@hush/wire";
import { connectTcp } from "./adapters/tcp.ts";
import {
  type ForwardedConnectionHandler,
  forwardLocal,
  type LocalForward,
  type LocalForwardOptions,
  RemoteForwardTable,
} from "./client_forward.ts";

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
  /**
   * Signature algorithms the client may use for user keys (`PubkeyAcceptedAlgorithms`), e.g.
   * `["rsa-sha2-256"]` to sign with SHA-256 rather than SHA-512 for an RSA key; all by default.
   */
  publicKeyAlgorithms?: string[];
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
  /** Record new hosts hashed (`HashKnownHosts yes`), as `|1|salt|hash`. */
  hashKnownHosts?: boolean;
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
  /** Rekey after this many bytes in either direction (`RekeyLimit`; 1 GiB). */
  rekeyBytes?: number;
  /** Rekey after this many milliseconds (`RekeyLimit`'s second value; one hour). */
  rekeyInterval?: number;
  /**
   * Send keepalive@openssh.com after this many milliseconds without a message from the server
   * (`ServerAliveInterval`; 0: never).
   */
  keepaliveInterval?: number;
  /**
   * Give up after this many keepalives in a row found the server silent (`ServerAliveCountMax`;
   * 3): the connection ends with CONNECTION_LOST and `trace` gets
   * "Timeout, server not responding.".
   */
  keepaliveCountMax?: number;
  /**
   * The clock behind keepalives (default: `setInterval` timers that never keep the process
   * alive by themselves). Inject fake ones to test keepalives without waiting.
   */
  keepaliveTimers?: ConnectionTimers;
  /**
   * Milliseconds allowed for the TCP connect, key exchange and authentication together
   * (`ConnectTimeout`); the connection is not limited once it is up.
   */
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
  /** Everything the command wrote to stdout. */
  stdout: Uint8Array;
  /** Everything it wrote to stderr (extended data type 1). */
  stderr: Uint8Array;
  /** Exit status, or null when the command died of a signal or sent none. */
  code: number | null;
  /** The signal that killed it, if any. */
  signal: string | null;
}

/** Options for a shell or a streaming exec. */
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
  #forwards: RemoteForwardTable;

  /**
   * Use {@linkcode connect}. `forwards` must be the table whose handlers the `connection` was
   * built with, for {@linkcode SshClient.forwardIn} to receive connections. Keepalives are the
   * `connection`'s (its `keepaliveInterval`); when they give up, `options.trace` gets
   * "Timeout, server not responding.".
   */
  constructor(
    transport: Transport,
    connection: Connection,
    options: ConnectOptions = { hostname: "", username: "" },
    forwards: RemoteForwardTable = new RemoteForwardTable(),
  ) {
    this.transport = transport;
    this.connection = connection;
    this.#forwards = forwards;
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
    if (reply === false) throw new Error(`Server refused to listen on ${bindHost}:${bindPort}`);
    let port = bindPort;
    if (bindPort === 0) {
      if (reply.length < 4) throw new Error("Server did not say which port it listens on");
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
      throw new Error(`Server refused to cancel the forward ${bindHost}:${port}`);
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

  /** Closes every channel and the connection. */
  async close(): Promise<void> {
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
  // ConnectTimeout bounds connecting, the key exchange and authentication; the caller's
  // signal (kept by the transport) bounds the whole connection.
  const timeout = options.connectTimeout ? AbortSignal.timeout(options.connectTimeout) : undefined;
  const signal = timeout && options.signal
    ? AbortSignal.any([timeout, options.signal])
    : timeout ?? options.signal;
  let duplex = options.duplex;
  let closeSocket: (() => void) | undefined;
  if (!duplex) {
    trace(`Connecting to ${options.hostname} port ${port}.`);
    const socket = await withSignal(
      connectTcp(options.hostname, port, signal),
      signal,
      (c) => c.close(),
    );
    // A peer that never sends its version line leaves the transport's first read pending
    // past its handshake timeout; closing the socket ends that read.
    closeSocket = () => socket.close();
    timeout?.addEventListener("abort", closeSocket, { once: true });
    duplex = socket;
    trace("Connection established.");
  }
  const policy = options.policy ?? "yes";
  let hostKeyRefusal: unknown;
  const transport = await withSignal(
    startTransport(duplex, {
      role: "client",
      algorithms: options.algorithms,
      rekeyBytes: options.rekeyBytes,
      rekeyInterval: options.rekeyInterval,
      trace,
      signal: options.signal,
      handshakeTimeout: options.connectTimeout,
      verifyHostKey: async ({ hostKey }) => {
        try {
          const outcome = await checkHostKey({
            store: options.knownHosts,
            policy,
            host: options.hostname,
            port,
            hostKey,
            ask: options.ask,
            hashHosts: options.hashKnownHosts,
          });
          for (const line of outcome.messages ?? []) trace(line);
        } catch (e) {
          hostKeyRefusal = e;
          throw e;
        }
      },
    }),
    signal,
    (t) => void t.disconnect().catch(() => {}),
  ).catch((e) => {
    if (closeSocket) timeout?.removeEventListener("abort", closeSocket);
    // the caller wants the HostKeyError (with its status), not the disconnect it caused
    if (hostKeyRefusal) throw hostKeyRefusal;
    if (timeout?.aborted) {
      throw new Error(`Connection to ${options.hostname} port ${port} timed out`, { cause: e });
    }
    throw e;
  });
  const onTimeout = () => {
    transport.disconnect(DisconnectReason.BY_APPLICATION, "Connection timed out").catch(() => {});
  };
  timeout?.addEventListener("abort", onTimeout, { once: true });
  try {
    await transport.requestService("ssh-userauth");
    await authenticateClient(transport, {
      user: options.username,
      sessionId: transport.sessionId!,
      identities: options.identities,
      agent: options.agent,
      password: options.password,
      keyboardInteractive: options.keyboardInteractive,
      serverSigAlgs: acceptedSigAlgs(transport.serverSigAlgs, options.publicKeyAlgorithms),
      onBanner: options.onBanner,
      trace,
      signal,
    });
  } catch (e) {
    await transport.disconnect(
      DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE,
      "Authentication failed",
    )
      .catch(() => {});
    if (timeout?.aborted) {
      throw new Error(`Connection to ${options.hostname} port ${port} timed out`, { cause: e });
    }
    throw e;
  } finally {
    timeout?.removeEventListener("abort", onTimeout);
    if (closeSocket) timeout?.removeEventListener("abort", closeSocket);
  }
  const forwards = new RemoteForwardTable();
  const connection = new Connection(transport, {
    role: "client",
    trace,
    onChannelOpen: forwards.openHandler(options.onChannelOpen),
    onChannel: forwards.channelHandler(options.onChannel),
    keepaliveInterval: options.keepaliveInterval,
    keepaliveCountMax: options.keepaliveCountMax,
    timers: options.keepaliveTimers ?? UNREF_TIMERS,
  });
  return new SshClient(transport, connection, options, forwards);
}

/** Keepalive timers that never keep a process alive by themselves (where timers can `unref`). */
const UNREF_TIMERS: ConnectionTimers = {
  setInterval: (fn, ms) => {
    const handle = setInterval(fn, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * Whether the connection ended because its keepalives found the server silent: the
 * `Connection` then ends with CONNECTION_LOST and "Timeout, peer not responding".
 */
function isKeepaliveTimeout(error: ChannelError | undefined): boolean {
  return error?.reason === DisconnectReason.CONNECTION_LOST &&
    error.message === "Timeout, peer not responding";
}

/** The server's `server-sig-algs` limited to the algorithms the caller allows. */
function acceptedSigAlgs(
  server: string[] | undefined,
  allowed: string[] | undefined,
): string[] | undefined {
  if (!allowed) return server;
  return (server ?? allowed).filter((a) => allowed.includes(a));
}

/** Settles with `promise`, or rejects when `signal` aborts first (cleaning up a late result). */
function withSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  dispose: (value: T) => void,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.then(dispose, () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.then(dispose, () => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) dispose(v);
        else resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
