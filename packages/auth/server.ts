/**
 * The server side of SSH user authentication (RFC 4252, RFC 4256): an authenticator the
 * application configures with a callback per method, with OpenSSH's limits.
 * @module
 */
import { parsePublicKey, type PublicKey } from "@hush/keys";
import { DisconnectReason, type Message, type MessageConn, type UserauthRequest } from "@hush/wire";
import {
  type AuthorizedKeyOptions,
  authorizedKeysChecker,
  type PublickeyContext,
} from "./authorized_keys.ts";
import { AuthError } from "./errors.ts";
import { Inbox } from "./inbox.ts";
import {
  type AuthenticatedUser,
  type InfoAsk,
  SERVER_AUTH_LIMITS,
  type ServerAuthOptions,
} from "./server_options.ts";
import { publickeySignedData } from "./signed_data.ts";

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
 * ```ts ignore
 * import { authenticateServer } from "@hush/auth";
 * const who = await authenticateServer(transport, {
 *   sessionId: transport.sessionId!,
 *   password: (user, password) => user === "alice" && password === "wonderland",
 *   banner: "Authorized use only\r\n",
 * });
 * console.log(`Accepted ${who.method} for ${who.user}`);
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

type Verdict =
  | { kind: "success"; key?: PublicKey; options?: AuthorizedKeyOptions }
  | { kind: "failure" }
  /** Answered already (PK_OK, PASSWD_CHANGEREQ): neither success nor a failed attempt. */
  | { kind: "answered" }
  /** The client moved on to a new request mid-method: a failed attempt with no reply. */
  | { kind: "abandoned" };

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
  #keyOptions: AuthorizedKeyOptions | undefined;
  /** A request that arrived while a keyboard-interactive callback was asking. */
  #interrupted: UserauthRequest | undefined;

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
  }

  async run(): Promise<AuthenticatedUser> {
    for (;;) {
      let request: UserauthRequest;
      if (this.#interrupted) {
        request = this.#interrupted;
        this.#interrupted = undefined;
      } else {
        const m = await this.#inbox.next();
        request = this.#expectRequest(m);
      }
      const done = await this.#handle(request);
      if (done) return done;
    }
  }

  #expectRequest(m: Message): UserauthRequest {
    if (m.type === "userauthRequest") return m;
    if (m.type === "userauthSuccess") throw new AuthError("Client sent USERAUTH_SUCCESS");
    const name = m.type === "unknown" ? `message ${m.number}` : m.type;
    throw new AuthError(`Unexpected ${name} during authentication`);
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
        `Service ${JSON.stringify(request.service)} is not available`,
        DisconnectReason.SERVICE_NOT_AVAILABLE,
      );
    }
    if (request.user !== this.#user || request.service !== this.#service) {
      if (this.#user !== undefined) {
        this.#trace(
          `User or service changed: ${this.#user}/${this.#service} to ${request.user}/${request.service}`,
        );
      }
      this.#user = request.user;
      this.#service = request.service;
      this.#remaining = (this.#o.required ?? []).map((l) => [...l]);
      this.#succeeded = [];
      this.#usedKeys = [];
      this.#key = undefined;
      this.#keyOptions = undefined;
    }
    const method = request.method === "other" ? request.name : request.method;
    if (method !== "none" && !this.tried.includes(method)) this.tried.push(method);
    let verdict: Verdict;
    if (method === "none" || !this.#next().includes(method)) {
      verdict = { kind: "failure" };
    } else if (request.method === "publickey") {
      verdict = await this.#publickey(request);
    } else if (request.method === "password") {
      verdict = await this.#password(request);
    } else if (request.method === "keyboard-interactive") {
      verdict = await this.#kbdint(request);
    } else {
      verdict = { kind: "failure" };
    }
    if (verdict.kind === "answered") return undefined;
    if (verdict.kind === "failure" || verdict.kind === "abandoned") {
      // The first `none` only asks for the method list (OpenSSH does not count it).
      const counted = !(method === "none" && this.#requests === 1);
      if (method !== "none") this.#trace(`Failed ${method} for ${request.user}`);
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
    await this.#send({ type: "userauthSuccess" });
    const user: AuthenticatedUser = { user: request.user, method, methods: [...this.#succeeded] };
    if (this.#key) user.key = this.#key;
    if (this.#keyOptions) user.options = this.#keyOptions;
    return user;
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

  async #publickey(
    r: UserauthRequest & { method: "publickey" },
  ): Promise<Verdict> {
    let key: PublicKey;
    try {
      key = parsePublicKey(r.publicKey.slice());
    } catch {
      this.#trace(`Cannot parse the ${r.algorithm} key from ${r.user}`);
      return { kind: "failure" };
    }
    const accepted = this.#o.publickeyAlgorithms;
    if (
      !key.signatureAlgorithms.includes(r.algorithm) ||
      (accepted && !accepted.includes(r.algorithm))
    ) {
      this.#trace(`Refusing ${r.algorithm} for a ${key.type} key`);
      return { kind: "failure" };
    }
    if (this.#usedKeys.some((k) => k.equals(key))) {
      this.#trace(`Key ${key.fingerprint()} was already used`);
      return { kind: "failure" };
    }
    if (r.signature === undefined) {
      this.#trace(`Postponed publickey for ${r.user}: ${key.type} ${key.fingerprint()}`);
      await this.#send({ type: "userauthPkOk", algorithm: r.algorithm, publicKey: r.publicKey });
      return { kind: "answered" };
    }
    const data = publickeySignedData({
      sessionId: this.#o.sessionId,
      user: r.user,
      service: r.service,
      algorithm: r.algorithm,
      publicKey: r.publicKey,
    });
    let valid = false;
    try {
      valid = await this.#inbox.guard(key.verify(r.algorithm, r.signature, data));
    } catch (e) {
      if (e instanceof AuthError) throw e;
      valid = false;
    }
    if (!valid) {
      this.#trace(`Bad signature from ${r.user} for ${key.type} ${key.fingerprint()}`);
      return { kind: "failure" };
    }
    const context: PublickeyContext = {
      remoteAddress: this.#o.remoteAddress,
      now: this.#o.now?.() ?? Date.now(),
    };
    if (this.#checkAuthorizedKeys) {
      const options = await this.#inbox.guard(this.#checkAuthorizedKeys(r.user, key, context));
      if (options) return { kind: "success", key, options };
    }
    if (this.#o.publickey) {
      const answer = await this.#inbox.guard(
        Promise.resolve(this.#o.publickey(r.user, key, context)),
      );
      if (answer === true) return { kind: "success", key };
      if (answer) return { kind: "success", key, options: answer };
    }
    return { kind: "failure" };
  }

  async #password(r: UserauthRequest & { method: "password" }): Promise<Verdict> {
    const check = this.#o.password;
    if (!check) return { kind: "failure" };
    const answer = await this.#inbox.guard(Promise.resolve(check(r.user, r.password)));
    if (r.newPassword !== undefined) {
      const change = this.#o.changePassword;
      if (answer === false || !change) return { kind: "failure" };
      const ok = await this.#inbox.guard(
        Promise.resolve(change(r.user, r.password, r.newPassword)),
      );
      return ok === true ? { kind: "success" } : { kind: "failure" };
    }
    if (answer === true) return { kind: "success" };
    if (answer && typeof answer === "object" && this.#o.changePassword) {
      await this.#send({
        type: "userauthPasswdChangereq",
        prompt: answer.changePrompt,
        language: "",
      });
      return { kind: "answered" };
    }
    return { kind: "failure" };
  }

  async #kbdint(r: UserauthRequest & { method: "keyboard-interactive" }): Promise<Verdict> {
    const run = this.#o.keyboardInteractive;
    if (!run) return { kind: "failure" };
    let fatal: AuthError | undefined;
    let abandoned = false;
    const ask: InfoAsk = async (challenge) => {
      if (fatal) throw fatal;
      if (abandoned) {
        throw new AuthError(
          "Client abandoned keyboard-interactive",
          DisconnectReason.BY_APPLICATION,
        );
      }
      const prompts = challenge.prompts.map((p) => ({ prompt: p.prompt, echo: p.echo }));
      await this.#send({
        type: "userauthInfoRequest",
        name: challenge.name ?? "",
        instruction: challenge.instruction ?? "",
        language: "",
        prompts,
      });
      try {
        const m = await this.#inbox.next("keyboard-interactive");
        if (m.type === "userauthInfoResponse") {
          if (m.responses.length !== prompts.length) {
            throw new AuthError(
              `Client sent ${m.responses.length} keyboard-interactive answers for ${prompts.length} prompts`,
            );
          }
          return m.responses;
        }
        if (m.type === "userauthRequest") {
          this.#interrupted = m;
          abandoned = true;
          throw new AuthError(
            "Client abandoned keyboard-interactive",
            DisconnectReason.BY_APPLICATION,
          );
        }
        this.#expectRequest(m);
        throw new AuthError("Unreachable");
      } catch (e) {
        if (!abandoned) {
          fatal = e instanceof AuthError
            ? e
            : new AuthError("Keyboard-interactive failed", undefined, { cause: e });
        }
        throw e;
      }
    };
    let ok = false;
    try {
      ok = (await this.#inbox.guard(Promise.resolve(run(r.user, ask, r.submethods)))) === true;
    } catch (e) {
      if (fatal) throw fatal;
      if (!abandoned) throw e;
    }
    if (fatal) throw fatal;
    if (abandoned) return { kind: "abandoned" };
    return ok ? { kind: "success" } : { kind: "failure" };
  }
}
