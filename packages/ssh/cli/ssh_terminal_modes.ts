/**
 * The local terminal's modes for `ssh`'s pty-req, as OpenSSH's ssh sends them (RFC 4254 §8):
 * read from `stty -a` on our terminal, since Deno has no tcgetattr.
 * @module
 */
import { TerminalMode, type TerminalModes } from "@hush/wire";
import { STTY_CHARACTERS, STTY_FLAGS } from "../terminal_mode_names.ts";

/** A control character as stty prints it (`^C`, `^?`, `<undef>`, `M-^C`, `a`); undefined if odd. */
function characterValue(text: string): number | undefined {
  if (text === "<undef>" || text === "^-" || text === "undef") return 255;
  let meta = 0;
  let t = text;
  if (t.startsWith("M-")) {
    meta = 0x80;
    t = t.slice(2);
  }
  if (t === "^?") return meta | 0x7f;
  if (/^\^[@-_a-z]$/.test(t)) return meta | (t.toUpperCase().charCodeAt(1) & 0x1f);
  if (t.length === 1 && t.charCodeAt(0) < 0x80) return meta | t.charCodeAt(0);
  return undefined;
}

/**
 * The modes in `stty -a`'s output (GNU and BSD layouts): control characters (`intr = ^C;`),
 * flags (`echo`, `-echo`), the character size (`cs8`) and the speed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSttyModes } from "./ssh_terminal_modes.ts";
 * const modes = parseSttyModes("speed 38400 baud;\nintr = ^C; erase = ^?;\n-parenb cs8\nicrnl -ixon echo");
 * // VINTR ^C, VERASE ^?
 * assert.deepEqual(modes.slice(0, 2), [{ opcode: 1, value: 3 }, { opcode: 3, value: 127 }]);
 * assert.ok(modes.some((m) => m.opcode === 53 && m.value === 1)); // ECHO on
 * assert.ok(modes.some((m) => m.opcode === 128 && m.value === 38400)); // TTY_OP_ISPEED
 * ```
 */
export function parseSttyModes(text: string): TerminalModes {
  const modes: TerminalModes = [];
  const characters = new Map<string, number>();
  for (const m of text.matchAll(/(?:^|[\s;])([a-z0-9]+) = ([^;\s]+)(?=;|\s|$)/g)) {
    const value = characterValue(m[2]);
    if (value !== undefined) characters.set(m[1], value);
  }
  for (const [opcode, name] of STTY_CHARACTERS) {
    const value = characters.get(name);
    if (value !== undefined) modes.push({ opcode, value });
  }
  // Flags are the words that are not part of a "name = value" pair.
  const words = new Set(text.replace(/[a-z0-9]+ = [^;\s]+;?/g, " ").split(/[\s;]+/));
  for (const [opcode, name] of STTY_FLAGS) {
    if (words.has(name)) modes.push({ opcode, value: 1 });
    else if (words.has(`-${name}`)) modes.push({ opcode, value: 0 });
  }
  if (words.has("cs7") || words.has("cs8")) {
    modes.push({ opcode: TerminalMode.CS7, value: words.has("cs7") ? 1 : 0 });
    modes.push({ opcode: TerminalMode.CS8, value: words.has("cs8") ? 1 : 0 });
  }
  const speed = /(?:^|[\s;])speed (\d+) baud/.exec(text) ??
    /(?:^|[\s;])ispeed (\d+) baud/.exec(text);
  if (speed) {
    const baud = Number(speed[1]);
    modes.push({ opcode: TerminalMode.TTY_OP_ISPEED, value: baud });
    modes.push({ opcode: TerminalMode.TTY_OP_OSPEED, value: baud });
  }
  return modes;
}

/**
 * The modes of the terminal on our stdin, or none when stty cannot tell (no terminal, no stty).
 *
 * @example Not run here: it needs a terminal
 * ```ts ignore
 * const modes = await localTerminalModes(); // [{ opcode: 1, value: 3 }, …]
 * ```
 */
export async function localTerminalModes(): Promise<TerminalModes> {
  try {
    const out = await new Deno.Command("stty", {
      args: ["-a"],
      stdin: "inherit",
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? parseSttyModes(new TextDecoder().decode(out.stdout)) : [];
  } catch {
    return [];
  }
}
