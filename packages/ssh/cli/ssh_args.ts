/**
 * Command-line parsing for `hush ssh`, following OpenSSH's `ssh(1)` where the flags overlap.
 * @module
 */

/** A `-L` or `-R` forwarding spec: `[bind_address:]port:host:hostport`. */
export interface ForwardSpec {
  bindAddress?: string;
  bindPort: number;
  host: string;
  hostPort: number;
}

/** What `ssh [options] [user@]host [command…]` asked for. */
export interface SshArgs {
  verbose: number;
  port?: number;
  user?: string;
  host: string;
  identityFiles: string[];
  /** `-o Key=Value` settings, keys lower-cased as ssh_config is case-insensitive. */
  options: Map<string, string>;
  noCommand: boolean;
  /** `-T` false, `-t` true, neither undefined (a pty only for a shell on a terminal). */
  tty?: boolean;
  /** How many `-t` were given: `-tt` forces a pty even when stdin is not a terminal. */
  ttyCount: number;
  /** `-q`: no warnings or diagnostics. */
  quiet: boolean;
  /** `-n`: stdin from /dev/null. */
  noStdin: boolean;
  /** `-V`: print the version and exit. */
  version: boolean;
  /** `-C`: compression asked for (`Compression yes`), whatever `-o Compression` says. */
  compression?: boolean;
  /** `-A` true, `-a` false (the last one given), neither undefined (ForwardAgent decides). */
  forwardAgent?: boolean;
  /** `-J`: the jump hosts, as given (`[user@]host[:port]` or `ssh://…`, comma-separated). */
  jump?: string;
  /** `-W host:port`: stdin and stdout forwarded to `host:port` as the server sees it. */
  stdioForward?: { host: string; port: number };
  localForwards: ForwardSpec[];
  remoteForwards: ForwardSpec[];
  command: string[];
}

/** The `-o` keys Hush understands; others are rejected as OpenSSH rejects unknown keys. */
export const SSH_OPTION_KEYS: readonly string[] = [
  "KexAlgorithms",
  "Ciphers",
  "MACs",
  "HostKeyAlgorithms",
  "PubkeyAcceptedAlgorithms",
  "PubkeyAcceptedKeyTypes",
  "UserKnownHostsFile",
  "GlobalKnownHostsFile",
  "StrictHostKeyChecking",
  "BatchMode",
  "IdentitiesOnly",
  "IdentityAgent",
  "IdentityFile",
  "PasswordAuthentication",
  "KbdInteractiveAuthentication",
  "PubkeyAuthentication",
  "ConnectTimeout",
  "RekeyLimit",
  "Compression",
  "ServerAliveInterval",
  "ServerAliveCountMax",
  "LogLevel",
  "Port",
  "User",
  "HashKnownHosts",
  "UpdateHostKeys",
  "RequestTTY",
  "ExitOnForwardFailure",
  "ForwardAgent",
  "ProxyJump",
  "SetEnv",
  "SendEnv",
];

/** An error in the command line (exit status 255, as ssh). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses a forwarding spec `[bind_address:]port:host:hostport` (IPv6 in brackets).
 *
 * @example
 * ```ts
 * import { parseForwardSpec } from "./ssh_args.ts";
 * console.log(parseForwardSpec("8080:localhost:80")); // { bindPort: 8080, host: "localhost", hostPort: 80 }
 * ```
 */
export function parseForwardSpec(spec: string): ForwardSpec {
  const parts: string[] = [];
  let cur = "";
  let bracket = false;
  for (const ch of spec) {
    if (ch === "[") bracket = true;
    else if (ch === "]") bracket = false;
    else if (ch === ":" && !bracket) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  const port = (s: string) => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || n > 65535) {
      throw new UsageError(`Bad port '${s}' in forwarding spec ${spec}`);
    }
    return n;
  };
  if (parts.length === 3) {
    return { bindPort: port(parts[0]), host: parts[1], hostPort: port(parts[2]) };
  }
  if (parts.length === 4) {
    return {
      bindAddress: parts[0],
      bindPort: port(parts[1]),
      host: parts[2],
      hostPort: port(parts[3]),
    };
  }
  throw new UsageError(`Bad forwarding specification '${spec}'`);
}

/**
 * Parses `ssh`'s command line.
 *
 * @example
 * ```ts
 * import { parseSshArgs } from "./ssh_args.ts";
 * const a = parseSshArgs(["-p", "2222", "-o", "BatchMode=yes", "me@host", "echo", "hi"]);
 * console.log(a.port, a.user, a.host, a.command); // 2222 "me" "host" ["echo", "hi"]
 * ```
 */
export function parseSshArgs(argv: string[]): SshArgs {
  const a: SshArgs = {
    verbose: 0,
    host: "",
    identityFiles: [],
    options: new Map(),
    noCommand: false,
    ttyCount: 0,
    quiet: false,
    noStdin: false,
    version: false,
    localForwards: [],
    remoteForwards: [],
    command: [],
  };
  const known = new Map(SSH_OPTION_KEYS.map((k) => [k.toLowerCase(), k]));
  let i = 0;
  const value = (flag: string) => {
    if (i + 1 >= argv.length) throw new UsageError(`Option ${flag} needs an argument`);
    return argv[++i];
  };
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-") || arg === "-") break;
    if (arg === "--") {
      i++;
      break;
    }
    // flags may be grouped (-vvT); a flag taking a value takes the rest or the next word
    for (let j = 1; j < arg.length; j++) {
      const f = arg[j];
      const rest = arg.slice(j + 1);
      const take = (flag: string) => {
        if (rest) {
          j = arg.length;
          return rest;
        }
        j = arg.length;
        return value(flag);
      };
      switch (f) {
        case "v":
          a.verbose++;
          break;
        case "N":
          a.noCommand = true;
          break;
        case "T":
          a.tty = false;
          break;
        case "t":
          a.tty = true;
          a.ttyCount++;
          break;
        case "q":
          a.quiet = true;
          break;
        case "n":
          a.noStdin = true;
          break;
        case "V":
          a.version = true;
          break;
        case "A":
          a.forwardAgent = true;
          break;
        case "a":
          a.forwardAgent = false;
          break;
        case "C":
          a.compression = true;
          break;
        case "4":
        case "6":
        case "x":
          break;
        case "p": {
          const p = take("-p");
          if (!/^\d+$/.test(p) || Number(p) > 65535) throw new UsageError(`Bad port '${p}'`);
          a.port = Number(p);
          break;
        }
        case "l":
          a.user = take("-l");
          break;
        case "i":
          a.identityFiles.push(take("-i"));
          break;
        case "F": {
          const f = take("-F");
          if (f !== "none") throw new UsageError("Only -F none is supported");
          break;
        }
        case "J":
          a.jump = take("-J");
          break;
        case "W": {
          const spec = take("-W");
          const m = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d+)$/.exec(spec);
          if (!m || Number(m[3]) > 65535) {
            throw new UsageError(`Bad stdio forwarding specification '${spec}'`);
          }
          a.stdioForward = { host: m[1] ?? m[2], port: Number(m[3]) };
          break;
        }
        case "L":
          a.localForwards.push(parseForwardSpec(take("-L")));
          break;
        case "R":
          a.remoteForwards.push(parseForwardSpec(take("-R")));
          break;
        case "o": {
          const o = take("-o");
          const m = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*?)\s*$/.exec(o);
          if (!m) throw new UsageError(`Bad -o option '${o}'`);
          const key = known.get(m[1].toLowerCase());
          if (!key) throw new UsageError(`Unsupported option "${m[1]}"`);
          // IdentityFile adds up, as -i does, and so does SendEnv; for the other keys the first
          // value wins (ssh_config)
          if (key === "IdentityFile") a.identityFiles.push(m[2]);
          else if (key === "SendEnv") {
            a.options.set("sendenv", `${a.options.get("sendenv") ?? ""} ${m[2]}`.trim());
          } else if (!a.options.has(key.toLowerCase())) a.options.set(key.toLowerCase(), m[2]);
          break;
        }
        default:
          throw new UsageError(`Unknown option -${f}`);
      }
    }
  }
  if (i >= argv.length && a.version) return a;
  if (i >= argv.length) {
    throw new UsageError(
      "usage: ssh [-v] [-p port] [-l user] [-i file] [-o opt] [user@]host [command]",
    );
  }
  let dest = argv[i++];
  if (dest.startsWith("ssh://")) {
    const u = new URL(dest);
    if (u.username) a.user ??= decodeURIComponent(u.username);
    if (u.port) a.port ??= Number(u.port);
    dest = u.hostname;
  }
  const at = dest.lastIndexOf("@");
  if (at >= 0) {
    a.user = dest.slice(0, at);
    dest = dest.slice(at + 1);
  }
  a.host = dest;
  a.command = argv.slice(i);
  if (a.port === undefined && a.options.has("port")) a.port = Number(a.options.get("port"));
  if (a.user === undefined && a.options.has("user")) a.user = a.options.get("user");
  return a;
}

/** One hop of `-J`/ProxyJump; without a user or port, ssh's own defaults apply (local user, 22). */
export interface JumpHost {
  host: string;
  user?: string;
  port?: number;
}

/**
 * Parses a `-J`/ProxyJump value: comma-separated `[user@]host[:port]` or
 * `ssh://[user@]host[:port]` hops, in the order they are connected through.
 *
 * @example
 * ```ts
 * import { parseJumpHosts } from "./ssh_args.ts";
 * console.log(parseJumpHosts("alice@bastion:2222,ssh://inner")); // [{ host: "bastion", user: "alice", port: 2222 }, { host: "inner" }]
 * ```
 */
export function parseJumpHosts(spec: string): JumpHost[] {
  return spec.split(",").map((hop) => {
    let rest = hop.trim();
    const jump: JumpHost = { host: "" };
    if (rest.startsWith("ssh://")) {
      const u = new URL(rest);
      if (u.username) jump.user = decodeURIComponent(u.username);
      if (u.port) jump.port = Number(u.port);
      jump.host = u.hostname.replace(/^\[(.*)\]$/, "$1");
      if (!jump.host) throw new UsageError(`Bad jump host '${hop}'`);
      return jump;
    }
    const at = rest.lastIndexOf("@");
    if (at >= 0) {
      jump.user = rest.slice(0, at);
      rest = rest.slice(at + 1);
    }
    const m = /^(?:\[([^\]]+)\]|([^:\[\]]+))(?::(\d+))?$/.exec(rest);
    if (!m || (at >= 0 && !jump.user)) throw new UsageError(`Bad jump host '${hop}'`);
    jump.host = m[1] ?? m[2];
    if (m[3] !== undefined) {
      const port = Number(m[3]);
      if (port < 1 || port > 65535) throw new UsageError(`Bad port in jump host '${hop}'`);
      jump.port = port;
    }
    return jump;
  });
}

/**
 * Parses an algorithm list option the way ssh_config does: a plain list replaces the default,
 * `+list` appends, `-list` removes (wildcards allowed), `^list` puts first.
 *
 * @example
 * ```ts
 * import { algorithmList } from "./ssh_args.ts";
 * console.log(algorithmList("-aes*", ["aes128-ctr", "chacha20-poly1305@openssh.com"])); // ["chacha20-poly1305@openssh.com"]
 * ```
 */
export function algorithmList(
  spec: string,
  defaults: readonly string[],
  all?: readonly string[],
): string[] {
  const names = spec.slice(/^[+\-^]/.test(spec) ? 1 : 0).split(",").filter((s) => s);
  const match = (pattern: string, name: string) =>
    new RegExp(
      "^" + pattern.replace(/[.+()|{}$]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$",
    )
      .test(name);
  const universe = all ?? defaults;
  const expand = (list: string[]) =>
    list.flatMap((p) => (/[*?]/.test(p) ? universe.filter((n) => match(p, n)) : [p]));
  switch (spec[0]) {
    case "+":
      return [...defaults, ...expand(names).filter((n) => !defaults.includes(n))];
    case "-":
      return defaults.filter((n) => !names.some((p) => match(p, n)));
    case "^": {
      const first = expand(names);
      return [...first, ...defaults.filter((n) => !first.includes(n))];
    }
    default:
      return expand(names);
  }
}

/**
 * Parses a size such as `RekeyLimit 1G` (K, M, G suffixes, powers of 1024). Returns bytes.
 *
 * @example
 * ```ts
 * import { parseSize } from "./ssh_args.ts";
 * console.log(parseSize("16M")); // 16777216
 * ```
 */
export function parseSize(s: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(s.trim());
  if (!m) throw new UsageError(`Bad size '${s}'`);
  const mult =
    { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as "" | "K" | "M" | "G"];
  return Number(m[1]) * mult;
}
