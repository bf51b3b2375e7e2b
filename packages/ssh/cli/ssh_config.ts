/**
 * Turns `ssh`'s parsed command line and its configuration files into settled connection
 * settings: the command line's options and the files resolved by `resolveSshConfig` (first
 * value wins, Host and Match blocks, Include, tokens), then what only the command line
 * decides (`-A`/`-a`, `-t`/`-T`, `-q`), and OpenSSH's run-time choices (StrictHostKeyChecking
 * `ask` only with a terminal to ask on, the agent from `SSH_AUTH_SOCK`).
 * @module
 */
import type { HostKeyPolicy } from "@hush/hostkeys";
import type { AlgorithmPreferences } from "@hush/kex";
import { COMPRESSION_PREFERRED } from "@hush/transport";
import { SshConfigError } from "../ssh_config_error.ts";
import type { SshForward } from "../ssh_config_forward.ts";
import { parseSshConfig, type SshConfigFile } from "../ssh_config_parse.ts";
import { expandSshConfigPath, resolveSshConfig, type SshConfig } from "../ssh_config_resolve.ts";
import { resolveJumpConfigs } from "../ssh_config_connect.ts";
import { lookupKeyword } from "../ssh_config_keywords.ts";
import { splitKeyword } from "../ssh_config_words.ts";
import { expandSshConfigString, TOKEN_SETS } from "../ssh_config_tokens.ts";
import type { ForwardSpec, SshArgs } from "./ssh_args.ts";
import { UsageError } from "./ssh_args.ts";

export { DEFAULT_IDENTITY_FILES } from "../ssh_config_resolve.ts";

/** A `-D`/DynamicForward listener. */
export interface DynamicForwardSpec {
  bindAddress?: string;
  bindPort: number;
}

/** A host ssh connects to: a jump host or the destination. */
export interface SshHop {
  host: string;
  port: number;
  user: string;
}

/** Everything `ssh` needs to connect, after defaults. */
export interface SshSettings {
  /** The resolved configuration (what `ssh -G` prints). */
  config: SshConfig;
  /** The host to connect to (HostName applied). */
  host: string;
  port: number;
  user: string;
  policy: HostKeyPolicy;
  batchMode: boolean;
  /** known_hosts files, the first one written to. */
  knownHostsFiles: string[];
  /** Identity files to try; `explicit` ones must exist (a warning otherwise). */
  identityFiles: { path: string; explicit: boolean }[];
  /** Agent socket path, or undefined for no agent. */
  agentSocket?: string;
  /** The agent socket to forward to the session (`-A`, ForwardAgent), or undefined. */
  forwardAgentSocket?: string;
  /** ProxyJump hops, outermost first, each with its user and port filled in. */
  jumps: SshHop[];
  /** Each hop's own resolved configuration (its `Host` block), as `jumps`. */
  jumpConfigs: SshConfig[];
  /** ProxyCommand with its tokens expanded, when one is set. */
  proxyCommand?: string;
  identitiesOnly: boolean;
  passwordAuthentication: boolean;
  kbdInteractiveAuthentication: boolean;
  pubkeyAuthentication: boolean;
  /** Public key algorithms for user authentication (PubkeyAcceptedAlgorithms). */
  pubkeyAlgorithms: string[];
  /** Whether PubkeyAcceptedAlgorithms was given (then it also limits the signature algorithms). */
  pubkeyAlgorithmsGiven: boolean;
  algorithms: Partial<AlgorithmPreferences>;
  connectTimeout?: number;
  rekeyBytes?: number;
  /** RekeyLimit's second value, in milliseconds. */
  rekeyInterval?: number;
  keepaliveInterval?: number;
  keepaliveCountMax?: number;
  hashKnownHosts: boolean;
  /** `-q` or LogLevel QUIET: no warnings. */
  quiet: boolean;
  /** `-q` or LogLevel QUIET or FATAL: not even errors (such as `Load key "…": …`). */
  silent: boolean;
  /** RequestTTY: `auto` (a pty for a shell on a terminal), `yes`, `force` or `no`. */
  requestTty: "auto" | "yes" | "force" | "no";
  /** ExitOnForwardFailure: a `-L`/`-R` that cannot be set up ends ssh (255) instead of a warning. */
  exitOnForwardFailure: boolean;
  /** SendEnv patterns: local variables to pass to the session (besides LANG and LC_*). */
  sendEnv: string[];
  /** SetEnv: variables to set in the session. */
  setEnv: Record<string, string>;
  /** `-L` and LocalForward. */
  localForwards: ForwardSpec[];
  /** `-R` and RemoteForward. */
  remoteForwards: ForwardSpec[];
  /** `-D` and DynamicForward. */
  dynamicForwards: DynamicForwardSpec[];
}

/** What resolving needs beyond the command line. */
export interface SshSettingsContext {
  home: string;
  env: Record<string, string | undefined>;
  /** Whether a terminal is there to ask on. */
  terminal: boolean;
  /** The local user. */
  user?: string;
  /** The configuration files, in order (none: as `-F none`). */
  files?: readonly SshConfigFile[];
  /** The local host name, for `%l` and `%L`. */
  localHostname?: string;
  /** The local user id, for `%i`. */
  uid?: number;
  /** Runs `Match exec` commands (without it they are refused). */
  exec?: (command: string) => boolean;
}

/**
 * Reads a yes/no option value (`yes`/`no`, also `true`/`false`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { yesNoOption } from "./ssh_config.ts";
 * assert.equal(yesNoOption("BatchMode", "yes"), true);
 * ```
 */
export function yesNoOption(name: string, v: string): boolean {
  if (/^(yes|true)$/i.test(v)) return true;
  if (/^(no|false)$/i.test(v)) return false;
  throw new UsageError(`Bad yes/no argument '${v}' for ${name}`);
}

/**
 * Resolves the configuration for the command line's host: the command line's options, then
 * the files, as `ssh -G` would print it, with the flags that override everything applied
 * (`-A`/`-a`, `-t`/`-T`, `-q`, `-v`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshArgs } from "./ssh_args.ts";
 * import { resolveCommandLineConfig } from "./ssh_config.ts";
 * const c = resolveCommandLineConfig(parseSshArgs(["-A", "-p", "2222", "me@example.org"]), {
 *   home: "/home/me", env: {}, terminal: false,
 * });
 * assert.equal(c.user, "me");
 * assert.equal(c.port, 2222);
 * assert.equal(c.forwardAgent, true);
 * ```
 */
export function resolveCommandLineConfig(args: SshArgs, context: SshSettingsContext): SshConfig {
  const config = resolveFor(args.host, args.configLines, context);
  if (args.forwardAgent !== undefined) config.forwardAgent = args.forwardAgent;
  // -C wins over any Compression line, as in OpenSSH
  if (args.compression) config.compression = true;
  if (args.tty === false) config.requestTty = "no";
  else if (args.tty) config.requestTty = args.ttyCount >= 2 ? "force" : "yes";
  // -q and -v set the log level whatever the files say; the last of them wins
  if (args.quiet && (args.quietLast || args.verbose === 0)) config.logLevel = "QUIET";
  else if (args.verbose > 0) {
    config.logLevel = (["DEBUG", "DEBUG2", "DEBUG3"] as const)[Math.min(args.verbose, 3) - 1];
  }
  return config;
}

function localUser(context: SshSettingsContext): string {
  return context.user ?? context.env.USER ?? "root";
}

/** Resolves `host` with these command-line lines before the files; errors as UsageError. */
function resolveFor(host: string, lines: string[], context: SshSettingsContext): SshConfig {
  try {
    const commandLine = lines.length
      ? parseSshConfig(lines.join("\n"), {
        file: "command-line",
        commandLine: true,
        env: context.env,
      })
      : undefined;
    return resolveSshConfig({
      host,
      files: context.files ?? [],
      commandLine,
      localUser: localUser(context),
      home: context.home,
      uid: context.uid,
      localHostname: context.localHostname,
      env: context.env,
      exec: context.exec,
    });
  } catch (e) {
    if (e instanceof SshConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** `$VAR` (OpenSSH's legacy form) read from the environment; other values as they are. */
function fromEnv(value: string, env: Record<string, string | undefined>): string | undefined {
  return /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(value) ? env[value.slice(1)] : value;
}

function tcpForward(f: SshForward, keyword: string): ForwardSpec {
  if (f.listenPath !== undefined || f.connectPath !== undefined) {
    throw new UsageError(`${keyword}: Unix socket forwarding is not supported`);
  }
  if (f.connectHost === "socks" && f.connectPort === 0) {
    throw new UsageError(`${keyword}: remote dynamic (SOCKS) forwarding is not supported`);
  }
  return {
    ...(f.listenHost !== undefined ? { bindAddress: f.listenHost } : {}),
    bindPort: f.listenPort!,
    host: f.connectHost!,
    hostPort: f.connectPort!,
  };
}

/**
 * Resolves the command line and the configuration files into ssh's settings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshArgs } from "./ssh_args.ts";
 * import { resolveSshSettings } from "./ssh_config.ts";
 * const s = resolveSshSettings(parseSshArgs(["-o", "BatchMode=yes", "me@example.org"]), {
 *   home: "/home/me",
 *   env: {},
 *   terminal: true,
 * });
 * assert.equal(s.user, "me");
 * assert.equal(s.port, 22);
 * assert.equal(s.policy, "yes");
 * assert.equal(s.knownHostsFiles[0], "/home/me/.ssh/known_hosts");
 * ```
 */
export function resolveSshSettings(args: SshArgs, context: SshSettingsContext): SshSettings {
  return settingsFromConfig(resolveCommandLineConfig(args, context), context, {
    jumpLines: args.configLines.filter(forJumpHosts),
  });
}

/** Command-line options that name the destination or its session, not kept for jump hosts. */
const DESTINATION_ONLY = new Set([
  "HostName",
  "Port",
  "User",
  "ProxyJump",
  "ProxyCommand",
  "LocalForward",
  "RemoteForward",
  "DynamicForward",
  "ClearAllForwardings",
  "ExitOnForwardFailure",
  "ForwardAgent",
  "RequestTTY",
  "SendEnv",
  "SetEnv",
]);

/**
 * Whether a command-line option applies to jump hosts too. Unlike OpenSSH, whose jump hosts
 * see none of the command line, Hush gives them the `-o` options and `-i` files that are not
 * about the destination (host key checking, known_hosts files, keys, algorithms, timeouts), so
 * that a one-off command line reaches through them.
 */
function forJumpHosts(line: string): boolean {
  const keyword = lookupKeyword(splitKeyword(line).keyword.toLowerCase());
  return keyword !== undefined && !DESTINATION_ONLY.has(keyword.name);
}

/**
 * The settings for a resolved configuration: the destination's, or a jump host's (then
 * `withJumps: false`, its own chain being the destination's business).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshArgs } from "./ssh_args.ts";
 * import { resolveCommandLineConfig, settingsFromConfig } from "./ssh_config.ts";
 * const context = { home: "/home/me", env: {}, terminal: false, user: "me" };
 * const config = resolveCommandLineConfig(parseSshArgs(["-p", "2200", "bastion"]), context);
 * assert.equal(settingsFromConfig(config, context, { withJumps: false }).port, 2200);
 * ```
 */
export function settingsFromConfig(
  c: SshConfig,
  context: SshSettingsContext,
  options: { withJumps?: boolean; jumpLines?: string[] } = {},
): SshSettings {
  const given = new Set(c.given);
  const env = context.env;
  const batchMode = c.batchMode;
  let policy: HostKeyPolicy;
  if (c.strictHostKeyChecking !== "ask") policy = c.strictHostKeyChecking;
  else if (given.has("StrictHostKeyChecking")) policy = batchMode ? "yes" : "ask";
  else policy = batchMode || !context.terminal ? "yes" : "ask";

  const expand = (path: string) => {
    try {
      return expandSshConfigPath(path, c, env);
    } catch (e) {
      throw new UsageError(`${path}: ${(e as Error).message}`);
    }
  };
  const identityFiles = c.identityFile
    .filter((p) => p.toLowerCase() !== "none")
    .map((p) => ({ path: expand(p), explicit: given.has("IdentityFile") }));

  let agentSocket: string | undefined = env.SSH_AUTH_SOCK || undefined;
  if (c.identityAgent !== undefined) {
    agentSocket = c.identityAgent.toLowerCase() === "none"
      ? undefined
      : c.identityAgent === "SSH_AUTH_SOCK"
      ? env.SSH_AUTH_SOCK
      : fromEnv(c.identityAgent, env);
  }
  // ForwardAgent yes forwards $SSH_AUTH_SOCK (not IdentityAgent, as OpenSSH), or it names the
  // socket (a path or $VARIABLE); -A and -a turn it on and off whatever the option says.
  const forwardAgentSocket = !c.forwardAgent
    ? undefined
    : c.forwardAgentSocket !== undefined
    ? fromEnv(c.forwardAgentSocket, env) || undefined
    : env.SSH_AUTH_SOCK || undefined;

  const algorithms: Partial<AlgorithmPreferences> = {};
  if (given.has("KexAlgorithms")) algorithms.kex = c.kexAlgorithms;
  if (given.has("Ciphers")) algorithms.ciphers = c.ciphers;
  if (given.has("MACs")) algorithms.macs = c.macs;
  if (given.has("HostKeyAlgorithms")) algorithms.hostKey = c.hostKeyAlgorithms;
  // -C or Compression yes: OpenSSH's "zlib@openssh.com,zlib,none"; else the transport's
  // default, "none,zlib@openssh.com,zlib" (none first: off unless the server has only zlib).
  if (c.compression) algorithms.compression = [...COMPRESSION_PREFERRED];

  // each jump host is resolved by its own name, its spec's user and port winning, as the
  // `ssh -W` OpenSSH runs for it would
  const jumpConfigs = options.withJumps === false
    ? []
    : resolveJumpConfigs(c, (hop) =>
      resolveFor(hop.host, [
        ...(hop.user !== undefined ? [`User "${hop.user.replace(/["\\]/g, "\\$&")}"`] : []),
        ...(hop.port !== undefined ? [`Port ${hop.port}`] : []),
        ...(options.jumpLines ?? []),
      ], context));
  let proxyCommand: string | undefined;
  if (c.proxyCommand !== undefined) {
    try {
      proxyCommand = expandSshConfigString(c.proxyCommand, {
        tokens: c.tokens,
        allowed: TOKEN_SETS.proxy,
      });
    } catch (e) {
      throw new UsageError(`ProxyCommand ${c.proxyCommand}: ${(e as Error).message}`);
    }
  }
  return {
    config: c,
    host: c.hostName,
    port: c.port,
    user: c.user,
    jumps: jumpConfigs.map((j) => ({ host: j.hostName, port: j.port, user: j.user })),
    jumpConfigs,
    proxyCommand,
    policy,
    batchMode,
    knownHostsFiles: [...c.userKnownHostsFile, ...c.globalKnownHostsFile],
    identityFiles,
    agentSocket,
    forwardAgentSocket,
    identitiesOnly: c.identitiesOnly,
    passwordAuthentication: c.passwordAuthentication,
    kbdInteractiveAuthentication: c.kbdInteractiveAuthentication,
    pubkeyAuthentication: c.pubkeyAuthentication !== "no",
    pubkeyAlgorithms: c.pubkeyAcceptedAlgorithms,
    pubkeyAlgorithmsGiven: given.has("PubkeyAcceptedAlgorithms"),
    algorithms,
    connectTimeout: c.connectTimeout ? c.connectTimeout * 1000 : undefined,
    rekeyBytes: c.rekeyLimit.bytes || undefined,
    rekeyInterval: c.rekeyLimit.seconds ? c.rekeyLimit.seconds * 1000 : undefined,
    keepaliveInterval: c.serverAliveInterval ? c.serverAliveInterval * 1000 : undefined,
    keepaliveCountMax: given.has("ServerAliveCountMax") ? c.serverAliveCountMax : undefined,
    hashKnownHosts: c.hashKnownHosts,
    exitOnForwardFailure: c.exitOnForwardFailure,
    sendEnv: c.sendEnv,
    setEnv: Object.fromEntries(
      c.setEnv.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
    ),
    quiet: c.logLevel === "QUIET" || c.logLevel === "FATAL" || c.logLevel === "ERROR",
    silent: c.logLevel === "QUIET" || c.logLevel === "FATAL",
    requestTty: c.requestTty,
    localForwards: c.localForward.map((f) => tcpForward(f, "LocalForward")),
    remoteForwards: c.remoteForward.map((f) => tcpForward(f, "RemoteForward")),
    dynamicForwards: c.dynamicForward.map((f) => {
      if (f.listenPath !== undefined) {
        throw new UsageError("DynamicForward: Unix socket forwarding is not supported");
      }
      return {
        ...(f.listenHost !== undefined ? { bindAddress: f.listenHost } : {}),
        bindPort: f.listenPort!,
      };
    }),
  };
}
