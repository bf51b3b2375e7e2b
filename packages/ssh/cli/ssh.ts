/**
 * `ssh`: the Hush client on the command line, taking OpenSSH's flags where they overlap, so that
 * scripts written for `ssh` run unchanged:
 *
 * ```sh
 * deno task ssh -- -p 2222 -o StrictHostKeyChecking=accept-new me@127.0.0.1 uname -a
 * deno task ssh -- -N -L 8080:localhost:80 me@host
 * deno task ssh -- -A -J me@bastion me@inner   # agent forwarded, through a jump host
 * deno task ssh -- -N -D 1080 me@host           # a SOCKS proxy through host
 * deno task ssh -- -G db                        # what ~/.ssh/config says for db
 * ```
 *
 * The configuration comes from `~/.ssh/config` and `/etc/ssh/ssh_config` (or `-F file`, `-F
 * none`), after the command line, first value wins, as OpenSSH's ssh reads it; `Match exec`
 * runs its command, as there.
 *
 * stdin goes to the remote command (with backpressure), its stdout and stderr come out on ours,
 * and the exit status is the remote one, or 255 when ssh itself failed (with a message on
 * stderr worded as OpenSSH words it). `-v` traces the handshake on stderr. `-C` (or
 * `-o Compression=yes`) asks for compression (`zlib@openssh.com`, then `zlib`), as OpenSSH's.
 * @module
 */
import type { KnownHosts } from "@hush/hostkeys";
import type { ByteDuplex } from "@hush/transport";
import type { SshClient } from "../client.ts";
import { connect } from "../connect.ts";
import type { ConnectOptions } from "../connect_options.ts";
import { ProxyJumpError } from "../proxy_jump.ts";
import { SshConfigError } from "../ssh_config_error.ts";
import { formatSshConfig } from "../ssh_config_format.ts";
import type { SshConfigFile } from "../ssh_config_parse.ts";
import { homeDirectory } from "../adapters/files.ts";
import {
  localSshIdentity,
  readSshConfigFiles,
  shellMatchExec,
} from "../adapters/ssh_config_file.ts";
import { connectUnix, type UnixConnection } from "../adapters/unix.ts";
import { parseSshArgs, quoted, type SshArgs, UsageError } from "./ssh_args.ts";
import {
  resolveCommandLineConfig,
  resolveSshSettings,
  settingsFromConfig,
  type SshHop,
  type SshSettings,
  type SshSettingsContext,
} from "./ssh_config.ts";
import { withConnectTimeout } from "./ssh_connect_timeout.ts";
import { failureMessage, sessionEndMessage, SSH_FAILURE } from "./ssh_failure.ts";
import {
  forwardDynamic,
  forwardLocal,
  openRemoteForward,
  relayRemote,
  remoteForward,
  type RemoteForwards,
} from "./ssh_forwarding.ts";
import { askHostKey, traceHostKeys } from "./ssh_host_key_check.ts";
import { type Identities, loadIdentities, openAgent } from "./ssh_identities.ts";
import { err, type Io } from "./ssh_io.ts";
import { sshKnownHosts } from "./ssh_known_hosts.ts";
import { startProxyCommand } from "./ssh_proxy_command.ts";
import { runSession } from "./ssh_session.ts";
import { haveTty, PromptInterrupted, readLine, tell } from "./ssh_tty.ts";

export { failureMessage, SSH_FAILURE } from "./ssh_failure.ts";

/** What `ssh -V` prints before the runtime's version. */
const SOFTWARE_VERSION = "Hush_0.1.0";

/**
 * `-i` as OpenSSH takes it: `~` expanded at once, and a file that is not there is left out
 * with a warning (so `ssh -G` shows only the ones that will be tried).
 */
function identityFlags(args: SshArgs, home: string): void {
  for (const path of args.identityFiles) {
    const line = `IdentityFile ${quoted(path)}`;
    const at = args.configLines.indexOf(line);
    if (at === -1) continue; // an -o IdentityFile: taken as written
    const expanded = path === "~"
      ? home
      : path.startsWith("~/")
      ? `${home}/${path.slice(2)}`
      : path;
    try {
      Deno.statSync(expanded);
      args.configLines[at] = `IdentityFile ${quoted(expanded)}`;
    } catch (e) {
      const why = e instanceof Deno.errors.NotFound
        ? "No such file or directory"
        : (e as Error).message;
      if (!args.quiet) err(`Warning: Identity file ${expanded} not accessible: ${why}.\n`);
      args.configLines.splice(at, 1);
    }
  }
}

/** Names of the configuration files read, includes too, in order. */
function fileNames(files: readonly SshConfigFile[]): string[] {
  return files.flatMap((f) => [
    f.file,
    ...fileNames(f.entries.flatMap((e) => (e.kind === "include" ? e.files : []))),
  ]);
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
  let context: SshSettingsContext;
  let files: SshConfigFile[] = [];
  try {
    args = parseSshArgs(argv);
    if (args.version) {
      err(`${SOFTWARE_VERSION}, Deno ${Deno.version.deno}\n`);
      return 0;
    }
    const local = localSshIdentity();
    const env = Deno.env.toObject();
    const home = homeDirectory();
    identityFlags(args, home);
    // ~/.ssh/config and /etc/ssh/ssh_config, or -F's file; Match exec runs as in OpenSSH's ssh
    files = await readSshConfigFiles({
      configFile: args.configFile,
      home,
      localUser: local.localUser,
      env,
    });
    context = {
      home,
      env,
      // as ssh: ask when there is a terminal to ask on, whatever stdin is
      terminal: await haveTty(),
      user: local.localUser,
      files,
      localHostname: local.localHostname,
      uid: local.uid,
      exec: shellMatchExec,
    };
    if (args.printConfig) {
      const text = formatSshConfig(resolveCommandLineConfig(args, context));
      await Deno.stdout.write(new TextEncoder().encode(text));
      return 0;
    }
    settings = resolveSshSettings(args, context);
  } catch (e) {
    if (e instanceof UsageError || e instanceof SshConfigError) {
      err(`${e.message}\n`);
      return SSH_FAILURE;
    }
    throw e;
  }
  const s = settings;
  const io: Io = {
    verbose: args.verbose > 0,
    trace: (line) => {
      if (line.startsWith("Connecting to ")) io.connected = false;
      if (line === "Connection established." || / direct-tcpip to /.test(line)) {
        io.connected = true;
      }
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
  const read = fileNames(files);
  if (read.length === 0) io.trace("Reading configuration data: none");
  for (const name of read) io.trace(`Reading configuration data ${name}`);
  for (const { keyword, where } of s.config.ignored) {
    io.trace(`${where.file} line ${where.line}: ${keyword} is not supported by Hush; ignored`);
  }
  const destination: SshHop = { host: s.host, port: s.port, user: s.user };
  let where: SshHop = s.jumps[0] ?? destination;
  let client: SshClient;
  const restore: (() => void)[] = [];
  const forwards: RemoteForwards = { byPort: new Map(), sockets: new WeakMap() };
  const loaded = new Map<string, Identities>();
  let proxy: { close(): void } | undefined;
  try {
    const agent = await openAgent(s, io);
    const agentKeys = agent ? await agent.identities().catch(() => []) : [];
    const stores = new Map<string, KnownHosts | undefined>();
    const storeFor = async (hs: SshSettings) => {
      const key = hs.knownHostsFiles.join("\0");
      if (!stores.has(key)) {
        stores.set(
          key,
          hs.knownHostsFiles.length
            ? traceHostKeys(await sshKnownHosts(hs.knownHostsFiles), io)
            : undefined,
        );
      }
      return stores.get(key);
    };
    let passwordAsked = 0;
    // The options for one host: a jump host, with the settings of its own Host block, or the
    // destination, which alone gets the forwardings and the agent forwarded.
    const optionsFor = async (
      hs: SshSettings,
      hop: SshHop,
      last: boolean,
    ): Promise<ConnectOptions> => {
      // a jump host with the destination's identity files shares its keys (one passphrase)
      const key = JSON.stringify([
        hs.identityFiles,
        hs.pubkeyAlgorithms,
        hs.pubkeyAuthentication,
        hs.batchMode,
      ]);
      let identities = loaded.get(key);
      if (!identities) {
        identities = await loadIdentities(hs, io, agentKeys);
        loaded.set(key, identities);
      }
      const canAsk = !hs.batchMode;
      return {
        hostname: hop.host,
        port: hop.port,
        username: hop.user,
        identities: identities.signers,
        agent: hs.identitiesOnly || !hs.pubkeyAuthentication ? undefined : agent,
        password: hs.passwordAuthentication && canAsk
          ? () => {
            // as ssh: each prompt after the first says the last one was refused
            if (passwordAsked++ > 0) err("Permission denied, please try again.\n");
            return readLine(`${hop.user}@${hop.host}'s password: `, { echo: false });
          }
          : undefined,
        keyboardInteractive: hs.kbdInteractiveAuthentication && canAsk
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
        knownHosts: await storeFor(hs),
        hashKnownHosts: hs.hashKnownHosts,
        policy: hs.policy,
        ask: (info) => askHostKey(info as { message?: string; fingerprint: string }),
        algorithms: hs.algorithms,
        trace: io.trace,
        onBanner: (m) => {
          if (!s.quiet) err(m.endsWith("\n") ? m : m + "\n");
        },
        publicKeyAlgorithms: hs.pubkeyAlgorithmsGiven ? hs.pubkeyAlgorithms : undefined,
        rekeyBytes: hs.rekeyBytes,
        rekeyInterval: hs.rekeyInterval,
        keepaliveInterval: hs.keepaliveInterval,
        keepaliveCountMax: hs.keepaliveCountMax,
        connectTimeout: hs.connectTimeout,
        ...(last
          ? {
            onChannelOpen: (open) => openRemoteForward(forwards, open, io),
            onChannel: (channel, open) => void relayRemote(forwards, channel, open),
            forwardAgent: forwardAgentFrom(s.forwardAgentSocket, io.trace),
          }
          : {}),
      };
    };
    // ProxyJump: the library connects each hop and the destination through the last one's
    // direct-tcpip channel, the way OpenSSH's ssh -W does
    const proxyJump = await Promise.all(
      s.jumpConfigs.map((jc, i) =>
        optionsFor(settingsFromConfig(jc, context, { withJumps: false }), s.jumps[i], false)
      ),
    );
    const options = await optionsFor(s, destination, true);
    let duplex: ByteDuplex | undefined;
    if (proxyJump.length === 0 && s.proxyCommand !== undefined) {
      io.trace(`Executing proxy command: exec ${s.proxyCommand}`);
      const p = startProxyCommand(s.proxyCommand);
      proxy = p;
      duplex = p;
      io.connected = true;
    }
    const deadline = {
      ...s,
      connectTimeout: s.connectTimeout && s.connectTimeout * (1 + proxyJump.length),
    };
    client = await withConnectTimeout(
      connect({ ...options, duplex, proxyJump: proxyJump.length ? proxyJump : undefined }),
      deadline,
      io,
    );
    where = destination;
    for (const l of loaded.values()) l.dispose();
  } catch (e) {
    for (const l of loaded.values()) l.dispose();
    proxy?.close();
    if (e instanceof PromptInterrupted) return SSH_FAILURE;
    if (args.verbose > 1) err(`debug2: ${(e as Error)?.stack ?? e}\n`);
    if (e instanceof ProxyJumpError) {
      if (e.stage === "forward") {
        // in OpenSSH's words for a -W that the jump host refused
        err(`channel 0: open failed: ${(e.cause as Error)?.message}\nstdio forwarding failed\n`);
        return SSH_FAILURE;
      }
      const hop = { host: e.hop.hostname, port: e.hop.port, user: e.hop.username };
      err(failureMessage(e.cause, { ...hop, connected: io.connected }) + "\n");
      return SSH_FAILURE;
    }
    if (s.jumps.length > 0) where = destination;
    err(failureMessage(e, { ...where, connected: io.connected }) + "\n");
    return SSH_FAILURE;
  }
  // -W: stdin and stdout are the channel (as in a ProxyCommand); no command, no other forwards
  if (args.stdioForward) {
    try {
      return await forwardStdio(client, args.stdioForward, io);
    } finally {
      await client.close().catch(() => {});
      proxy?.close();
    }
  }
  try {
    for (const spec of s.localForwards) {
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
    for (const spec of s.dynamicForwards) {
      try {
        restore.push(await forwardDynamic(client, spec, io));
      } catch (e) {
        err(
          `bind [${spec.bindAddress ?? "127.0.0.1"}]:${spec.bindPort}: ${(e as Error).message}\n`,
        );
        err(`channel_setup_fwd_listener_tcpip: cannot listen to port: ${spec.bindPort}\n`);
        err("Could not request local forwarding.\n");
        if (s.exitOnForwardFailure) return SSH_FAILURE;
      }
    }
    for (const spec of s.remoteForwards) {
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
    proxy?.close();
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
