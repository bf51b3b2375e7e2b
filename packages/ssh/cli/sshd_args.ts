/**
 * Command-line parsing for `hush sshd`, following OpenSSH's `sshd(8)` where the flags overlap.
 * @module
 */
import { UsageError } from "./ssh_args.ts";

/** What `sshd [-d] [-p port] [-h host_key]… [-o Key=Value]…` asked for. */
export interface SshdArgs {
  debug: number;
  port?: number;
  hostKeyFiles: string[];
  /** `HostCertificate` files, in order (each certifies one of the host keys). */
  hostCertificateFiles: string[];
  /** `-o` settings, keys lower-cased. */
  options: Map<string, string>;
  /** `Subsystem` values (`name command…`), in order; one per name, the first wins. */
  subsystems: string[];
}

/** The `-o` keys the Hush server understands. */
export const SSHD_OPTION_KEYS: readonly string[] = [
  "ListenAddress",
  "Port",
  "HostKey",
  "HostCertificate",
  "AuthorizedKeysFile",
  "AllowUsers",
  "PasswordAuthentication",
  "PasswordFile",
  "PubkeyAuthentication",
  "KexAlgorithms",
  "Ciphers",
  "MACs",
  "HostKeyAlgorithms",
  "RekeyLimit",
  "Compression",
  "MaxAuthTries",
  "LoginGraceTime",
  "ClientAliveInterval",
  "ClientAliveCountMax",
  "MaxStartups",
  "MaxSessions",
  "AllowTcpForwarding",
  "AllowAgentForwarding",
  "GatewayPorts",
  "StateDirectory",
  "Banner",
  "LogLevel",
  "Subsystem",
  "ChrootDirectory",
  "WebSocketListen",
  "WebSocketOrigins",
];

/**
 * Parses `sshd`'s command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshdArgs } from "./sshd_args.ts";
 * const a = parseSshdArgs(["-d", "-p", "0", "-o", "PasswordAuthentication=no"]);
 * assert.equal(a.port, 0);
 * assert.equal(a.options.get("passwordauthentication"), "no");
 * ```
 */
export function parseSshdArgs(argv: string[]): SshdArgs {
  const a: SshdArgs = {
    debug: 0,
    hostKeyFiles: [],
    hostCertificateFiles: [],
    options: new Map(),
    subsystems: [],
  };
  const known = new Map(SSHD_OPTION_KEYS.map((k) => [k.toLowerCase(), k]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (flag: string) => {
      if (arg.length > 2) return arg.slice(2);
      if (i + 1 >= argv.length) throw new UsageError(`Option ${flag} needs an argument`);
      return argv[++i];
    };
    if (arg === "--" && i === 0) {
      // `deno task sshd -- …` passes the `--` through
    } else if (/^-d+$/.test(arg)) {
      a.debug += arg.length - 1;
    } else if (arg.startsWith("-p")) {
      const p = next("-p");
      if (!/^\d+$/.test(p) || Number(p) > 65535) throw new UsageError(`Bad port '${p}'`);
      a.port = Number(p);
    } else if (arg.startsWith("-h")) {
      a.hostKeyFiles.push(next("-h"));
    } else if (arg.startsWith("-o")) {
      const o = next("-o");
      const m = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*?)\s*$/.exec(o);
      if (!m) throw new UsageError(`Bad -o option '${o}'`);
      const key = known.get(m[1].toLowerCase());
      if (!key) throw new UsageError(`Unsupported option "${m[1]}"`);
      if (key === "HostKey") a.hostKeyFiles.push(m[2]);
      else if (key === "HostCertificate") a.hostCertificateFiles.push(m[2]);
      else if (key === "Subsystem") a.subsystems.push(m[2]);
      else a.options.set(key.toLowerCase(), m[2]);
    } else if (arg === "-D" || arg === "-e") {
      // foreground and log-to-stderr are how Hush's sshd always runs
    } else {
      throw new UsageError(
        `Unknown option ${arg}\nusage: sshd [-d] [-p port] [-h host_key] [-o option]`,
      );
    }
  }
  if (a.port === undefined && a.options.has("port")) a.port = Number(a.options.get("port"));
  return a;
}

/**
 * Parses a yes/no option value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { yesNo } from "./sshd_args.ts";
 * assert.equal(yesNo("yes", false), true);
 * ```
 */
export function yesNo(v: string | undefined, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (/^(yes|true)$/i.test(v)) return true;
  if (/^(no|false)$/i.test(v)) return false;
  throw new UsageError(`Expected yes or no, got '${v}'`);
}

/**
 * Parses a time such as `LoginGraceTime 2m` (s, m, h suffixes). Returns milliseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTime } from "./sshd_args.ts";
 * assert.equal(parseTime("2m"), 120000);
 * ```
 */
export function parseTime(v: string): number {
  const m = /^(\d+)([smh]?)$/i.exec(v.trim());
  if (!m) throw new UsageError(`Bad time '${v}'`);
  const mult =
    { "": 1000, s: 1000, m: 60_000, h: 3_600_000 }[m[2].toLowerCase() as "" | "s" | "m" | "h"];
  return Number(m[1]) * mult;
}
