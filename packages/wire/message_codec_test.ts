import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type DecodeContext,
  decodeMessage,
  encodeMessage,
  type Message,
  MessageNumber,
  type MessageType,
  SshWriter,
  WireError,
  writeMessage,
} from "./mod.ts";
import { cookie, samples } from "./testdata/message_samples.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

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
