/**
 * Command-line parsing for `hush ws-relay`.
 * @module
 */
import {
  parseRelayTarget,
  RELAY_CONNECT_TIMEOUT,
  RELAY_MAX_CONNECTIONS,
} from "../websocket_relay.ts";
import { UsageError } from "./ssh_args.ts";

/** What `ws-relay --listen ADDR --allow host:port[,host:port…] …` asked for. */
export interface WsRelayArgs {
  /** `--listen`: the address to listen on (`127.0.0.1`). */
  hostname: string;
  /** `--listen`: the port (required; 0 picks a free one). */
  port: number;
  /** `--allow` (repeatable, comma-separated): the targets the relay may reach. */
  allow: string[];
  /** `--origin` (repeatable, comma-separated): `Origin` values allowed besides its own. */
  origins: string[];
  /** `--max-connections`. */
  maxConnections: number;
  /** `--connect-timeout` in seconds, as milliseconds. */
  connectTimeout: number;
  /** `--path`: take upgrades only on this path. */
  path?: string;
}

/** The usage line. */
export const WS_RELAY_USAGE =
  "usage: ws-relay --listen [ADDR:]PORT --allow HOST:PORT[,HOST:PORT…] [--origin ORIGIN[,…]]\n" +
  "                [--max-connections N] [--connect-timeout SECONDS] [--path /PATH]";

/**
 * Parses `ws-relay`'s command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWsRelayArgs } from "./ws_relay_args.ts";
 * const a = parseWsRelayArgs(["--listen", "127.0.0.1:8022", "--allow", "127.0.0.1:22,[::1]:2222"]);
 * assert.equal(a.hostname, "127.0.0.1");
 * assert.equal(a.port, 8022);
 * assert.deepEqual(a.allow, ["127.0.0.1:22", "[::1]:2222"]);
 * ```
 */
export function parseWsRelayArgs(argv: string[]): WsRelayArgs {
  let listen: string | undefined;
  const allow: string[] = [];
  const origins: string[] = [];
  let maxConnections = RELAY_MAX_CONNECTIONS;
  let connectTimeout = RELAY_CONNECT_TIMEOUT;
  let path: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=")
      ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)]
      : [argv[i], undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) {
        throw new UsageError(`Option ${flag} needs an argument\n${WS_RELAY_USAGE}`);
      }
      return argv[++i];
    };
    const list = () => value().split(",").map((s) => s.trim()).filter((s) => s !== "");
    switch (flag) {
      case "--listen":
        listen = value();
        break;
      case "--allow":
        for (const t of list()) {
          const target = parseRelayTarget(t);
          if (!target) throw new UsageError(`--allow ${t}: not HOST:PORT`);
          allow.push(target.name);
        }
        break;
      case "--origin":
        origins.push(...list());
        break;
      case "--max-connections":
        maxConnections = count(flag, value());
        break;
      case "--connect-timeout":
        connectTimeout = count(flag, value()) * 1000;
        break;
      case "--path":
        path = value();
        if (!path.startsWith("/")) throw new UsageError(`--path ${path}: must start with /`);
        break;
      case "-h":
      case "--help":
        throw new UsageError(WS_RELAY_USAGE);
      default:
        throw new UsageError(`Unknown option ${argv[i]}\n${WS_RELAY_USAGE}`);
    }
  }
  if (listen === undefined) throw new UsageError(`--listen is required\n${WS_RELAY_USAGE}`);
  if (allow.length === 0) {
    throw new UsageError(
      `--allow is required: the relay reaches only the targets listed\n${WS_RELAY_USAGE}`,
    );
  }
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:]+):)?(\d{1,5})$/.exec(listen);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--listen ${listen}: not [ADDR:]PORT`);
  const hostname = (m[1] ?? "127.0.0.1").replace(/^\[(.*)\]$/, "$1");
  return { hostname, port: Number(m[2]), allow, origins, maxConnections, connectTimeout, path };
}

function count(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new UsageError(`${flag} ${text}: not a positive number`);
  return n;
}
