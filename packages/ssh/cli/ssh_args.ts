/**
 * Command-line parsing for `hush ssh`, following OpenSSH's `ssh(1)` where the flags overlap.
 * Besides the flags themselves, the command line becomes the ssh_config lines it amounts to
 * (`-p 2222` is `Port 2222`, `-i k` is `IdentityFile k`, `-o` lines as given, `user@` last),
 * which are resolved before the configuration files, as OpenSSH does.
 * @module
 */
import { matchHostPatternList } from "@hush/hostkeys";
import { SshError } from "@hush/wire";
import { SshConfigError } from "../ssh_config_error.ts";
import { parseForward } from "../ssh_config_forward.ts";
import { parseSshConfig } from "../ssh_config_parse.ts";
import { parseProxyJump } from "../proxy_jump_spec.ts";

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
  /**
   * The ssh_config lines the command line amounts to, in the order they apply: `-o` options
   * and the flags that set options (`-p`, `-l`, `-i`, `-J`, `-L`, `-R`, `-D`), then the user
   * and port of the destination. They come before the configuration files; first value wins.
   */
  configLines: string[];
  /** `-F file`: this configuration file instead of ~/.ssh/config and /etc/ssh/ssh_config. */
  configFile?: string;
  /** `-G`: print the resolved configuration and exit. */
  printConfig: boolean;
  noCommand: boolean;
  /** `-T` false, `-t` true, neither undefined (a pty only for a shell on a terminal). */
  tty?: boolean;
  /** How many `-t` were given: `-tt` forces a pty even when stdin is not a terminal. */
  ttyCount: number;
  /** `-q`: no warnings or diagnostics. */
  quiet: boolean;
  /** Whether `-q` came after the last `-v` (then it sets the log level). */
  quietLast?: boolean;
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
  /** `-D [bind:]port` specs, as given. */
  dynamicForwards: string[];
  command: string[];
}

/**
 * An error in the command line or a command-line tool's configuration (exit status 255, as
 * ssh). Extends `SshError` with the stable `code` `"ERR_SSH_USAGE"`.
 */
export class UsageError extends SshError {
  constructor(message: string) {
    super("ERR_SSH_USAGE", message);
    this.name = "UsageError";
  }
}

/**
 * Parses a forwarding spec `[bind_address:]port:host:hostport` (IPv6 in brackets).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseForwardSpec } from "./ssh_args.ts";
 * assert.deepEqual(
 *   parseForwardSpec("8080:localhost:80"),
 *   { bindPort: 8080, host: "localhost", hostPort: 80 },
 * );
 * ```
 */
export function parseForwardSpec(spec: string, kind: "local" | "remote" = "local"): ForwardSpec {
  const fwd = parseForward(spec, { remote: kind === "remote" });
  if (!fwd) throw new UsageError(`Bad ${kind} forwarding specification '${spec}'`);
  if (fwd.listenPath !== undefined || fwd.connectPath !== undefined) {
    throw new UsageError(`Unix socket forwarding is not supported: '${spec}'`);
  }
  return {
    ...(fwd.listenHost !== undefined ? { bindAddress: fwd.listenHost } : {}),
    bindPort: fwd.listenPort!,
    host: fwd.connectHost!,
    hostPort: fwd.connectPort!,
  };
}

/** A host in a forwarding spec, in brackets when it holds colons (IPv6). */
function specHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** The two arguments of a LocalForward/RemoteForward line for a `-L`/`-R` spec. */
function forwardLine(keyword: string, f: ForwardSpec): string {
  const listen = f.bindAddress !== undefined
    ? `${specHost(f.bindAddress)}:${f.bindPort}`
    : `${f.bindPort}`;
  return `${keyword} ${listen} ${specHost(f.host)}:${f.hostPort}`;
}

/**
 * An ssh_config argument quoted so that it reads back as given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoted } from "./ssh_args.ts";
 * assert.equal(quoted('my "key"'), '"my \\"key\\""');
 * ```
 */
export function quoted(arg: string): string {
  return `"${arg.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * Parses `ssh`'s command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshArgs } from "./ssh_args.ts";
 * const a = parseSshArgs(["-p", "2222", "-o", "BatchMode=yes", "me@host", "echo", "hi"]);
 * assert.equal(a.port, 2222);
 * assert.equal(a.user, "me");
 * assert.equal(a.host, "host");
 * assert.deepEqual(a.command, ["echo", "hi"]);
 * ```
 */
export function parseSshArgs(argv: string[]): SshArgs {
  const a: SshArgs = {
    verbose: 0,
    host: "",
    identityFiles: [],
    options: new Map(),
    configLines: [],
    printConfig: false,
    noCommand: false,
    ttyCount: 0,
    quiet: false,
    noStdin: false,
    version: false,
    localForwards: [],
    remoteForwards: [],
    dynamicForwards: [],
    command: [],
  };
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
          a.quietLast = false;
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
          a.quietLast = true;
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
        case "G":
          a.printConfig = true;
          break;
        case "p": {
          const p = take("-p");
          if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) {
            throw new UsageError(`Bad port '${p}'`);
          }
          a.port ??= Number(p);
          a.configLines.push(`Port ${p}`);
          break;
        }
        case "l": {
          const user = take("-l");
          a.user ??= user;
          a.configLines.push(`User ${quoted(user)}`);
          break;
        }
        case "i": {
          const file = take("-i");
          a.identityFiles.push(file);
          a.configLines.push(`IdentityFile ${quoted(file)}`);
          break;
        }
        case "F":
          a.configFile = take("-F");
          break;
        case "J": {
          const spec = take("-J");
          if (a.jump !== undefined) {
            throw new UsageError(
              "Only a single -J option is permitted (use commas to separate multiple jump hops)",
            );
          }
          if (!parseProxyJump(spec)) throw new UsageError("Invalid -J argument");
          a.jump = spec;
          a.configLines.push(`ProxyJump ${spec}`);
          break;
        }
        case "W": {
          const spec = take("-W");
          const m = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d+)$/.exec(spec);
          if (!m || Number(m[3]) > 65535) {
            throw new UsageError(`Bad stdio forwarding specification '${spec}'`);
          }
          a.stdioForward = { host: m[1] ?? m[2], port: Number(m[3]) };
          break;
        }
        case "L": {
          const f = parseForwardSpec(take("-L"), "local");
          a.localForwards.push(f);
          a.configLines.push(forwardLine("LocalForward", f));
          break;
        }
        case "R": {
          const f = parseForwardSpec(take("-R"), "remote");
          a.remoteForwards.push(f);
          a.configLines.push(forwardLine("RemoteForward", f));
          break;
        }
        case "D": {
          const spec = take("-D");
          const f = parseForward(spec, { dynamic: true });
          if (!f || f.listenPath !== undefined) {
            throw new UsageError(`Bad dynamic forwarding specification '${spec}'`);
          }
          a.dynamicForwards.push(spec);
          a.configLines.push(`DynamicForward ${spec}`);
          break;
        }
        case "o":
          addSshOption(a, take("-o"));
          break;
        case "c": // as OpenSSH: -c and -m are Ciphers= and MACs= given on the command line
          addSshOption(a, `Ciphers=${take("-c")}`);
          break;
        case "m":
          addSshOption(a, `MACs=${take("-m")}`);
          break;
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
  let destUser: string | undefined;
  let destPort: number | undefined;
  if (dest.startsWith("ssh://")) {
    const u = new URL(dest);
    if (u.username) destUser = decodeURIComponent(u.username);
    if (u.port) destPort = Number(u.port);
    dest = u.hostname;
  }
  const at = dest.lastIndexOf("@");
  if (at >= 0) {
    destUser = dest.slice(0, at);
    dest = dest.slice(at + 1);
  }
  // as OpenSSH: -l, -p and -o, given before, win over the destination's user and port
  if (destUser !== undefined) a.configLines.push(`User ${quoted(destUser)}`);
  if (destPort !== undefined) a.configLines.push(`Port ${destPort}`);
  a.host = dest;
  a.command = argv.slice(i);
  // as OpenSSH: names that would be shell syntax in a ProxyCommand or Match exec are refused
  if (!validHostname(a.host)) throw new UsageError("hostname contains invalid characters");
  for (const user of [a.user, a.options.get("user"), destUser]) {
    if (user !== undefined && !validRemoteUser(user)) {
      throw new UsageError("remote username contains invalid characters");
    }
  }
  if (a.port === undefined && a.options.has("port")) a.port = Number(a.options.get("port"));
  a.port ??= destPort;
  if (a.user === undefined && a.options.has("user")) a.user = a.options.get("user");
  a.user ??= destUser;
  return a;
}

/** OpenSSH's `valid_hostname`: no shell metacharacters, whitespace or leading `-`. */
function validHostname(s: string): boolean {
  if (s.startsWith("-") || /['`"$\\;&<>|(){}\s]/.test(s)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false; // control characters
  }
  return true;
}

/** OpenSSH's `valid_ruser` for a user given on the command line. */
function validRemoteUser(s: string): boolean {
  return s !== "" && !/['`";&<>|(){}]/.test(s) && !/\s-/.test(s) && !s.endsWith("\\");
}

/**
 * Takes one `-o` option: checked as an ssh_config line (a bad value or an unknown keyword is a
 * UsageError in OpenSSH's words, unless an earlier `-o IgnoreUnknown` lists it), recorded in
 * `options` (first value wins; IdentityFile and SendEnv add up) and in `configLines`. `sftp` and
 * `scp` take `-o` the same way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addSshOption } from "./ssh_args.ts";
 * const a = { options: new Map<string, string>(), identityFiles: [] as string[], configLines: [] as string[] };
 * addSshOption(a, "BatchMode=yes");
 * addSshOption(a, "IdentityFile ~/.ssh/other");
 * assert.equal(a.options.get("batchmode"), "yes");
 * assert.deepEqual(a.identityFiles, ["~/.ssh/other"]);
 * ```
 */
export function addSshOption(
  a: Pick<SshArgs, "options" | "identityFiles" | "configLines">,
  text: string,
): void {
  let entry;
  try {
    entry = parseSshConfig(text, { file: "command-line", commandLine: true }).entries[0];
  } catch (e) {
    if (e instanceof SshConfigError) throw new UsageError(e.message);
    throw e;
  }
  if (!entry || entry.kind !== "option") throw new UsageError(`Bad -o option '${text}'`);
  const value = text.replace(/^\s*[A-Za-z0-9]+\s*=?\s*/, "").replace(/\s+$/, "");
  if (!entry.info) {
    const ignore = a.options.get("ignoreunknown");
    if (ignore === undefined || matchHostPatternList(entry.keyword, ignore) !== "match") {
      throw new UsageError(`command-line: line 0: Bad configuration option: ${entry.keyword}`);
    }
    return;
  }
  a.configLines.push(text);
  const key = entry.info.name.toLowerCase();
  if (key === "identityfile") a.identityFiles.push(value);
  else if (key === "sendenv") {
    a.options.set("sendenv", `${a.options.get("sendenv") ?? ""} ${value}`.trim());
  } else if (!a.options.has(key)) a.options.set(key, value);
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
 * import assert from "node:assert/strict";
 * import { parseJumpHosts } from "./ssh_args.ts";
 * assert.deepEqual(
 *   parseJumpHosts("alice@bastion:2222,ssh://inner"),
 *   [{ host: "bastion", user: "alice", port: 2222 }, { host: "inner" }],
 * );
 * ```
 */
export function parseJumpHosts(spec: string): JumpHost[] {
  const hops = parseProxyJump(spec);
  if (!hops || hops.length === 0) throw new UsageError(`Bad jump host '${spec}'`);
  return hops;
}

/**
 * Parses an algorithm list option the way ssh_config does: a plain list replaces the default,
 * `+list` appends, `-list` removes (wildcards allowed), `^list` puts first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { algorithmList } from "./ssh_args.ts";
 * assert.deepEqual(
 *   algorithmList("-aes*", ["aes128-ctr", "chacha20-poly1305@openssh.com"]),
 *   ["chacha20-poly1305@openssh.com"],
 * );
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
 * import assert from "node:assert/strict";
 * import { parseSize } from "./ssh_args.ts";
 * assert.equal(parseSize("16M"), 16777216);
 * ```
 */
export function parseSize(s: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(s.trim());
  if (!m) throw new UsageError(`Bad size '${s}'`);
  const mult =
    { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as "" | "K" | "M" | "G"];
  return Number(m[1]) * mult;
}
