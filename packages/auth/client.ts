/**
 * The client side of SSH user authentication (RFC 4252, RFC 4256): methods none, publickey,
 * password and keyboard-interactive, tried in an order like OpenSSH's. Each method's own logic
 * is in its file (`client_publickey.ts`, `client_password.ts`,
 * `client_keyboard_interactive.ts`); the options are in `client_options.ts`.
 * @module
 */
import { DisconnectReason, type Message, type MessageConn } from "@hush/wire";
import {
  type ClientKeyboardInteractiveState,
  keyboardInteractiveOutcome,
} from "./client_keyboard_interactive.ts";
import {
  type ClientMethodContext,
  expectFinal,
  type MethodRequest,
  type Outcome,
  unexpectedMessage,
} from "./client_method.ts";
import type { ClientAuthOptions, ClientAuthResult } from "./client_options.ts";
import { type ClientPasswordState, passwordOutcome } from "./client_password.ts";
import { type ClientPublickeyState, publickeyOutcome } from "./client_publickey.ts";
import { AuthError } from "./errors.ts";
import { Inbox, type MethodContext } from "./inbox.ts";

/**
 * The default method order, as OpenSSH's client without GSSAPI and hostbased.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CLIENT_METHODS } from "@hush/auth";
 * assert.deepEqual(DEFAULT_CLIENT_METHODS, ["publickey", "keyboard-interactive", "password"]);
 * ```
 */
export const DEFAULT_CLIENT_METHODS: readonly string[] = [
  "publickey",
  "keyboard-interactive",
  "password",
];

/**
 * Authenticates as `options.user` over a connection on which the `ssh-userauth` service has
 * been accepted. Sends `none` to learn the methods the server allows, then tries the methods it
 * says can continue in the preferred order: each key once (`identities`, then the agent's), the
 * password and keyboard-interactive up to `passwordPrompts` times. Partial success goes on with
 * the methods the server names. Releases the reader lock of `conn.messages` when it returns.
 *
 * Throws {@linkcode AuthError}: reason NO_MORE_AUTH_METHODS_AVAILABLE with `tried` when nothing
 * is left; PROTOCOL_ERROR (after sending DISCONNECT) when the server breaks the protocol, e.g.
 * USERAUTH_SUCCESS before any request or a message that does not belong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { authenticateClient, authenticateServer } from "@hush/auth";
 * import { generateKey } from "@hush/keys";
 * import type { Message, MessageConn } from "@hush/wire";
 * // Two message ports back to back; in real use the transport is the port.
 * const ab = new TransformStream<Message, Message>(), ba = new TransformStream<Message, Message>();
 * const port = (rx: typeof ab, tx: typeof ab): MessageConn => {
 *   const w = tx.writable.getWriter();
 *   return { messages: rx.readable, send: (m) => w.write(m), disconnect: () => w.close() };
 * };
 * const sessionId = crypto.getRandomValues(new Uint8Array(32)); // the transport's session id
 * const key = await generateKey("ssh-ed25519");
 * const banners: string[] = [];
 * const [{ method }] = await Promise.all([
 *   authenticateClient(port(ba, ab), {
 *     user: "alice",
 *     sessionId,
 *     identities: [key],
 *     password: () => Promise.resolve("wonderland"), // asked only if the key is refused
 *     onBanner: (text) => void banners.push(text),
 *   }),
 *   authenticateServer(port(ab, ba), { sessionId, authorizedKeys: key.publicKey.toString(), banner: "Hi\r\n" }),
 * ]);
 * assert.equal(method, "publickey");
 * assert.deepEqual(banners, ["Hi\r\n"]);
 * ```
 */
export async function authenticateClient(
  conn: MessageConn,
  options: ClientAuthOptions,
): Promise<ClientAuthResult> {
  if (typeof options.user !== "string") throw new TypeError("options.user must be a string");
  if (!(options.sessionId instanceof Uint8Array) || options.sessionId.length === 0) {
    throw new TypeError("options.sessionId must be a non-empty Uint8Array");
  }
  const inbox = new Inbox(conn.messages, options.signal ?? new AbortController().signal);
  try {
    return await new ClientAuth(conn, inbox, options).run();
  } catch (e) {
    if (e instanceof AuthError && e.reason === DisconnectReason.PROTOCOL_ERROR) {
      await conn.disconnect(e.reason, e.message).catch(() => {});
    }
    throw e;
  } finally {
    inbox.release();
  }
}

class ClientAuth {
  #conn: MessageConn;
  #inbox: Inbox;
  #options: ClientAuthOptions;
  #service: string;
  #trace: (line: string) => void;
  #tried: string[] = [];
  #exhausted = new Set<string>();
  #publickey: ClientPublickeyState = { keys: undefined, next: 0 };
  #password: ClientPasswordState = { attempts: 0 };
  #kbdint: ClientKeyboardInteractiveState = { attempts: 0 };
  #canContinue: string[] = [];
  #methodContext: ClientMethodContext;

  constructor(conn: MessageConn, inbox: Inbox, options: ClientAuthOptions) {
    this.#conn = conn;
    this.#inbox = inbox;
    this.#options = options;
    this.#service = options.service ?? "ssh-connection";
    this.#trace = options.trace ?? (() => {});
    this.#methodContext = {
      options,
      inbox,
      service: this.#service,
      canContinue: () => this.#canContinue,
      trace: this.#trace,
      attempt: (method) => this.#attempt(method),
      exhaust: (method) => void this.#exhausted.add(method),
      sendRequest: (request) => this.#sendRequest(request),
      send: (message) => this.#inbox.guard(this.#conn.send(message)),
      reply: (context) => this.#reply(context),
      ask: (callback) => this.#ask(callback),
    };
  }

  async run(): Promise<ClientAuthResult> {
    await this.#checkNothingUnasked();
    this.#attempt("none");
    await this.#sendRequest({ method: "none" });
    const first = expectFinal(await this.#reply(undefined), "none");
    if (first.kind === "success") return this.#succeeded("none");
    this.#canContinue = first.methods;
    this.#trace(`Authentications that can continue: ${first.methods.join(",")}`);
    const preferred = this.#options.preferredMethods ?? DEFAULT_CLIENT_METHODS;
    const passwordPrompts = this.#options.passwordPrompts ?? 3;
    const ctx = this.#methodContext;
    for (;;) {
      const method = preferred.find((m) =>
        this.#canContinue.includes(m) && !this.#exhausted.has(m)
      );
      if (method === undefined) {
        throw new AuthError(
          `Permission denied (${this.#canContinue.join(",")})`,
          DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE,
          { tried: [...this.#tried] },
        );
      }
      let outcome: Outcome;
      switch (method) {
        case "publickey":
          outcome = await publickeyOutcome(ctx, this.#publickey);
          break;
        case "password":
          outcome = this.#password.attempts >= passwordPrompts
            ? { kind: "skipped" }
            : await passwordOutcome(ctx, this.#password);
          break;
        case "keyboard-interactive":
          outcome = this.#kbdint.attempts >= passwordPrompts
            ? { kind: "skipped" }
            : await keyboardInteractiveOutcome(ctx, this.#kbdint);
          break;
        default:
          outcome = { kind: "skipped" };
      }
      if (outcome.kind === "success") return this.#succeeded(method);
      if (outcome.kind === "skipped") {
        this.#exhausted.add(method);
        continue;
      }
      this.#canContinue = outcome.methods;
      if (outcome.partialSuccess) {
        this.#trace(`Authenticated using "${method}" with partial success.`);
      }
      this.#trace(`Authentications that can continue: ${outcome.methods.join(",")}`);
    }
  }

  #succeeded(method: string): ClientAuthResult {
    this.#trace(`Authentication succeeded (${method}).`);
    return { method };
  }

  #attempt(method: string): void {
    if (!this.#tried.includes(method)) this.#tried.push(method);
  }

  /** A server may not answer before being asked: anything but a banner already queued is wrong. */
  async #checkNothingUnasked(): Promise<void> {
    while (await this.#inbox.hasQueued()) {
      const m = await this.#inbox.next();
      if (m.type === "userauthBanner") {
        this.#banner(m.message);
        continue;
      }
      if (m.type === "userauthSuccess") {
        throw new AuthError("Server sent USERAUTH_SUCCESS before any request");
      }
      throw unexpectedMessage(m, "before any request");
    }
  }

  #banner(message: string): void {
    this.#options.onBanner?.(message);
  }

  #sendRequest(method: MethodRequest): Promise<void> {
    return this.#inbox.guard(this.#conn.send({
      type: "userauthRequest",
      user: this.#options.user,
      service: this.#service,
      ...method,
    } as Message));
  }

  /** The next message that is not a banner. */
  async #reply(context: MethodContext | undefined): Promise<Message> {
    for (;;) {
      const m = await this.#inbox.next(context);
      if (m.type !== "userauthBanner") return m;
      this.#banner(m.message);
    }
  }

  /** Runs a user callback; its failure cancels authentication. */
  async #ask<T>(callback: () => Promise<T>): Promise<T> {
    try {
      return await this.#inbox.guard(callback());
    } catch (e) {
      if (e instanceof AuthError || e instanceof TypeError) throw e;
      throw new AuthError(
        "Authentication cancelled by user",
        DisconnectReason.AUTH_CANCELLED_BY_USER,
        {
          cause: e,
          tried: [...this.#tried],
        },
      );
    }
  }
}
