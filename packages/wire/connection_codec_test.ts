import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage, encodeMessage, type Message, TerminalMode } from "./mod.ts";

const bytes = (...b: number[]) => new Uint8Array(b);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const fromHex = (s: string) => new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));

test("known bytes: pty-req with terminal modes", () => {
  const m: Message = {
    type: "channelRequest",
    recipient: 2,
    wantReply: true,
    request: "pty-req",
    term: "vt100",
    cols: 80,
    rows: 24,
    widthPx: 0,
    heightPx: 0,
    modes: [{ opcode: TerminalMode.ECHO, value: 0 }, {
      opcode: TerminalMode.TTY_OP_OSPEED,
      value: 9600,
    }],
  };
  const expected = "62" + "00000002" + "00000007" + hex(new TextEncoder().encode("pty-req")) +
    "01" +
    "00000005" + hex(new TextEncoder().encode("vt100")) + "00000050" + "00000018" + "00000000" +
    "00000000" + "0000000b" + "35" + "00000000" + "81" + "00002580" + "00";
  assert.equal(hex(encodeMessage(m)), expected);
  assert.deepEqual(decodeMessage(fromHex(expected)), m);
});

test("known bytes: exit-status and a keepalive@openssh.com global request", () => {
  const exit = "62" + "00000000" + "0000000b" + hex(new TextEncoder().encode("exit-status")) +
    "00" +
    "00000001";
  assert.deepEqual(decodeMessage(fromHex(exit)), {
    type: "channelRequest",
    recipient: 0,
    wantReply: false,
    request: "exit-status",
    status: 1,
  });
  const keepalive = "50" + "00000015" + hex(new TextEncoder().encode("keepalive@openssh.com")) +
    "01";
  assert.deepEqual(decodeMessage(fromHex(keepalive)), {
    type: "globalRequest",
    wantReply: true,
    request: "other",
    name: "keepalive@openssh.com",
    data: bytes(),
  });
});
