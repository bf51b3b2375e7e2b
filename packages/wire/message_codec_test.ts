import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type DecodeContext,
  decodeMessage,
  encodeMessage,
  LIST_LIMIT,
  type Message,
  MessageNumber,
  type MessageType,
  SshWriter,
  TerminalMode,
  WireError,
  writeMessage,
} from "./mod.ts";

const bytes = (...b: number[]) => new Uint8Array(b);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const fromHex = (s: string) => new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));
const cookie = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
const blob = bytes(0, 0, 0, 11, ...new TextEncoder().encode("ssh-ed25519"), 0, 0, 0, 1, 9);

/** One sample per message form, with the context its number needs. */
const samples: { message: Message; context?: DecodeContext; note?: string }[] = [
  {
    message: {
      type: "disconnect",
      reason: 11,
      description: "disconnected by user ✓",
      language: "en",
    },
  },
  { message: { type: "ignore", data: bytes(1, 2, 3) } },
  { message: { type: "ignore", data: bytes() }, note: "empty" },
  { message: { type: "unimplemented", sequence: 0xffffffff } },
  { message: { type: "debug", alwaysDisplay: true, message: "hi", language: "" } },
  { message: { type: "serviceRequest", service: "ssh-userauth" } },
  { message: { type: "serviceAccept", service: "ssh-connection" } },
  {
    message: {
      type: "extInfo",
      extensions: [
        {
          name: "server-sig-algs",
          value: new TextEncoder().encode("ssh-ed25519,rsa-sha2-512"),
        },
        { name: "ping@openssh.com", value: new TextEncoder().encode("0") },
        { name: "no-flow-control", value: new TextEncoder().encode("p") },
      ],
    },
  },
  { message: { type: "extInfo", extensions: [] }, note: "no extensions" },
  {
    message: {
      type: "kexInit",
      cookie,
      kexAlgorithms: ["curve25519-sha256", "ext-info-c", "kex-strict-c-v00@openssh.com"],
      serverHostKeyAlgorithms: ["ssh-ed25519", "rsa-sha2-512"],
      encryptionClientToServer: ["chacha20-poly1305@openssh.com", "aes128-ctr"],
      encryptionServerToClient: ["aes256-gcm@openssh.com"],
      macClientToServer: ["hmac-sha2-256-etm@openssh.com"],
      macServerToClient: ["hmac-sha2-256"],
      compressionClientToServer: ["none", "zlib@openssh.com"],
      compressionServerToClient: ["none"],
      languagesClientToServer: [],
      languagesServerToClient: ["en-US"],
      firstKexPacketFollows: true,
      reserved: 0,
    },
  },
  { message: { type: "newKeys" } },
  {
    message: { type: "kexEcdhInit", publicKey: new Uint8Array(32).fill(7) },
    context: { kex: "ecdh" },
  },
  {
    message: {
      type: "kexEcdhReply",
      hostKey: blob,
      publicKey: new Uint8Array(32).fill(8),
      signature: bytes(0, 0, 0, 1, 5),
    },
    context: { kex: "ecdh" },
  },
  { message: { type: "kexDhInit", e: (1n << 2047n) + 12345n }, context: { kex: "dh" } },
  {
    message: { type: "kexDhReply", hostKey: blob, f: 0x80n, signature: bytes(1) },
    context: { kex: "dh" },
  },
  { message: { type: "kexDhGexRequestOld", n: 2048 }, context: { kex: "gex" } },
  { message: { type: "kexDhGexRequest", min: 2048, n: 3072, max: 8192 }, context: { kex: "gex" } },
  { message: { type: "kexDhGexGroup", p: (1n << 1023n) - 1n, g: 2n }, context: { kex: "gex" } },
  { message: { type: "kexDhGexInit", e: 0xdeadbeefn }, context: { kex: "gex" } },
  {
    message: { type: "kexDhGexReply", hostKey: blob, f: 3n, signature: bytes(2, 3) },
    context: { kex: "gex" },
  },
  {
    message: { type: "userauthRequest", user: "alice", service: "ssh-connection", method: "none" },
  },
  {
    message: {
      type: "userauthRequest",
      user: "alice",
      service: "ssh-connection",
      method: "publickey",
      algorithm: "ssh-ed25519",
      publicKey: blob,
    },
    note: "publickey query (FALSE form)",
  },
  {
    message: {
      type: "userauthRequest",
      user: "alice",
      service: "ssh-connection",
      method: "publickey",
      algorithm: "rsa-sha2-256",
      publicKey: blob,
      signature: bytes(0, 0, 0, 0),
    },
    note: "publickey with signature",
  },
  {
    message: {
      type: "userauthRequest",
      user: "bob",
      service: "ssh-connection",
      method: "password",
      password: "pässword",
    },
  },
  {
    message: {
      type: "userauthRequest",
      user: "bob",
      service: "ssh-connection",
      method: "password",
      password: "old",
      newPassword: "new",
    },
    note: "password change",
  },
  {
    message: {
      type: "userauthRequest",
      user: "carol",
      service: "ssh-connection",
      method: "keyboard-interactive",
      language: "",
      submethods: "pam",
    },
  },
  {
    message: {
      type: "userauthRequest",
      user: "dave",
      service: "ssh-connection",
      method: "other",
      name: "hostbased",
      data: bytes(0, 0, 0, 1, 0x41),
    },
  },
  {
    message: { type: "userauthFailure", methods: ["publickey", "password"], partialSuccess: true },
  },
  { message: { type: "userauthFailure", methods: [], partialSuccess: false }, note: "no methods" },
  { message: { type: "userauthSuccess" } },
  { message: { type: "userauthBanner", message: "Welcome\r\n", language: "" } },
  {
    message: { type: "userauthPkOk", algorithm: "ssh-ed25519", publicKey: blob },
    context: { auth: "publickey" },
  },
  {
    message: { type: "userauthPasswdChangereq", prompt: "Password expired", language: "" },
    context: { auth: "password" },
  },
  {
    message: {
      type: "userauthInfoRequest",
      name: "",
      instruction: "Answer:",
      language: "",
      prompts: [{ prompt: "Password: ", echo: false }, { prompt: "Code: ", echo: true }],
    },
    context: { auth: "keyboard-interactive" },
  },
  {
    message: { type: "userauthInfoResponse", responses: ["hunter2", "123456"] },
    context: { auth: "keyboard-interactive" },
  },
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
  { message: { type: "ping", data: bytes(1, 2, 3, 4) } },
  { message: { type: "pong", data: bytes() } },
  { message: { type: "unknown", number: 199, payload: bytes(199, 1, 2) } },
  { message: { type: "unknown", number: 0, payload: bytes(0) }, note: "number 0" },
  { message: { type: "unknown", number: 255, payload: bytes(255) }, note: "number 255" },
];

const label = (s: (typeof samples)[number]) =>
  s.message.type + ("request" in s.message ? ` ${s.message.request}` : "") +
  ("channelType" in s.message ? ` ${s.message.channelType}` : "") +
  ("method" in s.message ? ` ${s.message.method}` : "") + (s.note ? ` (${s.note})` : "") +
  (s.context ? ` ${JSON.stringify(s.context)}` : "");

for (const sample of samples) {
  test(`round trip: ${label(sample)}`, () => {
    const encoded = encodeMessage(sample.message);
    const decoded = decodeMessage(encoded, sample.context);
    assert.deepEqual(decoded, sample.message);
    assert.deepEqual(encodeMessage(decoded), encoded);
    // writeMessage into a reused writer gives the same bytes.
    const w = new SshWriter(1);
    writeMessage(w, { type: "ignore", data: bytes(9, 9, 9) });
    w.reset();
    writeMessage(w, sample.message);
    assert.deepEqual(w.finish(), encoded);
  });
}

test("the samples cover every message type", () => {
  // A Record over MessageType fails to compile when a type is added and not listed here.
  const all: Record<MessageType, true> = {
    disconnect: true,
    ignore: true,
    unimplemented: true,
    debug: true,
    serviceRequest: true,
    serviceAccept: true,
    extInfo: true,
    kexInit: true,
    newKeys: true,
    kexEcdhInit: true,
    kexEcdhReply: true,
    kexDhInit: true,
    kexDhReply: true,
    kexDhGexRequestOld: true,
    kexDhGexRequest: true,
    kexDhGexGroup: true,
    kexDhGexInit: true,
    kexDhGexReply: true,
    userauthRequest: true,
    userauthFailure: true,
    userauthSuccess: true,
    userauthBanner: true,
    userauthPkOk: true,
    userauthPasswdChangereq: true,
    userauthInfoRequest: true,
    userauthInfoResponse: true,
    globalRequest: true,
    requestSuccess: true,
    requestFailure: true,
    channelOpen: true,
    channelOpenConfirmation: true,
    channelOpenFailure: true,
    channelWindowAdjust: true,
    channelData: true,
    channelExtendedData: true,
    channelEof: true,
    channelClose: true,
    channelRequest: true,
    channelSuccess: true,
    channelFailure: true,
    ping: true,
    pong: true,
    unknown: true,
  };
  const covered = new Set(samples.map((s) => s.message.type));
  assert.deepEqual([...covered].sort(), Object.keys(all).sort());
  const requests = new Set(
    samples.flatMap((s) => s.message.type === "channelRequest" ? [s.message.request] : []),
  );
  for (
    const r of [
      "pty-req",
      "x11-req",
      "env",
      "shell",
      "exec",
      "subsystem",
      "window-change",
      "xon-xoff",
      "signal",
      "exit-status",
      "exit-signal",
      "break",
      "eow@openssh.com",
      "other",
    ]
  ) assert.ok(requests.has(r as never), r);
});

test("message numbers on the wire", () => {
  const expect: [Message, number][] = [
    [{ type: "disconnect", reason: 2, description: "", language: "" }, 1],
    [{ type: "extInfo", extensions: [] }, 7],
    [{ type: "kexEcdhInit", publicKey: bytes() }, 30],
    [{ type: "kexDhInit", e: 1n }, 30],
    [{ type: "kexDhGexRequestOld", n: 1 }, 30],
    [{ type: "kexEcdhReply", hostKey: bytes(), publicKey: bytes(), signature: bytes() }, 31],
    [{ type: "kexDhGexGroup", p: 1n, g: 1n }, 31],
    [{ type: "kexDhGexInit", e: 1n }, 32],
    [{ type: "kexDhGexReply", hostKey: bytes(), f: 1n, signature: bytes() }, 33],
    [{ type: "kexDhGexRequest", min: 1, n: 1, max: 1 }, 34],
    [{ type: "userauthPkOk", algorithm: "a", publicKey: bytes() }, 60],
    [{ type: "userauthPasswdChangereq", prompt: "", language: "" }, 60],
    [{ type: "userauthInfoRequest", name: "", instruction: "", language: "", prompts: [] }, 60],
    [{ type: "userauthInfoResponse", responses: [] }, 61],
    [{ type: "ping", data: bytes() }, 192],
    [{ type: "pong", data: bytes() }, 193],
  ];
  for (const [m, n] of expect) assert.equal(encodeMessage(m)[0], n, m.type);
  assert.equal(MessageNumber.KEX_DH_GEX_REQUEST, 34);
});

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

test("reused numbers without a context decode as unknown, with the whole payload", () => {
  for (const s of samples.filter((s) => s.context)) {
    const payload = encodeMessage(s.message);
    assert.deepEqual(decodeMessage(payload), {
      type: "unknown",
      number: payload[0],
      payload,
    }, s.message.type);
  }
});

test("reused numbers with the wrong method's context decode as unknown", () => {
  const ecdhInit = encodeMessage({ type: "kexEcdhInit", publicKey: bytes(1) });
  // 30 under gex is REQUEST_OLD (uint32): the string's bytes happen to parse, so use 32 instead.
  const gexInit = encodeMessage({ type: "kexDhGexInit", e: 5n });
  assert.equal(decodeMessage(gexInit, { kex: "ecdh" }).type, "unknown");
  assert.equal(decodeMessage(gexInit, { kex: "dh" }).type, "unknown");
  assert.equal(decodeMessage(ecdhInit, { auth: "publickey" }).type, "unknown");
  const infoResponse = encodeMessage({ type: "userauthInfoResponse", responses: [] });
  assert.equal(decodeMessage(infoResponse, { auth: "publickey" }).type, "unknown");
  assert.equal(decodeMessage(infoResponse, { auth: "password" }).type, "unknown");
  assert.equal(decodeMessage(infoResponse, { kex: "ecdh" }).type, "unknown");
  // Unassigned numbers in the method ranges, and everywhere else.
  for (const n of [0, 8, 19, 22, 29, 35, 49, 54, 59, 62, 79, 83, 89, 101, 191, 194, 255]) {
    const payload = bytes(n, 1, 2, 3);
    const ctx: DecodeContext = { kex: "gex", auth: "keyboard-interactive" };
    assert.deepEqual(decodeMessage(payload, ctx), { type: "unknown", number: n, payload }, `${n}`);
  }
});

test("the same number means different messages under different contexts", () => {
  const n30 = new SshWriter().byte(30).string(bytes(0x80)).finish();
  assert.deepEqual(decodeMessage(n30, { kex: "ecdh" }), {
    type: "kexEcdhInit",
    publicKey: bytes(0x80),
  });
  // As a DH mpint, 0x80 alone is negative: -128.
  assert.deepEqual(decodeMessage(n30, { kex: "dh" }), { type: "kexDhInit", e: -128n });
  assert.throws(() => decodeMessage(n30, { kex: "gex" }), WireError); // uint32 + trailing byte
  const n60 = new SshWriter().byte(60).string("a").string("b").finish();
  assert.deepEqual(decodeMessage(n60, { auth: "publickey" }), {
    type: "userauthPkOk",
    algorithm: "a",
    publicKey: new TextEncoder().encode("b"),
  });
  assert.deepEqual(decodeMessage(n60, { auth: "password" }), {
    type: "userauthPasswdChangereq",
    prompt: "a",
    language: "b",
  });
});

test("trailing bytes after a fixed message are a WireError", () => {
  for (const s of samples) {
    if (s.message.type === "unknown") continue;
    const payload = encodeMessage(s.message);
    const longer = new Uint8Array(payload.length + 1);
    longer.set(payload);
    let decoded: Message | undefined;
    try {
      decoded = decodeMessage(longer, s.context);
    } catch (e) {
      assert.ok(e instanceof WireError, label(s));
      continue;
    }
    // Only messages whose tail is free-form may absorb the byte.
    assert.ok(
      ["requestSuccess", "channelOpenConfirmation"].includes(decoded.type) ||
        ("request" in decoded && decoded.request === "other") ||
        ("channelType" in decoded && decoded.channelType === "other") ||
        ("method" in decoded && decoded.method === "other"),
      `${label(s)} accepted a trailing byte`,
    );
  }
});

test("list limits: EXT_INFO and keyboard-interactive counts", () => {
  const ext = (n: number) => {
    const w = new SshWriter().byte(7).uint32(n);
    for (let i = 0; i < n; i++) w.string(`e${i}`).string("");
    return w.finish();
  };
  assert.equal((decodeMessage(ext(LIST_LIMIT)) as { extensions: unknown[] }).extensions.length, 64);
  assert.throws(() => decodeMessage(ext(LIST_LIMIT + 1)), /Too many extensions/);
  assert.throws(() => decodeMessage(bytes(7, 0xff, 0xff, 0xff, 0xff)), WireError);
  const responses = new SshWriter().byte(61).uint32(0xffffffff).finish();
  assert.throws(() => decodeMessage(responses, { auth: "keyboard-interactive" }), WireError);
});

test("decode rejects what the encoder never writes", () => {
  // Empty payload, bad UTF-8, non-ASCII names, non-minimal mpint, bad name-lists.
  assert.throws(() => decodeMessage(bytes()), WireError);
  assert.throws(() => decodeMessage(bytes(1, 0, 0, 0, 2, 0, 0, 0, 1, 0xff, 0, 0, 0, 0)), WireError);
  assert.throws(() => decodeMessage(bytes(5, 0, 0, 0, 1, 0x80)), WireError);
  assert.throws(() => decodeMessage(bytes(30, 0, 0, 0, 2, 0, 1), { kex: "dh" }), WireError);
  const kexinit = encodeMessage(samples.find((s) => s.message.type === "kexInit")!.message);
  // Replace the first name-list with "a,,b".
  const w = new SshWriter().byte(20).raw(cookie).string("a,,b");
  const firstLen = new DataView(kexinit.buffer).getUint32(17);
  w.raw(kexinit.subarray(21 + firstLen));
  assert.throws(() => decodeMessage(w.finish()), /Empty name/);
});

test("encoding refuses values the wire cannot carry", () => {
  const base = samples.find((s) => s.message.type === "kexInit")!.message;
  assert.throws(() => encodeMessage({ ...base, cookie: bytes(1) } as Message), RangeError);
  assert.throws(
    () => encodeMessage({ type: "channelEof", recipient: -1 }),
    RangeError,
  );
  assert.throws(
    () => encodeMessage({ type: "userauthFailure", methods: ["a,b"], partialSuccess: false }),
    TypeError,
  );
});

test("encoding refuses non-ASCII names that the decoder would refuse", () => {
  const bad = ["caf\u00e9", "line\nbreak", "tab\t", "\u007f"];
  for (const name of bad) {
    const messages: Message[] = [
      { type: "serviceRequest", service: name },
      { type: "serviceAccept", service: name },
      { type: "extInfo", extensions: [{ name, value: bytes() }] },
      { type: "userauthRequest", user: "u", service: name, method: "none" },
      {
        type: "userauthRequest",
        user: "u",
        service: "s",
        method: "publickey",
        algorithm: name,
        publicKey: bytes(),
      },
      { type: "userauthRequest", user: "u", service: "s", method: "other", name, data: bytes() },
      { type: "userauthPkOk", algorithm: name, publicKey: bytes() },
      { type: "globalRequest", wantReply: false, request: "other", name, data: bytes() },
      {
        type: "channelOpen",
        sender: 0,
        initialWindow: 0,
        maxPacket: 0,
        channelType: "other",
        name,
        data: bytes(),
      },
      {
        type: "channelRequest",
        recipient: 0,
        wantReply: false,
        request: "other",
        name,
        data: bytes(),
      },
    ];
    for (const m of messages) {
      assert.throws(() => encodeMessage(m), TypeError, `${m.type} ${JSON.stringify(name)}`);
    }
  }
  // UTF-8 stays allowed where the protocol says UTF-8: user names, commands, environment.
  const user = {
    type: "userauthRequest",
    user: "jos\u00e9",
    service: "s",
    method: "none",
  } as const;
  assert.deepEqual(decodeMessage(encodeMessage(user)), user);
});
