import { test } from "node:test";
import assert from "node:assert/strict";
import { TerminalMode as M, type TerminalModes } from "@hush/wire";
import { parseSttyModes } from "./ssh_terminal_modes.ts";

// `script -qec "stty -a" /dev/null` (GNU coreutils 9.1, Debian 12): a fresh pty's defaults.
const GNU_STTY_A = `speed 38400 baud; rows 0; columns 0; line = 0;
intr = ^C; quit = ^\\; erase = ^?; kill = ^U; eof = ^D; eol = <undef>;
eol2 = <undef>; swtch = <undef>; start = ^Q; stop = ^S; susp = ^Z; rprnt = ^R;
werase = ^W; lnext = ^V; discard = ^O; min = 1; time = 0;
-parenb -parodd -cmspar cs8 -hupcl -cstopb cread -clocal -crtscts
-ignbrk -brkint -ignpar -parmrk -inpck -istrip -inlcr -igncr icrnl ixon -ixoff
-iuclc -ixany -imaxbel -iutf8
opost -olcuc -ocrnl onlcr -onocr -onlret -ofill -ofdel nl0 cr0 tab0 bs0 vt0 ff0
isig icanon iexten echo echoe echok -echonl -noflsh -xcase -tostop -echoprt
echoctl echoke -flusho -extproc
`;

const value = (modes: TerminalModes, opcode: number) =>
  modes.find((m) => m.opcode === opcode)?.value;

test("stty -a of a Linux pty: 51 modes, as OpenSSH's ssh sends them", () => {
  const modes = parseSttyModes(GNU_STTY_A);
  assert.equal(modes.length, 51);
  assert.equal(value(modes, M.VINTR), 3);
  assert.equal(value(modes, M.VQUIT), 0x1c);
  assert.equal(value(modes, M.VERASE), 0x7f);
  assert.equal(value(modes, M.VEOL), 255);
  assert.equal(value(modes, M.ICRNL), 1);
  assert.equal(value(modes, M.IXOFF), 0);
  assert.equal(value(modes, M.ECHO), 1);
  assert.equal(value(modes, M.ECHONL), 0);
  assert.equal(value(modes, M.CS8), 1);
  assert.equal(value(modes, M.CS7), 0);
  assert.equal(value(modes, M.PARENB), 0);
  assert.equal(value(modes, M.TTY_OP_ISPEED), 38400);
  // words stty prints that are no SSH mode (swtch, min, cmspar, nl0, …) are not sent
  assert.equal(value(modes, M.VSWTCH), undefined);
  assert.equal(new Set(modes.map((m) => m.opcode)).size, modes.length, "each opcode once");
});

test("control characters: ^X, ^?, M- (meta), a literal, undef; what stty never prints is skipped", () => {
  const modes = parseSttyModes(
    "intr = ^g; quit = M-^C; erase = ^H; kill = x; eof = undef; eol = ^-;",
  );
  assert.deepEqual(modes, [
    { opcode: M.VINTR, value: 7 },
    { opcode: M.VQUIT, value: 0x83 },
    { opcode: M.VERASE, value: 8 },
    { opcode: M.VKILL, value: 0x78 },
    { opcode: M.VEOF, value: 255 },
    { opcode: M.VEOL, value: 255 },
  ]);
  assert.deepEqual(parseSttyModes("intr = <weird>; susp = é;"), []);
  assert.deepEqual(parseSttyModes(""), []);
});
