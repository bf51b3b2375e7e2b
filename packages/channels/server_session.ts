/**
 * The server's side of a session channel (RFC 4254 §6): typed handlers for each request the
 * client makes (`pty-req`, `env`, `window-change`, `signal`, then one of `exec`, `shell` or
 * `subsystem`), the program they start run after its SUCCESS reply, and the exit status.
 * @module
 */
import type { ChannelRequestBody } from "@hush/wire";
import { Channel } from "./channel.ts";
import type { ChannelInit } from "./channel_link.ts";
import type { ExitSignal, PtyRequest, WindowChange } from "./session.ts";

/**
 * What the client asks a session to run: one `exec`, `shell` or `subsystem` request (only one
 * of them succeeds per channel, RFC 4254 §6.5). {@linkcode ServerSession.canStart} sees it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SessionStart } from "@hush/channels";
 * const start: SessionStart = { request: "exec", command: "uptime" };
 * assert.equal(start.request, "exec");
 * ```
 */
export type SessionStart = Extract<
  ChannelRequestBody,
  { request: "exec" } | { request: "shell" } | { request: "subsystem" }
>;

/**
 * What `onExec`, `onShell` and `onSubsystem` return: the program's exit status (`undefined`
 * is 0), at once or as a promise. When it settles the session sends that status and closes,
 * unless the handler already ended it (`exit`, `exitSignal`, `close`); a throw or rejection is
 * reported through {@linkcode ServerSession.onError} and ends the session with status 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SessionExit } from "@hush/channels";
 * const run = async (): Promise<number> => 0;
 * const result: SessionExit = run();
 * assert.equal(await result, 0);
 * ```
 */
export type SessionExit = number | void | Promise<number | void>;

/**
 * Exit status sent when a start handler throws or rejects, as a shell's failed command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HANDLER_FAILURE_STATUS } from "@hush/channels";
 * assert.equal(HANDLER_FAILURE_STATUS, 1);
 * ```
 */
export const HANDLER_FAILURE_STATUS = 1;

/**
 * The server's side of a session channel. In the connection's `onSession` callback set the
 * handlers for what the application offers, synchronously (requests may already be queued):
 *
 * - `onPty`, `onEnv`, `onWindowChange`, `onSignal` decide their request: `true` replies
 *   SUCCESS, `false` FAILURE (when the client asked for a reply).
 * - `onExec(command)`, `onShell()`, `onSubsystem(name)` run the program, called only after the
 *   SUCCESS reply has gone out, so output never overtakes it. Write to `writable` and
 *   `stderrWritable`; the returned status ({@linkcode SessionExit}) ends the session. Only the
 *   first start request can succeed; `canStart` may refuse one before it is answered.
 * - A request whose handler is unset goes to `onRequest` (the low-level hook, which sees the
 *   raw request and must start any program itself); with neither it is refused, as are
 *   `keepalive@openssh.com` and any handler that throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection, type ServerSession } from "@hush/channels";
 * import { memoryConnPair } from "@hush/channels/testing";
 * const [a, b] = memoryConnPair();
 * new Connection(b, {
 *   role: "server",
 *   onChannelOpen: (open) => open.channelType === "session",
 *   onSession: (session: ServerSession) => {
 *     session.onEnv = (name) => name === "LANG";
 *     session.onExec = async (command) => {
 *       const out = session.writable.getWriter();
 *       await out.write(new TextEncoder().encode(`ran ${command}\n`));
 *       return 3;
 *     };
 *   },
 * });
 * const client = new Connection(a, { role: "client" });
 * const session = await client.openSession();
 * assert.equal(await session.env("LANG", "C.UTF-8", { wantReply: true }), true);
 * await session.exec("make");
 * assert.equal(await new Response(session.readable).text(), "ran make\n");
 * assert.equal(await session.exitStatus, 3);
 * await client.close();
 * ```
 */
export class ServerSession extends Channel {
  /** Decides a `pty-req`; the request's sizes and modes are all filled in. */
  onPty?: (pty: Required<PtyRequest>) => boolean | Promise<boolean>;
  /** Decides an `env` request (OpenSSH's client sends them without want-reply). */
  onEnv?: (name: string, value: string) => boolean | Promise<boolean>;
  /** Decides a `window-change` (sent without want-reply): resize the program's terminal. */
  onWindowChange?: (size: Required<WindowChange>) => boolean | Promise<boolean>;
  /** Decides a `signal` (name without `SIG`, e.g. `INT`; sent without want-reply). */
  onSignal?: (signal: string) => boolean | Promise<boolean>;
  /**
   * Decides, before the reply, whether a start request whose handler is set may start
   * (default: yes). Refusing replies FAILURE and the handler is not called.
   */
  canStart?: (start: SessionStart) => boolean | Promise<boolean>;
  /** Runs a command (`exec`), after its SUCCESS reply. */
  onExec?: (command: string) => SessionExit;
  /** Runs the login shell (`shell`), after its SUCCESS reply. */
  onShell?: () => SessionExit;
  /** Runs a subsystem such as `sftp`, after its SUCCESS reply. */
  onSubsystem?: (name: string) => SessionExit;
  /**
   * Told when a handler throws or rejects, with the request's name (`exec`, `pty-req`, ...).
   * Without it the error's message goes to the connection's trace hook.
   */
  onError?: (error: unknown, request: string) => void;

  #trace: (line: string) => void;
  #started = false;
  /** The start request accepted and not yet answered, with the handler that will run it. */
  #accepted: { start: SessionStart; run: () => SessionExit } | undefined;
  #ended = false;

  /** Sessions come from the connection's `onSession` callback. */
  constructor(init: ChannelInit) {
    super(init);
    this.closeAfterEof = false;
    this.#trace = (line) => init.host.trace(line);
  }

  /** Whether an `exec`, `shell` or `subsystem` request has been accepted on this session. */
  get started(): boolean {
    return this.#started;
  }

  /**
   * Sends EOF, `exit-status` and CLOSE. Finish writing (await the writer's writes) first.
   */
  async exit(status: number): Promise<void> {
    if (!Number.isInteger(status) || status < 0 || status > 0xffff_ffff) {
      throw new RangeError(`Exit status out of range: ${status}`);
    }
    this.#ended = true;
    await this.sendEof();
    await this.request({ request: "exit-status", status }, { wantReply: false });
    await this.close();
  }

  /** Sends EOF, `exit-signal` (signal name without `SIG`) and CLOSE. */
  async exitSignal(signal: ExitSignal | string): Promise<void> {
    const s = typeof signal === "string" ? { signal, coreDumped: false, message: "" } : signal;
    this.#ended = true;
    await this.sendEof();
    await this.request({
      request: "exit-signal",
      signal: s.signal,
      coreDumped: s.coreDumped,
      message: s.message,
      language: "",
    }, { wantReply: false });
    await this.close();
  }

  /** Sends EOF (if not sent) and CLOSE without an exit status; resolves once the peer closed. */
  override close(): Promise<void> {
    this.#ended = true;
    return super.close();
  }

  /** Typed handlers first; a request whose handler is unset goes to `onRequest`. */
  protected override handleRequest(request: ChannelRequestBody): boolean | Promise<boolean> {
    switch (request.request) {
      case "pty-req": {
        const { request: name, ...pty } = request;
        const handler = this.onPty;
        if (handler) return this.#decide(name, () => handler(pty));
        break;
      }
      case "env": {
        const handler = this.onEnv;
        if (handler) return this.#decide("env", () => handler(request.name, request.value));
        break;
      }
      case "window-change": {
        const { request: name, ...size } = request;
        const handler = this.onWindowChange;
        if (handler) return this.#decide(name, () => handler(size));
        break;
      }
      case "signal": {
        const handler = this.onSignal;
        if (handler) return this.#decide("signal", () => handler(request.signal));
        break;
      }
      case "exec":
      case "shell":
      case "subsystem": {
        const run = this.#handlerFor(request);
        if (run) return this.#admit(request, run);
        break;
      }
    }
    return super.handleRequest(request);
  }

  /** Runs the accepted start request's handler, now that its SUCCESS is on the wire. */
  protected override requestAccepted(request: ChannelRequestBody): void {
    if (!this.#accepted || request !== this.#accepted.start) return;
    const { start, run } = this.#accepted;
    this.#accepted = undefined;
    let result: SessionExit;
    try {
      result = run();
    } catch (e) {
      result = Promise.reject(e);
    }
    Promise.resolve(result).then(
      (status) => this.#finish(status, start.request),
      (e) => {
        this.#report(e, start.request);
        return this.#finish(HANDLER_FAILURE_STATUS, start.request);
      },
    ).catch((e) => this.#report(e, start.request));
  }

  /** The typed handler for a start request, bound to its argument, or undefined. */
  #handlerFor(start: SessionStart): (() => SessionExit) | undefined {
    switch (start.request) {
      case "exec": {
        const handler = this.onExec;
        return handler && (() => handler(start.command));
      }
      case "shell": {
        const handler = this.onShell;
        return handler && (() => handler());
      }
      case "subsystem": {
        const handler = this.onSubsystem;
        return handler && (() => handler(start.name));
      }
    }
  }

  /** Accepts the first start request `canStart` allows; the handler runs after the reply. */
  async #admit(start: SessionStart, run: () => SessionExit): Promise<boolean> {
    if (this.#started) {
      this.#trace(`channel ${this.id}: ${start.request} refused: a program already started`);
      return false;
    }
    const canStart = this.canStart;
    if (canStart && !(await this.#decide(start.request, () => canStart(start)))) return false;
    this.#started = true;
    this.#accepted = { start, run };
    return true;
  }

  /** Runs a deciding handler; a throw or rejection refuses the request and is reported. */
  async #decide(name: string, decide: () => boolean | Promise<boolean>): Promise<boolean> {
    try {
      return (await decide()) === true;
    } catch (e) {
      this.#report(e, name);
      return false;
    }
  }

  /** Ends the session with the handler's status, unless the handler ended it already. */
  async #finish(status: number | void, name: string): Promise<void> {
    if (this.#ended) return;
    let code = status ?? 0;
    if (!Number.isInteger(code) || code < 0 || code > 0xffff_ffff) {
      this.#report(new RangeError(`Exit status out of range: ${code}`), name);
      code = HANDLER_FAILURE_STATUS;
    }
    await this.exit(code);
  }

  #report(error: unknown, name: string): void {
    const onError = this.onError;
    if (onError) {
      try {
        onError(error, name);
        return;
      } catch (e) {
        error = e;
      }
    }
    const message = error instanceof Error ? error.message : String(error);
    this.#trace(`channel ${this.id}: ${name} handler failed: ${message}`);
  }
}
