/**
 * The values of the ssh_config options Hush acts on, each read and checked as OpenSSH reads
 * it (flags, ports, times, sizes, algorithm lists, forwardings, jump hosts…), with
 * OpenSSH's complaint for a bad one. A value is checked on every line read, whether its block
 * applies or not, as OpenSSH checks it.
 * @module
 */
import { type AlgorithmOption, checkAlgorithmSpec } from "./ssh_config_algorithms.ts";
import { configError, type SshConfigLocation } from "./ssh_config_error.ts";
import { parseForward, type SshForward } from "./ssh_config_forward.ts";
import { parseProxyJump } from "./proxy_jump_spec.ts";

/**
 * StrictHostKeyChecking's values (`true`/`yes`, `false`/`no`/`off`, `ask`, `accept-new`).
 *
 * @example
 * ```ts
 * import type { StrictHostKeyChecking } from "@hush/ssh";
 * const policy: StrictHostKeyChecking = "accept-new";
 * ```
 */
export type StrictHostKeyChecking = "yes" | "no" | "ask" | "accept-new";

/**
 * RequestTTY's values.
 *
 * @example
 * ```ts
 * import type { RequestTty } from "@hush/ssh";
 * const tty: RequestTty = "force";
 * ```
 */
export type RequestTty = "auto" | "yes" | "no" | "force";

/**
 * LogLevel's values (`DEBUG` is `DEBUG1`; `ssh -G` prints `QUIET` as `SILENT`).
 *
 * @example
 * ```ts
 * import type { LogLevel } from "@hush/ssh";
 * const level: LogLevel = "VERBOSE";
 * ```
 */
export type LogLevel =
  | "QUIET"
  | "FATAL"
  | "ERROR"
  | "INFO"
  | "VERBOSE"
  | "DEBUG"
  | "DEBUG2"
  | "DEBUG3";

/**
 * PubkeyAuthentication's values (`unbound` and `host-bound` are both yes, with or without
 * OpenSSH's host-bound signatures).
 *
 * @example
 * ```ts
 * import type { PubkeyAuthentication } from "@hush/ssh";
 * const p: PubkeyAuthentication = "yes";
 * ```
 */
export type PubkeyAuthentication = "yes" | "no" | "unbound" | "host-bound";

/** A value as read from one line, by option name. */
export interface SshConfigLineValues {
  /** HostName's value. */
  HostName: string;
  /** User's value. */
  User: string;
  /** Port's value. */
  Port: number;
  /** IdentityFile's value. */
  IdentityFile: string;
  /** IdentitiesOnly's value. */
  IdentitiesOnly: boolean;
  /** IdentityAgent's value. */
  IdentityAgent: string;
  /** CertificateFile's value. */
  CertificateFile: string;
  /** ProxyJump's value. */
  ProxyJump: string;
  /** ProxyCommand's value. */
  ProxyCommand: string;
  /** UserKnownHostsFile's value. */
  UserKnownHostsFile: string[];
  /** GlobalKnownHostsFile's value. */
  GlobalKnownHostsFile: string[];
  /** StrictHostKeyChecking's value. */
  StrictHostKeyChecking: StrictHostKeyChecking;
  /** HashKnownHosts's value. */
  HashKnownHosts: boolean;
  /** Ciphers's value. */
  Ciphers: string;
  /** KexAlgorithms's value. */
  KexAlgorithms: string;
  /** MACs's value. */
  MACs: string;
  /** HostKeyAlgorithms's value. */
  HostKeyAlgorithms: string;
  /** PubkeyAcceptedAlgorithms's value. */
  PubkeyAcceptedAlgorithms: string;
  /** Seconds; undefined for `none`. */
  ServerAliveInterval: number | undefined;
  /** ServerAliveCountMax's value. */
  ServerAliveCountMax: number;
  /** Seconds; undefined for `none`. */
  ConnectTimeout: number | undefined;
  /** LocalForward's value. */
  LocalForward: SshForward;
  /** RemoteForward's value. */
  RemoteForward: SshForward;
  /** DynamicForward's value. */
  DynamicForward: SshForward;
  /** ClearAllForwardings's value. */
  ClearAllForwardings: boolean;
  /** ExitOnForwardFailure's value. */
  ExitOnForwardFailure: boolean;
  /** `yes`/`no`, or a socket path / `$VAR` (which also means yes). */
  ForwardAgent: { on: boolean; path?: string };
  /** SendEnv's value. */
  SendEnv: string[];
  /** SetEnv's value. */
  SetEnv: string[];
  /** RequestTTY's value. */
  RequestTTY: RequestTty;
  /** BatchMode's value. */
  BatchMode: boolean;
  /** Compression's value. */
  Compression: boolean;
  /** LogLevel's value. */
  LogLevel: LogLevel;
  /** Bytes (0: the cipher's default) and, when given, seconds (`none`: null). */
  RekeyLimit: { bytes: number; seconds?: number | null };
  /** PasswordAuthentication's value. */
  PasswordAuthentication: boolean;
  /** KbdInteractiveAuthentication's value. */
  KbdInteractiveAuthentication: boolean;
  /** PubkeyAuthentication's value. */
  PubkeyAuthentication: PubkeyAuthentication;
  /** IgnoreUnknown's value. */
  IgnoreUnknown: string;
}

/** What a value reader gets: the arguments, the raw rest of the line, where it is. */
export interface ValueInput {
  /** The arguments, split as OpenSSH's `argv_split` splits them. */
  args: string[];
  /** The text after the keyword, unsplit (commands take it whole). */
  rest: string;
  /** The line. */
  where: SshConfigLocation;
  /** The lowercased keyword as written (for messages). */
  keyword: string;
  /** Environment for `${VAR}` checks, when known. */
  env?: Record<string, string | undefined>;
}

type Reader<K extends keyof SshConfigLineValues> = (input: ValueInput) => SshConfigLineValues[K];

function one(input: ValueInput, missing = "Missing argument."): string {
  const [arg, ...extra] = input.args;
  if (arg === undefined || arg === "") throw configError(input.where, missing);
  if (extra.length > 0) {
    throw configError(input.where, `keyword ${input.keyword} extra arguments at end of line`);
  }
  return arg;
}

function multistate<T>(table: Record<string, T>): (input: ValueInput) => T {
  return (input) => {
    const arg = one(input, "missing argument.");
    const key = arg.toLowerCase();
    if (!Object.hasOwn(table, key)) throw configError(input.where, `unsupported option "${arg}".`);
    return table[key];
  };
}

const flag = multistate<boolean>({ true: true, false: false, yes: true, no: false });

/**
 * OpenSSH's `convtime`: `90`, `1m30s`, `1h`, `2d`, `1w` (units s, m, h, d, w) to seconds;
 * `undefined` when it is not a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfigTime } from "./ssh_config_values.ts";
 * assert.equal(parseConfigTime("1h30m"), 5400);
 * assert.equal(parseConfigTime("soon"), undefined);
 * ```
 */
export function parseConfigTime(s: string): number | undefined {
  if (s === "") return undefined;
  const unit: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  const re = /(\d+)([smhdw]?)/iy;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m) return undefined;
    if (m[2] === "" && re.lastIndex !== s.length) return undefined;
    total += Number(m[1]) * unit[m[2].toLowerCase()];
    if (total > 0x7fffffff) return undefined;
    at = re.lastIndex;
  }
  return total;
}

function time(input: ValueInput): number | undefined {
  const arg = one(input, "missing time value.");
  if (arg === "none") return undefined;
  const t = parseConfigTime(arg);
  if (t === undefined) throw configError(input.where, "invalid time value.");
  return t;
}

/**
 * OpenSSH's `scan_scaled`: a byte count with an optional K, M, G, T, P or E suffix (powers of
 * 1024, a fraction allowed); `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfigSize } from "./ssh_config_values.ts";
 * assert.equal(parseConfigSize("1G"), 1073741824);
 * assert.equal(parseConfigSize("1.5k"), 1536);
 * ```
 */
export function parseConfigSize(s: string): number | undefined {
  const m = /^(\d+)(?:\.(\d+))?([bkmgtpe]?)$/i.exec(s);
  if (!m) return undefined;
  const power = "bkmgtpe".indexOf(m[3].toLowerCase());
  const scale = m[3] === "" ? 1 : 1024 ** Math.max(power, 0);
  const value = Math.floor(Number(`${m[1]}.${m[2] ?? "0"}`) * scale);
  return Number.isSafeInteger(value) ? value : undefined;
}

function agentPath(input: ValueInput, arg: string): string {
  const open = arg.indexOf("${");
  if (open !== -1) {
    const close = arg.indexOf("}", open);
    const name = close === -1 ? "" : arg.slice(open + 2, close);
    const unset = input.env !== undefined && name !== "" && input.env[name] === undefined;
    if (close === -1 || name === "" || unset) {
      throw configError(input.where, `Invalid environment expansion ${arg}.`);
    }
  }
  if (arg.startsWith("$") && arg[1] !== "{" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(arg.slice(1))) {
    throw configError(input.where, `Invalid environment name ${arg}.`);
  }
  return arg;
}

function fileList(input: ValueInput): string[] {
  for (const [i, arg] of input.args.entries()) {
    if (arg === "") throw configError(input.where, `keyword ${input.keyword} empty argument`);
    if (arg.toLowerCase() === "none" && (i > 0 || input.args.length > 1)) {
      throw configError(
        input.where,
        `keyword ${input.keyword} "none" argument must appear alone.`,
      );
    }
  }
  if (input.args.length > MAX_KNOWN_HOSTS_FILES) {
    throw configError(input.where, `too many ${input.keyword} entries.`);
  }
  return [...input.args];
}

/** At most this many known_hosts files per option, as OpenSSH (`SSH_MAX_HOSTS_FILES`). */
const MAX_KNOWN_HOSTS_FILES = 32;

function algorithms(option: AlgorithmOption): (input: ValueInput) => string {
  return (input) => {
    const spec = one(input);
    const bad = checkAlgorithmSpec(option, spec);
    if (bad) throw configError(input.where, bad);
    return spec;
  };
}

function forward(
  kind: "LocalForward" | "RemoteForward" | "DynamicForward",
): (input: ValueInput) => SshForward {
  return (input) => {
    const [first, second, ...extra] = input.args;
    if (first === undefined || first === "") {
      throw configError(input.where, "Missing port argument.");
    }
    let spec = first;
    let dynamic = kind === "DynamicForward";
    if (!dynamic) {
      if (second === undefined || second === "") {
        if (kind === "RemoteForward") dynamic = true;
        else throw configError(input.where, "Missing target argument.");
      } else {
        spec = `${first}:${second}`;
      }
    }
    if (extra.length > 0 || (kind === "DynamicForward" && second !== undefined)) {
      throw configError(input.where, `keyword ${input.keyword} extra arguments at end of line`);
    }
    const fwd = parseForward(spec, { dynamic, remote: kind === "RemoteForward" });
    if (!fwd) throw configError(input.where, "Bad forwarding specification.");
    return fwd;
  };
}

function command(input: ValueInput): string {
  if (input.rest === "") throw configError(input.where, "Missing argument.");
  return input.rest;
}

const LOG_LEVELS: Record<string, LogLevel> = {
  silent: "QUIET",
  quiet: "QUIET",
  fatal: "FATAL",
  error: "ERROR",
  info: "INFO",
  verbose: "VERBOSE",
  debug: "DEBUG",
  debug1: "DEBUG",
  debug2: "DEBUG2",
  debug3: "DEBUG3",
};

/**
 * The value reader of each option Hush acts on, by its ssh_config(5) name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VALUE_READERS } from "./ssh_config_values.ts";
 * const where = { file: "cfg", line: 1 };
 * assert.equal(VALUE_READERS.Port({ args: ["2222"], rest: "2222", where, keyword: "port" }), 2222);
 * ```
 */
export const VALUE_READERS: { [K in keyof SshConfigLineValues]: Reader<K> } = {
  HostName: (input) => one(input),
  User: (input) => one(input),
  Port: (input) => {
    const arg = one(input);
    const n = /^\d+$/.test(arg) ? Number(arg) : -1;
    if (n <= 0 || n > 65535) throw configError(input.where, `Bad port '${arg}'.`);
    return n;
  },
  IdentityFile: (input) => one(input),
  IdentitiesOnly: flag,
  IdentityAgent: (input) => agentPath(input, one(input)),
  CertificateFile: (input) => one(input),
  ProxyJump: (input) => {
    if (input.args.length === 0 || input.args[0] === "") {
      throw configError(input.where, "Missing argument.");
    }
    if (parseProxyJump(input.rest) === undefined) {
      throw configError(input.where, `Invalid ProxyJump "${input.rest}"`);
    }
    return input.rest.split("#")[0].replace(/[ \t\r\n]+$/, "");
  },
  ProxyCommand: command,
  UserKnownHostsFile: fileList,
  GlobalKnownHostsFile: fileList,
  StrictHostKeyChecking: multistate<StrictHostKeyChecking>({
    true: "yes",
    false: "no",
    yes: "yes",
    no: "no",
    ask: "ask",
    off: "no",
    "accept-new": "accept-new",
  }),
  HashKnownHosts: flag,
  Ciphers: algorithms("Ciphers"),
  KexAlgorithms: algorithms("KexAlgorithms"),
  MACs: algorithms("MACs"),
  HostKeyAlgorithms: algorithms("HostKeyAlgorithms"),
  PubkeyAcceptedAlgorithms: algorithms("PubkeyAcceptedAlgorithms"),
  ServerAliveInterval: time,
  ServerAliveCountMax: (input) => {
    const arg = one(input, "integer value missing.");
    if (!/^\d+$/.test(arg)) throw configError(input.where, "integer value invalid.");
    const n = Number(arg);
    if (n > 0x7fffffff) throw configError(input.where, "integer value too large.");
    return n;
  },
  ConnectTimeout: time,
  LocalForward: forward("LocalForward"),
  RemoteForward: forward("RemoteForward"),
  DynamicForward: forward("DynamicForward"),
  ClearAllForwardings: flag,
  ExitOnForwardFailure: flag,
  ForwardAgent: (input) => {
    const arg = one(input);
    const key = arg.toLowerCase();
    if (key === "yes" || key === "true") return { on: true };
    if (key === "no" || key === "false") return { on: false };
    return { on: true, path: agentPath(input, arg) };
  },
  SendEnv: (input) => {
    for (const arg of input.args) {
      if (arg === "" || arg.includes("=")) {
        throw configError(input.where, "Invalid environment name.");
      }
    }
    return [...input.args];
  },
  SetEnv: (input) => {
    const out: string[] = [];
    for (const arg of input.args) {
      if (!arg.includes("=")) throw configError(input.where, "Invalid SetEnv.");
      const name = arg.slice(0, arg.indexOf("="));
      // a name given twice on one line keeps its first value, as in OpenSSH
      if (!out.some((e) => e.slice(0, e.indexOf("=")) === name)) out.push(arg);
    }
    return out;
  },
  RequestTTY: multistate<RequestTty>({
    true: "yes",
    false: "no",
    yes: "yes",
    no: "no",
    force: "force",
    auto: "auto",
  }),
  BatchMode: flag,
  Compression: flag,
  LogLevel: (input) => {
    const arg = one(input);
    const level = Object.hasOwn(LOG_LEVELS, arg.toLowerCase())
      ? LOG_LEVELS[arg.toLowerCase()]
      : undefined;
    if (!level) throw configError(input.where, `unsupported log level '${arg}'`);
    return level;
  },
  RekeyLimit: (input) => {
    const [limit, interval, ...extra] = input.args;
    if (limit === undefined || limit === "") throw configError(input.where, "Missing argument.");
    let bytes = 0;
    if (limit !== "default") {
      const n = parseConfigSize(limit);
      if (n === undefined) {
        throw configError(input.where, `Bad number '${limit}': Invalid argument`);
      }
      if (n !== 0 && n < 16) throw configError(input.where, "RekeyLimit too small");
      bytes = n;
    }
    if (extra.length > 0) {
      throw configError(input.where, `keyword ${input.keyword} extra arguments at end of line`);
    }
    if (interval === undefined) return { bytes };
    if (interval === "none") return { bytes, seconds: null };
    const seconds = parseConfigTime(interval);
    if (seconds === undefined) throw configError(input.where, "invalid time value.");
    return { bytes, seconds };
  },
  PasswordAuthentication: flag,
  KbdInteractiveAuthentication: flag,
  PubkeyAuthentication: multistate<PubkeyAuthentication>({
    true: "yes",
    false: "no",
    yes: "yes",
    no: "no",
    unbound: "unbound",
    "host-bound": "host-bound",
  }),
  IgnoreUnknown: (input) => one(input),
};
