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
import { AGENT_FORWARD_REQUEST } from "../agent_forward.ts";
import type { ServerContext } from "../server_context.ts";
import { internalSftpFlags, serveInternalSftp } from "./sshd_sftp.ts";

/**
 * Environment variables a client may pass (`AcceptEnv LANG LC_*`).
 *
 * @example
 * ```ts
 * import { ACCEPTED_ENV } from "./sshd_session.ts";
 * console.log(ACCEPTED_ENV.test("LC_ALL"), ACCEPTED_ENV.test("LD_PRELOAD")); // true false
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
 * import { ptyAvailable } from "./sshd_session.ts";
 * console.log(typeof ptyAvailable()); // boolean
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
 * @example
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

  let subsystem = false;
  const start = (command: string | undefined): boolean => {
    if (child || subsystem) return false;
    if (options.chrootDirectory !== undefined) {
      trace(`session ${id}: commands are refused under ChrootDirectory (internal-sftp only)`);
      return false;
    }
    const forced = context.user.options?.command;
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
    // Output starts after our reply to the request is queued (the reply goes out first).
    queueMicrotask(() => pump(running));
    return true;
  };

  const pump = async (running: ChildProcessStreams): Promise<void> => {
    session.readable.pipeTo(running.stdin).catch(() => {});
    const out = running.stdout.pipeTo(session.writable, { preventClose: true }).catch(() => {});
    const err = running.stderr.pipeTo(session.stderrWritable, { preventClose: true }).catch(
      () => {},
    );
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

  session.onRequest = (req: ChannelRequestBody): boolean | Promise<boolean> => {
    switch (req.request) {
      case "pty-req":
        if (context.user.options?.noPty) {
          trace(`session ${id}: pty refused (no-pty in authorized_keys)`);
          return false;
        }
        if (child) return false;
        pty = { term: req.term, cols: req.cols, rows: req.rows, modes: req.modes };
        trace(
          `session ${id}: pty-req ${req.term} ${req.cols}x${req.rows}, ${req.modes.length} modes`,
        );
        return true;
      case "env":
        if (!ACCEPTED_ENV.test(req.name) || req.value.length > 256) {
          trace(`session ${id}: ignored env ${req.name}`);
          return false;
        }
        env[req.name] = req.value;
        trace(`session ${id}: env ${req.name}`);
        return true;
      case "exec":
        return start(req.command);
      case "shell":
        return start(undefined);
      case "subsystem": {
        if (child || subsystem) return false;
        const command = (options.subsystems ?? new Map([["sftp", "internal-sftp"]])).get(req.name);
        if (command === undefined) {
          trace(`session ${id}: subsystem request for ${req.name} failed, subsystem not found`);
          return false;
        }
        const flags = internalSftpFlags(command);
        // a forced command replaces the subsystem, as in OpenSSH
        if (!flags || context.user.options?.command !== undefined) return start(command);
        subsystem = true;
        queueMicrotask(() =>
          void serveInternalSftp(session, context, flags, options.chrootDirectory, trace)
        );
        return true;
      }
      case "signal":
        if (!child || !/^[A-Z0-9]+$/.test(req.signal)) return false;
        trace(`session ${id}: signal ${req.signal}`);
        child.kill(req.signal);
        return true;
      case "window-change": {
        if (!pty) return false;
        pty = { ...pty, cols: req.cols, rows: req.rows };
        const running = child;
        if (running) {
          void running.resize(req.cols, req.rows).then((done) =>
            trace(
              `session ${id}: window-change ${req.cols}x${req.rows}${done ? "" : " not applied"}`,
            )
          );
        }
        return true;
      }
      case "other":
        if (req.name === AGENT_FORWARD_REQUEST) return forwardAgent();
        trace(`session ${id}: refused request ${req.name}`);
        return false;
      default:
        trace(`session ${id}: refused request ${req.request}`);
        return false;
    }
  };
}
