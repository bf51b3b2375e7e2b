/**
 * Forwarding specs as `ssh -L/-R/-D` and LocalForward, RemoteForward and DynamicForward take
 * them (OpenSSH's `parse_forward`): colon-separated fields, `[…]` around a field that holds
 * colons (IPv6), a `/` marking a Unix socket path; and their `ssh -G` form.
 * @module
 */

/**
 * One forwarding: where it listens and where it connects. A dynamic (SOCKS) forward has no
 * `connectPort`, and `connectHost` is `"socks"`, as in OpenSSH.
 *
 * @example
 * ```ts
 * import type { SshForward } from "./ssh_config_forward.ts";
 * const f: SshForward = { listenPort: 8080, connectHost: "localhost", connectPort: 80 };
 * ```
 */
export interface SshForward {
  /** The address to listen on; none means the default (loopback). */
  listenHost?: string;
  /** The port to listen on (0 lets a server pick, for remote forwards). */
  listenPort?: number;
  /** A Unix socket to listen on, instead of a port. */
  listenPath?: string;
  /** The host to connect to (`"socks"` for a dynamic forward). */
  connectHost?: string;
  /** The port to connect to (0 for a dynamic forward). */
  connectPort?: number;
  /** A Unix socket to connect to, instead of a host and port. */
  connectPath?: string;
}

/**
 * What a spec is for: `dynamic` (SOCKS, `-D`, or a RemoteForward without a target) takes
 * `[bind:]port` only; `remote` (`-R`) may listen on port 0 (the server picks).
 *
 * @example
 * ```ts
 * import type { ForwardKind } from "./ssh_config_forward.ts";
 * const socks: ForwardKind = { dynamic: true };
 * ```
 */
export interface ForwardKind {
  /** A SOCKS forward: `[bind:]port`, no target. */
  dynamic?: boolean;
  /** A remote forward (`-R`, RemoteForward). */
  remote?: boolean;
}

/** Host names and addresses longer than this are refused (`NI_MAXHOST` − 1). */
const HOST_LIMIT = 1024;
/** Socket paths this long or longer are refused (`sun_path`). */
const PATH_LIMIT = 108;

interface Field {
  arg: string;
  isPath: boolean;
}

function fields(spec: string): Field[] | undefined {
  const out: Field[] = [];
  let s = spec.replace(/^\s+/, "");
  while (out.length < 4 && s.length > 0) {
    if (s[0] === "[") {
      const end = s.indexOf("]");
      if (end === -1 || (s[end + 1] !== ":" && s[end + 1] !== undefined)) return undefined;
      const arg = s.slice(1, end);
      out.push({ arg, isPath: arg.includes("/") });
      s = s.slice(end + 2);
      continue;
    }
    let arg = "";
    let isPath = false;
    let i = 0;
    let ended = false;
    for (; i < s.length; i++) {
      const c = s[i];
      if (c === "\\") {
        if (i + 1 >= s.length) return undefined;
        arg += s[++i];
      } else if (c === ":") {
        ended = true;
        break;
      } else {
        if (c === "/") isPath = true;
        arg += c;
      }
    }
    out.push({ arg, isPath });
    s = ended ? s.slice(i + 1) : "";
  }
  if (s.length > 0) return undefined; // more than four fields
  return out;
}

/** OpenSSH's `a2port`: 0–65535, or -1. */
function port(s: string): number {
  if (!/^\d+$/.test(s)) return -1;
  const n = Number(s);
  return n > 65535 ? -1 : n;
}

/**
 * Parses a forwarding spec: `[bind:]port:host:hostport`, or `[bind:]port` for a dynamic one;
 * `[…]` around IPv6; `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseForward } from "./ssh_config_forward.ts";
 * assert.deepEqual(
 *   parseForward("127.0.0.1:8080:[::1]:80", {}),
 *   { listenHost: "127.0.0.1", listenPort: 8080, connectHost: "::1", connectPort: 80 },
 * );
 * assert.deepEqual(
 *   parseForward("1080", { dynamic: true }),
 *   { listenPort: 1080, connectHost: "socks", connectPort: 0 },
 * );
 * assert.equal(parseForward("8080", {}), undefined);
 * ```
 */
export function parseForward(spec: string, kind: ForwardKind): SshForward | undefined {
  const f = fields(spec);
  if (!f) return undefined;
  const fwd: SshForward = {};
  switch (f.length) {
    case 1:
      if (f[0].isPath) fwd.listenPath = f[0].arg;
      else fwd.listenPort = port(f[0].arg);
      fwd.connectHost = "socks";
      break;
    case 2:
      if (f[0].isPath && f[1].isPath) {
        fwd.listenPath = f[0].arg;
        fwd.connectPath = f[1].arg;
      } else if (f[1].isPath) {
        fwd.listenPort = port(f[0].arg);
        fwd.connectPath = f[1].arg;
      } else {
        fwd.listenHost = f[0].arg;
        fwd.listenPort = port(f[1].arg);
        fwd.connectHost = "socks";
      }
      break;
    case 3:
      if (f[0].isPath) {
        fwd.listenPath = f[0].arg;
        fwd.connectHost = f[1].arg;
        fwd.connectPort = port(f[2].arg);
      } else if (f[2].isPath) {
        fwd.listenHost = f[0].arg;
        fwd.listenPort = port(f[1].arg);
        fwd.connectPath = f[2].arg;
      } else {
        fwd.listenPort = port(f[0].arg);
        fwd.connectHost = f[1].arg;
        fwd.connectPort = port(f[2].arg);
      }
      break;
    case 4:
      fwd.listenHost = f[0].arg;
      fwd.listenPort = port(f[1].arg);
      fwd.connectHost = f[2].arg;
      fwd.connectPort = port(f[3].arg);
      break;
    default:
      return undefined;
  }
  const n = f.length;
  if (fwd.connectHost === "socks") fwd.connectPort ??= 0;
  if (kind.dynamic) {
    if (n !== 1 && n !== 2) return undefined;
  } else {
    if (n !== 3 && n !== 4 && fwd.connectPath === undefined && fwd.listenPath === undefined) {
      return undefined;
    }
    if (fwd.connectPath === undefined && !((fwd.connectPort ?? 0) > 0)) return undefined;
  }
  if (fwd.listenPath === undefined && (fwd.listenPort ?? 0) < 0) return undefined;
  if (!kind.remote && fwd.listenPath === undefined && fwd.listenPort === 0) return undefined;
  if ((fwd.connectHost?.length ?? 0) >= HOST_LIMIT) return undefined;
  if ((fwd.listenHost?.length ?? 0) >= HOST_LIMIT) return undefined;
  if ((fwd.connectPath?.length ?? 0) >= PATH_LIMIT) return undefined;
  if ((fwd.listenPath?.length ?? 0) >= PATH_LIMIT) return undefined;
  return fwd;
}

/**
 * Whether two forwardings are the same (OpenSSH adds each one only once).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forwardEquals, parseForward } from "./ssh_config_forward.ts";
 * assert.equal(forwardEquals(parseForward("80:a:80", {})!, parseForward("80:a:80", {})!), true);
 * ```
 */
export function forwardEquals(a: SshForward, b: SshForward): boolean {
  return a.listenHost === b.listenHost && a.listenPort === b.listenPort &&
    a.listenPath === b.listenPath && a.connectHost === b.connectHost &&
    a.connectPort === b.connectPort && a.connectPath === b.connectPath;
}

/**
 * A forwarding as `ssh -G` prints it: `8080 [localhost]:80`, `[*]:1080` (a DynamicForward:
 * the listener only), a path as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatForward, parseForward } from "./ssh_config_forward.ts";
 * assert.equal(formatForward(parseForward("8080:localhost:80", {})!), "8080 [localhost]:80");
 * assert.equal(
 *   formatForward(parseForward("*:1080", { dynamic: true })!, { listenOnly: true }),
 *   "[*]:1080",
 * );
 * ```
 */
export function formatForward(fwd: SshForward, options: { listenOnly?: boolean } = {}): string {
  const listen = fwd.listenPath !== undefined
    ? fwd.listenPath
    : fwd.listenHost === undefined
    ? `${fwd.listenPort}`
    : `[${fwd.listenHost}]:${fwd.listenPort}`;
  if (options.listenOnly) return listen;
  const connect = fwd.connectPath !== undefined
    ? fwd.connectPath
    : fwd.connectHost === undefined
    ? `${fwd.connectPort}`
    : `[${fwd.connectHost}]:${fwd.connectPort}`;
  return `${listen} ${connect}`;
}
