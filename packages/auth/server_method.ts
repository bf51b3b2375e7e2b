/**
 * The contract between the server authenticator and the check of one method (publickey,
 * password, keyboard-interactive): what a method is given, and the verdict it returns.
 * @module
 */
import type { PublicKey } from "@hush/keys";
import type { Message, UserauthRequest } from "@hush/wire";
import type { AuthorizedKeyOptions } from "./authorized_keys.ts";
import { AuthError } from "./errors.ts";
import type { Inbox } from "./inbox.ts";
import type { ServerAuthOptions } from "./server_options.ts";

/** How one request for a method ended. */
export type Verdict =
  | { kind: "success"; key?: PublicKey; options?: AuthorizedKeyOptions }
  | { kind: "failure" }
  /** Answered already (PK_OK, PASSWD_CHANGEREQ): neither success nor a failed attempt. */
  | { kind: "answered" }
  /** The client moved on to a new request mid-method: a failed attempt with no reply. */
  | { kind: "abandoned" };

/** What a method's check may use of the authenticator. */
export interface ServerMethodContext {
  /** The application's options. */
  readonly options: ServerAuthOptions;
  /** The client's messages; `guard` races a promise against the grace time and abort. */
  readonly inbox: Inbox;
  /** The trace hook. */
  trace(line: string): void;
  /** Sends a message to the client (guarded like the inbox). */
  send(message: Message): Promise<void>;
}

/**
 * The message the authenticator waits for is a USERAUTH_REQUEST; anything else is a protocol
 * error (an {@linkcode AuthError}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expectRequest } from "./server_method.ts";
 * const m = { type: "userauthRequest", user: "alice", service: "ssh-connection", method: "none" } as const;
 * assert.equal(expectRequest(m).user, "alice");
 * assert.throws(() => expectRequest({ type: "userauthSuccess" }), {
 *   name: "AuthError",
 *   message: "Client sent USERAUTH_SUCCESS",
 * });
 * ```
 */
export function expectRequest(m: Message): UserauthRequest {
  if (m.type === "userauthRequest") return m;
  if (m.type === "userauthSuccess") throw new AuthError("Client sent USERAUTH_SUCCESS");
  const name = m.type === "unknown" ? `message ${m.number}` : m.type;
  throw new AuthError(`Unexpected ${name} during authentication`);
}
