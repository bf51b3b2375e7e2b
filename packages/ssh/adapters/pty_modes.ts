/**
 * The terminal modes of a `pty-req` (RFC 4254 §8) as stty(1) arguments, so a command run on a
 * pty through util-linux `script` starts with the modes the client asked for (echo off, its
 * erase character, …), as OpenSSH's sshd sets them with tcsetattr.
 * @module
 */
import { TerminalMode, type TerminalModes } from "@hush/wire";
import { STTY_CHARACTERS, STTY_FLAGS } from "../terminal_mode_names.ts";

const M = TerminalMode;

/**
 * Modes a pty has no use for that Linux may refuse there (EINVAL fails the whole stty call):
 * parity. (CS7 and CS8, the character size, are left out for the same reason.)
 */
const NOT_ON_A_PTY = new Set<number>([M.PARENB, M.PARODD]);

/**
 * The stty arguments for `modes`. Character values 0 and 255 disable the character (`undef`,
 * 255 is SSH's "not set"). Speeds, and modes Linux has no name for or refuses on a pty, are
 * left out: each argument here is one stty accepts on a pty, so a client cannot make the whole
 * stty call fail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sttyModeArguments } from "./pty_modes.ts";
 * assert.deepEqual(sttyModeArguments([{ opcode: 53, value: 0 }, { opcode: 3, value: 127 }]), [
 *   "-echo",
 *   "erase",
 *   "0x7f",
 * ]);
 * ```
 */
export function sttyModeArguments(modes: TerminalModes): string[] {
  const args: string[] = [];
  for (const { opcode, value } of modes) {
    const character = STTY_CHARACTERS.get(opcode);
    if (character !== undefined) {
      if (value > 255) continue;
      args.push(character, value === 0 || value === 255 ? "undef" : `0x${value.toString(16)}`);
      continue;
    }
    const flag = NOT_ON_A_PTY.has(opcode) ? undefined : STTY_FLAGS.get(opcode);
    if (flag !== undefined) args.push(value === 0 ? `-${flag}` : flag);
  }
  return args;
}
