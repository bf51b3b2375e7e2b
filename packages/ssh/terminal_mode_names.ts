/**
 * The stty(1) names of the terminal modes of a `pty-req` (RFC 4254 §8): the server applies a
 * client's modes with stty, and the ssh command reads its own terminal's modes from `stty -a`.
 * @module
 */
import { TerminalMode } from "@hush/wire";

const M = TerminalMode;

/**
 * Control characters by opcode, with their stty names (the BSD-only VDSUSP, VSTATUS, VSWTCH and
 * VFLUSH have none on Linux).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TerminalMode } from "@hush/wire";
 * import { STTY_CHARACTERS } from "./terminal_mode_names.ts";
 * assert.equal(STTY_CHARACTERS.get(TerminalMode.VINTR), "intr");
 * ```
 */
export const STTY_CHARACTERS: ReadonlyMap<number, string> = new Map([
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
 * Flags by opcode, with their stty names (`echo`, and `-echo` when off). PENDIN has no GNU stty
 * name; CS7 and CS8 are the character size (`cs7`, `cs8`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TerminalMode } from "@hush/wire";
 * import { STTY_FLAGS } from "./terminal_mode_names.ts";
 * assert.equal(STTY_FLAGS.get(TerminalMode.ECHO), "echo");
 * ```
 */
export const STTY_FLAGS: ReadonlyMap<number, string> = new Map([
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
  [M.PARENB, "parenb"],
  [M.PARODD, "parodd"],
]);
