/**
 * The server side of SSH user authentication (RFC 4252, RFC 4256): an authenticator the
 * application configures with a callback per method, with OpenSSH's limits. Each method's own
 * check is in its file (`server_publickey.ts`, `server_password.ts`,
 * `server_keyboard_interactive.ts`).
 * @module
 */
import type { PublicKey } from "@hush/keys";
import { DisconnectReason, type Message, type MessageConn, type UserauthRequest } from "@hush/wire";
import { type AuthorizedKeyOptions, authorizedKeysChecker } from "./authorized_keys.ts";
import { AuthError } from "./errors.ts";
import { Inbox } from "./inbox.ts";
import { keyboardInteractiveVerdict } from "./server_keyboard_interactive.ts";
import { expectRequest, type ServerMethodContext, type Verdict } from "./server_method.ts";
import {
  type AuthenticatedUser,
  SERVER_AUTH_LIMITS,
  type ServerAuthOptions,
} from "./server_options.ts";
import { passwordVerdict } from "./server_password.ts";
import { publickeyVerdict } from "./server_publickey.ts";
import { printable, userNameProblem } from "./user_name.ts";

/**
 * Authenticates a client over a connection on which the `ssh-userauth` service runs. Answers
 * `none` with the methods that can continue, verifies publickey signatures before asking the
 * application, runs password (with password change) and keyboard-interactive rounds, sends
 * partial success while `required` lists are incomplete, and resets them when the client
 * changes user or service. Sends USERAUTH_SUCCESS and releases the reader lock of
 * `conn.messages` on success.
 *
 * Throws {@linkcode AuthError} after sending DISCONNECT: NO_MORE_AUTH_METHODS_AVAILABLE when
 * `maxAuthTries` failures or `maxRequests` requests are reached, BY_APPLICATION when the login
 * grace time runs out, PROTOCOL_ERROR when the client breaks the protocol (it sends
 * USERAUTH_SUCCESS, a message that does not belong, wrong keyboard-interactive answers), and
 * SERVICE_NOT_AVAILABLE for an unknown service.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { authenticateClient, authenticateServer } from "@hush/auth";
 * import type { Message, MessageConn } from "@hush/wire";
 * // Two message ports back to back; in real use the transport is the port.
 * const ab = new TransformStream<Message, Message>(), ba = new TransformStream<Message, Message>();
 * const port = (rx: typeof ab, tx: typeof ab): MessageConn => {
 *   const w = tx.writable.getWriter();
 *   return { messages: rx.readable, send: (m) => w.write(m), disconnect: () => w.close() };
 * };
 * const sessionId = crypto.getRandomValues(new Uint8Array(32)); // the transport's session id
 * const [who] = await Promise.all([
 *   authenticateServer(port(ab, ba), {
 *     sessionId,
 *     password: (user, password) => user === "alice" && password === "wonderland",
 *     banner: "Authorized use only\r\n",
 *   }),
 *   authenticateClient(port(ba, ab), { user: "alice", sessionId, password: "wonderland" }),
 * ]);
 * assert.equal(`Accepted ${who.method} for ${who.user}`, "Accepted password for alice");
 * ```
 */
export async function authenticateServer(
  conn: MessageConn,
  options: ServerAuthOptions,
): Promise<AuthenticatedUser> {
  if (!(options.sessionId instanceof Uint8Array) || options.sessionId.length === 0) {
    throw new TypeError("options.sessionId must be a non-empty Uint8Array");
  }
  const enabled = enabledMethods(options);
  if (options.required !== undefined && options.required.length === 0) {
    throw new TypeError("options.required must list at least one method list");
  }
  for (
    const [name, v] of [["maxAuthTries", options.maxAuthTries], [
      "maxRequests",
      options.maxRequests,
    ]]
  ) {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) {
      throw new RangeError(`options.${name} must be a positive integer`);
    }
  }
  for (const list of options.required ?? []) {
    if (list.length === 0) throw new TypeError("options.required lists must not be empty");
    for (const m of list) {
      if (!enabled.includes(m)) throw new TypeError(`Required method ${m} is not configured`);
    }
  }
  const grace = options.loginGraceTime ?? SERVER_AUTH_LIMITS.loginGraceTime;
  const timers = options.timers ?? {
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const timer = grace > 0
    ? timers.setTimeout(
      () =>
        stop.abort(
          new AuthError("Login grace time exceeded", DisconnectReason.BY_APPLICATION),
        ),
      grace,
    )
    : undefined;
  const inbox = new Inbox(conn.messages, stop.signal);
  const auth = new ServerAuth(conn, inbox, options, enabled);
  try {
    return await auth.run();
  } catch (e) {
    if (e instanceof AuthError && e.reason !== DisconnectReason.CONNECTION_LOST) {
      await conn.disconnect(e.reason, e.message).catch(() => {});
    }
    if (e instanceof AuthError && e.tried.length === 0) {
      throw new AuthError(e.message, e.reason, { cause: e.cause, tried: auth.tried });
    }
    throw e;
  } finally {
    if (timer !== undefined) timers.clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    inbox.release();
  }
}

function enabledMethods(o: ServerAuthOptions): string[] {
  const out: string[] = [];
  if (o.publickey || o.authorizedKeys !== undefined) out.push("publickey");
  if (o.keyboardInteractive) out.push("keyboard-interactive");
  if (o.password) out.push("password");
  return out;
}

class ServerAuth {
  tried: string[] = [];
  #conn: MessageConn;
  #inbox: Inbox;
  #o: ServerAuthOptions;
  #trace: (line: string) => void;
  #enabled: string[];
  #maxTries: number;
  #maxRequests: number;
  #services: string[];
  #checkAuthorizedKeys: ReturnType<typeof authorizedKeysChecker> | undefined;

  #requests = 0;
  #failures = 0;
  #user: string | undefined;
  #service: string | undefined;
  #remaining: string[][] = [];
  #succeeded: string[] = [];
  #usedKeys: PublicKey[] = [];
  #key: PublicKey | undefined;
  /** Whether the server serves `#user` (checked once per user, before any method). */
  #userServed: Promise<boolean> | undefined;
  #keyOptions: AuthorizedKeyOptions | undefined;
  /** A request that arrived while a keyboard-interactive callback was asking. */
  #interrupted: UserauthRequest | undefined;
  #methodContext: ServerMethodContext;

  constructor(conn: MessageConn, inbox: Inbox, options: ServerAuthOptions, enabled: string[]) {
    this.#conn = conn;
    this.#inbox = inbox;
    this.#o = options;
    this.#trace = options.trace ?? (() => {});
    this.#enabled = enabled;
    this.#maxTries = options.maxAuthTries ?? SERVER_AUTH_LIMITS.maxAuthTries;
    this.#maxRequests = options.maxRequests ?? SERVER_AUTH_LIMITS.maxRequests;
    this.#services = options.services ?? ["ssh-connection"];
    this.#checkAuthorizedKeys = options.authorizedKeys === undefined
      ? undefined
      : authorizedKeysChecker(options.authorizedKeys, { trace: this.#trace });
    this.#methodContext = {
      options,
      inbox,
      trace: this.#trace,
      send: (message) => this.#send(message),
    };
  }

  async run(): Promise<AuthenticatedUser> {
    for (;;) {
      let request: UserauthRequest;
      if (this.#interrupted) {
        request = this.#interrupted;
        this.#interrupted = undefined;
      } else {
        const m = await this.#inbox.next();
        request = expectRequest(m);
      }
      const done = await this.#handle(request);
      if (done) return done;
    }
  }

  /** The methods the client may try next. */
  #next(): string[] {
    if (this.#o.required === undefined) return [...this.#enabled];
    const out: string[] = [];
    for (const list of this.#remaining) if (!out.includes(list[0])) out.push(list[0]);
    return out;
  }

  async #handle(request: UserauthRequest): Promise<AuthenticatedUser | undefined> {
    this.#requests++;
    if (this.#requests > this.#maxRequests) {
      throw new AuthError(
        `Too many authentication requests (${this.#maxRequests})`,
        DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE,
      );
    }
    if (this.#requests === 1 && this.#o.banner !== undefined) {
      await this.#send({ type: "userauthBanner", message: this.#o.banner, language: "" });
    }
    if (!this.#services.includes(request.service)) {
      throw new AuthError(
        `Service "${printable(request.service, 64)}" is not available`,
        DisconnectReason.SERVICE_NOT_AVAILABLE,
      );
    }
    if (request.user !== this.#user || request.service !== this.#service) {
      if (this.#user !== undefined) {
        this.#trace(
          `User or service changed: ${printable(this.#user)}/${this.#service} to ${
            printable(request.user)
          }/${request.service}`,
        );
      }
      this.#user = request.user;
      this.#service = request.service;
      this.#remaining = (this.#o.required ?? []).map((l) => [...l]);
      this.#succeeded = [];
      this.#usedKeys = [];
      this.#key = undefined;
      this.#keyOptions = undefined;
      this.#userServed = this.#serves(request.user);
    }
    const method = request.method === "other" ? request.name : request.method;
    if (method !== "none" && !this.tried.includes(method)) this.tried.push(method);
    let verdict: Verdict;
    // An invalid or unserved name fails every method, none of the application's checks see
    // it, and the reply is the same as for a wrong key (no hint which names exist).
    if (!await this.#inbox.guard(this.#userServed!)) {
      verdict = { kind: "failure" };
    } else if (method === "none" || !this.#next().includes(method)) {
      verdict = { kind: "failure" };
    } else if (request.method === "publickey") {
      verdict = await publickeyVerdict(this.#methodContext, request, {
        usedKeys: this.#usedKeys,
        checkAuthorizedKeys: this.#checkAuthorizedKeys,
      });
    } else if (request.method === "password") {
      verdict = await passwordVerdict(this.#methodContext, request);
    } else if (request.method === "keyboard-interactive") {
      verdict = await keyboardInteractiveVerdict(
        this.#methodContext,
        request,
        (next) => (this.#interrupted = next),
      );
    } else {
      verdict = { kind: "failure" };
    }
    if (verdict.kind === "answered") return undefined;
    if (verdict.kind === "failure" || verdict.kind === "abandoned") {
      // The first `none` only asks for the method list (OpenSSH does not count it).
      const counted = !(method === "none" && this.#requests === 1);
      if (method !== "none") {
        this.#trace(`Failed ${printable(method)} for ${printable(request.user)}`);
      }
      if (counted) {
        this.#failures++;
        if (this.#failures >= this.#maxTries) {
          throw new AuthError(
            `Too many authentication failures (${this.#failures})`,
            DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE,
          );
        }
      }
      if (verdict.kind === "failure") {
        await this.#send({ type: "userauthFailure", methods: this.#next(), partialSuccess: false });
      }
      return undefined;
    }
    if (verdict.key) {
      this.#key = verdict.key;
      this.#keyOptions = verdict.options;
      this.#usedKeys.push(verdict.key);
    }
    this.#succeeded.push(method);
    if (!this.#complete(method)) {
      this.#trace(`Partial ${method} for ${request.user}; next: ${this.#next().join(",")}`);
      await this.#send({ type: "userauthFailure", methods: this.#next(), partialSuccess: true });
      return undefined;
    }
    this.#trace(`Accepted ${method} for ${request.user}`);
    // The explicit hand-off where the connection has one (the transport switches to the
    // connection protocol as it sends USERAUTH_SUCCESS); a bare message port gets the message.
    if (this.#conn.authenticated) await this.#inbox.guard(this.#conn.authenticated());
    else await this.#send({ type: "userauthSuccess" });
    const user: AuthenticatedUser = { user: request.user, method, methods: [...this.#succeeded] };
    if (this.#key) user.key = this.#key;
    if (this.#keyOptions) user.options = this.#keyOptions;
    return user;
  }

  /** Whether `user` is a valid name that the application serves; traced once when not. */
  async #serves(user: string): Promise<boolean> {
    const problem = userNameProblem(user);
    if (problem === undefined && (this.#o.users === undefined || await this.#o.users(user))) {
      return true;
    }
    this.#trace(`Invalid user ${printable(user)}${problem ? `: ${problem}` : ""}`);
    return false;
  }

  /** Records `method` in the required lists; true when one list is complete. */
  #complete(method: string): boolean {
    if (this.#o.required === undefined) return true;
    let done = false;
    for (const list of this.#remaining) {
      if (list[0] !== method) continue;
      list.shift();
      if (list.length === 0) done = true;
    }
    return done;
  }

  #send(message: Message): Promise<void> {
    return this.#inbox.guard(this.#conn.send(message));
  }
}
