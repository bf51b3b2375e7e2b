/**
 * ssh_config's runtime expansions: `%` tokens (`%h` the host, `%p` the port, `%r` the remote
 * user, `%C` a hash of the four that name a connection, …), `${VAR}` environment variables,
 * and `~` for the home directory, as OpenSSH expands them.
 * @module
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

/**
 * The values of ssh_config's `%` tokens for one connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sshConfigTokens, type SshConfigTokens } from "./ssh_config_tokens.ts";
 * const t: SshConfigTokens = sshConfigTokens({
 *   host: "example.org", originalHost: "ex", port: 22, remoteUser: "me",
 *   localUser: "me", home: "/home/me", localHostname: "laptop.lan", uid: 1000,
 * });
 * assert.equal(t.L, "laptop");
 * assert.equal(t.l, "laptop.lan");
 * assert.equal(t.n, "ex");
 * ```
 */
export interface SshConfigTokens {
  /** `%C`: SHA-1 (hex) of `%l%h%p%r`. */
  C: string;
  /** `%d`: the local user's home directory. */
  d: string;
  /** `%h`: the remote host name (after HostName). */
  h: string;
  /** `%i`: the local user id. */
  i: string;
  /** `%k`: the host key alias, else the host as given. */
  k: string;
  /** `%L`: the local host name up to its first dot. */
  L: string;
  /** `%l`: the local host name. */
  l: string;
  /** `%n`: the host as given on the command line. */
  n: string;
  /** `%p`: the remote port. */
  p: string;
  /** `%r`: the remote user. */
  r: string;
  /** `%u`: the local user. */
  u: string;
}

/** What the `%` tokens are made from. */
export interface SshConfigTokenSource {
  /** The remote host (after HostName). */
  host: string;
  /** The host as given. */
  originalHost: string;
  /** The remote port. */
  port: number;
  /** The remote user. */
  remoteUser: string;
  /** The local user. */
  localUser: string;
  /** The local home directory. */
  home: string;
  /** The local host name (`hostname`), "" when not known. */
  localHostname?: string;
  /** The local user id, if there is one. */
  uid?: number;
  /** The host key alias, if any. */
  hostKeyAlias?: string;
}

/**
 * Computes the `%` token values for a connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sshConfigTokens } from "./ssh_config_tokens.ts";
 * const t = sshConfigTokens({
 *   host: "x", originalHost: "x", port: 22, remoteUser: "root",
 *   localUser: "root", home: "/root", localHostname: "vm",
 * });
 * assert.equal(t.C, "4f8e0550bf3371189ae207c2d5184ce91404fa01"); // sha1 of "vmx22root"
 * ```
 */
export function sshConfigTokens(source: SshConfigTokenSource): SshConfigTokens {
  const l = source.localHostname ?? "";
  const p = String(source.port);
  return {
    C: bytesToHex(sha1(utf8ToBytes(`${l}${source.host}${p}${source.remoteUser}`))),
    d: source.home,
    h: source.host,
    i: source.uid === undefined ? "" : String(source.uid),
    k: source.hostKeyAlias ?? source.originalHost,
    L: l.split(".")[0],
    l,
    n: source.originalHost,
    p,
    r: source.remoteUser,
    u: source.localUser,
  };
}

/** Token sets per keyword, as ssh_config(5) lists them. */
export const TOKEN_SETS = {
  /** IdentityFile, CertificateFile, UserKnownHostsFile, IdentityAgent, ForwardAgent, Match exec. */
  files: "CdhikLlnpru",
  /** HostName. */
  hostName: "h",
  /** ProxyCommand and ProxyJump. */
  proxy: "hnpr",
} as const;

/** Options for {@linkcode expandSshConfigString}. */
export interface ExpandOptions {
  /** Token values; only the letters in `allowed` may appear. */
  tokens?: Partial<SshConfigTokens>;
  /** The token letters this keyword accepts (all of `tokens` when not given). */
  allowed?: string;
  /** Environment for `${VAR}`; without it `${…}` is left as it is. */
  env?: Record<string, string | undefined>;
}

/**
 * Expands `%x` tokens and `${VAR}` in one pass, as OpenSSH's `percent_dollar_expand`. Throws a
 * `RangeError` for an unknown token, a lone `%` at the end, an unclosed `${` or an unset
 * variable (the caller says which line it came from).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandSshConfigString } from "./ssh_config_tokens.ts";
 * const s = expandSshConfigString("${HOME}/.ssh/%h_%%", { tokens: { h: "db" }, env: { HOME: "/home/me" } });
 * assert.equal(s, "/home/me/.ssh/db_%");
 * ```
 */
export function expandSshConfigString(text: string, options: ExpandOptions): string {
  const tokens = options.tokens as Record<string, string | undefined> | undefined;
  const allowed = options.allowed ?? Object.keys(tokens ?? {}).join("");
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (options.env && c === "$" && text[i + 1] === "{") {
      const end = text.indexOf("}", i + 2);
      if (end === -1) throw new RangeError(`Environment variable in '${text}' misses its '}'`);
      const name = text.slice(i + 2, end);
      if (name === "") throw new RangeError(`Empty environment variable name in '${text}'`);
      const value = Object.hasOwn(options.env, name) ? options.env[name] : undefined;
      if (typeof value !== "string") {
        throw new RangeError(`Environment variable \${${name}} has no value`);
      }
      out += value;
      i = end;
      continue;
    }
    if (c !== "%" || !tokens) {
      out += c;
      continue;
    }
    const key = text[++i];
    if (key === "%") {
      out += "%";
      continue;
    }
    if (key === undefined) throw new RangeError(`A lone '%' ends '${text}'`);
    const value = allowed.includes(key) ? tokens[key] : undefined;
    if (value === undefined) throw new RangeError(`Unknown token %${key} in '${text}'`);
    out += value;
  }
  return out;
}

/**
 * Expands a leading `~` or `~/` (or `~user` for the local user) to the home directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandTilde } from "./ssh_config_tokens.ts";
 * assert.equal(
 *   expandTilde("~/.ssh/config", { home: "/home/me", user: "me" }),
 *   "/home/me/.ssh/config",
 * );
 * assert.equal(expandTilde("~me/x", { home: "/home/me", user: "me" }), "/home/me/x");
 * ```
 */
export function expandTilde(path: string, local: { home: string; user?: string }): string {
  if (!path.startsWith("~")) return path;
  const slash = path.indexOf("/");
  const name = slash === -1 ? path.slice(1) : path.slice(1, slash);
  if (name !== "" && name !== local.user) return path;
  const rest = slash === -1 ? "" : path.slice(slash + 1);
  const home = local.home.endsWith("/") && local.home !== "/"
    ? local.home.slice(0, -1)
    : local.home;
  if (slash === -1) return home;
  return home === "/" ? `/${rest}` : `${home}/${rest}`;
}
