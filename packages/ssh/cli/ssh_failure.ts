/**
 * How `ssh` fails: its exit status for its own failures, and the message it prints for one,
 * worded as OpenSSH words it.
 * @module
 */

/** The exit status ssh uses for its own failures. */
export const SSH_FAILURE = 255;

/** Walks an error and its causes for the first one named `name`. */
function findError(e: unknown, name: string): (Error & Record<string, unknown>) | undefined {
  for (let cur = e, depth = 0; cur && depth < 8; depth++) {
    if (cur instanceof Error && cur.name === name) return cur as Error & Record<string, unknown>;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The message ssh prints for a failure, worded as OpenSSH words it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { failureMessage } from "./ssh_failure.ts";
 * const e = Object.assign(new Error("refused"), { name: "ConnectionRefused" });
 * assert.equal(
 *   failureMessage(e, { host: "h", port: 22, user: "me" }),
 *   "ssh: connect to host h port 22: Connection refused",
 * );
 * ```
 */
export function failureMessage(
  e: unknown,
  where: { host: string; port: number; user: string; connected?: boolean },
): string {
  const { host, port, user } = where;
  const hostKey = findError(e, "HostKeyError");
  if (hostKey) return hostKey.message;
  const auth = findError(e, "AuthError");
  if (auth) {
    return auth.message.startsWith("Permission denied")
      ? `${user}@${host}: ${auth.message}.`
      : `${user}@${host}: ${auth.message}`;
  }
  // ConnectTimeout: ours, or connect()'s "Connection to … timed out"
  const message0 = (e as Error)?.message ?? "";
  const timeout = findError(e, "ConnectTimeout") ??
    (/^Connection to .* timed out$|^Signal timed out/.test(message0)
      ? { connected: where.connected ?? false }
      : undefined);
  if (timeout && !timeout.connected) {
    return `ssh: connect to host ${host} port ${port}: Connection timed out`;
  }
  if (timeout || findError(e, "DisconnectError")?.message.includes("timed out")) {
    return `Connection timed out during banner exchange\nConnection to ${host} port ${port} timed out`;
  }
  const kex = findError(e, "KexError");
  if (kex) return `Unable to negotiate with ${host} port ${port}: ${kex.message}`;
  const name = (e as Error)?.name ?? "";
  const message = (e as Error)?.message ?? String(e);
  if (name === "ConnectionRefused" || /refused/i.test(message) && /connect/i.test(message)) {
    return `ssh: connect to host ${host} port ${port}: Connection refused`;
  }
  if (name === "TimeoutError" || name === "TimedOut" || name === "AbortError") {
    return `ssh: connect to host ${host} port ${port}: Connection timed out`;
  }
  if (/lookup|resolve|getaddrinfo|ENOTFOUND|Name or service/i.test(message)) {
    return `ssh: Could not resolve hostname ${host}: Name or service not known`;
  }
  const disconnect = findError(e, "DisconnectError") as Disconnect | undefined;
  if (disconnect) return disconnectMessage(disconnect, host, port) ?? `ssh: ${message}`;
  return `ssh: ${message}`;
}

/** The fields of a transport's DisconnectError that say who ended it and why. */
interface Disconnect extends Error {
  fromPeer?: boolean;
  reason?: number;
  description?: string;
}

/** MAC_ERROR and CONNECTION_LOST (RFC 4250 §4.2.2). */
const MAC_ERROR = 5;
const CONNECTION_LOST = 10;

/**
 * What OpenSSH prints when a connection ends for `d`: the peer's DISCONNECT, or what we found
 * wrong ourselves (the version line, a MAC, a message out of place) — never "closed by remote
 * host" for a fault we detected. `undefined` for a plain loss of the connection mid-session.
 */
function disconnectMessage(d: Disconnect, host: string, port: number): string | undefined {
  const description = d.description ?? d.message;
  if (d.fromPeer) {
    return `Received disconnect from ${host} port ${port}:${d.reason}: ${description}\nDisconnected from ${host} port ${port}`;
  }
  if (/before the identification line/.test(description)) {
    return `kex_exchange_identification: Connection closed by remote host\nConnection closed by ${host} port ${port}`;
  }
  if (/^Unsupported protocol version/.test(description)) {
    return `${description}\nbanner exchange: Connection to ${host} port ${port}: could not read protocol version`;
  }
  if (/identification line|Identification line/.test(description)) {
    return `kex_exchange_identification: ${description}\nbanner exchange: Connection to ${host} port ${port}: invalid format`;
  }
  if (d.reason === CONNECTION_LOST) {
    return /timed out/.test(description) ? undefined : `Connection closed by ${host} port ${port}`;
  }
  if (d.reason === MAC_ERROR) {
    return `Corrupted MAC on input.\nssh_dispatch_run_fatal: Connection to ${host} port ${port}: message authentication code incorrect`;
  }
  return `ssh_dispatch_run_fatal: Connection to ${host} port ${port}: ${description}`;
}

/**
 * What ssh prints when the connection ends under a running session or `-N`: the cause when
 * the server said one or we found a fault, else OpenSSH's "closed by remote host".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sessionEndMessage } from "./ssh_failure.ts";
 * assert.equal(sessionEndMessage(undefined, "h", 22), "Connection to h closed by remote host.");
 * ```
 */
export function sessionEndMessage(error: unknown, host: string, port: number): string {
  const d = findError(error, "DisconnectError") as Disconnect | undefined;
  const said = d && (d.fromPeer || d.reason !== CONNECTION_LOST)
    ? disconnectMessage(d, host, port)
    : undefined;
  return said ?? `Connection to ${host} closed by remote host.`;
}
