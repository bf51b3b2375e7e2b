/**
 * ProxyJump and `ssh -J` specs, read as OpenSSH reads them (`parse_jump`): comma-separated
 * hops, each `[user@]host[:port]` (`[…]` around an IPv6 address) or
 * `ssh://[user@]host[:port]`, outermost first; and the `ssh -G` form of one.
 * @module
 */

/**
 * One hop of a ProxyJump chain; without a user or port, ssh's own defaults apply (as when
 * connecting to the hop by name).
 *
 * @example
 * ```ts
 * import type { JumpHostSpec } from "@hush/ssh";
 * const hop: JumpHostSpec = { host: "bastion.example.org", user: "alice", port: 2222 };
 * ```
 */
export interface JumpHostSpec {
  /** The host name or address (without brackets). */
  host: string;
  /** The user to log in as. */
  user?: string;
  /** The port. */
  port?: number;
}

/** OpenSSH's `a2port` for a port in a host spec: 1–65535, else undefined. */
function hopPort(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** Splits `host[:port]` (or `[v6]:port`, or the old `host/port`) as OpenSSH's `hpdelim2`. */
function hostAndRest(s: string): { host: string; rest?: string; delim?: string } | undefined {
  let end: number;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close === -1) return undefined;
    end = close + 1;
  } else {
    end = s.search(/[:/]/);
    if (end === -1) end = s.length;
  }
  if (end === s.length) return { host: s };
  if (s[end] !== ":" && s[end] !== "/") return undefined;
  return { host: s.slice(0, end), rest: s.slice(end + 1), delim: s[end] };
}

/** Strips the brackets around an IPv6 address. */
function cleanHost(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** A host name an `ssh://` URI may hold (OpenSSH's `valid_domain`). */
function validDomain(host: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(host) && !host.includes("..") && !host.endsWith(".");
}

function parseUri(hop: string): JumpHostSpec | undefined {
  let rest = hop.slice("ssh://".length);
  const out: JumpHostSpec = { host: "" };
  const at = rest.indexOf("@");
  if (at !== -1) {
    // ";params" after the user are ignored, as OpenSSH ignores them
    const info = rest.slice(0, at).split(";")[0];
    if (info === "") return undefined;
    try {
      out.user = decodeURIComponent(info);
    } catch {
      return undefined;
    }
    rest = rest.slice(at + 1);
  }
  const split = hostAndRest(rest);
  if (!split || split.host === "") return undefined;
  out.host = cleanHost(split.host);
  if (!validDomain(out.host)) return undefined;
  if (split.rest && split.delim === ":") {
    const port = hopPort(split.rest.split("/")[0]);
    if (port === undefined) return undefined;
    out.port = port;
  }
  return out;
}

function parseUserHostPort(hop: string): JumpHostSpec | undefined {
  let rest = hop;
  const out: JumpHostSpec = { host: "" };
  const at = rest.lastIndexOf("@");
  if (at !== -1) {
    if (at === 0) return undefined;
    out.user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const split = hostAndRest(rest);
  if (!split || split.host === "") return undefined;
  out.host = cleanHost(split.host);
  if (split.rest) {
    const port = hopPort(split.rest);
    if (port === undefined) return undefined;
    out.port = port;
  }
  return out;
}

/**
 * Parses a ProxyJump / `-J` value into its hops, outermost first: `[]` for `none`, `undefined`
 * when a hop is not a valid `[user@]host[:port]` or `ssh://` URI. A `#` starts a comment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProxyJump } from "@hush/ssh";
 * assert.deepEqual(
 *   parseProxyJump("alice@bastion:2222,ssh://inner,[::1]:22"),
 *   [{ host: "bastion", user: "alice", port: 2222 }, { host: "inner" }, { host: "::1", port: 22 }],
 * );
 * assert.deepEqual(parseProxyJump("none"), []);
 * assert.equal(parseProxyJump("host:0"), undefined);
 * ```
 */
export function parseProxyJump(spec: string): JumpHostSpec[] | undefined {
  const text = spec.split("#")[0].replace(/[ \t\r\n]+$/, "");
  if (text.toLowerCase() === "none") return [];
  const hops: JumpHostSpec[] = [];
  for (const hop of text.split(",")) {
    const parsed = hop.startsWith("ssh://") ? parseUri(hop) : parseUserHostPort(hop);
    if (!parsed) return undefined;
    hops.push(parsed);
  }
  return hops;
}

/**
 * A ProxyJump as `ssh -G` prints it: the hops before the last as given, the last one
 * re-assembled (`[…]` around a numeric host).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatProxyJump } from "./proxy_jump_spec.ts";
 * assert.equal(formatProxyJump("a@j1:2200,ssh://b@10.0.0.1:23"), "a@j1:2200,b@[10.0.0.1]:23");
 * ```
 */
export function formatProxyJump(spec: string): string {
  const text = spec.split("#")[0].replace(/[ \t\r\n]+$/, "");
  const hops = parseProxyJump(text);
  if (!hops || hops.length === 0) return text;
  const last = hops[hops.length - 1];
  const comma = text.lastIndexOf(",");
  const extra = comma > 0 ? text.slice(0, comma) + "," : "";
  const numeric = last.host.includes(":") || /^[0-9.]*$/.test(last.host);
  return extra + (last.user !== undefined ? `${last.user}@` : "") +
    (numeric ? `[${last.host}]` : last.host) + (last.port !== undefined ? `:${last.port}` : "");
}
