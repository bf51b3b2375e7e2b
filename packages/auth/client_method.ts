/**
 * The contract between the client authenticator and one method (publickey, password,
 * keyboard-interactive): what a method is given to send requests and read replies, and the
 * outcome it returns.
 * @module
 */
import type { Message } from "@hush/wire";
import type { ClientAuthOptions } from "./client_options.ts";
import { AuthError } from "./errors.ts";
import type { Inbox, MethodContext } from "./inbox.ts";

/** The server's last word on a request: SUCCESS or FAILURE. */
export type Final =
  | { kind: "success" }
  | { kind: "failure"; methods: string[]; partialSuccess: boolean };

/** How one try of a method ended. */
export type Outcome =
  | Final
  /** Nothing was sent (or nothing is pending): the method has no more to try right now. */
  | { kind: "skipped" };

/** The method's fields of a USERAUTH_REQUEST; the user and service are added when sent. */
export type MethodRequest =
  | { method: "none" }
  | { method: "publickey"; algorithm: string; publicKey: Uint8Array; signature?: Uint8Array }
  | { method: "password"; password: string; newPassword?: string }
  | { method: "keyboard-interactive"; language: string; submethods: string };

/** What a method may use of the client authenticator. */
export interface ClientMethodContext {
  /** The application's options. */
  readonly options: ClientAuthOptions;
  /** The server's messages; `guard` races a promise against the abort signal. */
  readonly inbox: Inbox;
  /** The service to start once authenticated. */
  readonly service: string;
  /** The methods the server last said can continue. */
  canContinue(): string[];
  /** The trace hook. */
  trace(line: string): void;
  /** Records `method` among those tried (for {@linkcode AuthError}'s `tried`). */
  attempt(method: string): void;
  /** Marks `method` as having nothing more to try. */
  exhaust(method: string): void;
  /** Sends a USERAUTH_REQUEST for the user and service (guarded like the inbox). */
  sendRequest(request: MethodRequest): Promise<void>;
  /** Sends another message to the server (guarded like the inbox). */
  send(message: Message): Promise<void>;
  /** The next message that is not a banner (banners go to `onBanner`). */
  reply(context: MethodContext | undefined): Promise<Message>;
  /** Runs a user callback; its failure cancels authentication. */
  ask<T>(callback: () => Promise<T>): Promise<T>;
}

/**
 * A reply that must be SUCCESS or FAILURE; anything else is a protocol error (an
 * {@linkcode AuthError}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expectFinal } from "./client_method.ts";
 * assert.deepEqual(expectFinal({ type: "userauthSuccess" }, "a publickey request"), {
 *   kind: "success",
 * });
 * assert.throws(() => expectFinal({ type: "newKeys" }, "a publickey request"), {
 *   message: "Unexpected newKeys in reply to a publickey request",
 * });
 * ```
 */
export function expectFinal(m: Message, what: string): Final {
  if (m.type === "userauthSuccess") return { kind: "success" };
  if (m.type === "userauthFailure") {
    return { kind: "failure", methods: m.methods, partialSuccess: m.partialSuccess };
  }
  throw unexpectedMessage(m, `in reply to ${what}`);
}

/**
 * The protocol error for a message that does not belong `when` it came.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unexpectedMessage } from "./client_method.ts";
 * const e = unexpectedMessage({ type: "userauthSuccess" }, "before any request");
 * assert.equal(e.message, "Unexpected userauthSuccess before any request");
 * ```
 */
export function unexpectedMessage(m: Message, when: string): AuthError {
  const name = m.type === "unknown" ? `message ${m.number}` : m.type;
  return new AuthError(`Unexpected ${name} ${when}`);
}
