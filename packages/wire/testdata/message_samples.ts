/**
 * Test data (not published): one sample of every message form, with the decode context its
 * number needs (the connection protocol's in `connection_samples.ts`). `message_codec_test.ts`
 * round-trips them and checks that they cover every message type.
 * @module
 */
import type { DecodeContext, Message } from "../mod.ts";
import { connectionSamples } from "./connection_samples.ts";

const bytes = (...b: number[]) => new Uint8Array(b);
/** The KEXINIT cookie the samples use. */
export const cookie: Uint8Array<ArrayBuffer> = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
const blob = bytes(0, 0, 0, 11, ...new TextEncoder().encode("ssh-ed25519"), 0, 0, 0, 1, 9);

/** A message, the decode context its number needs, and what sets it apart from its siblings. */
export interface MessageSample {
  /** The message. */
  message: Message;
  /** The context that gives a reused number its meaning. */
  context?: DecodeContext;
  /** Set when one type has several samples. */
  note?: string;
}

/** One sample per message form, with the context its number needs. */
export const samples: MessageSample[] = [
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
  ...connectionSamples,
  { message: { type: "ping", data: bytes(1, 2, 3, 4) } },
  { message: { type: "pong", data: bytes() } },
  { message: { type: "unknown", number: 199, payload: bytes(199, 1, 2) } },
  { message: { type: "unknown", number: 0, payload: bytes(0) }, note: "number 0" },
  { message: { type: "unknown", number: 255, payload: bytes(255) }, note: "number 255" },
];
