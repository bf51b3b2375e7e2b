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
 * import { failureMessage } from "./ssh_failure.ts";
 * const e = Object.assign(new Error("refused"), { name: "ConnectionRefused" });
 * console.log(failureMessage(e, { host: "h", port: 22, user: "me" })); // ssh: connect to host h port 22: Connection refused
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
  const disconnect = findError(e, "DisconnectError") as
    | (Error & { fromPeer?: boolean; reason?: number; description?: string })
    | undefined;
  if (disconnect?.fromPeer) {
    return `Received disconnect from ${host} port ${port}:${disconnect.reason}: ${disconnect.description}\nDisconnected from ${host} port ${port}`;
  }
  if (disconnect && /closed|end of stream|EOF|identification/i.test(disconnect.message)) {
    return `Connection closed by ${host} port ${port}`;
  }
  return `ssh: ${message}`;
}
