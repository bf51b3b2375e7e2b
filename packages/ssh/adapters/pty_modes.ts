/**
 * The terminal modes of a `pty-req` (RFC 4254 §8) as stty(1) arguments, so a command run on a
 * pty through util-linux `script` starts with the modes the client asked for (echo off, its
 * erase character, …), as OpenSSH's sshd sets them with tcsetattr.
 * @module
 */
import { TerminalMode, type TerminalModes } from "@hush/wire";

const M = TerminalMode;

/** Control characters Linux's stty knows (VDSUSP, VSTATUS, VSWTCH and VFLUSH it does not). */
const CHARACTERS = new Map<number, string>([
  [M.VINTR, "intr"],
  [M.VQUIT, "quit"],
  [M.VERASE, "erase"],
  [M.VKILL, "kill"],
  [M.VEOF, "eof"],
  [M.VEOL, "eol"],
  [M.VEOL2, "eol2"],
  [M.VSTART, "start"],
  [M.VSTOP, "stop"],
  [M.VSUSP, "susp"],
  [M.VREPRINT, "rprnt"],
  [M.VWERASE, "werase"],
  [M.VLNEXT, "lnext"],
  [M.VDISCARD, "discard"],
]);

/**
 * Flags: a value of 0 clears (`-echo`), anything else sets (`echo`). Not PENDIN (GNU stty has
 * no name for it), nor the hardware ones PARENB, PARODD, CS7 and CS8: a pty has no parity or
 * character size, and Linux refuses some of them there (EINVAL), which fails the whole call.
 */
const FLAGS = new Map<number, string>([
  [M.IGNPAR, "ignpar"],
  [M.PARMRK, "parmrk"],
  [M.INPCK, "inpck"],
  [M.ISTRIP, "istrip"],
  [M.INLCR, "inlcr"],
  [M.IGNCR, "igncr"],
  [M.ICRNL, "icrnl"],
  [M.IUCLC, "iuclc"],
  [M.IXON, "ixon"],
  [M.IXANY, "ixany"],
  [M.IXOFF, "ixoff"],
  [M.IMAXBEL, "imaxbel"],
  [M.IUTF8, "iutf8"],
  [M.ISIG, "isig"],
  [M.ICANON, "icanon"],
  [M.XCASE, "xcase"],
  [M.ECHO, "echo"],
  [M.ECHOE, "echoe"],
  [M.ECHOK, "echok"],
  [M.ECHONL, "echonl"],
  [M.NOFLSH, "noflsh"],
  [M.TOSTOP, "tostop"],
  [M.IEXTEN, "iexten"],
  [M.ECHOCTL, "echoctl"],
  [M.ECHOKE, "echoke"],
  [M.OPOST, "opost"],
  [M.OLCUC, "olcuc"],
  [M.ONLCR, "onlcr"],
  [M.OCRNL, "ocrnl"],
  [M.ONOCR, "onocr"],
  [M.ONLRET, "onlret"],
]);

/**
 * The stty arguments for `modes`. Character values 0 and 255 disable the character (`undef`,
 * 255 is SSH's "not set"). Speeds, and modes Linux has no name for or refuses on a pty, are
 * left out: each argument here is one stty accepts on a pty, so a client cannot make the whole
 * stty call fail.
 *
 * @example
 * ```ts ignore
 * sttyModeArguments([{ opcode: 53, value: 0 }, { opcode: 3, value: 127 }]); // ["-echo", "erase", "0x7f"]
 * ```
 */
export function sttyModeArguments(modes: TerminalModes): string[] {
  const args: string[] = [];
  for (const { opcode, value } of modes) {
    const character = CHARACTERS.get(opcode);
    if (character !== undefined) {
      if (value > 255) continue;
      args.push(character, value === 0 || value === 255 ? "undef" : `0x${value.toString(16)}`);
      continue;
    }
    const flag = FLAGS.get(opcode);
    if (flag !== undefined) args.push(value === 0 ? `-${flag}` : flag);
  }
  return args;
}
