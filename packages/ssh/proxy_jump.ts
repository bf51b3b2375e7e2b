/**
 * Connecting through jump hosts (`ProxyJump`, `ssh -J`): each hop is a full SSH connection,
 * its host key checked under its own name, that opens a `direct-tcpip` channel to the next
 * hop, the way OpenSSH's `ssh -W` does; the destination's connection runs over the last
 * channel. On any failure the hops already open are closed.
 * @module
 */
import type { ByteDuplex } from "@hush/transport";
import { SshError } from "@hush/wire";
import type { SshClient } from "./client.ts";
import type { ConnectOptions, JumpHostOptions } from "./connect_options.ts";

/** What a jump host takes from the destination's options when it does not set it. */
const INHERITED = [
  "username",
  "identities",
  "publicKeyAlgorithms",
  "agent",
  "knownHosts",
  "policy",
  "hashKnownHosts",
  "ask",
  "hostVerifier",
  "algorithms",
  "trace",
  "onBanner",
  "signal",
  "connectTimeout",
  "keepaliveInterval",
  "keepaliveCountMax",
  "keepaliveTimers",
  "rekeyBytes",
  "rekeyInterval",
] as const;

/**
 * A jump host could not be reached (`stage: "connect"`: connecting, its host key or
 * authentication; see `cause`) or could not open the channel to the next hop
 * (`stage: "forward"`, as OpenSSH's "stdio forwarding failed").
 *
 * Extends {@linkcode SshError} with the stable `code` `"ERR_SSH_PROXY_JUMP"`; `cause` holds the
 * hop's own error (a `DisconnectError`, `HostKeyError`, `AuthError`, `ChannelError`…).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProxyJumpError } from "@hush/ssh";
 * const e = new ProxyJumpError("forward", { index: 0, hostname: "bastion", port: 22, username: "me" }, { host: "db", port: 22 }, new Error("connect failed"));
 * assert.equal(
 *   e.message,
 *   "Jump host bastion could not open a channel to db port 22: connect failed",
 * );
 * assert.equal(e.code, "ERR_SSH_PROXY_JUMP");
 * ```
 */
export class ProxyJumpError extends SshError {
  /** Whether reaching the hop failed, or its channel onward. */
  readonly stage: "connect" | "forward";
  /** Which hop (0: outermost) and where it is. */
  readonly hop: { index: number; hostname: string; port: number; username: string };
  /** Where the hop was asked to open a channel to (`forward` only). */
  readonly target?: { host: string; port: number };

  /**
   * Creates the error of a hop that failed.
   * @param stage `connect` or `forward`.
   * @param hop The hop that failed.
   * @param target Where it was to open a channel to (`forward`).
   * @param cause The error underneath.
   */
  constructor(
    stage: "connect" | "forward",
    hop: { index: number; hostname: string; port: number; username: string },
    target: { host: string; port: number } | undefined,
    cause: unknown,
  ) {
    const why = (cause as Error)?.message ?? String(cause);
    super(
      "ERR_SSH_PROXY_JUMP",
      stage === "connect"
        ? `Cannot reach jump host ${hop.hostname} port ${hop.port}: ${why}`
        : `Jump host ${hop.hostname} could not open a channel to ${target?.host} port ${target?.port}: ${why}`,
      { cause },
    );
    this.name = "ProxyJumpError";
    this.stage = stage;
    this.hop = hop;
    this.target = target;
  }
}

/** The options for one hop: its own settings over those it inherits. */
export function jumpHopOptions(
  destination: ConnectOptions,
  hop: JumpHostOptions,
  duplex: ByteDuplex | undefined,
): ConnectOptions {
  const inherited: Partial<ConnectOptions> = {};
  for (const key of INHERITED) {
    if (destination[key] !== undefined) {
      (inherited as Record<string, unknown>)[key] = destination[key];
    }
  }
  const options = { ...inherited, ...hop, duplex, proxyJump: undefined } as ConnectOptions;
  return options;
}

/**
 * Connects the jump hosts of `options.proxyJump` in order and opens the last one's channel to
 * the destination; resolves with the hops (outermost first) and that channel. `connectHop`
 * connects one hop (it is `connect`, passed in to keep the modules apart).
 *
 * @example Not run here: it needs jump hosts (proxy_jump_test.ts runs chains in memory)
 * ```ts ignore
 * const { clients, duplex } = await openJumpChain(options, connect);
 * ```
 */
export async function openJumpChain(
  options: ConnectOptions,
  connectHop: (options: ConnectOptions) => Promise<SshClient>,
): Promise<{ clients: SshClient[]; duplex: ByteDuplex }> {
  const hops = options.proxyJump ?? [];
  const clients: SshClient[] = [];
  const closeAll = async () => {
    for (const c of [...clients].reverse()) await c.close().catch(() => {});
  };
  let duplex: ByteDuplex | undefined = options.duplex;
  for (const [index, hop] of hops.entries()) {
    const hopOptions = jumpHopOptions(options, hop, duplex);
    const where = {
      index,
      hostname: hopOptions.hostname,
      port: hopOptions.port ?? 22,
      username: hopOptions.username,
    };
    let client: SshClient;
    try {
      client = await connectHop(hopOptions);
    } catch (e) {
      await closeAll();
      throw new ProxyJumpError("connect", where, undefined, e);
    }
    clients.push(client);
    const next = index + 1 < hops.length
      ? { host: hops[index + 1].hostname, port: hops[index + 1].port ?? 22 }
      : { host: options.hostname, port: options.port ?? 22 };
    options.trace?.(`Jump host ${where.hostname}: direct-tcpip to ${next.host}:${next.port}`);
    try {
      duplex = await client.forwardOut(next.host, next.port);
    } catch (e) {
      await closeAll();
      throw new ProxyJumpError("forward", where, next, e);
    }
  }
  return { clients, duplex: duplex! };
}
