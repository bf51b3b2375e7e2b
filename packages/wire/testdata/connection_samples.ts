/**
 * Test data (not published): one sample of every connection protocol message form, the largest
 * part of `message_samples.ts`.
 * @module
 */
import { TerminalMode } from "../mod.ts";
import type { MessageSample } from "./message_samples.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

/** One sample per connection protocol message form (global requests and channels). */
export const connectionSamples: MessageSample[] = [
  {
    message: {
      type: "globalRequest",
      wantReply: true,
      request: "tcpip-forward",
      address: "0.0.0.0",
      port: 8080,
    },
  },
  {
    message: {
      type: "globalRequest",
      wantReply: false,
      request: "cancel-tcpip-forward",
      address: "localhost",
      port: 0,
    },
  },
  {
    message: {
      type: "globalRequest",
      wantReply: true,
      request: "other",
      name: "keepalive@openssh.com",
      data: bytes(),
    },
  },
  {
    message: {
      type: "globalRequest",
      wantReply: false,
      request: "other",
      name: "hostkeys-00@openssh.com",
      data: bytes(0, 0, 0, 2, 1, 2),
    },
  },
  { message: { type: "requestSuccess", data: bytes(0, 0, 0x1f, 0x90) }, note: "bound port" },
  { message: { type: "requestSuccess", data: bytes() }, note: "empty" },
  { message: { type: "requestFailure" } },
  {
    message: {
      type: "channelOpen",
      sender: 0,
      initialWindow: 2097152,
      maxPacket: 32768,
      channelType: "session",
    },
  },
  {
    message: {
      type: "channelOpen",
      sender: 1,
      initialWindow: 0xffffffff,
      maxPacket: 16384,
      channelType: "direct-tcpip",
      host: "example.com",
      port: 443,
      originatorAddress: "127.0.0.1",
      originatorPort: 54321,
    },
  },
  {
    message: {
      type: "channelOpen",
      sender: 2,
      initialWindow: 65536,
      maxPacket: 32768,
      channelType: "forwarded-tcpip",
      address: "0.0.0.0",
      port: 8080,
      originatorAddress: "10.0.0.1",
      originatorPort: 40000,
    },
  },
  {
    message: {
      type: "channelOpen",
      sender: 3,
      initialWindow: 1,
      maxPacket: 1,
      channelType: "other",
      name: "direct-streamlocal@openssh.com",
      data: bytes(0, 0, 0, 1, 0x2f, 0, 0, 0, 0, 0, 0, 0, 0),
    },
  },
  {
    message: {
      type: "channelOpenConfirmation",
      recipient: 0,
      sender: 7,
      initialWindow: 2097152,
      maxPacket: 32768,
      data: bytes(),
    },
  },
  {
    message: {
      type: "channelOpenFailure",
      recipient: 9,
      reason: 2,
      description: "connect failed",
      language: "",
    },
  },
  { message: { type: "channelWindowAdjust", recipient: 1, bytes: 0x7fffffff } },
  { message: { type: "channelData", recipient: 1, data: bytes(104, 105) } },
  { message: { type: "channelExtendedData", recipient: 1, dataType: 1, data: bytes(0) } },
  { message: { type: "channelEof", recipient: 4 } },
  { message: { type: "channelClose", recipient: 4 } },
  {
    message: {
      type: "channelRequest",
      recipient: 0,
      wantReply: true,
      request: "pty-req",
      term: "xterm-256color",
      cols: 80,
      rows: 24,
      widthPx: 640,
      heightPx: 480,
      modes: [
        { opcode: TerminalMode.VINTR, value: 3 },
        { opcode: TerminalMode.ECHO, value: 1 },
        { opcode: TerminalMode.IUTF8, value: 1 },
        { opcode: TerminalMode.TTY_OP_ISPEED, value: 38400 },
        { opcode: TerminalMode.TTY_OP_OSPEED, value: 38400 },
      ],
    },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 0,
      wantReply: false,
      request: "pty-req",
      term: "",
      cols: 0,
      rows: 0,
      widthPx: 0,
      heightPx: 0,
      modes: [],
    },
    note: "no modes",
  },
  {
    message: {
      type: "channelRequest",
      recipient: 0,
      wantReply: false,
      request: "x11-req",
      singleConnection: true,
      authProtocol: "MIT-MAGIC-COOKIE-1",
      authCookie: "0123456789abcdef",
      screen: 0,
    },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 0,
      wantReply: false,
      request: "env",
      name: "LANG",
      value: "en_US.UTF-8",
    },
  },
  { message: { type: "channelRequest", recipient: 0, wantReply: true, request: "shell" } },
  {
    message: {
      type: "channelRequest",
      recipient: 0,
      wantReply: true,
      request: "exec",
      command: "echo 'hé'",
    },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 0,
      wantReply: true,
      request: "subsystem",
      name: "sftp",
    },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 0,
      wantReply: false,
      request: "window-change",
      cols: 132,
      rows: 43,
      widthPx: 0,
      heightPx: 0,
    },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 5,
      wantReply: false,
      request: "xon-xoff",
      clientCanDo: true,
    },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 5,
      wantReply: false,
      request: "signal",
      signal: "INT",
    },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 5,
      wantReply: false,
      request: "exit-status",
      status: 255,
    },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 5,
      wantReply: false,
      request: "exit-signal",
      signal: "SEGV",
      coreDumped: true,
      message: "Segmentation fault",
      language: "",
    },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 5,
      wantReply: true,
      request: "break",
      length: 500,
    },
  },
  {
    message: { type: "channelRequest", recipient: 5, wantReply: false, request: "eow@openssh.com" },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 5,
      wantReply: true,
      request: "other",
      name: "keepalive@openssh.com",
      data: bytes(),
    },
  },
  {
    message: {
      type: "channelRequest",
      recipient: 5,
      wantReply: false,
      request: "other",
      name: "auth-agent-req@openssh.com",
      data: bytes(),
    },
  },
  { message: { type: "channelSuccess", recipient: 3 } },
  { message: { type: "channelFailure", recipient: 3 } },
];
