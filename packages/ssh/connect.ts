/**
 * `connect()`: opens TCP (or takes a byte duplex), runs the transport, checks the host key
 * against known_hosts, authenticates, and starts the connection layer with its keepalives.
 * @module
 */
import { authenticateClient } from "@hush/auth";
import { Connection, type ConnectionTimers } from "@hush/channels";
import { checkHostKey } from "@hush/hostkeys";
import { startTransport } from "@hush/transport";
import { DisconnectReason, SshError } from "@hush/wire";
import { defaultCipherBackends } from "./adapters/crypto_backends.ts";
import {
  defaultSntrup761,
  defaultX25519,
  installDefaultEd25519,
} from "./adapters/curve_backends.ts";
import { connectTcp } from "./adapters/tcp.ts";
import { agentChannelHandlers } from "./agent_forward.ts";
import { SshClient } from "./client.ts";
import { RemoteForwardTable } from "./client_forward.ts";
import type { ConnectOptions } from "./connect_options.ts";
import { verifyHostKeyWith } from "./host_verifier.ts";
import { withPrivateKeys } from "./private_key_option.ts";
import { openJumpChain } from "./proxy_jump.ts";
import { escapedTrace } from "./trace_line.ts";
import { withSignal } from "./with_signal.ts";

/**
 * Connects, checks the host key against known_hosts (or asks `hostVerifier`), authenticates,
 * and returns a client. With `proxyJump`, the connection goes through those jump hosts first
 * (each one's host key checked too), and they are closed with it. `privateKey` is parsed
 * before anything connects, so a wrong passphrase fails at once with a `KeyError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accept, connect, generateKey, KnownHosts, MemoryStorage } from "@hush/ssh";
 * import { memoryDuplexPair } from "@hush/ssh/adapters";
 * const [hostKey, key] = await Promise.all([generateKey("ssh-ed25519"), generateKey("ssh-ed25519")]);
 * const [a, b] = memoryDuplexPair(); // without `duplex`, connect() opens a TCP connection
 * accept(b, { hostKeys: [hostKey], authenticate: { publickey: (_user, k) => k.equals(key.publicKey) } });
 * const knownHosts = new KnownHosts([new MemoryStorage()]);
 * const client = await connect({
 *   hostname: "example.org", username: "me", identities: [key], knownHosts, policy: "accept-new", duplex: a,
 * });
 * assert.equal((await knownHosts.lookup("example.org")).length, 1); // the key was learned
 * await client.close();
 * ```
 *
 * @example With a key's text and a host key pinned by fingerprint, closed on leaving the block (needs a server, so not run here)
 * ```ts ignore
 * import { connect } from "@hush/ssh";
 * await using client = await connect({
 *   hostname: "example.org",
 *   username: "me",
 *   privateKey: await Deno.readTextFile("/home/me/.ssh/id_ed25519"),
 *   passphrase: "correct horse",
 *   hostVerifier: ({ fingerprint }) => fingerprint === "SHA256:o0lcqNd7p5MHvS3JxGmh1Hk2Mz4BDqYyVvXmqzQvQ6I",
 * });
 * const { stdout } = await client.exec("uname -a", { encoding: "utf8", check: true });
 * console.log(stdout);
 * ```
 */
export async function connect(options: ConnectOptions): Promise<SshClient> {
  await installDefaultEd25519();
  // Keys are parsed before anything connects; they are needed only until authenticated.
  const parsed = await withPrivateKeys(options);
  try {
    return await connectThrough(parsed.options);
  } finally {
    for (const key of parsed.keys) key.dispose();
  }
}

/** Connects through the jump hosts, if any, then to the destination. */
async function connectThrough(options: ConnectOptions): Promise<SshClient> {
  if (!options.proxyJump?.length) return await connectDirect(options);
  const chain = await openJumpChain(options, connect);
  try {
    return await connectDirect({ ...options, duplex: chain.duplex }, chain.clients);
  } catch (e) {
    for (const jump of [...chain.clients].reverse()) await jump.close().catch(() => {});
    throw e;
  }
}

/** Connects to one host (over TCP, or over `options.duplex`). */
async function connectDirect(
  options: ConnectOptions,
  jumps: SshClient[] = [],
): Promise<SshClient> {
  const port = options.port ?? 22;
  const trace = escapedTrace(options.trace);
  // ConnectTimeout bounds connecting, the key exchange and authentication; the caller's
  // signal (kept by the transport) bounds the whole connection.
  const timeout = options.connectTimeout ? AbortSignal.timeout(options.connectTimeout) : undefined;
  const signal = timeout && options.signal
    ? AbortSignal.any([timeout, options.signal])
    : timeout ?? options.signal;
  // found while the socket connects and the versions are exchanged: the WebAssembly modules
  // compiled, WebCrypto's X25519 checked
  const cipherBackends = options.cipherBackends
    ? Promise.resolve(options.cipherBackends)
    : defaultCipherBackends();
  const x25519 = options.x25519 ? Promise.resolve(options.x25519) : defaultX25519();
  const sntrup761 = options.sntrup761 ? Promise.resolve(options.sntrup761) : defaultSntrup761();
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
      // awaited by the transport where needed: our version line and KEXINIT go out first
      cipherBackends,
      x25519,
      sntrup761,
      rekeyBytes: options.rekeyBytes,
      rekeyInterval: options.rekeyInterval,
      trace,
      signal: options.signal,
      handshakeTimeout: options.connectTimeout,
      verifyHostKey: async ({ hostKey }) => {
        try {
          if (options.hostVerifier) {
            await verifyHostKeyWith(options.hostVerifier, options.hostname, port, hostKey);
            trace("Host key accepted by hostVerifier.");
            return;
          }
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
      throw new SshError(
        "ERR_SSH_CONNECT_TIMEOUT",
        `Connection to ${options.hostname} port ${port} timed out`,
        { cause: e },
      );
    }
    throw e;
  });
  const onTimeout = () => {
    transport.disconnect(DisconnectReason.BY_APPLICATION, "Connection timed out").catch(() => {});
  };
  timeout?.addEventListener("abort", onTimeout, { once: true });
  try {
    await transport.requestService("ssh-userauth");
    trace(`Authenticating to ${options.hostname}:${port} as '${options.username}'`);
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
    trace(`Authenticated to ${options.hostname} ([${options.hostname}]:${port}).`);
  } catch (e) {
    await transport.disconnect(
      DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE,
      "Authentication failed",
    )
      .catch(() => {});
    if (timeout?.aborted) {
      throw new SshError(
        "ERR_SSH_CONNECT_TIMEOUT",
        `Connection to ${options.hostname} port ${port} timed out`,
        { cause: e },
      );
    }
    throw e;
  } finally {
    timeout?.removeEventListener("abort", onTimeout);
    if (closeSocket) timeout?.removeEventListener("abort", closeSocket);
  }
  const forwards = new RemoteForwardTable();
  const channels = agentChannelHandlers(options.forwardAgent, trace, {
    open: forwards.openHandler(options.onChannelOpen),
    channel: forwards.channelHandler(options.onChannel),
  });
  const connection = new Connection(transport, {
    role: "client",
    trace,
    onChannelOpen: channels.open,
    onChannel: channels.channel,
    keepaliveInterval: options.keepaliveInterval,
    keepaliveCountMax: options.keepaliveCountMax,
    timers: options.keepaliveTimers ?? UNREF_TIMERS,
  });
  return new SshClient(transport, connection, options, forwards, jumps);
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

/** The server's `server-sig-algs` limited to the algorithms the caller allows. */
function acceptedSigAlgs(
  server: string[] | undefined,
  allowed: string[] | undefined,
): string[] | undefined {
  if (!allowed) return server;
  return (server ?? allowed).filter((a) => allowed.includes(a));
}
