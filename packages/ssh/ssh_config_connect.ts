/**
 * From a resolved ssh_config to the options of `connect()`: host, port and user, the host key
 * policy, the algorithm lists the configuration set, timeouts, keepalives, rekeying, and the
 * ProxyJump chain, each hop with the settings its own `Host` block gives it, as OpenSSH's
 * jump hosts get theirs. Keys, known_hosts stores and the agent are I/O the caller adds.
 * @module
 */
import { COMPRESSION_PREFERRED } from "@hush/transport";
import type { ConnectOptions, JumpHostOptions } from "./connect_options.ts";
import { SshConfigError } from "./ssh_config_error.ts";
import type { SshConfig } from "./ssh_config_resolve.ts";
import type { JumpHostSpec } from "./proxy_jump_spec.ts";

/** A ProxyJump chain may be this long, counting the hops each outermost hop's own adds. */
export const PROXY_JUMP_LIMIT = 16;

/**
 * The `connect()` options a resolved configuration gives (without credentials or stores).
 * `jumps` are the resolved configurations of the ProxyJump hops, outermost first (see
 * {@linkcode resolveJumpConfigs}); without them each hop gets its host, port and user only.
 * StrictHostKeyChecking becomes `policy` (`ask` by default, which needs an `ask` callback,
 * else an unknown host is refused).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshConfig, resolveSshConfig, sshConfigConnectOptions } from "@hush/ssh";
 * const file = parseSshConfig([
 *   "Host db",
 *   "  HostName db.internal",
 *   "  ProxyJump admin@bastion:2222",
 *   "  ServerAliveInterval 15",
 *   "  StrictHostKeyChecking accept-new",
 * ].join("\n"), { file: "cfg" });
 * const config = resolveSshConfig({ host: "db", files: [file], localUser: "me", home: "/home/me" });
 * const options = sshConfigConnectOptions(config);
 * assert.equal(options.hostname, "db.internal");
 * assert.equal(options.policy, "accept-new");
 * assert.equal(options.keepaliveInterval, 15000);
 * assert.deepEqual(options.proxyJump, [{ hostname: "bastion", port: 2222, username: "admin" }]);
 * ```
 */
export function sshConfigConnectOptions(
  config: SshConfig,
  jumps?: readonly SshConfig[],
): ConnectOptions {
  const options = hopOptions(config) as ConnectOptions;
  const hops: JumpHostOptions[] = jumps
    ? jumps.map(hopOptions)
    : config.proxyJumpHosts.map((hop) => ({
      hostname: hop.host,
      ...(hop.port !== undefined ? { port: hop.port } : {}),
      ...(hop.user !== undefined ? { username: hop.user } : {}),
    }));
  if (hops.length > 0) options.proxyJump = hops;
  return options;
}

function hopOptions(config: SshConfig): JumpHostOptions & { username: string } {
  const given = new Set(config.given);
  const o: JumpHostOptions & { username: string } = {
    hostname: config.hostName,
    port: config.port,
    username: config.user,
    policy: config.strictHostKeyChecking,
    hashKnownHosts: config.hashKnownHosts,
  };
  const algorithms: NonNullable<ConnectOptions["algorithms"]> = {};
  if (given.has("KexAlgorithms")) algorithms.kex = config.kexAlgorithms;
  if (given.has("Ciphers")) algorithms.ciphers = config.ciphers;
  if (given.has("MACs")) algorithms.macs = config.macs;
  if (given.has("HostKeyAlgorithms")) algorithms.hostKey = config.hostKeyAlgorithms;
  // Compression yes: OpenSSH's client list, zlib@openssh.com,zlib,none
  if (config.compression) algorithms.compression = [...COMPRESSION_PREFERRED];
  if (Object.keys(algorithms).length > 0) o.algorithms = algorithms;
  if (given.has("PubkeyAcceptedAlgorithms")) {
    o.publicKeyAlgorithms = config.pubkeyAcceptedAlgorithms;
  }
  if (config.connectTimeout) o.connectTimeout = config.connectTimeout * 1000;
  if (config.serverAliveInterval > 0) {
    o.keepaliveInterval = config.serverAliveInterval * 1000;
    o.keepaliveCountMax = config.serverAliveCountMax;
  }
  if (config.rekeyLimit.bytes > 0) o.rekeyBytes = config.rekeyLimit.bytes;
  if (config.rekeyLimit.seconds > 0) o.rekeyInterval = config.rekeyLimit.seconds * 1000;
  return o;
}

/**
 * Resolves the configurations of a ProxyJump chain, outermost first, as OpenSSH's ssh does:
 * each hop is resolved by its own name (the user and port its spec gives winning over its
 * `Host` block), and the outermost hop's own ProxyJump, if any, goes in front of it. Throws an
 * {@linkcode SshConfigError} when the chain grows past {@linkcode PROXY_JUMP_LIMIT} (a loop).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshConfig, resolveJumpConfigs, resolveSshConfig } from "@hush/ssh";
 * const file = parseSshConfig("Host db\n  ProxyJump bastion\nHost bastion\n  ProxyJump gw\n  User ops\n", { file: "cfg" });
 * const resolve = (host: string) => resolveSshConfig({ host, files: [file], localUser: "me", home: "/home/me" });
 * const hops = resolveJumpConfigs(resolve("db"), (hop) => resolve(hop.host));
 * assert.deepEqual(hops.map((h) => `${h.user}@${h.hostName}`), ["me@gw", "ops@bastion"]);
 * ```
 */
export function resolveJumpConfigs(
  config: SshConfig,
  resolveHop: (hop: JumpHostSpec) => SshConfig,
): SshConfig[] {
  const chain: SshConfig[] = [];
  let specs = config.proxyJumpHosts;
  while (specs.length > 0) {
    if (chain.length + specs.length > PROXY_JUMP_LIMIT) {
      throw new SshConfigError(
        `ProxyJump chain to ${config.host} is longer than ${PROXY_JUMP_LIMIT} hops (a loop?)`,
        { file: "command-line", line: 0 },
      );
    }
    const hops = specs.map(resolveHop);
    chain.unshift(...hops);
    // OpenSSH reaches the outermost hop with a plain ssh, which follows that host's ProxyJump
    specs = hops[0].proxyJumpHosts;
  }
  return chain;
}
