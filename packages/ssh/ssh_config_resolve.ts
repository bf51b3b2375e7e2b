/**
 * Resolves a host against parsed configuration files, as OpenSSH's ssh does: command-line
 * options first, then each file in order; for each option the first value found wins (a few
 * add up: IdentityFile, CertificateFile, the forwardings, SendEnv); `Host` and `Match` blocks
 * decide which lines apply; `Match final` asks for a second pass with the final host name;
 * then defaults, the algorithm lists assembled, and the `%` tokens and `~` expanded where
 * OpenSSH expands them before `ssh -G` prints them. Pure: no I/O (a `Match exec` runs only
 * through the function the caller gives).
 * @module
 */
import { matchHostPatternList } from "@hush/hostkeys";
import { type AlgorithmOption, assembleAlgorithms } from "./ssh_config_algorithms.ts";
import { configError, SshConfigError, type SshConfigLocation } from "./ssh_config_error.ts";
import { forwardEquals, type SshForward } from "./ssh_config_forward.ts";
import { matchCriteria, matchHostLine } from "./ssh_config_match.ts";
import type { SshConfigFile, SshConfigOptionEntry } from "./ssh_config_parse.ts";
import {
  expandSshConfigString,
  expandTilde,
  type SshConfigTokens,
  sshConfigTokens,
  TOKEN_SETS,
} from "./ssh_config_tokens.ts";
import type {
  LogLevel,
  PubkeyAuthentication,
  RequestTty,
  SshConfigLineValues,
  StrictHostKeyChecking,
} from "./ssh_config_values.ts";
import { type JumpHostSpec, parseProxyJump } from "./proxy_jump_spec.ts";

/**
 * The settings for one host, resolved from the configuration files and the command line.
 * Paths in `identityFile` and `certificateFile` are as written (`ssh -G` prints them so);
 * expand them with {@linkcode expandSshConfigPath}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshConfig, resolveSshConfig, type SshConfig } from "@hush/ssh";
 * const file = parseSshConfig("Host db\n  HostName db.internal\n  User admin\n", { file: "cfg" });
 * const config: SshConfig = resolveSshConfig({ host: "db", files: [file], localUser: "me", home: "/home/me" });
 * assert.equal(config.hostName, "db.internal");
 * assert.equal(config.user, "admin");
 * assert.equal(config.port, 22);
 * ```
 */
export interface SshConfig {
  /** The host as given (`%n`). */
  host: string;
  /** The host to connect to: HostName's value with `%h` expanded, lowercased (`%h`). */
  hostName: string;
  /** The remote user (`%r`): User, else the local user. */
  user: string;
  /** The port (22). */
  port: number;
  /** Identity files in order, as written; Hush's defaults when none was given. */
  identityFile: string[];
  /** Only the identity files, not all of an agent's keys. */
  identitiesOnly: boolean;
  /** The agent socket (expanded), `none`, `SSH_AUTH_SOCK` or `$VAR`, when set. */
  identityAgent?: string;
  /** Certificate files, as written. */
  certificateFile: string[];
  /** ProxyJump as written, unless `none`. */
  proxyJump?: string;
  /** ProxyJump's hops, outermost first. */
  proxyJumpHosts: JumpHostSpec[];
  /** ProxyCommand as written (its tokens are expanded when it runs), unless `none`. */
  proxyCommand?: string;
  /** The user's known_hosts files, expanded (none: `[]`). */
  userKnownHostsFile: string[];
  /** The global known_hosts files (none: `[]`). */
  globalKnownHostsFile: string[];
  /** StrictHostKeyChecking (`ask`). */
  strictHostKeyChecking: StrictHostKeyChecking;
  /** HashKnownHosts. */
  hashKnownHosts: boolean;
  /** Ciphers, assembled. */
  ciphers: string[];
  /** KexAlgorithms, assembled. */
  kexAlgorithms: string[];
  /** MACs, assembled. */
  macs: string[];
  /** HostKeyAlgorithms, assembled. */
  hostKeyAlgorithms: string[];
  /** PubkeyAcceptedAlgorithms, assembled. */
  pubkeyAcceptedAlgorithms: string[];
  /** ServerAliveInterval in seconds (0: off). */
  serverAliveInterval: number;
  /** ServerAliveCountMax (3). */
  serverAliveCountMax: number;
  /** ConnectTimeout in seconds, if set. */
  connectTimeout?: number;
  /** LocalForward (and `-L`). */
  localForward: SshForward[];
  /** RemoteForward (and `-R`). */
  remoteForward: SshForward[];
  /** DynamicForward (and `-D`). */
  dynamicForward: SshForward[];
  /** ClearAllForwardings (then the three lists above are empty). */
  clearAllForwardings: boolean;
  /** ExitOnForwardFailure. */
  exitOnForwardFailure: boolean;
  /** ForwardAgent: yes or no. */
  forwardAgent: boolean;
  /** ForwardAgent's socket when it named one (expanded), or `$VAR`. */
  forwardAgentSocket?: string;
  /** SendEnv patterns. */
  sendEnv: string[];
  /** SetEnv, `NAME=value` in order. */
  setEnv: string[];
  /** RequestTTY (`auto`). */
  requestTty: RequestTty;
  /** BatchMode. */
  batchMode: boolean;
  /** Compression (`-C`): offer zlib@openssh.com and zlib before none. */
  compression: boolean;
  /** LogLevel (`INFO`). */
  logLevel: LogLevel;
  /** RekeyLimit: bytes (0: the cipher's default) and seconds (0: none). */
  rekeyLimit: { bytes: number; seconds: number };
  /** PasswordAuthentication. */
  passwordAuthentication: boolean;
  /** KbdInteractiveAuthentication. */
  kbdInteractiveAuthentication: boolean;
  /** PubkeyAuthentication. */
  pubkeyAuthentication: PubkeyAuthentication;
  /** The options that got a value (from the command line or a file), by ssh_config name. */
  given: string[];
  /** Options read but not acted on by Hush (e.g. ForwardX11), with where they were set. */
  ignored: { keyword: string; where: SshConfigLocation }[];
  /** The `%` token values, for {@linkcode expandSshConfigPath}. */
  tokens: SshConfigTokens;
}

/** What {@linkcode resolveSshConfig} needs. */
export interface ResolveSshConfigOptions {
  /** The host as given on the command line. */
  host: string;
  /** The configuration files in order (e.g. ~/.ssh/config then /etc/ssh/ssh_config). */
  files: readonly (SshConfigFile | undefined)[];
  /** `-o` options (parsed with `commandLine: true`), which come before the files. */
  commandLine?: SshConfigFile;
  /** The local user (`%u`, and the remote user by default). */
  localUser: string;
  /** The local home directory (`%d`, `~`). */
  home: string;
  /** The local user id (`%i`). */
  uid?: number;
  /** The local host name (`%l`, `%L`). */
  localHostname?: string;
  /** Environment for `${VAR}`. */
  env?: Record<string, string | undefined>;
  /**
   * Runs a `Match exec` command through the user's shell and says whether it exited 0.
   * Without it, a `Match exec` that has to run is an error: a configuration file cannot run
   * commands unless the caller allows it.
   */
  exec?: (command: string) => boolean;
}

/** The identity files Hush tries when none is given, in its order. */
export const DEFAULT_IDENTITY_FILES: readonly string[] = Object.freeze([
  "~/.ssh/id_ed25519",
  "~/.ssh/id_ecdsa",
  "~/.ssh/id_rsa",
]);

/** At most this many IdentityFile and CertificateFile entries each (OpenSSH's limit). */
export const SSH_CONFIG_MAX_IDENTITY_FILES = 100;

/** Values whose first occurrence wins, by ssh_config name. */
type FirstWins = Omit<
  SshConfigLineValues,
  | "IdentityFile"
  | "CertificateFile"
  | "LocalForward"
  | "RemoteForward"
  | "DynamicForward"
  | "ForwardAgent"
  | "SendEnv"
  | "SetEnv"
  | "RekeyLimit"
  | "ProxyJump"
  | "ProxyCommand"
>;

class State {
  first: Partial<FirstWins> = {};
  where = new Map<string, SshConfigLocation>();
  identityFile: { path: string; user: boolean }[] = [];
  certificateFile: { path: string; user: boolean }[] = [];
  localForward: { fwd: SshForward; dynamic: boolean }[] = [];
  remoteForward: SshForward[] = [];
  forwardAgent?: boolean;
  forwardAgentSocket?: string;
  sendEnv: string[] = [];
  setEnv?: string[];
  rekeyBytes?: number;
  rekeySeconds?: number;
  proxyJump?: string;
  proxyCommand?: string;
  given = new Set<string>();
  ignored: { keyword: string; where: SshConfigLocation }[] = [];
}

interface Pass {
  final: boolean;
  /** The host `Host` lines are matched against. */
  host: string;
  wantFinal: boolean;
}

/**
 * Resolves the settings for a host. Throws an {@linkcode SshConfigError} for an unknown
 * keyword (unless IgnoreUnknown lists it), a `Match exec` without `options.exec`, an algorithm
 * list that leaves nothing Hush supports, or a token that cannot be expanded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshConfig, resolveSshConfig } from "@hush/ssh";
 * const user = parseSshConfig([
 *   "Host *.prod",
 *   "  User deploy",
 *   "  ProxyJump bastion",
 *   "Match originalhost db.prod",
 *   "  Port 5022",
 *   "Host *",
 *   "  IdentityFile ~/.ssh/id_%h",
 *   "  Ciphers -aes128*",
 * ].join("\n"), { file: "~/.ssh/config" });
 * const c = resolveSshConfig({ host: "db.prod", files: [user], localUser: "me", home: "/home/me" });
 * assert.equal(c.user, "deploy");
 * assert.equal(c.port, 5022);
 * assert.deepEqual(c.proxyJumpHosts, [{ host: "bastion" }]);
 * assert.deepEqual(c.identityFile, ["~/.ssh/id_%h"]);
 * assert.equal(c.ciphers.includes("aes128-ctr"), false);
 * ```
 */
export function resolveSshConfig(options: ResolveSshConfigOptions): SshConfig {
  const state = new State();
  const first: Pass = { final: false, host: options.host, wantFinal: false };
  if (options.commandLine) walk(options.commandLine, state, options, first, { value: true }, false);
  for (const file of options.files) {
    if (file) walk(file, state, options, first, { value: true }, false);
  }
  const hostName = asciiLower(
    state.first.HostName === undefined
      ? options.host
      : expandAt(state, "HostName", state.first.HostName, { h: options.host }, TOKEN_SETS.hostName),
  );
  if (first.wantFinal) {
    state.first.HostName = hostName;
    const final: Pass = { final: true, host: hostName, wantFinal: false };
    for (const file of options.files) {
      if (file) walk(file, state, options, final, { value: true }, false);
    }
  }
  return fill(state, options, hostName);
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Walks one file's entries; `active` is shared with the including file, as in OpenSSH. */
function walk(
  file: SshConfigFile,
  state: State,
  options: ResolveSshConfigOptions,
  pass: Pass,
  active: { value: boolean },
  neverMatch: boolean,
): void {
  for (const entry of file.entries) {
    switch (entry.kind) {
      case "host":
        active.value = !neverMatch && matchHostLine(entry.patterns, pass.host);
        break;
      case "match": {
        if (entry.criteria.some((c) => c.attribute === "final") && !pass.final) {
          pass.wantFinal = true;
        }
        const matched = matchCriteria(
          entry.criteria,
          matchContext(state, options, pass, neverMatch),
          entry.where,
        );
        active.value = !neverMatch && matched;
        break;
      }
      case "include": {
        const outer = active.value;
        for (const included of entry.files) {
          walk(included, state, options, pass, active, neverMatch || !outer);
          active.value = outer;
        }
        break;
      }
      case "option":
        option(entry, state, active.value, file.user || file.commandLine);
        break;
    }
  }
}

function matchContext(
  state: State,
  options: ResolveSshConfigOptions,
  pass: Pass,
  neverMatch: boolean,
) {
  // the final pass has HostName settled; before it, HostName (if set yet) with %h expanded
  const host = pass.final
    ? state.first.HostName!
    : state.first.HostName === undefined
    ? options.host
    : expandAt(state, "HostName", state.first.HostName, { h: options.host }, TOKEN_SETS.hostName);
  const user = state.first.User ?? options.localUser;
  const port = state.first.Port ?? 22;
  return {
    host,
    originalHost: options.host,
    user,
    localUser: options.localUser,
    finalPass: pass.final,
    // in a block that never applies (an Include read only to check it) nothing runs
    exec: neverMatch ? () => false : options.exec,
    expandExec: (command: string) =>
      expandSshConfigString(command, {
        tokens: sshConfigTokens({
          host,
          originalHost: options.host,
          port,
          remoteUser: user,
          localUser: options.localUser,
          home: options.home,
          localHostname: options.localHostname,
          uid: options.uid,
        }),
        allowed: TOKEN_SETS.files,
      }),
  };
}

function option(
  entry: SshConfigOptionEntry,
  state: State,
  active: boolean,
  user: boolean,
): void {
  const info = entry.info;
  if (!info) {
    const ignore = state.first.IgnoreUnknown;
    if (ignore !== undefined && matchHostPatternList(entry.keyword, ignore) === "match") return;
    throw new SshConfigError(
      `${entry.where.file}: line ${entry.where.line}: Bad configuration option: ${entry.keyword}`,
      entry.where,
    );
  }
  if (!active) return;
  if (info.status !== "supported") {
    state.ignored.push({ keyword: info.name, where: entry.where });
    return;
  }
  const name = info.name as keyof SshConfigLineValues;
  const value = entry.value;
  // `none` for a time leaves it unset, as in OpenSSH (a later line may still set it)
  if (value === undefined) return;
  state.given.add(name);
  switch (name) {
    case "IdentityFile":
    case "CertificateFile": {
      const list = name === "IdentityFile" ? state.identityFile : state.certificateFile;
      const path = value as string;
      if (list.some((e) => e.path === path && e.user === user)) return;
      if (list.length >= SSH_CONFIG_MAX_IDENTITY_FILES) {
        throw configError(
          entry.where,
          `Too many ${
            name === "IdentityFile" ? "identity" : "certificate"
          } files specified (max ${SSH_CONFIG_MAX_IDENTITY_FILES}).`,
        );
      }
      list.push({ path, user });
      return;
    }
    case "LocalForward":
    case "DynamicForward": {
      const fwd = value as SshForward;
      if (state.localForward.some((e) => forwardEquals(e.fwd, fwd))) return;
      state.localForward.push({ fwd, dynamic: name === "DynamicForward" });
      return;
    }
    case "RemoteForward": {
      const fwd = value as SshForward;
      if (!state.remoteForward.some((e) => forwardEquals(e, fwd))) state.remoteForward.push(fwd);
      return;
    }
    case "ForwardAgent": {
      const v = value as SshConfigLineValues["ForwardAgent"];
      state.forwardAgent ??= v.on;
      if (v.path !== undefined) state.forwardAgentSocket ??= v.path;
      return;
    }
    case "SendEnv":
      for (const pattern of value as string[]) {
        if (pattern.startsWith("-")) {
          const remove = pattern.slice(1);
          state.sendEnv = state.sendEnv.filter((p) =>
            matchHostPatternList(p, remove, { caseSensitive: true }) !== "match"
          );
        } else {
          state.sendEnv.push(pattern);
        }
      }
      return;
    case "SetEnv":
      state.setEnv ??= value as string[];
      return;
    case "RekeyLimit": {
      const v = value as SshConfigLineValues["RekeyLimit"];
      state.rekeyBytes ??= v.bytes;
      if (typeof v.seconds === "number") state.rekeySeconds ??= v.seconds;
      return;
    }
    case "ProxyJump": {
      if (state.proxyCommand !== undefined || state.proxyJump !== undefined) return;
      state.proxyJump = value as string;
      if ((value as string).toLowerCase() !== "none") state.proxyCommand = "none";
      state.where.set(name, entry.where);
      return;
    }
    case "ProxyCommand":
      if (state.proxyJump !== undefined || state.proxyCommand !== undefined) return;
      state.proxyCommand = value as string;
      state.where.set(name, entry.where);
      return;
    default: {
      const first = state.first as Record<string, unknown>;
      if (first[name] !== undefined) return;
      first[name] = value;
      state.where.set(name, entry.where);
    }
  }
}

/** Expands a value's tokens, turning a bad token into an error at the line that set it. */
function expandAt(
  state: State,
  name: string,
  text: string,
  tokens: Partial<SshConfigTokens>,
  allowed: string,
  env?: Record<string, string | undefined>,
): string {
  try {
    return expandSshConfigString(text, { tokens, allowed, env });
  } catch (e) {
    const where = state.where.get(name) ?? { file: "command-line", line: 0 };
    throw configError(where, `${name} ${text}: ${(e as Error).message}`);
  }
}

function fill(state: State, options: ResolveSshConfigOptions, hostName: string): SshConfig {
  const f = state.first;
  const user = f.User ?? options.localUser;
  const port = f.Port ?? 22;
  const tokens = sshConfigTokens({
    host: hostName,
    originalHost: options.host,
    port,
    remoteUser: user,
    localUser: options.localUser,
    home: options.home,
    localHostname: options.localHostname,
    uid: options.uid,
  });
  const local = { home: options.home, user: options.localUser };
  const expandPath = (name: string, path: string) =>
    expandAt(state, name, expandTilde(path, local), tokens, TOKEN_SETS.files, options.env);
  const knownHosts = f.UserKnownHostsFile ?? ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"];
  const globalKnownHosts = f.GlobalKnownHostsFile ??
    ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"];
  const algorithms = (option: AlgorithmOption) => {
    const spec = f[option];
    const list = assembleAlgorithms(option, spec);
    if (list.length === 0) {
      const where = state.where.get(option) ?? { file: "command-line", line: 0 };
      throw configError(where, `No algorithm Hush supports is left in ${option} '${spec}'`);
    }
    return list;
  };
  const clear = f.ClearAllForwardings === true;
  const proxyJump = state.proxyJump?.toLowerCase() === "none" ? undefined : state.proxyJump;
  const proxyCommand = state.proxyCommand?.toLowerCase() === "none"
    ? undefined
    : state.proxyCommand;
  return {
    host: options.host,
    hostName,
    user,
    port,
    identityFile: state.identityFile.length
      ? state.identityFile.map((e) => e.path)
      : [...DEFAULT_IDENTITY_FILES],
    identitiesOnly: f.IdentitiesOnly ?? false,
    identityAgent: f.IdentityAgent === undefined
      ? undefined
      : expandPath("IdentityAgent", f.IdentityAgent),
    certificateFile: state.certificateFile.map((e) => e.path),
    proxyJump,
    proxyJumpHosts: proxyJump === undefined ? [] : parseProxyJump(proxyJump) ?? [],
    proxyCommand,
    userKnownHostsFile: knownHosts[0]?.toLowerCase() === "none"
      ? []
      : knownHosts.map((p) => expandPath("UserKnownHostsFile", p)),
    globalKnownHostsFile: globalKnownHosts[0]?.toLowerCase() === "none" ? [] : globalKnownHosts,
    strictHostKeyChecking: f.StrictHostKeyChecking ?? "ask",
    hashKnownHosts: f.HashKnownHosts ?? false,
    ciphers: algorithms("Ciphers"),
    kexAlgorithms: algorithms("KexAlgorithms"),
    macs: algorithms("MACs"),
    hostKeyAlgorithms: algorithms("HostKeyAlgorithms"),
    pubkeyAcceptedAlgorithms: algorithms("PubkeyAcceptedAlgorithms"),
    serverAliveInterval: f.ServerAliveInterval ?? 0,
    serverAliveCountMax: f.ServerAliveCountMax ?? 3,
    connectTimeout: f.ConnectTimeout,
    localForward: clear ? [] : state.localForward.filter((e) => !e.dynamic).map((e) => e.fwd),
    remoteForward: clear ? [] : state.remoteForward,
    dynamicForward: clear ? [] : state.localForward.filter((e) => e.dynamic).map((e) => e.fwd),
    clearAllForwardings: clear,
    exitOnForwardFailure: f.ExitOnForwardFailure ?? false,
    forwardAgent: state.forwardAgent ?? false,
    forwardAgentSocket: state.forwardAgentSocket === undefined
      ? undefined
      : expandPath("ForwardAgent", state.forwardAgentSocket),
    sendEnv: state.sendEnv,
    setEnv: state.setEnv ?? [],
    requestTty: f.RequestTTY ?? "auto",
    batchMode: f.BatchMode ?? false,
    compression: f.Compression ?? false,
    logLevel: f.LogLevel ?? "INFO",
    rekeyLimit: { bytes: state.rekeyBytes ?? 0, seconds: state.rekeySeconds ?? 0 },
    passwordAuthentication: f.PasswordAuthentication ?? true,
    kbdInteractiveAuthentication: f.KbdInteractiveAuthentication ?? true,
    pubkeyAuthentication: f.PubkeyAuthentication ?? "yes",
    given: [...state.given],
    ignored: state.ignored,
    tokens,
  };
}

/**
 * Expands an IdentityFile or CertificateFile path of a resolved config: `~`, `%` tokens and
 * `${VAR}`. Throws a `RangeError` for an unknown token or an unset variable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandSshConfigPath, parseSshConfig, resolveSshConfig } from "@hush/ssh";
 * const file = parseSshConfig("IdentityFile ~/.ssh/%r@%h\n", { file: "cfg" });
 * const c = resolveSshConfig({ host: "db", files: [file], localUser: "me", home: "/home/me" });
 * assert.equal(expandSshConfigPath(c.identityFile[0], c), "/home/me/.ssh/me@db");
 * ```
 */
export function expandSshConfigPath(
  path: string,
  config: Pick<SshConfig, "tokens">,
  env: Record<string, string | undefined> = {},
): string {
  const home = config.tokens.d;
  return expandSshConfigString(expandTilde(path, { home, user: config.tokens.u }), {
    tokens: config.tokens,
    allowed: TOKEN_SETS.files,
    env,
  });
}
