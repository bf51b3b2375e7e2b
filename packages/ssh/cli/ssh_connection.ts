/**
 * How the `ssh`, `sftp` and `scp` commands connect: the configuration files and the command line
 * resolved as OpenSSH's ssh resolves them; then the agent, identities, known_hosts and prompts of
 * those settings, through each ProxyJump hop (or a ProxyCommand) to the destination, failures
 * printed in OpenSSH's words.
 * @module
 */
import type { KnownHosts } from "@hush/hostkeys";
import type { ByteDuplex } from "@hush/transport";
import { SshError } from "@hush/wire";
import {
  localSshIdentity,
  readSshConfigFiles,
  shellMatchExec,
} from "../adapters/ssh_config_file.ts";
import { homeDirectory } from "../adapters/files.ts";
import type { SshClient } from "../client.ts";
import { connect } from "../connect.ts";
import type { ConnectOptions } from "../connect_options.ts";
import { ProxyJumpError } from "../proxy_jump.ts";
import type { SshConfigFile } from "../ssh_config_parse.ts";
import { quoted, type SshArgs } from "./ssh_args.ts";
import {
  settingsFromConfig,
  type SshHop,
  type SshSettings,
  type SshSettingsContext,
} from "./ssh_config.ts";
import { withConnectTimeout } from "./ssh_connect_timeout.ts";
import { failureMessage } from "./ssh_failure.ts";
import { askHostKey, traceHostKeys } from "./ssh_host_key_check.ts";
import { type Identities, loadIdentities, openAgent } from "./ssh_identities.ts";
import { err, type Io } from "./ssh_io.ts";
import { sshKnownHosts } from "./ssh_known_hosts.ts";
import { startProxyCommand } from "./ssh_proxy_command.ts";
import { haveTty, PromptInterrupted, readLine, tell } from "./ssh_tty.ts";

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
 * What settings are resolved against: the configuration files (`~/.ssh/config` and
 * `/etc/ssh/ssh_config`, or `-F`'s), the home directory, environment, terminal and local
 * identity. `-i` files are checked here, as OpenSSH checks them (missing ones left out with a
 * warning).
 *
 * @example Not run here: it reads the user's ssh configuration and keys
 * ```ts ignore
 * const context = await sshContext(args);
 * const settings = resolveSshSettings(args, context);
 * ```
 */
export async function sshContext(args: SshArgs): Promise<SshSettingsContext> {
  const local = localSshIdentity();
  const env = Deno.env.toObject();
  const home = homeDirectory();
  identityFlags(args, home);
  // ~/.ssh/config and /etc/ssh/ssh_config, or -F's file; Match exec runs as in OpenSSH's ssh
  const files = await readSshConfigFiles({
    configFile: args.configFile,
    home,
    localUser: local.localUser,
    env,
  });
  return {
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
}

/** `-v`'s lines about the configuration files read and the keywords Hush ignores. */
export function traceConfig(s: SshSettings, context: SshSettingsContext, io: Io): void {
  const read = fileNames(context.files ?? []);
  if (read.length === 0) io.trace("Reading configuration data: none");
  for (const name of read) io.trace(`Reading configuration data ${name}`);
  for (const { keyword, where } of s.config.ignored) {
    io.trace(`${where.file} line ${where.line}: ${keyword} is not supported by Hush; ignored`);
  }
}

/** The connection to the destination; `close` ends it and whatever it runs through. */
export interface DestinationConnection {
  client: SshClient;
  close(): Promise<void>;
}

/**
 * Connects to the destination of `s`, through its ProxyJump hops or its ProxyCommand, with
 * `extra` added to the destination's options (forwardings, agent forwarding). On failure prints
 * OpenSSH's message on stderr and resolves `undefined` (the command exits 255).
 *
 * @example Not run here: it needs an SSH server
 * ```ts ignore
 * const connected = await connectDestination(settings, context, io, args.verbose);
 * if (!connected) return SSH_FAILURE;
 * ```
 */
export async function connectDestination(
  s: SshSettings,
  context: SshSettingsContext,
  io: Io,
  verbose: number,
  extra: Partial<ConnectOptions> = {},
): Promise<DestinationConnection | undefined> {
  const destination: SshHop = { host: s.host, port: s.port, user: s.user };
  let where: SshHop = s.jumps[0] ?? destination;
  let client: SshClient;
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
              if (a === undefined) {
                // not an AuthError: auth wraps it as "Authentication cancelled by user"
                throw new SshError(
                  "ERR_SSH_NO_TERMINAL",
                  "No terminal to answer the server's prompts",
                );
              }
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
        ...(last ? extra : {}),
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
    for (const l of loaded.values()) l.dispose();
  } catch (e) {
    for (const l of loaded.values()) l.dispose();
    proxy?.close();
    if (e instanceof PromptInterrupted) return undefined;
    if (verbose > 1) err(`debug2: ${(e as Error)?.stack ?? e}\n`);
    if (e instanceof ProxyJumpError) {
      if (e.stage === "forward") {
        // in OpenSSH's words for a -W that the jump host refused
        err(`channel 0: open failed: ${(e.cause as Error)?.message}\nstdio forwarding failed\n`);
        return undefined;
      }
      const hop = { host: e.hop.hostname, port: e.hop.port, user: e.hop.username };
      err(failureMessage(e.cause, { ...hop, connected: io.connected }) + "\n");
      return undefined;
    }
    if (s.jumps.length > 0) where = destination;
    err(failureMessage(e, { ...where, connected: io.connected }) + "\n");
    return undefined;
  }
  return {
    client,
    close: async () => {
      await client.close().catch(() => {});
      proxy?.close();
    },
  };
}
