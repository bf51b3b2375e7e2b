/**
 * Turns `hush sshd`'s parsed command line into what the server runs with: listen address,
 * algorithm lists (OpenSSH's `+`/`-`/`^` syntax), limits, authentication sources and
 * forwarding switches. No I/O here: files are read by the caller.
 * @module
 */
import { CIPHERS, DEFAULT_CIPHERS, DEFAULT_MACS, MACS } from "@hush/cipher";
import { type AlgorithmPreferences, DEFAULT_KEX } from "@hush/kex";
import { DEFAULT_HOST_KEY_ALGORITHMS, DEFAULT_SERVER_COMPRESSION } from "@hush/transport";
import { DEFAULT_MAX_SESSIONS } from "../max_sessions.ts";
import { DEFAULT_MAX_STARTUPS, type MaxStartups, parseMaxStartups } from "../max_startups.ts";
import { algorithmList, parseSize, UsageError } from "./ssh_args.ts";
import { parseTime, type SshdArgs, yesNo } from "./sshd_args.ts";
import { LogLevel, parseLogLevel } from "./sshd_log.ts";

/**
 * The settings of a `hush sshd` run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshdArgs } from "./sshd_args.ts";
 * import { type SshdSettings, sshdSettings } from "./sshd_config.ts";
 * const s: SshdSettings = sshdSettings(parseSshdArgs(["-o", "MaxAuthTries=3"]));
 * assert.equal(s.maxAuthTries, 3);
 * assert.equal(s.loginGraceTime, 120000);
 * ```
 */
export interface SshdSettings {
  /** Address to listen on (`0.0.0.0`, as OpenSSH). */
  listenAddress: string;
  /** Port (22; 0 picks a free one). */
  port: number;
  /** Algorithm lists that differ from the defaults. */
  algorithms: Partial<AlgorithmPreferences>;
  /** Rekey after this many bytes. */
  rekeyBytes?: number;
  /** Rekey after this many milliseconds. */
  rekeyInterval?: number;
  /** MaxAuthTries (6). */
  maxAuthTries: number;
  /** LoginGraceTime in milliseconds (120 000; 0: none). */
  loginGraceTime: number;
  /** ClientAliveInterval in milliseconds (0: no keepalives, as OpenSSH's default). */
  clientAliveInterval: number;
  /** ClientAliveCountMax (3; 0 never drops a client). */
  clientAliveCountMax: number;
  /** MaxStartups (10:30:100). */
  maxStartups: MaxStartups;
  /** MaxSessions: sessions open at once per connection (10; 0: forwarding only). */
  maxSessions: number;
  /** AuthorizedKeysFile paths with %h/%u/%% tokens, or `undefined` for the default. */
  authorizedKeysFiles?: string[];
  /**
   * AllowUsers patterns (`*`, `?`): the user names served. Without it, the current OS user and
   * the PasswordFile's users.
   */
  allowUsers?: string[];
  /** PubkeyAuthentication (yes). */
  pubkey: boolean;
  /** PasswordFile to check passwords against, when PasswordAuthentication is on. */
  passwordFile?: string;
  /** AllowTcpForwarding: which directions are allowed (no by default). */
  forwarding: { local: boolean; remote: boolean };
  /** AllowAgentForwarding (yes, as OpenSSH's): `ssh -A` sessions get an SSH_AUTH_SOCK. */
  agentForwarding: boolean;
  /** GatewayPorts: where `-R` listeners bind (`clientspecified` by default). */
  gatewayPorts: "no" | "yes" | "clientspecified";
  /** StateDirectory for the generated host key, when given. */
  stateDirectory?: string;
  /** Banner file, when given. */
  banner?: string;
  /** LogLevel (INFO); `-d`, `-dd`, `-ddd` make it DEBUG1 to DEBUG3 whatever LogLevel says. */
  logLevel: LogLevel;
  /**
   * Subsystem commands by name (`Subsystem`): `sftp` is `internal-sftp` (the Hush server's own,
   * as OpenSSH's) unless given; any other command runs as `exec` would run it.
   */
  subsystems: Map<string, string>;
  /** ChrootDirectory (%h, %u): the root of internal-sftp sessions; commands are refused. */
  chrootDirectory?: string;
  /**
   * WebSocketListen (a Hush extension): also take SSH over WebSocket upgrades on this HTTP
   * address (`host:port`, port 0 picks one), for browser pages; WebSocketOrigins lists the
   * page origins allowed besides the port's own.
   */
  webSocket?: { hostname: string; port: number; origins: string[] };
}

/**
 * The default `AuthorizedKeysFile`, relative to the home directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_AUTHORIZED_KEYS } from "./sshd_config.ts";
 * assert.equal(DEFAULT_AUTHORIZED_KEYS.join(" "), ".ssh/authorized_keys .ssh/authorized_keys2");
 * ```
 */
export const DEFAULT_AUTHORIZED_KEYS: readonly string[] = [
  ".ssh/authorized_keys",
  ".ssh/authorized_keys2",
];

function list(
  spec: string | undefined,
  defaults: readonly string[],
  all: readonly string[],
  what: string,
): string[] | undefined {
  if (spec === undefined) return undefined;
  const names = algorithmList(spec, defaults, all);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) {
    throw new UsageError(`Bad ${what} spec '${spec}': unsupported ${unknown.join(",")}`);
  }
  if (names.length === 0) throw new UsageError(`Bad ${what} spec '${spec}': nothing left`);
  return names;
}

/**
 * Parses `ListenAddress` (`host`, `host:port`, `[v6]:port`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListenAddress } from "./sshd_config.ts";
 * assert.deepEqual(parseListenAddress("127.0.0.1:2222"), { host: "127.0.0.1", port: 2222 });
 * assert.deepEqual(parseListenAddress("[::1]"), { host: "::1" });
 * ```
 */
export function parseListenAddress(v: string): { host: string; port?: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
  if (bracket) {
    return bracket[2] ? { host: bracket[1], port: Number(bracket[2]) } : { host: bracket[1] };
  }
  const hostPort = /^([^:]+):(\d+)$/.exec(v);
  if (hostPort) return { host: hostPort[1], port: Number(hostPort[2]) };
  return { host: v };
}

/**
 * The compression methods for sshd's `Compression`: `yes` (OpenSSH's default) and its old name
 * `delayed` allow `zlib@openssh.com` after `none`, `no` allows `none` alone. Undefined when not
 * set (the transport's server default, the same as `yes`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sshdCompression } from "./sshd_config.ts";
 * assert.deepEqual(sshdCompression("yes"), ["none", "zlib@openssh.com"]);
 * assert.deepEqual(sshdCompression("no"), ["none"]);
 * ```
 */
export function sshdCompression(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  switch (value.toLowerCase()) {
    case "yes":
    case "delayed":
      return [...DEFAULT_SERVER_COMPRESSION];
    case "no":
      return ["none"];
    default:
      throw new UsageError(`Bad Compression '${value}' (yes, delayed or no)`);
  }
}

/**
 * Resolves the settings from the command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshdArgs } from "./sshd_args.ts";
 * import { sshdSettings } from "./sshd_config.ts";
 * const s = sshdSettings(parseSshdArgs(["-p", "0", "-o", "Ciphers=aes128-ctr", "-o", "AllowTcpForwarding=local"]));
 * assert.equal(s.port, 0);
 * assert.deepEqual(s.algorithms.ciphers, ["aes128-ctr"]);
 * assert.deepEqual(s.forwarding, { local: true, remote: false });
 * ```
 */
export function sshdSettings(args: SshdArgs): SshdSettings {
  const o = args.options;
  const listen = parseListenAddress(o.get("listenaddress") ?? "0.0.0.0");
  const port = args.port ?? listen.port ?? 22;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Bad port '${port}'`);
  }
  const algorithms: Partial<AlgorithmPreferences> = {};
  const kex = list(o.get("kexalgorithms"), DEFAULT_KEX, DEFAULT_KEX, "KexAlgorithms");
  if (kex) algorithms.kex = kex;
  const ciphers = list(o.get("ciphers"), DEFAULT_CIPHERS, Object.keys(CIPHERS), "Ciphers");
  if (ciphers) algorithms.ciphers = ciphers;
  const macs = list(o.get("macs"), DEFAULT_MACS, Object.keys(MACS), "MACs");
  if (macs) algorithms.macs = macs;
  const hostKey = list(
    o.get("hostkeyalgorithms"),
    DEFAULT_HOST_KEY_ALGORITHMS,
    DEFAULT_HOST_KEY_ALGORITHMS,
    "HostKeyAlgorithms",
  );
  if (hostKey) algorithms.hostKey = hostKey;
  const compression = sshdCompression(o.get("compression"));
  if (compression) algorithms.compression = compression;

  let rekeyBytes: number | undefined, rekeyInterval: number | undefined;
  const rekey = o.get("rekeylimit");
  if (rekey !== undefined) {
    const [size, time] = rekey.trim().split(/\s+/);
    if (size !== "default" && size !== "none") rekeyBytes = parseSize(size);
    if (time !== undefined && time !== "none") rekeyInterval = parseTime(time);
    if (rekeyBytes !== undefined && rekeyBytes < 16) {
      throw new UsageError(`Bad RekeyLimit '${rekey}'`);
    }
  }
  const tries = o.get("maxauthtries");
  const maxAuthTries = tries === undefined ? 6 : Number(tries);
  if (!Number.isInteger(maxAuthTries) || maxAuthTries < 1 || maxAuthTries > 1000) {
    throw new UsageError(`Bad MaxAuthTries '${tries}'`);
  }
  const grace = o.get("logingracetime");
  const loginGraceTime = grace === undefined ? 120_000 : parseTime(grace);
  const alive = o.get("clientaliveinterval");
  const clientAliveInterval = alive === undefined ? 0 : parseTime(alive);
  const aliveMax = o.get("clientalivecountmax");
  const clientAliveCountMax = aliveMax === undefined ? 3 : Number(aliveMax);
  if (!Number.isInteger(clientAliveCountMax) || clientAliveCountMax < 0) {
    throw new UsageError(`Bad ClientAliveCountMax '${aliveMax}'`);
  }

  const startups = o.get("maxstartups");
  const maxStartups = startups === undefined ? DEFAULT_MAX_STARTUPS : parseMaxStartups(startups);
  if (!maxStartups) throw new UsageError(`Bad MaxStartups '${startups}' (start:rate:full)`);

  const sessions = o.get("maxsessions");
  const maxSessions = sessions === undefined ? DEFAULT_MAX_SESSIONS : Number(sessions);
  if (!/^\d+$/.test(sessions ?? "0")) {
    throw new UsageError(`Bad MaxSessions '${sessions}'`);
  }

  const akf = o.get("authorizedkeysfile");
  const authorizedKeysFiles = akf === undefined
    ? undefined
    : akf === "none"
    ? []
    : akf.split(/\s+/);
  const allow = o.get("allowusers");
  const allowUsers = allow === undefined ? undefined : allow.trim().split(/\s+/);
  if (allowUsers?.some((p) => p.includes("@"))) {
    throw new UsageError(`AllowUsers USER@HOST patterns are not supported: '${allow}'`);
  }
  const passwordFile = o.get("passwordfile");
  const passwordOn = yesNo(o.get("passwordauthentication"), passwordFile !== undefined);
  if (passwordOn && passwordFile === undefined) {
    throw new UsageError("PasswordAuthentication yes needs a PasswordFile (user:$scrypt$… lines)");
  }
  const fwd = (o.get("allowtcpforwarding") ?? "no").toLowerCase();
  const forwarding = {
    yes: { local: true, remote: true },
    all: { local: true, remote: true },
    local: { local: true, remote: false },
    remote: { local: false, remote: true },
    no: { local: false, remote: false },
  }[fwd];
  if (!forwarding) throw new UsageError(`Bad AllowTcpForwarding '${fwd}' (yes, no, local, remote)`);
  const chroot = o.get("chrootdirectory");
  const gatewayPorts = (o.get("gatewayports") ?? "clientspecified").toLowerCase();
  if (gatewayPorts !== "no" && gatewayPorts !== "yes" && gatewayPorts !== "clientspecified") {
    throw new UsageError(`Bad GatewayPorts '${gatewayPorts}' (no, yes, clientspecified)`);
  }
  let webSocket: SshdSettings["webSocket"];
  const wsListen = o.get("websocketlisten");
  if (wsListen !== undefined) {
    const ws = parseListenAddress(wsListen);
    if (ws.port === undefined || ws.port > 65535) {
      throw new UsageError(`Bad WebSocketListen '${wsListen}' (host:port)`);
    }
    const origins = (o.get("websocketorigins") ?? "").split(",").map((v) => v.trim())
      .filter((v) => v !== "");
    webSocket = { hostname: ws.host, port: ws.port, origins };
  }
  return {
    listenAddress: listen.host,
    gatewayPorts,
    port,
    algorithms,
    rekeyBytes,
    rekeyInterval,
    maxAuthTries,
    loginGraceTime,
    clientAliveInterval,
    clientAliveCountMax,
    maxStartups,
    maxSessions,
    authorizedKeysFiles,
    allowUsers,
    pubkey: yesNo(o.get("pubkeyauthentication"), true),
    passwordFile: passwordOn ? passwordFile : undefined,
    forwarding,
    agentForwarding: yesNo(o.get("allowagentforwarding"), true),
    stateDirectory: o.get("statedirectory"),
    banner: o.get("banner"),
    logLevel: args.debug > 0
      ? (LogLevel.DEBUG1 + Math.min(args.debug, 3) - 1) as LogLevel
      : o.has("loglevel")
      ? parseLogLevel(o.get("loglevel")!)
      : LogLevel.INFO,
    subsystems: parseSubsystems(args.subsystems),
    chrootDirectory: chroot === undefined || chroot.toLowerCase() === "none" ? undefined : chroot,
    webSocket,
  };
}

/**
 * Reads `Subsystem name command…` values: the first for a name wins, as in sshd_config; `sftp`
 * defaults to `internal-sftp`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSubsystems } from "./sshd_config.ts";
 * assert.equal(
 *   parseSubsystems(["sftp /usr/lib/openssh/sftp-server -l INFO"]).get("sftp"),
 *   "/usr/lib/openssh/sftp-server -l INFO",
 * );
 * assert.equal(parseSubsystems([]).get("sftp"), "internal-sftp");
 * ```
 */
export function parseSubsystems(values: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of values) {
    const m = /^(\S+)\s+(\S.*)$/.exec(v.trim());
    if (!m) throw new UsageError(`Bad Subsystem '${v}' (name command)`);
    if (!map.has(m[1])) map.set(m[1], m[2]);
  }
  if (!map.has("sftp")) map.set("sftp", "internal-sftp");
  return map;
}

/**
 * Expands `%h` (home), `%u` (user) and `%%` in an AuthorizedKeysFile path; a relative result is
 * taken from the home directory. The user name comes from the client, so a path segment that
 * holds `%u` must expand to a plain file name: `undefined` when it would be empty, `.`, `..` or
 * hold a `/` (whatever the name, `%u` never leaves the directory the path names).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandAuthorizedKeysPath } from "./sshd_config.ts";
 * assert.equal(
 *   expandAuthorizedKeysPath(".ssh/keys_%u", "alice", "/home/alice"),
 *   "/home/alice/.ssh/keys_alice",
 * );
 * assert.equal(expandAuthorizedKeysPath("/etc/keys/%u", "..", "/home/alice"), undefined);
 * ```
 */
export function expandAuthorizedKeysPath(
  path: string,
  user: string,
  home: string,
): string | undefined {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    let fromUser = false;
    const expanded = segment.replace(/%([%hu])/g, (_, t) => {
      if (t === "%") return "%";
      if (t === "h") return home;
      fromUser = true;
      return user;
    });
    if (fromUser && (/^\.{0,2}$/.test(expanded) || expanded.includes("/"))) return undefined;
    segments.push(expanded);
  }
  const expanded = segments.join("/");
  return expanded.startsWith("/") ? expanded : `${home.replace(/\/$/, "")}/${expanded}`;
}

/**
 * Whether `user` matches one of `patterns` (AllowUsers: `*` and `?` wildcards, case-sensitive
 * as user names are).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchUserPatterns } from "./sshd_config.ts";
 * assert.equal(matchUserPatterns("git", ["alice", "g?t"]), true);
 * assert.equal(matchUserPatterns("bob", ["a*"]), false);
 * ```
 */
export function matchUserPatterns(user: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globMatch(user, p));
}

/** `*`/`?` matching; backtracks only to the last `*`, so it is O(name × pattern) at worst. */
function globMatch(name: string, pattern: string): boolean {
  let n = 0, p = 0, star = -1, resume = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === name[n])) {
      n++;
      p++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}
