/**
 * Terminal sizes for commands run under util-linux `script` (Linux): the size a command starts
 * with, and resizing it later (`window-change`, RFC 4254 §6.7). script(1) copies the size of its
 * own stdin, a pipe here, so without this every pty would be 0×0.
 * @module
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** stty takes sizes up to 65535 (struct winsize holds unsigned shorts). */
function clamp(n: number): number {
  return Math.min(Math.max(Math.trunc(n) || 0, 0), 0xffff);
}

/**
 * The shell words that set the terminal's size, to run before the command on the pty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sttySizeCommand } from "./pty_size.ts";
 * assert.equal(sttySizeCommand(100, 30), "stty rows 30 cols 100 2>/dev/null");
 * ```
 */
export function sttySizeCommand(cols: number, rows: number): string {
  return `stty rows ${clamp(rows)} cols ${clamp(cols)} 2>/dev/null`;
}

/** The pty of `script`'s child (the session leader on the slave side), found through /proc. */
function findScriptPty(scriptPid: number): string | undefined {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined; // no /proc
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== scriptPid) continue;
      const tty = readlinkSync(`/proc/${pid}/fd/0`);
      if (/^\/dev\/pts\/\d+$/.test(tty)) return tty;
    } catch { /* gone, or not ours */ }
  }
  return undefined;
}

/**
 * Sets the size of the pty that `script` (process `scriptPid`) runs its command on; the kernel
 * then sends SIGWINCH to the terminal's foreground process group, as on a real resize.
 * Resolves `false` when the pty cannot be found or resized.
 *
 * @example Not run here: it needs a `script` process and its terminal
 * ```ts ignore
 * await resizeScriptPty(child.pid, 120, 40);
 * ```
 */
export function resizeScriptPty(scriptPid: number, cols: number, rows: number): Promise<boolean> {
  const tty = findScriptPty(scriptPid);
  if (tty === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile(
      "stty",
      ["-F", tty, "rows", String(clamp(rows)), "cols", String(clamp(cols))],
      { timeout: 5_000 },
      (error) => resolve(error === null),
    );
  });
}
