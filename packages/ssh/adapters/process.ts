/**
 * Running a command for a server session (`exec`, `shell`) as a child process with Web Streams:
 * through `Deno.Command` on Deno (its output as byte streams, see `deno_child.ts`), through
 * node:child_process on Node and Bun.
 * @module
 */
import { spawn } from "node:child_process";
import type { TerminalModes } from "@hush/wire";
import { readableFromPipe, writableToPipe } from "./child_stdio.ts";
import { spawnDenoChild } from "./deno_child.ts";
import { sttyModeArguments } from "./pty_modes.ts";
import { resizeScriptPty, sttySizeCommand } from "./pty_size.ts";

/**
 * How a process ended: an exit code, or the signal that killed it (SSH names, no "SIG").
 *
 * @example
 * ```ts
 * import type { ProcessExit } from "@hush/ssh/adapters";
 * const exit: ProcessExit = { code: null, signal: "TERM" };
 * ```
 */
export interface ProcessExit {
  /** The exit status, or `null` when a signal ended the process. */
  code: number | null;
  /** The signal's SSH name (`TERM`, `KILL`, …), or `null` when it exited. */
  signal: string | null;
}

/**
 * A running child process seen as streams.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawnCommand } from "@hush/ssh/adapters";
 * const p = spawnCommand("cat");
 * const w = p.stdin.getWriter();
 * await w.write(new TextEncoder().encode("echoed"));
 * await w.close();
 * assert.equal(await new Response(p.stdout).text(), "echoed");
 * assert.equal((await p.exit).code, 0);
 * ```
 */
export interface ChildProcessStreams {
  /** The process's standard input (closing it sends EOF). */
  stdin: WritableStream<Uint8Array>;
  /** Its standard output (with a pty: everything the terminal shows). */
  stdout: ReadableStream<Uint8Array>;
  /** Its standard error (empty with a pty). */
  stderr: ReadableStream<Uint8Array>;
  /** Resolves once the process has ended (what it wrote may still be on its way out). */
  exit: Promise<ProcessExit>;
  /** Sends a signal by its SSH name (`TERM`, `INT`, `KILL`, …). */
  kill(signal: string): void;
  /**
   * Resizes the command's pty (the kernel sends it SIGWINCH). Resolves `false` without a pty, or
   * when the size could not be set.
   */
  resize(cols: number, rows: number): Promise<boolean>;
}

/**
 * Options for {@linkcode spawnCommand}.
 *
 * @example
 * ```ts
 * import type { SpawnOptions } from "@hush/ssh/adapters";
 * const options: SpawnOptions = {
 *   env: { LANG: "C.UTF-8" },
 *   pty: { term: "xterm", cols: 80, rows: 24, modes: [{ opcode: 53, value: 0 }] }, // ECHO off
 * };
 * ```
 */
export interface SpawnOptions {
  /** Extra environment variables (LANG, LC_*, …) on top of a minimal environment. */
  env?: Record<string, string>;
  /** Working directory (the user's home by default). */
  cwd?: string;
  /**
   * Run under a pseudo-terminal through util-linux `script`, when available, with the
   * `pty-req`'s terminal modes (RFC 4254 §8) applied.
   */
  pty?: { term: string; cols: number; rows: number; modes?: TerminalModes };
}

/**
 * Runs `command` with the user's shell (`$SHELL -c`, else `/bin/sh -c`), or the shell reading
 * its commands from stdin when `command` is undefined (interactive, `-i`, under a pty).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawnCommand } from "@hush/ssh/adapters";
 * const p = spawnCommand("echo hi");
 * assert.equal(await new Response(p.stdout).text(), "hi\n");
 * assert.deepEqual(await p.exit, { code: 0, signal: null });
 * ```
 */
export function spawnCommand(
  command: string | undefined,
  options: SpawnOptions = {},
): ChildProcessStreams {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? "/",
    USER: process.env.USER ?? "",
    LOGNAME: process.env.USER ?? "",
    SHELL: process.env.SHELL ?? "/bin/sh",
    ...options.env,
  };
  const shell = /^\/[^\s'"]+$/.test(env.SHELL) ? env.SHELL : "/bin/sh";
  let file = shell;
  // Without a pty a shell reads commands from stdin quietly (no prompts), as with OpenSSH.
  let args = command === undefined ? [] : ["-c", command];
  if (options.pty) {
    env.TERM = options.pty.term;
    env.COLUMNS = String(options.pty.cols);
    env.LINES = String(options.pty.rows);
    // util-linux script(1) gives the child a real pty; -q quiet, -e exit status, -f flush.
    // Its size is set first: script copies it from its own stdin, a pipe here (0×0).
    // The modes go in a stty call of their own, so that one the pty refuses cannot undo the size.
    const size = sttySizeCommand(options.pty.cols, options.pty.rows);
    const modes = sttyModeArguments(options.pty.modes ?? []);
    const setup = modes.length > 0 ? `${size}; stty ${modes.join(" ")} 2>/dev/null` : size;
    file = "script";
    args = ["-qefc", `${setup}; ${command ?? `exec ${shell} -i`}`, "/dev/null"];
  }
  const cwd = options.cwd ?? env.HOME;
  // deno-lint-ignore no-explicit-any
  if ((globalThis as any).Deno?.Command) return spawnDenoChild(file, args, env, cwd, !!options.pty);
  const child = spawn(file, args, {
    env,
    cwd,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exit = new Promise<ProcessExit>((resolve) => {
    child.on("error", () => resolve({ code: 127, signal: null }));
    child.once(
      "close",
      (code: number | null, signal: string | null) =>
        resolve({ code, signal: signal ? signal.replace(/^SIG/, "") : null }),
    );
  });
  return {
    stdin: writableToPipe(child.stdin),
    stdout: readableFromPipe(child.stdout),
    stderr: readableFromPipe(child.stderr),
    exit,
    kill: (signal: string) => {
      try {
        child.kill(("SIG" + signal) as NodeJS.Signals);
      } catch { /* gone */ }
    },
    resize: (cols: number, rows: number) =>
      options.pty && child.pid !== undefined
        ? resizeScriptPty(child.pid, cols, rows)
        : Promise.resolve(false),
  };
}
