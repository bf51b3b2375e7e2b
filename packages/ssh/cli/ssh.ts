/**
 * `ssh`: the Hush client on the command line, taking OpenSSH's flags where they overlap, so that
 * scripts written for `ssh` run unchanged:
 *
 * ```sh
 * deno task ssh -- -p 2222 -o StrictHostKeyChecking=accept-new me@127.0.0.1 uname -a
 * deno task ssh -- -N -L 8080:localhost:80 me@host
 * deno task ssh -- -A -J me@bastion me@inner   # agent forwarded, through a jump host
 * ```
 *
 * stdin goes to the remote command (with backpressure), its stdout and stderr come out on ours,
 * and the exit status is the remote one, or 255 when ssh itself failed (with a message on
 * stderr worded as OpenSSH words it). `-v` traces the handshake on stderr. `-C` (or
 * `-o Compression=yes`) asks for compression (`zlib@openssh.com`, then `zlib`), as OpenSSH's.
 * @module
 */
import { userInfo } from "node:os";
import type { ByteDuplex } from "@hush/transport";
import type { SshClient } from "../client.ts";
import { connect } from "../connect.ts";
import type { ConnectOptions } from "../connect_options.ts";
import { homeDirectory } from "../adapters/files.ts";
import { connectUnix, type UnixConnection } from "../adapters/unix.ts";
import { parseSshArgs, UsageError } from "./ssh_args.ts";
import { resolveSshSettings, type SshSettings } from "./ssh_config.ts";
import { withConnectTimeout } from "./ssh_connect_timeout.ts";
import { failureMessage, sessionEndMessage, SSH_FAILURE } from "./ssh_failure.ts";
import {
  forwardLocal,
  openRemoteForward,
  relayRemote,
  remoteForward,
  type RemoteForwards,
} from "./ssh_forwarding.ts";
import { askHostKey, traceHostKeys } from "./ssh_host_key_check.ts";
import { loadIdentities, openAgent } from "./ssh_identities.ts";
import { err, type Io } from "./ssh_io.ts";
import { sshKnownHosts } from "./ssh_known_hosts.ts";
import { runSession } from "./ssh_session.ts";
import { haveTty, PromptInterrupted, readLine, tell } from "./ssh_tty.ts";

export { failureMessage, SSH_FAILURE } from "./ssh_failure.ts";

/** A host ssh connects to: a `-J` jump host or the destination. */
type Hop = { host: string; port: number; user: string };

/** What `ssh -V` prints before the runtime's version. */
const SOFTWARE_VERSION = "Hush_0.1.0";

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
  let where: Hop = { host: s.host, port: s.port, user: s.user };
  let client: SshClient;
  const jumps: SshClient[] = [];
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
    // The options for one hop: a -J jump host (through the previous hop's channel, if any), or
    // the destination, which alone gets the forwardings and the agent.
    const optionsFor = (hop: Hop, duplex?: ByteDuplex, last = true): ConnectOptions => ({
      hostname: hop.host,
      port: hop.port,
      username: hop.user,
      duplex,
      identities: identities.signers,
      agent,
      password: s.passwordAuthentication && canAsk
        ? () => {
          // as ssh: each prompt after the first says the last one was refused
          if (passwordAsked++ > 0) err("Permission denied, please try again.\n");
          return readLine(`${hop.user}@${hop.host}'s password: `, { echo: false });
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
      ...(last
        ? {
          onChannelOpen: (open) => openRemoteForward(forwards, open, io),
          onChannel: (channel, open) => void relayRemote(forwards, channel, open),
          forwardAgent: forwardAgentFrom(s.forwardAgentSocket, io.trace),
        }
        : {}),
    });
    const connectHop = async (hop: Hop, duplex?: ByteDuplex, last = true) => {
      where = hop;
      io.connected = false;
      io.trace(`Authenticating to ${hop.host}:${hop.port} as '${hop.user}'`);
      const c = await withConnectTimeout(connect(optionsFor(hop, duplex, last)), s, io);
      io.trace(`Authenticated to ${hop.host} ([${hop.host}]:${hop.port}).`);
      return c;
    };
    // -J: each jump host opens a direct-tcpip channel to the next hop, the way OpenSSH's
    // ssh -W does, and the next connection runs over it.
    let duplex: ByteDuplex | undefined;
    const hops = [...s.jumps, { host: s.host, port: s.port, user: s.user }];
    for (const [i, hop] of s.jumps.entries()) {
      const jump = await connectHop(hop, duplex, false);
      jumps.push(jump);
      const next = hops[i + 1];
      io.trace(`Jump host ${hop.host}: direct-tcpip to ${next.host}:${next.port}`);
      try {
        duplex = await jump.forwardOut(next.host, next.port);
      } catch (e) {
        // in OpenSSH's words for a -W that the jump host refused
        err(`channel 0: open failed: ${(e as Error).message}\nstdio forwarding failed\n`);
        for (const j of jumps.reverse()) await j.close().catch(() => {});
        return SSH_FAILURE;
      }
    }
    client = await connectHop(hops[hops.length - 1], duplex);
    identities.dispose();
  } catch (e) {
    if (e instanceof PromptInterrupted) return SSH_FAILURE;
    if (args.verbose > 1) err(`debug2: ${(e as Error)?.stack ?? e}\n`);
    err(failureMessage(e, { ...where, connected: io.connected }) + "\n");
    for (const jump of jumps.reverse()) await jump.close().catch(() => {});
    return SSH_FAILURE;
  }
  // -W: stdin and stdout are the channel (as in a ProxyCommand); no command, no other forwards
  if (args.stdioForward) {
    try {
      return await forwardStdio(client, args.stdioForward, io);
    } finally {
      await client.close().catch(() => {});
      for (const jump of jumps.reverse()) await jump.close().catch(() => {});
    }
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
        if (s.exitOnForwardFailure) return SSH_FAILURE;
      }
    }
    for (const spec of args.remoteForwards) {
      try {
        await remoteForward(client, spec, io, forwards);
      } catch (e) {
        io.trace(`remote forward failure: ${(e as Error).message}`);
        if (s.exitOnForwardFailure) {
          err(`Error: remote port forwarding failed for listen port ${spec.bindPort}\n`);
          return SSH_FAILURE;
        }
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
      // after "Timeout, server … not responding." OpenSSH says nothing more
      else if (!s.quiet && !io.timedOut) {
        err(sessionEndMessage(await client.transport.closed, s.host, s.port) + "\n");
      }
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
    for (const jump of jumps.reverse()) await jump.close().catch(() => {});
  }
}

/** `-W host:port`: relays stdin and stdout through a direct-tcpip channel until both end. */
async function forwardStdio(
  client: SshClient,
  target: { host: string; port: number },
  io: Io,
): Promise<number> {
  let channel;
  try {
    channel = await client.forwardOut(target.host, target.port);
  } catch (e) {
    err(`channel 0: open failed: ${(e as Error).message}\nstdio forwarding failed\n`);
    return SSH_FAILURE;
  }
  io.trace(`channel 0: stdio forwarding to ${target.host}:${target.port}`);
  await Promise.allSettled([
    Deno.stdin.readable.pipeTo(channel.writable),
    channel.readable.pipeTo(Deno.stdout.writable),
  ]);
  await channel.close().catch(() => {});
  return 0;
}

/** Connections to the agent socket `-A` forwards (one per channel the server opens). */
function forwardAgentFrom(
  path: string | undefined,
  trace: (line: string) => void,
): (() => Promise<UnixConnection>) | undefined {
  if (path === undefined) return undefined;
  trace("Requesting authentication agent forwarding.");
  return () => connectUnix(path);
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
