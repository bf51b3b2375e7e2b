/**
 * `ssh`: the Hush client on the command line, taking OpenSSH's flags where they overlap, so that
 * scripts written for `ssh` run unchanged:
 *
 * ```sh
 * deno task ssh -- -p 2222 -o StrictHostKeyChecking=accept-new me@127.0.0.1 uname -a
 * deno task ssh -- -N -L 8080:localhost:80 me@host
 * ```
 *
 * stdin goes to the remote command (with backpressure), its stdout and stderr come out on ours,
 * and the exit status is the remote one, or 255 when ssh itself failed (with a message on
 * stderr worded as OpenSSH words it). `-v` traces the handshake on stderr.
 * @module
 */
import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import type { AgentClient, AgentIdentity } from "@hush/auth";
import type { KnownHosts } from "@hush/hostkeys";
import {
  keyTypeLabel,
  parsePublicKey,
  type PrivateKey,
  type PublicKey,
  randomart,
  type Signer,
} from "@hush/keys";
import type { Channel, ChannelOpenRequest } from "@hush/channels";
import { connect, type SshClient } from "../client.ts";
import { homeDirectory } from "../adapters/files.ts";
import { connectTcp, listenTcp, type TcpConnection } from "../adapters/tcp.ts";
import { connectAgent } from "../adapters/unix.ts";
import { type ForwardSpec, parseSshArgs, UsageError } from "./ssh_args.ts";
import { resolveSshSettings, type SshSettings } from "./ssh_config.ts";
import { escapeFilter } from "./ssh_escape.ts";
import { loadPrivateKey, privateKeyFileInfo } from "./ssh_identity.ts";
import { sshKnownHosts } from "./ssh_known_hosts.ts";
import { haveTty, PromptInterrupted, readLine, stdinIsTerminal, tell } from "./ssh_tty.ts";

/** What `ssh -V` prints before the runtime's version. */
const SOFTWARE_VERSION = "Hush_0.1.0";

/** The exit status ssh uses for its own failures. */
export const SSH_FAILURE = 255;

const encoder = new TextEncoder();
function err(text: string): void {
  const bytes = encoder.encode(text);
  let off = 0;
  while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
}

/** Walks an error and its causes for the first one named `name`. */
function findError(e: unknown, name: string): (Error & Record<string, unknown>) | undefined {
  for (let cur = e, depth = 0; cur && depth < 8; depth++) {
    if (cur instanceof Error && cur.name === name) return cur as Error & Record<string, unknown>;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The message ssh prints for a failure, worded as OpenSSH words it.
 *
 * @example
 * ```ts
 * import { failureMessage } from "./ssh.ts";
 * const e = Object.assign(new Error("refused"), { name: "ConnectionRefused" });
 * console.log(failureMessage(e, { host: "h", port: 22, user: "me" })); // ssh: connect to host h port 22: Connection refused
 * ```
 */
export function failureMessage(
  e: unknown,
  where: { host: string; port: number; user: string; connected?: boolean },
): string {
  const { host, port, user } = where;
  const hostKey = findError(e, "HostKeyError");
  if (hostKey) return hostKey.message;
  const auth = findError(e, "AuthError");
  if (auth) {
    return auth.message.startsWith("Permission denied")
      ? `${user}@${host}: ${auth.message}.`
      : `${user}@${host}: ${auth.message}`;
  }
  // ConnectTimeout: ours, or connect()'s "Connection to … timed out"
  const message0 = (e as Error)?.message ?? "";
  const timeout = findError(e, "ConnectTimeout") ??
    (/^Connection to .* timed out$|^Signal timed out/.test(message0)
      ? { connected: where.connected ?? false }
      : undefined);
  if (timeout && !timeout.connected) {
    return `ssh: connect to host ${host} port ${port}: Connection timed out`;
  }
  if (timeout || findError(e, "DisconnectError")?.message.includes("timed out")) {
    return `Connection timed out during banner exchange\nConnection to ${host} port ${port} timed out`;
  }
  const kex = findError(e, "KexError");
  if (kex) return `Unable to negotiate with ${host} port ${port}: ${kex.message}`;
  const name = (e as Error)?.name ?? "";
  const message = (e as Error)?.message ?? String(e);
  if (name === "ConnectionRefused" || /refused/i.test(message) && /connect/i.test(message)) {
    return `ssh: connect to host ${host} port ${port}: Connection refused`;
  }
  if (name === "TimeoutError" || name === "TimedOut" || name === "AbortError") {
    return `ssh: connect to host ${host} port ${port}: Connection timed out`;
  }
  if (/lookup|resolve|getaddrinfo|ENOTFOUND|Name or service/i.test(message)) {
    return `ssh: Could not resolve hostname ${host}: Name or service not known`;
  }
  const disconnect = findError(e, "DisconnectError") as
    | (Error & { fromPeer?: boolean; reason?: number; description?: string })
    | undefined;
  if (disconnect?.fromPeer) {
    return `Received disconnect from ${host} port ${port}:${disconnect.reason}: ${disconnect.description}\nDisconnected from ${host} port ${port}`;
  }
  if (disconnect && /closed|end of stream|EOF|identification/i.test(disconnect.message)) {
    return `Connection closed by ${host} port ${port}`;
  }
  return `ssh: ${message}`;
}

interface Io {
  trace: (line: string) => void;
  verbose: boolean;
  /** Set once the TCP connection is up (its trace line went by). */
  connected?: boolean;
  /** Set when ServerAliveCountMax ran out (the connection was given up on). */
  timedOut?: boolean;
}

/** Raised when ConnectTimeout runs out; says whether TCP had connected. */
class ConnectTimeout extends Error {
  readonly connected: boolean;
  constructor(connected: boolean) {
    super("Connection timed out");
    this.name = "ConnectTimeout";
    this.connected = connected;
  }
}

/**
 * ConnectTimeout as a deadline for the whole of connect(): a peer that accepts the TCP
 * connection and then says nothing must not keep ssh waiting (its transport only gives up once
 * the socket closes).
 */
async function withConnectTimeout<T>(connecting: Promise<T>, s: SshSettings, io: Io): Promise<T> {
  if (!s.connectTimeout) return await connecting;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // a little later than the transport's own timer, so that its error wins when it can
    timer = setTimeout(
      () => reject(new ConnectTimeout(io.connected ?? false)),
      s.connectTimeout! + 250,
    );
  });
  try {
    return await Promise.race([connecting, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Keys from identity files, and a way to wipe the ones that were loaded. */
interface Identities {
  signers: Signer[];
  dispose(): void;
}

async function loadIdentities(
  s: SshSettings,
  io: Io,
  agentKeys: AgentIdentity[],
): Promise<Identities> {
  const loaded: PrivateKey[] = [];
  const signers: Signer[] = [];
  const identities = { signers, dispose: () => loaded.forEach((k) => k.dispose()) };
  if (!s.pubkeyAuthentication) return identities;
  const accepted = (key: PublicKey, path: string) => {
    if (key.signatureAlgorithms.some((a) => s.pubkeyAlgorithms.includes(a))) {
      io.trace(`Will attempt key: ${path} ${keyTypeLabel(key)} ${key.fingerprint()} explicit`);
      return true;
    }
    io.trace(`Skipping ${keyTypeLabel(key)} key ${path}: not in PubkeyAcceptedAlgorithms`);
    return false;
  };
  const ask = (path: string) => () =>
    readLine(`Enter passphrase for key '${path}': `, { echo: false });
  for (const { path, explicit } of s.identityFiles) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (explicit && !s.quiet) {
        err(
          `Warning: Identity file ${path} not accessible: ${
            code === "ENOENT" ? "No such file or directory" : (e as Error).message
          }.\n`,
        );
      }
      io.trace(`identity file ${path} type -1`);
      continue;
    }
    const info = privateKeyFileInfo(text);
    if (!info) {
      io.trace(`identity file ${path} is not a private key`);
      continue;
    }
    const publicKey = info.publicKey;
    if (info.encrypted && publicKey) {
      if (agentKeys.some((k) => k.key.equals(publicKey))) {
        io.trace(`identity file ${path}: the agent holds this key`);
        continue;
      }
      if (s.batchMode) {
        io.trace(`identity file ${path} is encrypted and BatchMode is on: skipped`);
        continue;
      }
      if (!accepted(publicKey, path)) continue;
      // as ssh: the passphrase is asked only once the server would take the key
      let key: Promise<PrivateKey> | undefined;
      signers.push({
        publicKey,
        async sign(data: Uint8Array, algorithm?: string): Promise<Uint8Array> {
          key ??= loadPrivateKey(text, { ask: ask(path) }).then((k) => {
            loaded.push(k);
            return k;
          }).catch((e) => {
            if (e instanceof PromptInterrupted) Deno.exit(SSH_FAILURE);
            throw e;
          });
          return await (await key).sign(data, algorithm);
        },
      });
      continue;
    }
    try {
      const key = await loadPrivateKey(text, { ask: s.batchMode ? undefined : ask(path) });
      loaded.push(key);
      if (accepted(key.publicKey, path)) signers.push(key);
    } catch (e) {
      if (e instanceof PromptInterrupted) throw e;
      io.trace(`Load key "${path}": ${(e as Error).message}`);
      if (explicit && !info.encrypted) err(`Load key "${path}": invalid format\n`);
    }
  }
  return identities;
}

async function openAgent(s: SshSettings, io: Io): Promise<AgentClient | undefined> {
  if (!s.agentSocket || s.identitiesOnly || !s.pubkeyAuthentication) return undefined;
  try {
    const agent = await connectAgent(s.agentSocket);
    const list = agent.identities.bind(agent);
    agent.identities = async () =>
      (await list()).filter((id) =>
        id.key.signatureAlgorithms.some((a) => s.pubkeyAlgorithms.includes(a))
      );
    return agent;
  } catch (e) {
    io.trace(`get_agent_identities: ssh_get_authentication_socket: ${(e as Error).message}`);
    return undefined;
  }
}

function traceHostKeys(store: KnownHosts, io: Io): KnownHosts {
  const verify = store.verify.bind(store);
  let shown: Uint8Array | undefined;
  store.verify = (host, port, blob) => {
    if (shown === blob) return verify(host, port, blob);
    shown = blob;
    try {
      const key = parsePublicKey(blob);
      // the transport traces "Server host key: type SHA256:…"; ssh -v adds the picture
      if (io.verbose) {
        const plain = key.certificate ? key.certificate.key : key;
        for (const line of randomart(plain).split("\n")) io.trace(line);
      }
    } catch { /* verify reports it */ }
    return verify(host, port, blob);
  };
  return store;
}

async function askHostKey(info: { message?: string; fingerprint: string }): Promise<boolean> {
  // the question is the prompt: on the terminal, or the argument of SSH_ASKPASS
  let prompt =
    (info.message ?? "Are you sure you want to continue connecting (yes/no/[fingerprint])?") +
    " ";
  for (;;) {
    const answer = await readLine(prompt, { echo: true });
    if (answer === undefined) return false;
    const a = answer.trim();
    if (/^yes$/i.test(a) || a === info.fingerprint) return true;
    if (/^no$/i.test(a)) return false;
    prompt = "Please type 'yes', 'no' or the fingerprint: ";
  }
}

async function forwardLocal(client: SshClient, spec: ForwardSpec, io: Io): Promise<() => void> {
  const bind = spec.bindAddress === undefined || spec.bindAddress === "localhost"
    ? "127.0.0.1"
    : spec.bindAddress === "*" || spec.bindAddress === ""
    ? "0.0.0.0"
    : spec.bindAddress;
  const listener = await listenTcp(bind, spec.bindPort);
  io.trace(
    `Local connections to ${bind}:${listener.port} forwarded to remote address ${spec.host}:${spec.hostPort}`,
  );
  (async () => {
    for await (const conn of listener) void relayLocal(client, spec, conn, io);
  })().catch((e) => io.trace(`Local forwarding listener stopped: ${(e as Error).message}`));
  return () => listener.close();
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
interface RemoteForwards {
  byPort: Map<number, ForwardSpec>;
  sockets: WeakMap<ChannelOpenRequest, TcpConnection>;
}

/** Connects a `forwarded-tcpip` open from the server to the `-R` target before accepting it. */
async function openRemoteForward(
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

async function relayRemote(forwards: RemoteForwards, channel: Channel, open: ChannelOpenRequest) {
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

/**
 * Runs `ssh` with these arguments and resolves with the exit status.
 *
 * @example
 * ```ts ignore
 * import { sshMain } from "./ssh.ts";
 * Deno.exit(await sshMain(["-p", "2222", "me@127.0.0.1", "echo", "hi"]));
 * ```
 */
export async function sshMain(argv: string[]): Promise<number> {
  let settings: SshSettings;
  let args;
  try {
    args = parseSshArgs(argv);
    if (args.version) {
      err(`${SOFTWARE_VERSION}, Deno ${Deno.version.deno}\n`);
      return 0;
    }
    settings = resolveSshSettings(args, {
      home: homeDirectory(),
      env: Deno.env.toObject(),
      // as ssh: ask when there is a terminal to ask on, whatever stdin is
      terminal: await haveTty(),
      user: (() => {
        try {
          return userInfo().username;
        } catch {
          return undefined;
        }
      })(),
    });
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n`);
      return SSH_FAILURE;
    }
    throw e;
  }
  const s = settings;
  const io: Io = {
    verbose: args.verbose > 0,
    trace: (line) => {
      if (line === "Connection established.") io.connected = true;
      if (args.verbose > 0) err(`debug1: ${line}\n`);
      else if (!s.quiet && line.startsWith("Warning:")) err(`${line}\n`);
      // ServerAliveCountMax ran out: said without -v too, in OpenSSH's words
      if (line.startsWith("Timeout, server")) {
        io.timedOut = true;
        if (!s.quiet) err(`Timeout, server ${s.host} not responding.\n`);
      }
    },
  };
  io.trace(`${SOFTWARE_VERSION}, Deno ${Deno.version.deno}`);
  io.trace("Reading configuration data: none");
  const where = { host: s.host, port: s.port, user: s.user };
  let client: SshClient;
  const restore: (() => void)[] = [];
  const forwards: RemoteForwards = { byPort: new Map(), sockets: new WeakMap() };
  try {
    const agent = await openAgent(s, io);
    const agentKeys = agent ? await agent.identities().catch(() => []) : [];
    const identities = await loadIdentities(s, io, agentKeys);
    const store = s.knownHostsFiles.length
      ? traceHostKeys(await sshKnownHosts(s.knownHostsFiles), io)
      : undefined;
    const canAsk = !s.batchMode;
    let passwordAsked = 0;
    io.trace(`Authenticating to ${s.host}:${s.port} as '${s.user}'`);
    const connecting = connect({
      hostname: s.host,
      port: s.port,
      username: s.user,
      identities: identities.signers,
      agent,
      password: s.passwordAuthentication && canAsk
        ? () => {
          // as ssh: each prompt after the first says the last one was refused
          if (passwordAsked++ > 0) err("Permission denied, please try again.\n");
          return readLine(`${s.user}@${s.host}'s password: `, { echo: false });
        }
        : undefined,
      keyboardInteractive: s.kbdInteractiveAuthentication && canAsk
        ? async (challenge) => {
          if (challenge.name) await tell(challenge.name + "\n");
          if (challenge.instruction) await tell(challenge.instruction + "\n");
          const answers: string[] = [];
          for (const p of challenge.prompts) {
            const a = await readLine(p.prompt, { echo: p.echo });
            if (a === undefined) throw new Error("No terminal to answer the server's prompts");
            answers.push(a);
          }
          return answers;
        }
        : undefined,
      knownHosts: store,
      hashKnownHosts: s.hashKnownHosts,
      policy: s.policy,
      ask: (info) => askHostKey(info as { message?: string; fingerprint: string }),
      algorithms: s.algorithms,
      trace: io.trace,
      onBanner: (m) => {
        if (!s.quiet) err(m.endsWith("\n") ? m : m + "\n");
      },
      publicKeyAlgorithms: s.pubkeyAlgorithmsGiven ? s.pubkeyAlgorithms : undefined,
      rekeyBytes: s.rekeyBytes,
      rekeyInterval: s.rekeyInterval,
      keepaliveInterval: s.keepaliveInterval,
      keepaliveCountMax: s.keepaliveCountMax,
      connectTimeout: s.connectTimeout,
      onChannelOpen: (open) => openRemoteForward(forwards, open, io),
      onChannel: (channel, open) => void relayRemote(forwards, channel, open),
    });
    client = await withConnectTimeout(connecting, s, io);
    identities.dispose();
    io.trace(`Authenticated to ${s.host} ([${s.host}]:${s.port}).`);
  } catch (e) {
    if (e instanceof PromptInterrupted) return SSH_FAILURE;
    if (args.verbose > 1) err(`debug2: ${(e as Error)?.stack ?? e}\n`);
    err(failureMessage(e, { ...where, connected: io.connected }) + "\n");
    return SSH_FAILURE;
  }
  try {
    for (const spec of args.localForwards) {
      try {
        restore.push(await forwardLocal(client, spec, io));
      } catch (e) {
        err(
          `bind [${spec.bindAddress ?? "127.0.0.1"}]:${spec.bindPort}: ${(e as Error).message}\n`,
        );
        err(`channel_setup_fwd_listener_tcpip: cannot listen to port: ${spec.bindPort}\n`);
        err("Could not request local forwarding.\n");
      }
    }
    for (const spec of args.remoteForwards) {
      try {
        await remoteForward(client, spec, io, forwards);
      } catch (e) {
        io.trace(`remote forward failure: ${(e as Error).message}`);
        err(`Warning: remote port forwarding failed for listen port ${spec.bindPort}\n`);
      }
    }
    if (args.noCommand) {
      // runs until the connection ends or a signal stops it (then 255, as OpenSSH)
      const interrupted = new Promise<number>((resolve) => {
        try {
          Deno.addSignalListener("SIGINT", () => resolve(2));
          Deno.addSignalListener("SIGTERM", () => resolve(15));
        } catch { /* no signals on this platform */ }
      });
      const signal = await Promise.race([client.transport.closed.then(() => 0), interrupted]);
      if (signal) io.trace(`Killed by signal ${signal}.`);
      else if (!s.quiet) err(`Connection to ${s.host} closed by remote host.\n`);
      return SSH_FAILURE;
    }
    return await runSession(client, args, s, io, restore);
  } catch (e) {
    err(failureMessage(e, where) + "\n");
    return SSH_FAILURE;
  } finally {
    for (const r of restore.reverse()) {
      try {
        r();
      } catch { /* best effort */ }
    }
    await client.close().catch(() => {});
  }
}

async function remoteForward(
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

async function runSession(
  client: SshClient,
  args: ReturnType<typeof parseSshArgs>,
  s: SshSettings,
  io: Io,
  restore: (() => void)[],
): Promise<number> {
  const command = args.command.join(" ");
  const terminal = stdinIsTerminal() && !args.noStdin;
  let pty = false;
  // -t/-T win over RequestTTY (yes, force, no, auto)
  const request = args.tty === undefined ? s.requestTty : args.tty ? "yes" : "no";
  if (request === "yes" || request === "force") {
    pty = terminal || args.ttyCount >= 2 || request === "force";
    if (!pty && !s.quiet) {
      err("Pseudo-terminal will not be allocated because stdin is not a terminal.\n");
    }
  } else if (request === "auto") {
    pty = command === "" && terminal;
  }
  let size = { columns: 80, rows: 24 };
  try {
    if (Deno.stdout.isTerminal() || terminal) size = Deno.consoleSize();
  } catch { /* not a terminal */ }
  const ptyOptions = pty
    ? { term: Deno.env.get("TERM") ?? "xterm-256color", cols: size.columns, rows: size.rows }
    : undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (k === "LANG" || k.startsWith("LC_")) env[k] = v;
  }
  let session;
  try {
    session = command
      ? await client.execStream(command, { pty: ptyOptions, env })
      : await client.shell({ pty: ptyOptions ?? false, env });
  } catch (e) {
    throw new Error(
      `${command ? "exec" : "shell"} request failed on channel 0: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  io.trace(`Sending command: ${command || "(shell)"}`);
  if (pty && terminal) {
    Deno.stdin.setRaw(true);
    restore.push(() => Deno.stdin.setRaw(false));
    const onResize = () => {
      try {
        const { columns, rows } = Deno.consoleSize();
        void session.windowChange({ cols: columns, rows }).catch(() => {});
      } catch { /* gone */ }
    };
    try {
      Deno.addSignalListener("SIGWINCH", onResize);
      restore.push(() => Deno.removeSignalListener("SIGWINCH", onResize));
    } catch { /* no SIGWINCH */ }
  }
  // stdin → remote, with the channel window as backpressure; EOF when stdin ends
  // on an interactive terminal, ~. at the start of a line disconnects (as ssh's EscapeChar)
  let escaped!: () => void;
  const escape = new Promise<"escaped">((resolve) => (escaped = () => resolve("escaped")));
  if (args.noStdin) {
    void session.writable.close().catch(() => {});
  } else if (pty && terminal) {
    void Deno.stdin.readable.pipeThrough(escapeFilter(escaped))
      .pipeTo(session.writable).catch(() => {});
  } else {
    void Deno.stdin.readable.pipeTo(session.writable).catch(() => {});
  }
  // remote output → ours; a write that fails (stdout closed: `ssh host yes | head`) ends ssh
  // with 255 as OpenSSH does, instead of draining the remote forever. preventAbort: a lost
  // connection must not close our stdout/stderr (their messages still have to be written)
  let failed!: () => void;
  const writeFailed = new Promise<"failed">((resolve) => (failed = () => resolve("failed")));
  const outputs = Promise.all([
    session.readable.pipeTo(Deno.stdout.writable, { preventClose: true, preventAbort: true }).catch(
      failed,
    ),
    session.stderr.pipeTo(Deno.stderr.writable, { preventClose: true, preventAbort: true }).catch(
      failed,
    ),
  ]);
  const ended = await Promise.race([outputs, writeFailed, escape]);
  if (ended === "failed") {
    // the connection went away under the session, or our own output could not be written
    const lost = await Promise.race([
      client.transport.closed.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 100)),
    ]);
    if (lost && !io.timedOut && !s.quiet) {
      err(`Connection to ${s.host} closed by remote host.\n`);
    } else io.trace("Writing the remote output failed");
    return SSH_FAILURE;
  }
  if (ended === "escaped") {
    Deno.stdin.setRaw(false);
    err(`Connection to ${s.host} closed.\r\n`);
    return SSH_FAILURE;
  }
  const [code, signal] = await Promise.all([session.exitStatus, session.exitSignal]);
  if (pty && terminal) {
    Deno.stdin.setRaw(false);
    if (!s.quiet) err(`Connection to ${s.host} closed.\r\n`);
  }
  if (signal) io.trace(`Remote command killed by signal ${signal.signal}`);
  io.trace(`Exit status ${code ?? -1}`);
  return code ?? SSH_FAILURE;
}

/** Anything unforeseen still ends as ssh's failures do: a message and 255, the terminal restored. */
function fatal(e: unknown): never {
  try {
    if (Deno.stdin.isTerminal()) Deno.stdin.setRaw(false);
  } catch { /* not ours */ }
  try {
    err(`ssh: ${(e as Error)?.message ?? e}\n`);
  } catch { /* stderr gone */ }
  Deno.exit(SSH_FAILURE);
}

if (import.meta.main) {
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    fatal(event.reason);
  });
  // `deno task ssh -- …` passes the `--` through
  const argv = Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args;
  const status = await sshMain(argv).catch(fatal);
  Deno.exit(status);
}
