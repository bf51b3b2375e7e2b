/**
 * Talking to the user on the controlling terminal, as ssh(1) and ssh-keygen(1) do: prompts go
 * to `/dev/tty` (not stdout, which may carry a remote command's output), secrets are read with
 * echo off, and `SSH_ASKPASS` stands in when there is no terminal (or when
 * `SSH_ASKPASS_REQUIRE=force`). Deno only: these are the command-line tools' own adapters.
 * @module
 */
import { SshError } from "@hush/wire";

const CTRL_C = 3;
const CTRL_D = 4;
const CTRL_U = 0x15;
const BACKSPACE = 8;
const DELETE = 0x7f;
/** Longest answer a prompt takes, in bytes; more is cut off (ssh's readpassphrase takes 1 KiB). */
export const PROMPT_INPUT_LIMIT = 1024;

/** Raised when the user interrupts a prompt with Ctrl-C; its `code` is `"ERR_SSH_INTERRUPTED"`. */
export class PromptInterrupted extends SshError {
  /** Creates the error. */
  constructor() {
    super("ERR_SSH_INTERRUPTED", "Interrupted");
    this.name = "PromptInterrupted";
  }
}

/**
 * Whether stdin is a terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stdinIsTerminal } from "./ssh_tty.ts";
 * assert.equal(typeof stdinIsTerminal(), "boolean");
 * ```
 */
export function stdinIsTerminal(): boolean {
  try {
    return Deno.stdin.isTerminal();
  } catch {
    return false;
  }
}

async function openTty(): Promise<Deno.FsFile | undefined> {
  try {
    const f = await Deno.open("/dev/tty", { read: true, write: true });
    if (!f.isTerminal()) {
      f.close();
      return undefined;
    }
    return f;
  } catch {
    return undefined;
  }
}

/**
 * Whether a controlling terminal can be opened for prompts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { haveTty } from "./ssh_tty.ts";
 * assert.equal(typeof (await haveTty()), "boolean");
 * ```
 */
export async function haveTty(): Promise<boolean> {
  const f = await openTty();
  f?.close();
  return f !== undefined;
}

async function askpass(prompt: string): Promise<string | undefined> {
  const program = Deno.env.get("SSH_ASKPASS");
  if (!program) return undefined;
  try {
    const out = await new Deno.Command(program, {
      args: [prompt],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) return undefined;
    return new TextDecoder().decode(out.stdout).replace(/\r?\n$/, "");
  } catch {
    return undefined;
  }
}

function askpassWanted(tty: boolean): boolean {
  const program = Deno.env.get("SSH_ASKPASS");
  if (!program) return false;
  const require = Deno.env.get("SSH_ASKPASS_REQUIRE");
  if (require === "never") return false;
  if (require === "force") return true;
  // as OpenSSH: without a terminal, askpass is used when a display is set
  return !tty && (Deno.env.get("DISPLAY") !== undefined || require === "prefer");
}

/**
 * Reads one line from the terminal, with echo on (`echo: true`) or off. Uses `SSH_ASKPASS`
 * when there is no terminal (or `SSH_ASKPASS_REQUIRE=force`). `undefined` when nobody can be
 * asked; {@linkcode PromptInterrupted} on Ctrl-C.
 *
 * @example Not run here: it needs a terminal
 * ```ts ignore
 * import { readLine } from "./ssh_tty.ts";
 * const password = await readLine("me@host's password: ", { echo: false });
 * ```
 */
export async function readLine(
  prompt: string,
  options: { echo?: boolean } = {},
): Promise<string | undefined> {
  const tty = await openTty();
  if (askpassWanted(tty !== undefined)) {
    tty?.close();
    return await askpass(prompt);
  }
  if (!tty) return undefined;
  const enc = new TextEncoder();
  try {
    // echo off before the prompt shows: whoever answers it may type at once
    tty.setRaw(true);
    // raw mode also stops the terminal turning \n into \r\n
    await tty.write(enc.encode(prompt.replace(/\r?\n/g, "\r\n")));
    const bytes: number[] = [];
    const one = new Uint8Array(1);
    for (;;) {
      const n = await tty.read(one);
      if (n === null || n === 0) break;
      const b = one[0];
      if (b === CTRL_C) throw new PromptInterrupted();
      if (b === 13 || b === 10) break;
      if (b === CTRL_D) {
        if (bytes.length === 0) return undefined;
        break;
      }
      if (b === BACKSPACE || b === DELETE) {
        if (bytes.length) {
          bytes.pop();
          if (options.echo) await tty.write(enc.encode("\b \b"));
        }
        continue;
      }
      if (b === CTRL_U) {
        if (options.echo) await tty.write(enc.encode("\b \b".repeat(bytes.length)));
        bytes.length = 0;
        continue;
      }
      if (bytes.length < PROMPT_INPUT_LIMIT) {
        bytes.push(b);
        if (options.echo) await tty.write(one);
      }
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  } finally {
    try {
      tty.setRaw(false);
      await tty.write(enc.encode("\r\n"));
    } catch { /* terminal gone */ }
    tty.close();
  }
}

/**
 * Prints a message on the terminal (or stderr when there is none), as ssh does for the host key
 * question.
 *
 * @example Not run here: it writes to the terminal
 * ```ts ignore
 * import { tell } from "./ssh_tty.ts";
 * await tell("Warning: Permanently added 'host' (ED25519) to the list of known hosts.\n");
 * ```
 */
export async function tell(message: string): Promise<void> {
  const tty = await openTty();
  const bytes = new TextEncoder().encode(message);
  if (tty) {
    try {
      await tty.write(bytes);
    } finally {
      tty.close();
    }
  } else {
    await Deno.stderr.write(bytes);
  }
}
