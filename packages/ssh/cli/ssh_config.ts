/**
 * Turns `ssh`'s parsed command line into settled connection settings, applying OpenSSH's
 * defaults: known_hosts and identity files under `~/.ssh`, StrictHostKeyChecking `ask` on a
 * terminal and `yes` under BatchMode, the agent from `SSH_AUTH_SOCK`, algorithm lists with
 * `+`/`-`/`^` modifiers.
 * @module
 */
import { CIPHERS, DEFAULT_CIPHERS, DEFAULT_MACS, MACS } from "@hush/cipher";
import type { HostKeyPolicy } from "@hush/hostkeys";
import { type AlgorithmPreferences, DEFAULT_KEX, KEX_METHODS } from "@hush/kex";
import { CERTIFICATE_ALGORITHMS, SIGNATURE_ALGORITHMS } from "@hush/keys";
import {
  COMPRESSION_PREFERRED,
  DEFAULT_HOST_KEY_ALGORITHMS,
  DEFAULT_SERVER_SIG_ALGS,
} from "@hush/transport";
import { algorithmList, parseJumpHosts, parseSize, type SshArgs, UsageError } from "./ssh_args.ts";
import { parseSetEnv } from "./ssh_env.ts";

/** The identity files ssh tries when none is named, in its order. */
export const DEFAULT_IDENTITY_FILES: readonly string[] = [
  "~/.ssh/id_ed25519",
  "~/.ssh/id_ecdsa",
  "~/.ssh/id_rsa",
];

/** Everything `ssh` needs to connect, after defaults. */
export interface SshSettings {
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
  /** `-J`/ProxyJump hops, outermost first, each with its user and port filled in. */
  jumps: { host: string; port: number; user: string }[];
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
}

/**
 * Reads a yes/no option value (`yes`/`no`, also `true`/`false`).
 *
 * @example
 * ```ts
 * import { yesNoOption } from "./ssh_config.ts";
 * console.log(yesNoOption("BatchMode", "yes")); // true
 * ```
 */
export function yesNoOption(name: string, v: string): boolean {
  if (/^(yes|true)$/i.test(v)) return true;
  if (/^(no|false)$/i.test(v)) return false;
  throw new UsageError(`Bad yes/no argument '${v}' for ${name}`);
}

function seconds(name: string, v: string): number {
  const m = /^(\d+)([smh]?)$/i.exec(v.trim());
  if (!m) throw new UsageError(`Invalid time value '${v}' for ${name}`);
  const unit = { "": 1000, s: 1000, m: 60_000, h: 3_600_000 }[
    m[2].toLowerCase() as "" | "s" | "m" | "h"
  ];
  return Number(m[1]) * unit;
}

const HOST_KEY_UNIVERSE = [
  ...Object.keys(CERTIFICATE_ALGORITHMS),
  ...Object.keys(SIGNATURE_ALGORITHMS),
];

/**
 * Applies OpenSSH's defaults to a parsed command line.
 *
 * @example
 * ```ts
 * import { parseSshArgs } from "./ssh_args.ts";
 * import { resolveSshSettings } from "./ssh_config.ts";
 * const s = resolveSshSettings(parseSshArgs(["-o", "BatchMode=yes", "me@example.org"]), {
 *   home: "/home/me",
 *   env: {},
 *   terminal: true,
 * });
 * console.log(s.user, s.port, s.policy, s.knownHostsFiles[0]); // me 22 yes /home/me/.ssh/known_hosts
 * ```
 */
export function resolveSshSettings(
  args: SshArgs,
  context: {
    home: string;
    env: Record<string, string | undefined>;
    terminal: boolean;
    user?: string;
  },
): SshSettings {
  const o = args.options;
  const home = (p: string) =>
    p === "~" ? context.home : p.startsWith("~/") ? `${context.home}/${p.slice(2)}` : p;
  const flag = (key: string, fallback: boolean) => {
    const v = o.get(key.toLowerCase());
    return v === undefined ? fallback : yesNoOption(key, v);
  };
  const batchMode = flag("BatchMode", false);
  let policy: HostKeyPolicy = batchMode || !context.terminal ? "yes" : "ask";
  const strict = o.get("stricthostkeychecking");
  if (strict !== undefined) {
    const s = strict.toLowerCase();
    if (s === "yes" || s === "true") policy = "yes";
    else if (s === "no" || s === "false" || s === "off") policy = "no";
    else if (s === "accept-new") policy = "accept-new";
    else if (s === "ask") policy = batchMode ? "yes" : "ask";
    else throw new UsageError(`Bad StrictHostKeyChecking argument '${strict}'`);
  }
  const knownFile = o.get("userknownhostsfile");
  const knownHostsFiles = (knownFile ?? "~/.ssh/known_hosts ~/.ssh/known_hosts2")
    .split(/\s+/).filter((f) => f && f.toLowerCase() !== "none").map(home);
  const globalFile = o.get("globalknownhostsfile") ?? "/etc/ssh/ssh_known_hosts";
  if (globalFile.toLowerCase() !== "none") {
    knownHostsFiles.push(...globalFile.split(/\s+/).map(home));
  }

  const explicit = args.identityFiles;
  const identityFiles = explicit.length
    ? explicit.map((p) => ({ path: home(p), explicit: true }))
    : DEFAULT_IDENTITY_FILES.map((p) => ({ path: home(p), explicit: false }));

  const identitiesOnly = flag("IdentitiesOnly", false);
  const agentOption = o.get("identityagent");
  let agentSocket: string | undefined = context.env.SSH_AUTH_SOCK || undefined;
  if (agentOption !== undefined) {
    agentSocket = agentOption.toLowerCase() === "none"
      ? undefined
      : agentOption === "SSH_AUTH_SOCK"
      ? context.env.SSH_AUTH_SOCK
      : home(agentOption.replace(/^\$(\w+)$/, (_, v) => context.env[v] ?? ""));
  }

  // ForwardAgent yes forwards $SSH_AUTH_SOCK (not IdentityAgent, as OpenSSH), or it names the
  // socket (a path or $VARIABLE); -A and -a turn it on and off whatever the option says.
  const forwardOption = o.get("forwardagent");
  const forwardNamed = forwardOption !== undefined && !/^(yes|true|no|false)$/i.test(forwardOption);
  const forwarding = args.forwardAgent ??
    (forwardOption !== undefined && !/^(no|false)$/i.test(forwardOption));
  const forwardAgentSocket = !forwarding
    ? undefined
    : forwardNamed
    ? home(forwardOption.replace(/^\$(\w+)$/, (_, v) => context.env[v] ?? "")) || undefined
    : context.env.SSH_AUTH_SOCK || undefined;

  const algorithms: Partial<AlgorithmPreferences> = {};
  const list = (key: string, defaults: readonly string[], all: readonly string[]) => {
    const v = o.get(key.toLowerCase());
    if (v === undefined) return undefined;
    const names = algorithmList(v, defaults, all);
    const unknown = names.filter((n) => !all.includes(n));
    if (unknown.length) throw new UsageError(`Bad SSH2 ${key} spec '${v}'.`);
    if (names.length === 0) throw new UsageError(`Bad SSH2 ${key} spec '${v}'.`);
    return names;
  };
  algorithms.kex = list("KexAlgorithms", DEFAULT_KEX, KEX_METHODS);
  algorithms.ciphers = list("Ciphers", DEFAULT_CIPHERS, Object.keys(CIPHERS));
  algorithms.macs = list("MACs", DEFAULT_MACS, Object.keys(MACS));
  algorithms.hostKey = list("HostKeyAlgorithms", DEFAULT_HOST_KEY_ALGORITHMS, HOST_KEY_UNIVERSE);
  // -C or Compression yes: OpenSSH's "zlib@openssh.com,zlib,none"; else the transport's
  // default, "none,zlib@openssh.com,zlib" (none first: off unless the server has only zlib).
  if (args.compression ?? flag("Compression", false)) {
    algorithms.compression = [...COMPRESSION_PREFERRED];
  }
  for (const k of Object.keys(algorithms) as (keyof AlgorithmPreferences)[]) {
    if (algorithms[k] === undefined) delete algorithms[k];
  }
  const pubkeySpec = o.get("pubkeyacceptedalgorithms") ?? o.get("pubkeyacceptedkeytypes");
  const pubkeyDefaults = [
    ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => a.includes("-cert-")),
    ...DEFAULT_SERVER_SIG_ALGS,
  ];
  const pubkeyAlgorithms = pubkeySpec === undefined
    ? pubkeyDefaults
    : algorithmList(pubkeySpec, pubkeyDefaults, HOST_KEY_UNIVERSE);

  const timeout = o.get("connecttimeout");
  const [rekey, rekeyTime] = o.get("rekeylimit")?.split(/\s+/) ?? [];
  const alive = o.get("serveraliveinterval");
  const aliveMax = o.get("serveralivecountmax");
  const logLevel = o.get("loglevel")?.toUpperCase();
  const requestTty = (o.get("requesttty") ?? "auto").toLowerCase();
  if (!["auto", "yes", "force", "no", "true", "false"].includes(requestTty)) {
    throw new UsageError(`Bad RequestTTY argument '${requestTty}'`);
  }
  const port = args.port ?? 22;
  const user = args.user ?? context.user ?? context.env.USER ?? "root";
  // -J wins over ProxyJump; "none" turns it off. A hop without a user or port uses ssh's own
  // defaults (the local user, 22), not the destination's, as OpenSSH does.
  const jumpSpec = args.jump ?? o.get("proxyjump");
  const jumps = jumpSpec === undefined || jumpSpec.toLowerCase() === "none"
    ? []
    : parseJumpHosts(jumpSpec).map((hop) => ({
      host: hop.host,
      port: hop.port ?? 22,
      user: hop.user ?? context.user ?? context.env.USER ?? "root",
    }));
  return {
    host: args.host,
    port,
    user,
    jumps,
    policy,
    batchMode,
    knownHostsFiles,
    identityFiles,
    agentSocket,
    forwardAgentSocket,
    identitiesOnly,
    passwordAuthentication: flag("PasswordAuthentication", true),
    kbdInteractiveAuthentication: flag("KbdInteractiveAuthentication", true),
    pubkeyAuthentication: flag("PubkeyAuthentication", true),
    pubkeyAlgorithms,
    pubkeyAlgorithmsGiven: pubkeySpec !== undefined,
    algorithms,
    connectTimeout: timeout === undefined || timeout === "none"
      ? undefined
      : seconds("ConnectTimeout", timeout),
    rekeyBytes: rekey === undefined || rekey === "default" ? undefined : parseSize(rekey),
    rekeyInterval: rekeyTime === undefined || rekeyTime === "none"
      ? undefined
      : seconds("RekeyLimit", rekeyTime),
    keepaliveInterval: alive === undefined ? undefined : seconds("ServerAliveInterval", alive),
    keepaliveCountMax: aliveMax === undefined ? undefined : Number(aliveMax),
    hashKnownHosts: flag("HashKnownHosts", false),
    exitOnForwardFailure: flag("ExitOnForwardFailure", false),
    sendEnv: (o.get("sendenv") ?? "").split(/\s+/).filter((p) => p !== ""),
    setEnv: parseSetEnv(o.get("setenv") ?? ""),
    quiet: args.quiet || logLevel === "QUIET" || logLevel === "FATAL" || logLevel === "ERROR",
    silent: args.quiet || logLevel === "QUIET" || logLevel === "FATAL",
    requestTty: requestTty === "true"
      ? "yes"
      : requestTty === "false"
      ? "no"
      : requestTty as "auto" | "yes" | "force" | "no",
  };
}
