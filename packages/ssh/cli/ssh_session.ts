/**
 * The remote command or shell of `ssh` and its I/O: the pty request, stdin to the remote (with
 * the `~.` escape on a terminal), the remote stdout and stderr to ours, and the exit status.
 * @module
 */
import { ChannelError } from "@hush/channels";
import type { SshClient } from "../client.ts";
import type { SshArgs } from "./ssh_args.ts";
import type { SshSettings } from "./ssh_config.ts";
import { sessionEnvironment } from "./ssh_env.ts";
import { escapeFilter } from "./ssh_escape.ts";
import { localTerminalModes } from "./ssh_terminal_modes.ts";
import { coalescingWritable } from "./coalescing_writable.ts";
import { sessionEndMessage, SSH_FAILURE } from "./ssh_failure.ts";
import { err, type Io } from "./ssh_io.ts";
import { stdinIsTerminal } from "./ssh_tty.ts";
import { copyStdinTo, stdinReadable } from "./stdin_readable.ts";

/** Runs the command (or shell) and relays its I/O; resolves with the exit status ssh ends with. */
export async function runSession(
  client: SshClient,
  args: SshArgs,
  s: SshSettings,
  io: Io,
  restore: (() => void)[],
): Promise<number> {
  const command = args.command.join(" ");
  const terminal = stdinIsTerminal() && !args.noStdin;
  let pty = false;
  // -t/-T win over RequestTTY (yes, force, no, auto)
  const request = args.tty === undefined ? s.requestTty : args.tty ? "yes" : "no";
  if (request === "yes" || request === "force") {
    pty = terminal || args.ttyCount >= 2 || request === "force";
    if (!pty && !s.quiet) {
      err("Pseudo-terminal will not be allocated because stdin is not a terminal.\n");
    }
  } else if (request === "auto") {
    pty = command === "" && terminal;
  }
  let size = { columns: 80, rows: 24 };
  try {
    if (Deno.stdout.isTerminal() || terminal) size = Deno.consoleSize();
  } catch { /* not a terminal */ }
  // as OpenSSH's ssh: the remote pty starts with our terminal's modes (none without one)
  const ptyOptions = pty
    ? {
      term: Deno.env.get("TERM") ?? "xterm-256color",
      cols: size.columns,
      rows: size.rows,
      modes: terminal ? await localTerminalModes() : [],
    }
    : undefined;
  const env = sessionEnvironment(Deno.env.toObject(), s.sendEnv, s.setEnv);
  let session;
  try {
    session = command
      ? await client.execStream(command, { pty: ptyOptions, env })
      : await client.shell({ pty: ptyOptions ?? false, env });
  } catch (e) {
    throw new ChannelError(
      `${command ? "exec" : "shell"} request failed on channel 0: ${(e as Error).message}`,
      { cause: e },
    );
  }
  io.trace(`Sending command: ${command || "(shell)"}`);
  if (pty && terminal) {
    Deno.stdin.setRaw(true);
    restore.push(() => Deno.stdin.setRaw(false));
    const onResize = () => {
      try {
        const { columns, rows } = Deno.consoleSize();
        void session.windowChange({ cols: columns, rows }).catch(() => {});
      } catch { /* gone */ }
    };
    try {
      Deno.addSignalListener("SIGWINCH", onResize);
      restore.push(() => Deno.removeSignalListener("SIGWINCH", onResize));
    } catch { /* no SIGWINCH */ }
  }
  // stdin → remote, with the channel window as backpressure; EOF when stdin ends
  // on an interactive terminal, ~. at the start of a line disconnects (as ssh's EscapeChar)
  let escaped!: () => void;
  const escape = new Promise<"escaped">((resolve) => (escaped = () => resolve("escaped")));
  if (args.noStdin) {
    void session.writable.close().catch(() => {});
  } else if (pty && terminal) {
    void stdinReadable().pipeThrough(escapeFilter(escaped))
      .pipeTo(session.writable).catch(() => {});
  } else {
    void copyStdinTo(session.writable).catch(() => {});
  }
  // remote output → ours; a write that fails (stdout closed: `ssh host yes | head`) ends ssh
  // with 255 as OpenSSH does, instead of draining the remote forever. preventAbort: a lost
  // connection must not close our stdout/stderr (their messages still have to be written)
  let failed!: () => void;
  const writeFailed = new Promise<"failed">((resolve) => (failed = () => resolve("failed")));
  const outputs = Promise.all([
    session.readable.pipeTo(coalescingWritable(writeStdout), { preventAbort: true })
      .catch(failed),
    session.stderr.pipeTo(Deno.stderr.writable, { preventClose: true, preventAbort: true }).catch(
      failed,
    ),
  ]);
  const ended = await Promise.race([outputs, writeFailed, escape]);
  if (ended === "failed") {
    // the connection went away under the session, or our own output could not be written
    const lost = await Promise.race([
      client.transport.closed.then((error) => ({ error })),
      new Promise<false>((r) => setTimeout(() => r(false), 100)),
    ]);
    if (lost && !io.timedOut && !s.quiet) {
      err(sessionEndMessage(lost.error, s.host, s.port) + "\n");
    } else io.trace("Writing the remote output failed");
    return SSH_FAILURE;
  }
  if (ended === "escaped") {
    Deno.stdin.setRaw(false);
    err(`Connection to ${s.host} closed.\r\n`);
    return SSH_FAILURE;
  }
  const [code, signal] = await Promise.all([session.exitStatus, session.exitSignal]);
  if (pty && terminal) {
    Deno.stdin.setRaw(false);
    if (!s.quiet) err(`Connection to ${s.host} closed.\r\n`);
  }
  if (signal) io.trace(`Remote command killed by signal ${signal.signal}`);
  io.trace(`Exit status ${code ?? -1}`);
  return code ?? SSH_FAILURE;
}

/** Output chunks up to this size are written to stdout synchronously. */
const SYNC_WRITE_LIMIT = 4096;

/**
 * Writes remote output to our stdout. Deno's async write runs on its blocking-thread pool, a
 * thread hop each way: ≈ 0.2 ms of a 1-byte echo's 0.5 ms round trip through `ssh -T host cat`
 * (measured). Small writes (keystroke echoes) go straight to the kernel instead; one can block
 * only while whatever reads our stdout has stopped with its pipe full, when this session's
 * output cannot move anyway. Large ones keep the async path.
 */
function writeStdout(p: Uint8Array): Promise<number> {
  if (p.length > SYNC_WRITE_LIMIT) return Deno.stdout.write(p);
  try {
    return Promise.resolve(Deno.stdout.writeSync(p));
  } catch (e) {
    return Promise.reject(e);
  }
}
