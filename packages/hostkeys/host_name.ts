/**
 * The name a host is filed under in known_hosts.
 * @module
 */

/**
 * The longest host name or address accepted, in characters (NI_MAXHOST, 1025, as OpenSSH).
 * It bounds the cost of matching a name against a known_hosts line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HOST_NAME_LIMIT, knownHostsName } from "@hush/hostkeys";
 * assert.equal(knownHostsName("a".repeat(HOST_NAME_LIMIT), 2222).length, 1032);
 * ```
 */
export const HOST_NAME_LIMIT = 1025;

/**
 * The name OpenSSH looks up (and records) for a host and port: the bare host for port 22,
 * `[host]:port` otherwise. IPv6 addresses follow the same rule (`::1` or `[::1]:2222`).
 * Letters are lowercased, as ssh(1) lowercases the host name it is given.
 *
 * @param host The host name or address as given by the user.
 * @param port The TCP port (22 when omitted; 0 also means the default port).
 * @returns The known_hosts name.
 * @throws {RangeError} For a port outside 0–65535 or a name longer than {@linkcode HOST_NAME_LIMIT}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownHostsName } from "@hush/hostkeys";
 * assert.equal(knownHostsName("Example.org", 22), "example.org");
 * assert.equal(knownHostsName("127.0.0.1", 2222), "[127.0.0.1]:2222");
 * ```
 */
export function knownHostsName(host: string, port = 22): string {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Port must be an integer from 0 to 65535, got ${port}`);
  }
  if (host.length === 0) throw new TypeError("Host name must not be empty");
  if (host.length > HOST_NAME_LIMIT) {
    throw new RangeError(`Host name is longer than ${HOST_NAME_LIMIT} characters`);
  }
  const lower = /[A-Z]/.test(host) ? host.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : host;
  return port === 22 || port === 0 ? lower : `[${lower}]:${port}`;
}
