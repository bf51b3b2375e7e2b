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
import type { SshClient } from "../client.ts";
import { SshConfigError } from "../ssh_config_error.ts";
import type { UnixConnection } from "../adapters/unix.ts";
import { parseSshArgs, UsageError } from "./ssh_args.ts";
import type { SshHop, SshSettings, SshSettingsContext } from "./ssh_config.ts";
import { failureMessage, sessionEndMessage, SSH_FAILURE } from "./ssh_failure.ts";
import type { RemoteForwards } from "./ssh_forwarding.ts";
import { err, type Io } from "./ssh_io.ts";
import { copyStdinTo } from "./stdin_readable.ts";

export { failureMessage, SSH_FAILURE } from "./ssh_failure.ts";

/**
 * The modules behind a connection, imported once the command line asks for one (`ssh -V` and
 * usage errors load none of the transport); forwarding (SOCKS, listeners) and the agent socket
 * load only when used.
 */
const connecting = () =>
  Promise.all([
    import("./ssh_config.ts"),
    import("./ssh_connection.ts"),
    import("./ssh_session.ts"),
  ]);
const forwarding = () => import("./ssh_forwarding.ts");

/** What `ssh -V` prints before the runtime's version. */
const SOFTWARE_VERSION = "Hush_0.1.0";

/**
 * Runs `ssh` with these arguments and resolves with the exit status.
 *
 * @example Not run here: it needs an SSH server
 * ```ts ignore
 * import { sshMain } from "./ssh.ts";
 * Deno.exit(await sshMain(["-p", "2222", "me@127.0.0.1", "echo", "hi"]));
 * ```
 */
export async function sshMain(argv: string[]): Promise<number> {
  let settings: SshSettings;
  let args;
  let context: SshSettingsContext;
  try {
    args = parseSshArgs(argv);
    if (args.version) {
      err(`${SOFTWARE_VERSION}, Deno ${Deno.version.deno}\n`);
      return 0;
    }
    const [{ resolveCommandLineConfig, resolveSshSettings }, { sshContext }] = await connecting();
    context = await sshContext(args);
    if (args.printConfig) {
      const { formatSshConfig } = await import("../ssh_config_format.ts");
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
  const [, { connectDestination, traceConfig }, { runSession }] = await connecting();
  traceConfig(s, context, io);
  const destination: SshHop = { host: s.host, port: s.port, user: s.user };
  const restore: (() => void)[] = [];
  const forwards: RemoteForwards = { byPort: new Map(), sockets: new WeakMap() };
  // the destination alone gets the forwardings and the agent
  const connected = await connectDestination(s, context, io, args.verbose, {
    onChannelOpen: async (open) => (await forwarding()).openRemoteForward(forwards, open, io),
    onChannel: (channel, open) =>
      void forwarding().then((f) => f.relayRemote(forwards, channel, open)),
    forwardAgent: forwardAgentFrom(s.forwardAgentSocket, io.trace),
  });
  if (!connected) return SSH_FAILURE;
  const { client } = connected;
  // -W: stdin and stdout are the channel (as in a ProxyCommand); no command, no other forwards
  if (args.stdioForward) {
    try {
      return await forwardStdio(client, args.stdioForward, io);
    } finally {
      await connected.close();
    }
  }
  try {
    for (const spec of s.localForwards) {
      try {
        restore.push(await (await forwarding()).forwardLocal(client, spec, io));
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
        restore.push(await (await forwarding()).forwardDynamic(client, spec, io));
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
        await (await forwarding()).remoteForward(client, spec, io, forwards);
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
    err(failureMessage(e, destination) + "\n");
    return SSH_FAILURE;
  } finally {
    for (const r of restore.reverse()) {
      try {
        r();
      } catch { /* best effort */ }
    }
    await connected.close();
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
    copyStdinTo(channel.writable),
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
  return async () => (await import("../adapters/unix.ts")).connectUnix(path);
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
