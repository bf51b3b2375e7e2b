/**
 * The client side of SSH user authentication (RFC 4252, RFC 4256): methods none, publickey,
 * password and keyboard-interactive, tried in an order like OpenSSH's.
 * @module
 */
import type { PublicKey, Signer } from "@hush/keys";
import { DisconnectReason, type Message, type MessageConn } from "@hush/wire";
import { type AgentClient, agentSigner } from "./agent_client.ts";
import { chooseSignatureAlgorithm } from "./algorithms.ts";
import { AuthError } from "./errors.ts";
import { Inbox, type MethodContext } from "./inbox.ts";
import { publickeySignedData } from "./signed_data.ts";

/**
 * A keyboard-interactive round (SSH_MSG_USERAUTH_INFO_REQUEST, RFC 4256 §3.2).
 *
 * @example
 * ```ts
 * import type { KeyboardInteractiveChallenge } from "@hush/auth";
 * const answer = (c: KeyboardInteractiveChallenge): Promise<string[]> =>
 *   Promise.resolve(c.prompts.map((p) => (p.echo ? "alice" : "secret")));
 * ```
 */
export interface KeyboardInteractiveChallenge {
  /** A title for the prompts; often empty. */
  name: string;
  /** Instructions to show before the prompts; often empty. */
  instruction: string;
  /** The prompts; `echo` false means hide what is typed (a password). */
  prompts: { prompt: string; echo: boolean }[];
}

/**
 * Options of {@linkcode authenticateClient}.
 *
 * @example
 * ```ts
 * import type { ClientAuthOptions } from "@hush/auth";
 * const options: ClientAuthOptions = {
 *   user: "alice",
 *   sessionId: new Uint8Array(32),
 *   password: () => Promise.resolve("secret"),
 *   preferredMethods: ["keyboard-interactive", "password"],
 * };
 * ```
 */
export interface ClientAuthOptions {
  /** The user to log in as. */
  user: string;
  /** The transport's session identifier (the first exchange hash). */
  sessionId: Uint8Array;
  /** The service to start once authenticated (`ssh-connection`). */
  service?: string;
  /** Keys to offer first, in order. */
  identities?: Signer[];
  /** An ssh-agent whose keys are offered after `identities` (a key already offered is skipped). */
  agent?: AgentClient;
  /** The password, or a callback asked each time one is needed (`undefined`: stop asking). */
  password?: string | (() => Promise<string | undefined>);
  /**
   * Asked when the server says the password has expired (SSH_MSG_USERAUTH_PASSWD_CHANGEREQ)
   * with the server's prompt; returns the new password or `undefined` to give up on passwords.
   */
  changePassword?: (request: { prompt: string }) => Promise<string | undefined>;
  /** Answers keyboard-interactive prompts, one answer per prompt. */
  keyboardInteractive?: (challenge: KeyboardInteractiveChallenge) => Promise<string[]>;
  /** The server's `server-sig-algs` (RFC 8308), when it sent EXT_INFO. */
  serverSigAlgs?: string[];
  /** Receives each USERAUTH_BANNER message. */
  onBanner?: (message: string) => void;
  /** `ssh -v` style lines: methods and key fingerprints, never secrets. */
  trace?: (line: string) => void;
  /** Aborts authentication with an AuthError (reason BY_APPLICATION). */
  signal?: AbortSignal;
  /** Method order, like PreferredAuthentications (publickey, keyboard-interactive, password). */
  preferredMethods?: string[];
  /** Password and keyboard-interactive attempts, like NumberOfPasswordPrompts (3). */
  passwordPrompts?: number;
}

/**
 * What {@linkcode authenticateClient} resolves to.
 *
 * @example
 * ```ts
 * import type { ClientAuthResult } from "@hush/auth";
 * const done: ClientAuthResult = { method: "publickey" };
 * ```
 */
export interface ClientAuthResult {
  /** The method that completed authentication. */
  method: string;
}

/**
 * The default method order, as OpenSSH's client without GSSAPI and hostbased.
 *
 * @example
 * ```ts
 * import { DEFAULT_CLIENT_METHODS } from "@hush/auth";
 * console.log(DEFAULT_CLIENT_METHODS); // [ "publickey", "keyboard-interactive", "password" ]
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
 * ```ts ignore
 * import { authenticateClient } from "@hush/auth";
 * const { method } = await authenticateClient(transport, {
 *   user: "alice",
 *   sessionId: transport.sessionId!,
 *   identities: [key],
 *   password: () => askPassword(),
 *   onBanner: (text) => console.error(text),
 * });
 * console.log(`Authenticated with ${method}`);
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

type Final =
  | { kind: "success" }
  | { kind: "failure"; methods: string[]; partialSuccess: boolean };

type Outcome =
  | Final
  /** Nothing was sent (or nothing is pending): the method has no more to try right now. */
  | { kind: "skipped" };

class ClientAuth {
  #conn: MessageConn;
  #inbox: Inbox;
  #options: ClientAuthOptions;
  #service: string;
  #trace: (line: string) => void;
  #tried: string[] = [];
  #exhausted = new Set<string>();
  #keys: Signer[] | undefined;
  #keyIndex = 0;
  #passwordAttempts = 0;
  #kbdintAttempts = 0;
  #canContinue: string[] = [];

  constructor(conn: MessageConn, inbox: Inbox, options: ClientAuthOptions) {
    this.#conn = conn;
    this.#inbox = inbox;
    this.#options = options;
    this.#service = options.service ?? "ssh-connection";
    this.#trace = options.trace ?? (() => {});
  }

  async run(): Promise<ClientAuthResult> {
    await this.#checkNothingUnasked();
    this.#attempt("none");
    await this.#send({ method: "none" });
    const first = await this.#finalReply(undefined, "none");
    if (first.kind === "success") return this.#succeeded("none");
    this.#canContinue = first.methods;
    this.#trace(`Authentications that can continue: ${first.methods.join(",")}`);
    const preferred = this.#options.preferredMethods ?? DEFAULT_CLIENT_METHODS;
    const passwordPrompts = this.#options.passwordPrompts ?? 3;
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
          outcome = await this.#publickey();
          break;
        case "password":
          outcome = this.#passwordAttempts >= passwordPrompts
            ? { kind: "skipped" }
            : await this.#password();
          break;
        case "keyboard-interactive":
          outcome = this.#kbdintAttempts >= passwordPrompts
            ? { kind: "skipped" }
            : await this.#kbdint();
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
      throw unexpected(m, "before any request");
    }
  }

  #banner(message: string): void {
    this.#options.onBanner?.(message);
  }

  #send(method: DistributiveRequest): Promise<void> {
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

  /** Waits for SUCCESS or FAILURE; anything else is a protocol error. */
  async #finalReply(context: MethodContext | undefined, what: string): Promise<Final> {
    const m = await this.#reply(context);
    return final(m, what);
  }

  async #candidateKeys(): Promise<Signer[]> {
    if (this.#keys) return this.#keys;
    const keys: Signer[] = [];
    const seen: PublicKey[] = [];
    const add = (signer: Signer) => {
      if (seen.some((k) => sameBlob(k.blob, signer.publicKey.blob))) return;
      seen.push(signer.publicKey);
      keys.push(signer);
    };
    for (const signer of this.#options.identities ?? []) add(signer);
    const agent = this.#options.agent;
    if (agent) {
      try {
        const listed = await this.#inbox.guard(agent.identities());
        for (const { key } of listed) add(agentSigner(agent, key));
      } catch (e) {
        if (this.#options.signal?.aborted) throw e;
        this.#trace(`Cannot list agent keys: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.#keys = keys;
    return keys;
  }

  /** Offers the next key: a query, then on PK_OK the signed request. */
  async #publickey(): Promise<Outcome> {
    const keys = await this.#candidateKeys();
    while (this.#keyIndex < keys.length) {
      const signer = keys[this.#keyIndex++];
      const key = signer.publicKey;
      const algorithm = chooseSignatureAlgorithm(key, this.#options.serverSigAlgs);
      const name = `${key.type} ${key.fingerprint()}`;
      if (algorithm === undefined) {
        this.#trace(`Skipping ${name}: no signature algorithm the server accepts`);
        continue;
      }
      this.#attempt("publickey");
      this.#trace(`Offering public key: ${name}`);
      await this.#send({ method: "publickey", algorithm, publicKey: key.blob });
      const answer = await this.#reply("publickey");
      if (answer.type === "userauthSuccess") {
        throw new AuthError("Server sent USERAUTH_SUCCESS in reply to an unsigned publickey query");
      }
      if (answer.type !== "userauthPkOk") return final(answer, "a publickey query");
      if (answer.algorithm !== algorithm || !sameBlob(answer.publicKey, key.blob)) {
        throw new AuthError("Server sent USERAUTH_PK_OK for a key that was not offered");
      }
      this.#trace(`Server accepts key: ${name}`);
      const data = publickeySignedData({
        sessionId: this.#options.sessionId,
        user: this.#options.user,
        service: this.#service,
        algorithm,
        publicKey: key.blob,
      });
      let signature: Uint8Array;
      try {
        signature = await this.#inbox.guard(signer.sign(data, algorithm));
      } catch (e) {
        if (this.#options.signal?.aborted) throw e;
        this.#trace(`Signing failed for ${name}: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      await this.#send({ method: "publickey", algorithm, publicKey: key.blob, signature });
      return await this.#finalReply("publickey", "a publickey request");
    }
    return { kind: "skipped" };
  }

  async #password(): Promise<Outcome> {
    const source = this.#options.password;
    if (source === undefined) return { kind: "skipped" };
    let password: string | undefined;
    if (typeof source === "string") {
      password = this.#passwordAttempts === 0 ? source : undefined;
    } else {
      password = await this.#ask(() => source());
    }
    if (password === undefined) return { kind: "skipped" };
    this.#passwordAttempts++;
    this.#attempt("password");
    this.#trace("Trying password authentication");
    await this.#send({ method: "password", password });
    const prompts = this.#options.passwordPrompts ?? 3;
    for (let changes = 0;; changes++) {
      const m = await this.#reply("password");
      if (m.type !== "userauthPasswdChangereq") return final(m, "a password request");
      this.#trace("Server requests a password change");
      const change = this.#options.changePassword;
      const newPassword = change && changes < prompts
        ? await this.#ask(() => change({ prompt: m.prompt }))
        : undefined;
      if (newPassword === undefined) {
        // Nothing more to say with passwords; the server waits for another request.
        this.#exhausted.add("password");
        return { kind: "failure", methods: this.#canContinue, partialSuccess: false };
      }
      await this.#send({ method: "password", password, newPassword });
    }
  }

  async #kbdint(): Promise<Outcome> {
    const respond = this.#options.keyboardInteractive;
    if (respond === undefined) return { kind: "skipped" };
    this.#kbdintAttempts++;
    this.#attempt("keyboard-interactive");
    this.#trace("Trying keyboard-interactive authentication");
    await this.#send({ method: "keyboard-interactive", language: "", submethods: "" });
    for (;;) {
      const m = await this.#reply("keyboard-interactive");
      if (m.type !== "userauthInfoRequest") return final(m, "a keyboard-interactive request");
      const challenge = {
        name: m.name,
        instruction: m.instruction,
        prompts: m.prompts.map((p) => ({ prompt: p.prompt, echo: p.echo })),
      };
      const silent = m.prompts.length === 0 && m.name === "" && m.instruction === "";
      const responses = silent ? [] : await this.#ask(() => respond(challenge));
      if (!Array.isArray(responses) || responses.length !== m.prompts.length) {
        throw new TypeError(
          `keyboardInteractive must return ${m.prompts.length} answers, got ${
            Array.isArray(responses) ? responses.length : typeof responses
          }`,
        );
      }
      await this.#inbox.guard(this.#conn.send({ type: "userauthInfoResponse", responses }));
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

type DistributiveRequest =
  | { method: "none" }
  | { method: "publickey"; algorithm: string; publicKey: Uint8Array; signature?: Uint8Array }
  | { method: "password"; password: string; newPassword?: string }
  | { method: "keyboard-interactive"; language: string; submethods: string };

function final(m: Message, what: string): Final {
  if (m.type === "userauthSuccess") return { kind: "success" };
  if (m.type === "userauthFailure") {
    return { kind: "failure", methods: m.methods, partialSuccess: m.partialSuccess };
  }
  throw unexpected(m, `in reply to ${what}`);
}

function unexpected(m: Message, when: string): AuthError {
  const name = m.type === "unknown" ? `message ${m.number}` : m.type;
  return new AuthError(`Unexpected ${name} ${when}`);
}

function sameBlob(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
