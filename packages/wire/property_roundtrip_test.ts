// Property tests with a small seeded PRNG: random valid messages of every form round-trip
// through encodeMessage and decodeMessage.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ChannelOpenBody,
  type ChannelRequestBody,
  type DecodeContext,
  decodeMessage,
  encodeMessage,
  type GlobalRequestBody,
  type Message,
} from "./mod.ts";
import { type Prng, prng } from "./testdata/prng.ts";

/** A random valid message of every shape the codec has, with the context it decodes under. */
function randomMessage(r: Prng): { message: Message; context: DecodeContext } {
  const u32 = () => [0, 1, 0x7fffffff, 0xffffffff][r.int(4)] ?? r.int(2 ** 32);
  const anyU32 = () => (r.int(3) === 0 ? u32() : r.int(2 ** 32));
  const ascii = (min = 0) => {
    let s = "";
    for (let i = 0, n = min + r.int(12); i < n; i++) s += String.fromCharCode(0x21 + r.int(94));
    return s;
  };
  const name = () => ascii(1).replaceAll(",", "_");
  const text = () => ["", "hé", "日本", "\u{1f600}", "a\r\nb", "\0"][r.int(6)] + ascii();
  const data = () => r.bytes(r.int(20));
  const big = () => {
    let v = 0n;
    for (let i = 0, n = r.int(40); i < n; i++) v = (v << 8n) | BigInt(r.int(256));
    return r.int(4) === 0 ? -v : v;
  };
  const names = () => Array.from({ length: r.int(4) }, name);
  const other = (known: string[]) => {
    let n = name();
    while (known.includes(n)) n += "x";
    return n;
  };
  const none: DecodeContext = {};
  const forms: (() => { message: Message; context: DecodeContext })[] = [
    () => ({
      message: { type: "disconnect", reason: anyU32(), description: text(), language: ascii() },
      context: none,
    }),
    () => ({ message: { type: "ignore", data: data() }, context: none }),
    () => ({ message: { type: "unimplemented", sequence: anyU32() }, context: none }),
    () => ({
      message: { type: "debug", alwaysDisplay: r.int(2) === 0, message: text(), language: ascii() },
      context: none,
    }),
    () => ({ message: { type: "serviceRequest", service: ascii() }, context: none }),
    () => ({ message: { type: "serviceAccept", service: ascii() }, context: none }),
    () => ({
      message: {
        type: "extInfo",
        extensions: Array.from({ length: r.int(5) }, () => ({ name: ascii(), value: data() })),
      },
      context: none,
    }),
    () => ({
      message: {
        type: "kexInit",
        cookie: r.bytes(16),
        kexAlgorithms: names(),
        serverHostKeyAlgorithms: names(),
        encryptionClientToServer: names(),
        encryptionServerToClient: names(),
        macClientToServer: names(),
        macServerToClient: names(),
        compressionClientToServer: names(),
        compressionServerToClient: names(),
        languagesClientToServer: names(),
        languagesServerToClient: names(),
        firstKexPacketFollows: r.int(2) === 0,
        reserved: anyU32(),
      },
      context: none,
    }),
    () => ({ message: { type: "newKeys" }, context: none }),
    () => ({ message: { type: "kexEcdhInit", publicKey: data() }, context: { kex: "ecdh" } }),
    () => ({
      message: { type: "kexEcdhReply", hostKey: data(), publicKey: data(), signature: data() },
      context: { kex: "ecdh" },
    }),
    () => ({ message: { type: "kexDhInit", e: big() }, context: { kex: "dh" } }),
    () => ({
      message: { type: "kexDhReply", hostKey: data(), f: big(), signature: data() },
      context: { kex: "dh" },
    }),
    () => ({ message: { type: "kexDhGexRequestOld", n: anyU32() }, context: { kex: "gex" } }),
    () => ({
      message: { type: "kexDhGexRequest", min: anyU32(), n: anyU32(), max: anyU32() },
      context: { kex: "gex" },
    }),
    () => ({ message: { type: "kexDhGexGroup", p: big(), g: big() }, context: { kex: "gex" } }),
    () => ({ message: { type: "kexDhGexInit", e: big() }, context: { kex: "gex" } }),
    () => ({
      message: { type: "kexDhGexReply", hostKey: data(), f: big(), signature: data() },
      context: { kex: "gex" },
    }),
    () => {
      const head = { type: "userauthRequest", user: text(), service: ascii() } as const;
      const methods: Message[] = [
        { ...head, method: "none" },
        { ...head, method: "publickey", algorithm: ascii(), publicKey: data() },
        { ...head, method: "publickey", algorithm: ascii(), publicKey: data(), signature: data() },
        { ...head, method: "password", password: text() },
        { ...head, method: "password", password: text(), newPassword: text() },
        { ...head, method: "keyboard-interactive", language: ascii(), submethods: text() },
        {
          ...head,
          method: "other",
          name: other(["none", "publickey", "password", "keyboard-interactive"]),
          data: data(),
        },
      ];
      return { message: methods[r.int(methods.length)], context: none };
    },
    () => ({
      message: { type: "userauthFailure", methods: names(), partialSuccess: r.int(2) === 0 },
      context: none,
    }),
    () => ({ message: { type: "userauthSuccess" }, context: none }),
    () => ({
      message: { type: "userauthBanner", message: text(), language: ascii() },
      context: none,
    }),
    () => ({
      message: { type: "userauthPkOk", algorithm: ascii(), publicKey: data() },
      context: { auth: "publickey" },
    }),
    () => ({
      message: { type: "userauthPasswdChangereq", prompt: text(), language: text() },
      context: { auth: "password" },
    }),
    () => ({
      message: {
        type: "userauthInfoRequest",
        name: text(),
        instruction: text(),
        language: text(),
        prompts: Array.from({ length: r.int(4) }, () => ({ prompt: text(), echo: r.int(2) === 0 })),
      },
      context: { auth: "keyboard-interactive" },
    }),
    () => ({
      message: { type: "userauthInfoResponse", responses: Array.from({ length: r.int(4) }, text) },
      context: { auth: "keyboard-interactive" },
    }),
    () => {
      const bodies: GlobalRequestBody[] = [
        { request: "tcpip-forward", address: text(), port: anyU32() },
        { request: "cancel-tcpip-forward", address: text(), port: anyU32() },
        { request: "other", name: other(["tcpip-forward", "cancel-tcpip-forward"]), data: data() },
      ];
      return {
        message: { type: "globalRequest", wantReply: r.int(2) === 0, ...bodies[r.int(3)] },
        context: none,
      };
    },
    () => ({ message: { type: "requestSuccess", data: data() }, context: none }),
    () => ({ message: { type: "requestFailure" }, context: none }),
    () => {
      const bodies: ChannelOpenBody[] = [
        { channelType: "session" },
        {
          channelType: "direct-tcpip",
          host: text(),
          port: anyU32(),
          originatorAddress: text(),
          originatorPort: anyU32(),
        },
        {
          channelType: "forwarded-tcpip",
          address: text(),
          port: anyU32(),
          originatorAddress: text(),
          originatorPort: anyU32(),
        },
        {
          channelType: "other",
          name: other(["session", "direct-tcpip", "forwarded-tcpip"]),
          data: data(),
        },
      ];
      return {
        message: {
          type: "channelOpen",
          sender: anyU32(),
          initialWindow: anyU32(),
          maxPacket: anyU32(),
          ...bodies[r.int(4)],
        },
        context: none,
      };
    },
    () => ({
      message: {
        type: "channelOpenConfirmation",
        recipient: anyU32(),
        sender: anyU32(),
        initialWindow: anyU32(),
        maxPacket: anyU32(),
        data: data(),
      },
      context: none,
    }),
    () => ({
      message: {
        type: "channelOpenFailure",
        recipient: anyU32(),
        reason: anyU32(),
        description: text(),
        language: ascii(),
      },
      context: none,
    }),
    () => ({
      message: { type: "channelWindowAdjust", recipient: anyU32(), bytes: anyU32() },
      context: none,
    }),
    () => ({ message: { type: "channelData", recipient: anyU32(), data: data() }, context: none }),
    () => ({
      message: {
        type: "channelExtendedData",
        recipient: anyU32(),
        dataType: anyU32(),
        data: data(),
      },
      context: none,
    }),
    () => ({ message: { type: "channelEof", recipient: anyU32() }, context: none }),
    () => ({ message: { type: "channelClose", recipient: anyU32() }, context: none }),
    () => {
      const known = [
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
      ];
      const modes = Array.from({ length: r.int(6) }, () => ({
        opcode: 1 + r.int(159),
        value: anyU32(),
      }));
      const bodies: ChannelRequestBody[] = [
        {
          request: "pty-req",
          term: text(),
          cols: anyU32(),
          rows: anyU32(),
          widthPx: anyU32(),
          heightPx: anyU32(),
          modes,
        },
        {
          request: "x11-req",
          singleConnection: r.int(2) === 0,
          authProtocol: text(),
          authCookie: text(),
          screen: anyU32(),
        },
        { request: "env", name: text(), value: text() },
        { request: "shell" },
        { request: "exec", command: text() },
        { request: "subsystem", name: text() },
        {
          request: "window-change",
          cols: anyU32(),
          rows: anyU32(),
          widthPx: anyU32(),
          heightPx: anyU32(),
        },
        { request: "xon-xoff", clientCanDo: r.int(2) === 0 },
        { request: "signal", signal: text() },
        { request: "exit-status", status: anyU32() },
        {
          request: "exit-signal",
          signal: text(),
          coreDumped: r.int(2) === 0,
          message: text(),
          language: text(),
        },
        { request: "break", length: anyU32() },
        { request: "eow@openssh.com" },
        { request: "other", name: other(known), data: data() },
      ];
      return {
        message: {
          type: "channelRequest",
          recipient: anyU32(),
          wantReply: r.int(2) === 0,
          ...bodies[r.int(bodies.length)],
        },
        context: none,
      };
    },
    () => ({ message: { type: "channelSuccess", recipient: anyU32() }, context: none }),
    () => ({ message: { type: "channelFailure", recipient: anyU32() }, context: none }),
    () => ({ message: { type: "ping", data: data() }, context: none }),
    () => ({ message: { type: "pong", data: data() }, context: none }),
    () => {
      const known = new Set([1, 2, 3, 4, 5, 6, 7, 20, 21, 50, 51, 52, 53, 80, 81, 82, 192, 193]);
      for (let n = 90; n <= 100; n++) known.add(n);
      let n = r.int(256);
      while (known.has(n)) n = (n + 1) % 256;
      const payload = r.bytes(1 + r.int(10));
      payload[0] = n;
      return { message: { type: "unknown", number: n, payload }, context: none };
    },
  ];
  return forms[r.int(forms.length)]();
}

test("random valid messages round-trip: decode(encode(m)) = m and encode(decode(b)) = b", () => {
  const r = prng(8);
  for (let i = 0; i < 4000; i++) {
    const { message, context } = randomMessage(r);
    const encoded = encodeMessage(message);
    const decoded = decodeMessage(encoded, context);
    assert.deepEqual(
      decoded,
      message,
      JSON.stringify(message, (_, v) => typeof v === "bigint" ? `${v}n` : v),
    );
    assert.deepEqual(encodeMessage(decoded), encoded);
  }
});
