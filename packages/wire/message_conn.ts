/**
 * The message-port interface between the transport and the layers above it.
 * @module
 */
import type { Message } from "./messages.ts";

/**
 * A message-level connection: what authentication and the connection layer talk to, so that
 * they can be tested with a scripted peer and no cryptography (Go's `packetConn` idea).
 *
 * @example
 * ```ts
 * import type { MessageConn } from "@hush/wire";
 * async function requestService(conn: MessageConn): Promise<void> {
 *   await conn.send({ type: "serviceRequest", service: "ssh-userauth" });
 * }
 * ```
 */
export interface MessageConn {
  /** Sends one message; resolves when it is queued, rejects once the connection is closed. */
  send(message: Message): Promise<void>;
  /**
   * Incoming messages for the layers above the transport (numbers 50 and up, and unknown ones),
   * in order. A layer takes a reader, reads what is its own and calls `releaseLock()` when it hands
   * over: authentication stops right after USERAUTH_SUCCESS.
   */
  readonly messages: ReadableStream<Message>;
  /** Ends the connection with a DISCONNECT carrying this reason and description. */
  disconnect(reason: number, description: string): Promise<void>;
  /**
   * Server: authentication succeeded. Sends USERAUTH_SUCCESS and hands the connection to the
   * connection protocol (whose messages the client may send right after). The authenticator
   * calls it where the connection has it; a transport never infers the hand-off from what is
   * sent.
   */
  authenticated?(): Promise<void>;
}
