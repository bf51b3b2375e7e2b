/**
 * Command-line parsing for `hush sftp` and `hush scp`, following OpenSSH's `sftp(1)` and
 * `scp(1)` where the flags overlap; both become `ssh` arguments for the connection.
 * @module
 */
import { addSshOption, quoted, type SshArgs, UsageError } from "./ssh_args.ts";

/** What `sftp [options] destination` asked for. */
export interface SftpArgs {
  /** The connection, as `ssh` would take it. */
  ssh: SshArgs;
  /** `-b file` (`-` for stdin): commands to run, stopping at the first that fails. */
  batchFile?: string;
  /** The path after `host:` (or in an `sftp://` URL): a directory to start in, or a file to get. */
  path?: string;
  /** `-r`: get and put copy directories. */
  recursive: boolean;
  /** `-p`: keep modes and times. */
  preserve: boolean;
  /** `-a`: resume interrupted transfers. */
  resume: boolean;
  /** `-f`: fsync each upload. */
  fsync: boolean;
  /** `-B bytes`: bytes per request. */
  bufferSize?: number;
  /** `-R n`: requests in flight. */
  requests?: number;
  /** `-s name`: the subsystem (`sftp`). */
  subsystem: string;
}

/** What `scp [options] source… target` asked for. */
export interface ScpArgs {
  /** Connection options (no destination: each operand names its own host). */
  ssh: SshArgs;
  /** The operands: `[user@]host:path`, `scp://…`, or a local path. */
  sources: string[];
  target: string;
  recursive: boolean;
  preserve: boolean;
  /** `-q`: no progress meter. */
  quiet: boolean;
  /** `-B bytes` (an sftp option, `-X buffer=`): bytes per request. */
  bufferSize?: number;
  /** `-X nrequests=n`: requests in flight. */
  requests?: number;
}

/** An `ssh` argument set with defaults, for `sftp` and `scp` to fill in. */
export function baseSshArgs(): SshArgs {
  return {
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
    dynamicForwards: [],
    configLines: [],
    printConfig: false,
    command: [],
  };
}

/**
 * Sets where `ssh` connects, as ssh's own command line does: the destination's user and port
 * count after `-P`, `-o` and `-i` (the first value wins), before the configuration files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { baseSshArgs, setDestination } from "./sftp_args.ts";
 * const ssh = baseSshArgs();
 * setDestination(ssh, { host: "example.org", user: "me", port: 2222 });
 * assert.deepEqual(ssh.configLines, ['User "me"', "Port 2222"]);
 * ```
 */
export function setDestination(
  ssh: SshArgs,
  remote: { host: string; user?: string; port?: number },
): void {
  ssh.host = remote.host;
  if (remote.user) ssh.configLines.push(`User ${quoted(remote.user)}`);
  if (remote.port !== undefined) ssh.configLines.push(`Port ${remote.port}`);
  if (ssh.port === undefined && ssh.options.has("port")) ssh.port = Number(ssh.options.get("port"));
  ssh.port ??= remote.port;
  if (ssh.user === undefined && ssh.options.has("user")) ssh.user = ssh.options.get("user");
  ssh.user ??= remote.user || undefined;
}

/** Flags with a value, per command. */
const SFTP_VALUE_FLAGS = new Set([
  "B",
  "b",
  "c",
  "D",
  "F",
  "i",
  "J",
  "l",
  "o",
  "P",
  "R",
  "S",
  "s",
  "X",
]);
const SCP_VALUE_FLAGS = new Set(["c", "D", "F", "i", "J", "l", "o", "P", "S", "X"]);

function positiveInteger(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`Invalid ${flag} value: ${v}`);
  return Number(v);
}

/** The flags shared by sftp and scp; returns false for a flag it does not know. */
function commonFlag(ssh: SshArgs, f: string, value: () => string): boolean {
  switch (f) {
    case "v":
      ssh.verbose++;
      return true;
    case "q":
      ssh.quiet = true;
      return true;
    case "4":
    case "6":
    case "C":
      return true;
    case "A":
      ssh.forwardAgent = true;
      return true;
    case "P": {
      const p = value();
      if (!/^\d+$/.test(p) || Number(p) > 65535) throw new UsageError(`Bad port '${p}'`);
      ssh.port ??= Number(p);
      ssh.configLines.push(`Port ${p}`);
      return true;
    }
    case "i": {
      const file = value();
      ssh.identityFiles.push(file);
      ssh.configLines.push(`IdentityFile ${quoted(file)}`);
      return true;
    }
    case "o":
      addSshOption(ssh, value());
      return true;
    case "F":
      ssh.configFile = value();
      return true;
    case "J": {
      const spec = value();
      ssh.jump = spec;
      ssh.configLines.push(`ProxyJump ${spec}`);
      return true;
    }
    case "c":
      addSshOption(ssh, `Ciphers=${value()}`);
      return true;
    case "l":
    case "S":
    case "D":
      throw new UsageError(`-${f} is not supported by Hush`);
    default:
      return false;
  }
}

/** Splits flags (grouped, values attached or next) from operands; `--` ends flags. */
function scan(
  argv: string[],
  valueFlags: Set<string>,
  onFlag: (f: string, value: () => string) => void,
): string[] {
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    for (let j = 1; j < arg.length; j++) {
      const f = arg[j];
      if (valueFlags.has(f)) {
        const rest = arg.slice(j + 1);
        const value = () => {
          if (rest) return rest;
          if (i + 1 >= argv.length) throw new UsageError(`option requires an argument -- ${f}`);
          return argv[++i];
        };
        onFlag(f, value);
        break;
      }
      onFlag(f, () => {
        throw new UsageError(`option -${f} takes no argument`);
      });
    }
  }
  return argv.slice(i);
}

/** A remote operand: `[user@]host:path` or `scp://`/`sftp://[user@]host[:port][/path]`. */
export interface RemoteSpec {
  user?: string;
  host: string;
  port?: number;
  path: string;
}

/**
 * Parses an operand naming a remote path, or returns `undefined` for a local one: as OpenSSH's
 * `colon()`, a `:` before any `/` (an IPv6 host in brackets) makes it remote.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRemote } from "./sftp_args.ts";
 * assert.deepEqual(
 *   parseRemote("me@host:docs/a.txt"),
 *   { user: "me", host: "host", path: "docs/a.txt" },
 * );
 * assert.deepEqual(
 *   parseRemote("scp://host:2222/tmp/x"),
 *   { host: "host", port: 2222, path: "/tmp/x" },
 * );
 * assert.equal(parseRemote("./a:b"), undefined);
 * ```
 */
export function parseRemote(operand: string): RemoteSpec | undefined {
  const url = /^(?:scp|sftp):\/\/(?:([^@/]*)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?(\/.*)?$/.exec(
    operand,
  );
  if (url) {
    const spec: RemoteSpec = {
      host: url[2].replace(/^\[(.*)\]$/, "$1"),
      path: url[4] ? decodeURIComponent(url[4].slice(1) === "" ? "" : url[4]) : "",
    };
    if (url[1]) spec.user = decodeURIComponent(url[1]);
    if (url[3]) spec.port = Number(url[3]);
    if (spec.path.startsWith("/~/")) spec.path = spec.path.slice(3);
    return spec;
  }
  if (operand.startsWith("/")) return undefined;
  let rest = operand;
  let user: string | undefined;
  const bracket = /^(?:([^@/]*)@)?\[([^\]]+)\]:(.*)$/s.exec(rest);
  if (bracket) {
    const spec: RemoteSpec = { host: bracket[2], path: bracket[3] };
    if (bracket[1]) spec.user = bracket[1];
    return spec;
  }
  const colon = rest.indexOf(":");
  const slash = rest.indexOf("/");
  if (colon <= 0 || (slash >= 0 && slash < colon)) return undefined;
  const at = rest.lastIndexOf("@", colon);
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const c = rest.indexOf(":");
  const spec: RemoteSpec = { host: rest.slice(0, c), path: rest.slice(c + 1) };
  if (user) spec.user = user;
  return spec;
}

/**
 * Parses `sftp`'s command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSftpArgs } from "./sftp_args.ts";
 * const a = parseSftpArgs(["-P", "2222", "-b", "cmds", "me@host:/srv"]);
 * assert.equal(a.ssh.port, 2222);
 * assert.equal(a.ssh.user, "me");
 * assert.equal(a.ssh.host, "host");
 * assert.equal(a.path, "/srv");
 * assert.equal(a.batchFile, "cmds");
 * ```
 */
export function parseSftpArgs(argv: string[]): SftpArgs {
  const ssh = baseSshArgs();
  const a: SftpArgs = {
    ssh,
    recursive: false,
    preserve: false,
    resume: false,
    fsync: false,
    subsystem: "sftp",
  };
  const rest = scan(argv, SFTP_VALUE_FLAGS, (f, value) => {
    if (commonFlag(ssh, f, value)) return;
    switch (f) {
      case "b":
        a.batchFile = value();
        // as OpenSSH: a batch never prompts
        addSshOption(ssh, "BatchMode=yes");
        return;
      case "r":
        a.recursive = true;
        return;
      case "p":
        a.preserve = true;
        return;
      case "a":
        a.resume = true;
        return;
      case "f":
        a.fsync = true;
        return;
      case "N":
        return;
      case "B":
        a.bufferSize = positiveInteger("buffer size", value());
        return;
      case "R":
        a.requests = positiveInteger("number of requests", value());
        return;
      case "s":
        a.subsystem = value();
        return;
      case "X": {
        const x = value();
        const m = /^(buffer|nrequests)=(\d+)$/.exec(x);
        if (!m) throw new UsageError(`Invalid -X option: ${x}`);
        if (m[1] === "buffer") a.bufferSize = positiveInteger("buffer", m[2]);
        else a.requests = positiveInteger("nrequests", m[2]);
        return;
      }
      default:
        throw new UsageError(`unknown option -- ${f}\n${SFTP_USAGE}`);
    }
  });
  if (rest.length !== 1) throw new UsageError(SFTP_USAGE);
  const dest = rest[0];
  const remote = parseRemote(dest) ??
    (dest.startsWith("sftp://") ? undefined : parseRemote(`${dest}:`));
  if (!remote || !remote.host) throw new UsageError(`Bad destination '${dest}'\n${SFTP_USAGE}`);
  setDestination(ssh, remote);
  if (remote.path) a.path = remote.path;
  return a;
}

/** What `sftp` prints for a bad command line. */
export const SFTP_USAGE =
  "usage: sftp [-afpqrv] [-B buffer_size] [-b batchfile] [-c cipher] [-F ssh_config]\n" +
  "          [-i identity_file] [-J destination] [-o ssh_option] [-P port]\n" +
  "          [-R num_requests] [-s subsystem] destination";

/** What `scp` prints for a bad command line. */
export const SCP_USAGE =
  "usage: scp [-pqrv] [-c cipher] [-F ssh_config] [-i identity_file] [-J destination]\n" +
  "           [-o ssh_option] [-P port] [-X sftp_option] source ... target";

/**
 * Parses `scp`'s command line. `-O` (the legacy scp protocol) is refused: Hush speaks SFTP, as
 * OpenSSH's scp does by default since 9.0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseScpArgs } from "./sftp_args.ts";
 * const a = parseScpArgs(["-rp", "-P", "2222", "dir", "me@host:/srv/"]);
 * assert.equal(a.recursive, true);
 * assert.equal(a.preserve, true);
 * assert.equal(a.ssh.port, 2222);
 * assert.deepEqual(a.sources, ["dir"]);
 * assert.equal(a.target, "me@host:/srv/");
 * ```
 */
export function parseScpArgs(argv: string[]): ScpArgs {
  const ssh = baseSshArgs();
  const a: ScpArgs = {
    ssh,
    sources: [],
    target: "",
    recursive: false,
    preserve: false,
    quiet: false,
  };
  const rest = scan(argv, SCP_VALUE_FLAGS, (f, value) => {
    if (commonFlag(ssh, f, value)) {
      if (f === "q") a.quiet = true;
      return;
    }
    switch (f) {
      case "r":
        a.recursive = true;
        return;
      case "p":
        a.preserve = true;
        return;
      case "s":
      case "T":
        return;
      case "B":
        addSshOption(ssh, "BatchMode=yes");
        return;
      case "O":
        throw new UsageError(
          "scp: -O (the legacy scp protocol) is not supported; Hush speaks SFTP",
        );
      case "X": {
        const x = value();
        const m = /^(buffer|nrequests)=(\d+)$/.exec(x);
        if (!m) throw new UsageError(`Invalid -X option: ${x}`);
        if (m[1] === "buffer") a.bufferSize = positiveInteger("buffer", m[2]);
        else a.requests = positiveInteger("nrequests", m[2]);
        return;
      }
      default:
        throw new UsageError(`unknown option -- ${f}\n${SCP_USAGE}`);
    }
  });
  if (rest.length < 2) throw new UsageError(SCP_USAGE);
  a.target = rest[rest.length - 1];
  a.sources = rest.slice(0, -1);
  return a;
}
