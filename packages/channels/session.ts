/**
 * Session channels (RFC 4254 §6), the client's side: `Session` (exec, shell, subsystem, pty,
 * env, signals, exit status) and the request types both sides share. The server's side is
 * `ServerSession` (`server_session.ts`).
 * @module
 */
import { type ChannelRequestBody, DisconnectReason, type TerminalModes } from "@hush/wire";
import { Channel } from "./channel.ts";
import type { ChannelInit } from "./channel_link.ts";
import { ChannelError } from "./errors.ts";

/** A `pty-req` (RFC 4254 §6.2). Pixel sizes default to 0, modes to none. */
export interface PtyRequest {
  /** TERM, e.g. `xterm-256color`. */
  term: string;
  /** Width in characters. */
  cols: number;
  /** Height in rows. */
  rows: number;
  /** Width in pixels (0). */
  widthPx?: number;
  /** Height in pixels (0). */
  heightPx?: number;
  /** Terminal modes (none). */
  modes?: TerminalModes;
}

/** A `window-change` (RFC 4254 §6.7). */
export interface WindowChange {
  /** Width in characters. */
  cols: number;
  /** Height in rows. */
  rows: number;
  /** Width in pixels (0). */
  widthPx?: number;
  /** Height in pixels (0). */
  heightPx?: number;
}

/** How a remote command died of a signal (`exit-signal`, RFC 4254 §6.10). */
export interface ExitSignal {
  /** Signal name without `SIG`, e.g. `TERM`. */
  signal: string;
  /** Whether it dumped core. */
  coreDumped: boolean;
  /** Error message (may be empty). */
  message: string;
}

/**
 * The client's side of a session channel. Start one program with `exec`, `shell` or
 * `subsystem` (after optional `env` and `pty`); `exitStatus`/`exitSignal` resolve once the
 * channel closes (`null` when the server sent none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection } from "@hush/channels";
 * import { memoryConnPair } from "@hush/channels/testing";
 * const [a, b] = memoryConnPair();
 * new Connection(b, {
 *   role: "server",
 *   onChannelOpen: (open) => open.channelType === "session",
 *   onSession: (session) => {
 *     session.onExec = async (command) => {
 *       const w = session.writable.getWriter();
 *       await w.write(new TextEncoder().encode(`ran ${command}\n`));
 *       return 0;
 *     };
 *   },
 * });
 * const client = new Connection(a, { role: "client" });
 * const session = await client.openSession();
 * await session.exec("true");
 * assert.equal(await new Response(session.readable).text(), "ran true\n");
 * assert.equal(await session.exitStatus, 0);
 * await client.close();
 * ```
 */
export class Session extends Channel {
  /** The command's exit status, or `null` when the channel closed without one. */
  readonly exitStatus: Promise<number | null>;
  /** The signal that ended the command, or `null`. */
  readonly exitSignal: Promise<ExitSignal | null>;
  #status: number | null = null;
  #signal: ExitSignal | null = null;
  #settle!: () => void;

  /** Sessions come from `Connection.openSession()`. */
  constructor(init: ChannelInit) {
    super(init);
    this.closeAfterEof = false;
    const settled = new Promise<void>((resolve) => (this.#settle = resolve));
    this.exitStatus = settled.then(() => this.#status);
    this.exitSignal = settled.then(() => this.#signal);
  }

  /** Runs a command. Throws a {@linkcode ChannelError} when the server refuses. */
  exec(command: string): Promise<void> {
    return this.#start({ request: "exec", command }, "exec");
  }

  /** Starts the user's login shell. Throws a {@linkcode ChannelError} when refused. */
  shell(): Promise<void> {
    return this.#start({ request: "shell" }, "shell");
  }

  /** Starts a subsystem such as `sftp`. Throws a {@linkcode ChannelError} when refused. */
  subsystem(name: string): Promise<void> {
    return this.#start({ request: "subsystem", name }, "subsystem");
  }

  /** Asks for a pseudo-terminal; resolves whether the server allocated one. */
  pty(req: PtyRequest): Promise<boolean> {
    return this.request({
      request: "pty-req",
      term: req.term,
      cols: req.cols,
      rows: req.rows,
      widthPx: req.widthPx ?? 0,
      heightPx: req.heightPx ?? 0,
      modes: req.modes ?? [],
    });
  }

  /** Tells the server the terminal's new size (no reply). */
  async windowChange(size: WindowChange): Promise<void> {
    await this.request({
      request: "window-change",
      cols: size.cols,
      rows: size.rows,
      widthPx: size.widthPx ?? 0,
      heightPx: size.heightPx ?? 0,
    }, { wantReply: false });
  }

  /**
   * Passes an environment variable. Sent without want-reply as OpenSSH does (servers accept
   * only what `AcceptEnv` allows); with `wantReply` resolves the server's answer.
   */
  env(name: string, value: string, options: { wantReply?: boolean } = {}): Promise<boolean> {
    return this.request({ request: "env", name, value }, { wantReply: options.wantReply ?? false });
  }

  /** Delivers a signal (name without `SIG`, e.g. `INT`) to the remote command (no reply). */
  async signal(name: string): Promise<void> {
    await this.request({ request: "signal", signal: name }, { wantReply: false });
  }

  /** Takes exit-status, exit-signal and eow@openssh.com; the rest go to `onRequest`. */
  protected override handleRequest(request: ChannelRequestBody): boolean | Promise<boolean> {
    switch (request.request) {
      case "exit-status":
        this.#status = request.status;
        return true;
      case "exit-signal":
        this.#signal = {
          signal: request.signal,
          coreDumped: request.coreDumped,
          message: request.message,
        };
        return true;
      case "eow@openssh.com":
        return true;
      default:
        return super.handleRequest(request);
    }
  }

  /** Settles the exit promises when the channel is gone. */
  protected override onClosed(): void {
    this.#settle();
  }

  async #start(body: ChannelRequestBody, what: string): Promise<void> {
    if (!(await this.request(body))) {
      throw new ChannelError(`Cannot start ${what} on channel ${this.id}: the server refused`, {
        reason: DisconnectReason.BY_APPLICATION,
      });
    }
  }
}
