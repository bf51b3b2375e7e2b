/**
 * What `hush sshd` does with a session channel: `pty-req`, `env` (LANG and LC_* only),
 * `auth-agent-req@openssh.com` (an SSH_AUTH_SOCK relayed to the client's agent),
 * `exec` and `shell` as child processes of the current OS user (with a pty through util-linux
 * `script` when asked for and available, sized and set to the terminal modes as asked, resized
 * by `window-change`),
 * `subsystem` (`sftp` served in-process as OpenSSH's `internal-sftp`, or a configured command),
 * `signal`, then the exit status or exit signal.
 * stdin, stdout and stderr are piped with backpressure both ways (the channel window on one
 * side, the pipe buffers on the other).
 * @module
 */
import { existsSync } from "node:fs";
import process from "node:process";
import type { PtyRequest, ServerSession } from "@hush/channels";
import type { ChannelRequestBody } from "@hush/wire";
import { type ForwardedAgent, listenForwardedAgent } from "../adapters/agent_listener.ts";
import { type ChildProcessStreams, spawnCommand, type SpawnOptions } from "../adapters/process.ts";
import { copyByteStream } from "../adapters/byte_stream_copy.ts";
import { AGENT_FORWARD_REQUEST } from "../agent_forward.ts";
import type { ServerContext } from "../server_context.ts";
import { internalSftpFlags, serveInternalSftp } from "./sshd_sftp.ts";

/**
 * Environment variables a client may pass (`AcceptEnv LANG LC_*`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ACCEPTED_ENV } from "./sshd_session.ts";
 * assert.equal(ACCEPTED_ENV.test("LC_ALL"), true);
 * assert.equal(ACCEPTED_ENV.test("LD_PRELOAD"), false);
 * ```
 */
export const ACCEPTED_ENV: RegExp = /^(LANG|LC_[A-Z_]+)$/;

/**
 * Options for {@linkcode runSession}.
 *
 * @example
 * ```ts
 * import type { SessionOptions } from "./sshd_session.ts";
 * const options: SessionOptions = { trace: console.error, ptyAvailable: false };
 * ```
 */
export interface SessionOptions {
  /** `sshd -d` style lines. */
  trace?: (line: string) => void;
  /** Whether `script` can give a pty (default: looks for it on PATH). */
  ptyAvailable?: boolean;
  /** Every child started, so a shutdown can end them. */
  children?: Set<ChildProcessStreams>;
  /** AllowAgentForwarding (default true): `auth-agent-req@openssh.com` gets an SSH_AUTH_SOCK. */
  agentForwarding?: boolean;
  /** Subsystem commands by name (default: `sftp` is `internal-sftp`). */
  subsystems?: Map<string, string>;
  /** ChrootDirectory: internal-sftp is kept inside it, and commands and shells are refused. */
  chrootDirectory?: string;
}

let scriptFound: boolean | undefined;

/**
 * Whether util-linux `script` is on PATH (how the server gets a real pty).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ptyAvailable } from "./sshd_session.ts";
 * assert.equal(typeof ptyAvailable(), "boolean");
 * ```
 */
export function ptyAvailable(): boolean {
  if (scriptFound === undefined) {
    const dirs = (process.env.PATH ?? "/usr/bin:/bin").split(":").filter((d) => d);
    scriptFound = process.platform === "linux" && dirs.some((d) => existsSync(`${d}/script`));
  }
  return scriptFound;
}

/**
 * Handles one session channel's requests and runs its command.
 *
 * @example Not run here: it runs the user's shell and commands
 * ```ts ignore
 * import { serve } from "@hush/ssh";
 * import { runSession } from "./sshd_session.ts";
 * await serve({ hostKeys, authenticate, onSession: (s, ctx) => runSession(s, ctx) });
 * ```
 */
export function runSession(
  session: ServerSession,
  context: ServerContext,
  options: SessionOptions = {},
): void {
  const trace = options.trace ?? (() => {});
  const env: Record<string, string> = {};
  let pty: PtyRequest | undefined;
  let child: ChildProcessStreams | undefined;
  let agent: ForwardedAgent | undefined;
  const id = session.id;
  session.closed.then(() => agent?.close());

  const forced = context.user.options?.command;
  const subsystems = options.subsystems ?? new Map([["sftp", "internal-sftp"]]);

  // Runs a command or the shell; the session layer calls this after the SUCCESS reply, so the
  // output never overtakes it. Resolves once the exit status or signal has been sent.
  const run = (command: string | undefined): Promise<void> => {
    if (forced !== undefined) {
      env.SSH_ORIGINAL_COMMAND = command ?? "";
      trace(`session ${id}: forced command from authorized_keys`);
      command = forced;
    }
    const remote = `${context.remoteAddress ?? "unknown"} ${context.remotePort ?? 0}`;
    env.SSH_CLIENT = `${remote} ${context.localPort ?? 0}`;
    env.SSH_CONNECTION = `${remote} ${context.localAddress ?? "unknown"} ${context.localPort ?? 0}`;
    let terminal: SpawnOptions["pty"];
    if (pty) {
      if (options.ptyAvailable ?? ptyAvailable()) {
        terminal = {
          term: pty.term || "dumb",
          cols: pty.cols || 80,
          rows: pty.rows || 24,
          modes: pty.modes,
        };
      } else {
        trace(`session ${id}: no pty available (util-linux script not found); running without one`);
      }
    }
    trace(
      `session ${id}: ${command === undefined ? "shell" : `exec "${command}"`}${
        terminal ? ` on a pty (${terminal.term} ${terminal.cols}x${terminal.rows})` : ""
      }`,
    );
    const running = spawnCommand(command, { env, pty: terminal });
    child = running;
    options.children?.add(running);
    return pump(running);
  };

  const pump = async (running: ChildProcessStreams): Promise<void> => {
    session.readable.pipeTo(running.stdin).catch(() => {});
    // through two reused buffers where the output is a byte stream (Deno): the channel's writes
    // settle once their bytes are encoded
    const out = copyByteStream(running.stdout, session.writable, { preventClose: true })
      .catch(() => {});
    const err = copyByteStream(running.stderr, session.stderrWritable, { preventClose: true })
      .catch(() => {});
    let ended = false;
    session.closed.then(() => {
      if (!ended) {
        trace(`session ${id}: channel closed before the command ended; sending HUP`);
        running.kill("HUP");
      }
    });
    const exit = await running.exit;
    ended = true;
    options.children?.delete(running);
    await Promise.all([out, err]);
    if (exit.signal) {
      trace(`session ${id}: command killed by signal ${exit.signal}`);
      await session.exitSignal(exit.signal).catch(() => {});
    } else {
      trace(`session ${id}: command exited with status ${exit.code ?? 255}`);
      await session.exit(exit.code ?? 255).catch(() => {});
    }
  };

  // OpenSSH's ssh asks before its exec or shell, and requests are answered in order, so the
  // socket exists by the time the command starts with SSH_AUTH_SOCK pointing at it.
  const forwardAgent = async (): Promise<boolean> => {
    if (agent || child) return false;
    if (context.user.options?.noAgentForwarding) {
      trace(`session ${id}: agent forwarding refused (no-agent-forwarding in authorized_keys)`);
      return false;
    }
    if (options.agentForwarding === false) {
      trace(`session ${id}: agent forwarding refused (AllowAgentForwarding no)`);
      return false;
    }
    try {
      agent = await listenForwardedAgent(context.connection, trace);
    } catch (e) {
      trace(`session ${id}: agent forwarding failed: ${(e as Error).message}`);
      return false;
    }
    env.SSH_AUTH_SOCK = agent.path;
    trace(`session ${id}: agent forwarding to ${agent.path}`);
    return true;
  };

  session.onError = (e, request) =>
    trace(`session ${id}: ${request} failed: ${e instanceof Error ? e.message : String(e)}`);

  session.onPty = (req) => {
    if (context.user.options?.noPty) {
      trace(`session ${id}: pty refused (no-pty in authorized_keys)`);
      return false;
    }
    if (child) return false;
    pty = req;
    trace(`session ${id}: pty-req ${req.term} ${req.cols}x${req.rows}, ${req.modes.length} modes`);
    return true;
  };

  session.onEnv = (name, value) => {
    if (!ACCEPTED_ENV.test(name) || value.length > 256) {
      trace(`session ${id}: ignored env ${name}`);
      return false;
    }
    env[name] = value;
    trace(`session ${id}: env ${name}`);
    return true;
  };

  // Decided before the reply: an unknown subsystem, or a command or shell under ChrootDirectory
  // (where only internal-sftp runs), is refused. Only the first start succeeds (session layer).
  session.canStart = (start) => {
    if (start.request === "subsystem") {
      const command = subsystems.get(start.name);
      if (command === undefined) {
        trace(`session ${id}: subsystem request for ${start.name} failed, subsystem not found`);
        return false;
      }
      // a forced command replaces the subsystem, as in OpenSSH
      if (internalSftpFlags(command) && forced === undefined) return true;
    }
    if (options.chrootDirectory !== undefined) {
      trace(`session ${id}: commands are refused under ChrootDirectory (internal-sftp only)`);
      return false;
    }
    return true;
  };
  session.onExec = (command) => run(command);
  session.onShell = () => run(undefined);
  session.onSubsystem = (name) => {
    const command = subsystems.get(name)!;
    const flags = internalSftpFlags(command);
    if (!flags || forced !== undefined) return run(command);
    return serveInternalSftp(session, context, flags, options.chrootDirectory, trace);
  };

  session.onSignal = (signal) => {
    if (!child || !/^[A-Z0-9]+$/.test(signal)) return false;
    trace(`session ${id}: signal ${signal}`);
    child.kill(signal);
    return true;
  };

  session.onWindowChange = (size) => {
    if (!pty) return false;
    pty = { ...pty, cols: size.cols, rows: size.rows };
    const running = child;
    if (running) {
      void running.resize(size.cols, size.rows).then((done) =>
        trace(`session ${id}: window-change ${size.cols}x${size.rows}${done ? "" : " not applied"}`)
      );
    }
    return true;
  };

  // What has no typed handler: agent forwarding, and the rest refused with a trace line.
  session.onRequest = (req: ChannelRequestBody): boolean | Promise<boolean> => {
    if (req.request === "other" && req.name === AGENT_FORWARD_REQUEST) return forwardAgent();
    trace(`session ${id}: refused request ${req.request === "other" ? req.name : req.request}`);
    return false;
  };
}
