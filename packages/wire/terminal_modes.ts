/**
 * Encoded terminal modes of a `pty-req` (RFC 4254 §8).
 * @module
 */
import { WireError } from "./errors.ts";
import { SshReader } from "./reader.ts";
import { SshWriter } from "./writer.ts";

/**
 * Terminal mode opcodes (RFC 4254 §8, RFC 8160 for IUTF8).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TerminalMode } from "@hush/wire";
 * assert.equal(TerminalMode.ECHO, 53);
 * ```
 */
export const TerminalMode = {
  TTY_OP_END: 0,
  VINTR: 1,
  VQUIT: 2,
  VERASE: 3,
  VKILL: 4,
  VEOF: 5,
  VEOL: 6,
  VEOL2: 7,
  VSTART: 8,
  VSTOP: 9,
  VSUSP: 10,
  VDSUSP: 11,
  VREPRINT: 12,
  VWERASE: 13,
  VLNEXT: 14,
  VFLUSH: 15,
  VSWTCH: 16,
  VSTATUS: 17,
  VDISCARD: 18,
  IGNPAR: 30,
  PARMRK: 31,
  INPCK: 32,
  ISTRIP: 33,
  INLCR: 34,
  IGNCR: 35,
  ICRNL: 36,
  IUCLC: 37,
  IXON: 38,
  IXANY: 39,
  IXOFF: 40,
  IMAXBEL: 41,
  IUTF8: 42,
  ISIG: 50,
  ICANON: 51,
  XCASE: 52,
  ECHO: 53,
  ECHOE: 54,
  ECHOK: 55,
  ECHONL: 56,
  NOFLSH: 57,
  TOSTOP: 58,
  IEXTEN: 59,
  ECHOCTL: 60,
  ECHOKE: 61,
  PENDIN: 62,
  OPOST: 70,
  OLCUC: 71,
  ONLCR: 72,
  OCRNL: 73,
  ONOCR: 74,
  ONLRET: 75,
  CS7: 90,
  CS8: 91,
  PARENB: 92,
  PARODD: 93,
  TTY_OP_ISPEED: 128,
  TTY_OP_OSPEED: 129,
} as const;

/** One terminal mode setting: an opcode of {@linkcode TerminalMode} and its uint32 value. */
export interface TerminalModeSetting {
  /** The opcode, one of {@linkcode TerminalMode}. */
  opcode: number;
  /** The uint32 argument. */
  value: number;
}

/** Terminal modes in the order they were sent. */
export type TerminalModes = TerminalModeSetting[];

/** Most settings a pty-req may carry; a longer list is a protocol error. */
export const TERMINAL_MODES_LIMIT = 256;

/**
 * Encodes terminal modes into the `pty-req` mode string (ending in TTY_OP_END).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeTerminalModes, TerminalMode } from "@hush/wire";
 * assert.equal(encodeTerminalModes([{ opcode: TerminalMode.ECHO, value: 1 }]).length, 6);
 * ```
 */
export function encodeTerminalModes(modes: TerminalModes): Uint8Array {
  const w = new SshWriter(modes.length * 5 + 1);
  for (const { opcode, value } of modes) {
    if (!Number.isInteger(opcode) || opcode < 1 || opcode > 159) {
      throw new RangeError(`Terminal mode opcode out of range: ${opcode}`);
    }
    w.byte(opcode).uint32(value);
  }
  return w.byte(TerminalMode.TTY_OP_END).finish();
}

/**
 * Decodes a `pty-req` mode string. Parsing stops at TTY_OP_END or at an opcode of 160 or more
 * (RFC 4254 §8: their arguments are undefined).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeTerminalModes } from "@hush/wire";
 * assert.deepEqual(decodeTerminalModes(new Uint8Array([53, 0, 0, 0, 1, 0])), [
 *   { opcode: 53, value: 1 },
 * ]);
 * ```
 */
export function decodeTerminalModes(bytes: Uint8Array): TerminalModes {
  const r = new SshReader(bytes);
  const modes: TerminalModes = [];
  while (r.remaining > 0) {
    const opcode = r.byte();
    if (opcode === TerminalMode.TTY_OP_END || opcode >= 160) break;
    if (modes.length >= TERMINAL_MODES_LIMIT) throw new WireError("Too many terminal modes");
    modes.push({ opcode, value: r.uint32() });
  }
  return modes;
}
