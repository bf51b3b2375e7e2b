import { test } from "node:test";
import assert from "node:assert/strict";
import { TerminalMode as M } from "@hush/wire";
import { sttyModeArguments } from "./pty_modes.ts";

test("terminal modes as stty arguments: characters in hex, 0 and 255 undef, flags on and off", () => {
  assert.deepEqual(
    sttyModeArguments([
      { opcode: M.VINTR, value: 3 },
      { opcode: M.VERASE, value: 127 },
      { opcode: M.VEOL, value: 255 },
      { opcode: M.VEOL2, value: 0 },
      { opcode: M.ECHO, value: 0 },
      { opcode: M.ICANON, value: 1 },
      { opcode: M.ONLCR, value: 7 },
    ]),
    [
      "intr",
      "0x3",
      "erase",
      "0x7f",
      "eol",
      "undef",
      "eol2",
      "undef",
      "-echo",
      "icanon",
      "onlcr",
    ],
  );
});

test("what stty would refuse is left out: BSD characters, speeds, hardware flags, big values", () => {
  assert.deepEqual(
    sttyModeArguments([
      { opcode: M.VDSUSP, value: 25 },
      { opcode: M.VSTATUS, value: 20 },
      { opcode: M.VSWTCH, value: 0 },
      { opcode: M.VFLUSH, value: 15 },
      { opcode: M.TTY_OP_ISPEED, value: 38400 },
      { opcode: M.TTY_OP_OSPEED, value: 38400 },
      { opcode: M.PENDIN, value: 0 },
      { opcode: M.PARENB, value: 1 },
      { opcode: M.PARODD, value: 0 },
      { opcode: M.CS7, value: 0 },
      { opcode: M.CS8, value: 1 },
      { opcode: 99, value: 1 },
      { opcode: M.VINTR, value: 0x1_0000 },
    ]),
    [],
  );
  assert.deepEqual(sttyModeArguments([]), []);
});
