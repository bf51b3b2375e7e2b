/**
 * The transport's error: a connection that ended with an SSH disconnect reason.
 * @module
 */
import { DisconnectReason, type DisconnectReasonCode, SshError } from "@hush/wire";

/**
 * Raised when a connection ends abnormally: a protocol violation by the peer (we sent
 * DISCONNECT), a DISCONNECT received from the peer, a failed key exchange, a timeout, or the
 * byte stream closing. `fromPeer` tells which side ended it.
 *
 * Extends `SshError` from `@hush/wire` with the stable `code` `"ERR_SSH_DISCONNECT"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DisconnectError } from "@hush/transport";
 * const e = new DisconnectError(2, "Unexpected message", { fromPeer: true });
 * assert.equal(e.message, "Peer disconnected: Unexpected message (reason 2, protocol error)");
 * assert.equal(e.code, "ERR_SSH_DISCONNECT");
 * ```
 */
export class DisconnectError extends SshError {
  /** The SSH disconnect reason code. */
  readonly reason: number;
  /** The description alone, without the prefix. */
  readonly description: string;
  /** True when the peer sent the DISCONNECT. */
  readonly fromPeer: boolean;

  /**
   * Creates the error; the message says who disconnected, why, and the reason's name.
   *
   * @param reason SSH disconnect reason code.
   * @param description What happened (no secrets).
   * @param options `fromPeer` and the standard `cause`.
   */
  constructor(
    reason: number,
    description: string,
    options: { fromPeer?: boolean; cause?: unknown } = {},
  ) {
    const name = reasonName(reason);
    super(
      "ERR_SSH_DISCONNECT",
      `${
        options.fromPeer ? "Peer disconnected" : "Disconnected"
      }: ${description} (reason ${reason}${name ? ", " + name : ""})`,
      { cause: options.cause },
    );
    this.name = "DisconnectError";
    this.reason = reason;
    this.description = description;
    this.fromPeer = options.fromPeer ?? false;
  }
}

/**
 * The readable name of a disconnect reason code ("protocol error"), or "" when unknown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reasonName } from "@hush/transport";
 * assert.equal(reasonName(5), "mac error");
 * ```
 */
export function reasonName(reason: number): string {
  for (const [k, v] of Object.entries(DisconnectReason)) {
    if (v === reason) return k.toLowerCase().replaceAll("_", " ");
  }
  return "";
}

/** Turns any error raised inside the transport into the reason and text to send. */
export function disconnectFor(e: unknown): { reason: DisconnectReasonCode; description: string } {
  if (e instanceof DisconnectError) {
    return { reason: e.reason as DisconnectReasonCode, description: e.description };
  }
  const reason = (e as { reason?: number })?.reason;
  const description = e instanceof Error ? e.message : String(e);
  if (typeof reason === "number" && reason >= 1 && reason <= 15) {
    return { reason: reason as DisconnectReasonCode, description };
  }
  return { reason: DisconnectReason.PROTOCOL_ERROR, description };
}

/**
 * Longest DISCONNECT description we send, in characters (OpenSSH formats its own into 1024
 * bytes): an error that quotes a peer's 256 KiB would otherwise echo it back whole.
 */
export const DISCONNECT_DESCRIPTION_LIMIT = 1024;

/** A peer-chosen name as an error message quotes it: at most 64 characters, then `…`. */
export function quotedName(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}
