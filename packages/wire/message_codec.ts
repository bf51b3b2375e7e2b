/**
 * One encode and one decode for every SSH message.
 * @module
 */
import {
  channelOpenName,
  channelRequestName,
  readChannelOpenBody,
  readChannelRequestBody,
  readGlobalRequestBody,
  writeChannelOpenBody,
  writeChannelRequestBody,
  writeGlobalRequestBody,
} from "./connection_codec.ts";
import { WireError } from "./errors.ts";
import { type DecodeContext, type Message, MessageNumber as N } from "./messages.ts";
import { SshReader } from "./reader.ts";
import { SshWriter } from "./writer.ts";

/** Most extensions an EXT_INFO may carry, and most prompts an INFO_REQUEST/RESPONSE. */
export const LIST_LIMIT = 64;

/**
 * Encodes a message into a payload (message number first).
 *
 * @example
 * ```ts
 * import { encodeMessage } from "@hush/wire";
 * console.log(encodeMessage({ type: "serviceRequest", service: "ssh-userauth" }));
 * ```
 */
export function encodeMessage(msg: Message): Uint8Array {
  const w = new SshWriter(msg.type === "channelData" ? msg.data.length + 16 : 64);
  writeMessage(w, msg);
  return w.finish();
}

/**
 * Writes a message into a writer (for callers that reuse one writer).
 *
 * @example
 * ```ts
 * import { SshWriter, writeMessage } from "@hush/wire";
 * const w = new SshWriter();
 * writeMessage(w, { type: "newKeys" });
 * console.log(w.finish()); // Uint8Array [21]
 * ```
 */
export function writeMessage(w: SshWriter, msg: Message): void {
  switch (msg.type) {
    case "disconnect":
      w.byte(N.DISCONNECT).uint32(msg.reason).string(msg.description).string(msg.language);
      return;
    case "ignore":
      w.byte(N.IGNORE).string(msg.data);
      return;
    case "unimplemented":
      w.byte(N.UNIMPLEMENTED).uint32(msg.sequence);
      return;
    case "debug":
      w.byte(N.DEBUG).boolean(msg.alwaysDisplay).string(msg.message).string(msg.language);
      return;
    case "serviceRequest":
      w.byte(N.SERVICE_REQUEST).ascii(msg.service);
      return;
    case "serviceAccept":
      w.byte(N.SERVICE_ACCEPT).ascii(msg.service);
      return;
    case "extInfo":
      w.byte(N.EXT_INFO).uint32(msg.extensions.length);
      for (const e of msg.extensions) w.ascii(e.name).string(e.value);
      return;
    case "kexInit":
      if (msg.cookie.length !== 16) throw new RangeError("KEXINIT cookie must be 16 bytes");
      w.byte(N.KEXINIT).raw(msg.cookie)
        .nameList(msg.kexAlgorithms).nameList(msg.serverHostKeyAlgorithms)
        .nameList(msg.encryptionClientToServer).nameList(msg.encryptionServerToClient)
        .nameList(msg.macClientToServer).nameList(msg.macServerToClient)
        .nameList(msg.compressionClientToServer).nameList(msg.compressionServerToClient)
        .nameList(msg.languagesClientToServer).nameList(msg.languagesServerToClient)
        .boolean(msg.firstKexPacketFollows).uint32(msg.reserved);
      return;
    case "newKeys":
      w.byte(N.NEWKEYS);
      return;
    case "kexEcdhInit":
      w.byte(N.KEX_ECDH_INIT).string(msg.publicKey);
      return;
    case "kexEcdhReply":
      w.byte(N.KEX_ECDH_REPLY).string(msg.hostKey).string(msg.publicKey).string(msg.signature);
      return;
    case "kexDhInit":
      w.byte(N.KEXDH_INIT).mpint(msg.e);
      return;
    case "kexDhReply":
      w.byte(N.KEXDH_REPLY).string(msg.hostKey).mpint(msg.f).string(msg.signature);
      return;
    case "kexDhGexRequestOld":
      w.byte(N.KEX_DH_GEX_REQUEST_OLD).uint32(msg.n);
      return;
    case "kexDhGexRequest":
      w.byte(N.KEX_DH_GEX_REQUEST).uint32(msg.min).uint32(msg.n).uint32(msg.max);
      return;
    case "kexDhGexGroup":
      w.byte(N.KEX_DH_GEX_GROUP).mpint(msg.p).mpint(msg.g);
      return;
    case "kexDhGexInit":
      w.byte(N.KEX_DH_GEX_INIT).mpint(msg.e);
      return;
    case "kexDhGexReply":
      w.byte(N.KEX_DH_GEX_REPLY).string(msg.hostKey).mpint(msg.f).string(msg.signature);
      return;
    case "userauthRequest":
      w.byte(N.USERAUTH_REQUEST).string(msg.user).ascii(msg.service);
      switch (msg.method) {
        case "none":
          w.string("none");
          return;
        case "publickey":
          w.string("publickey").boolean(msg.signature !== undefined).ascii(msg.algorithm).string(
            msg.publicKey,
          );
          if (msg.signature !== undefined) w.string(msg.signature);
          return;
        case "password":
          w.string("password").boolean(msg.newPassword !== undefined).string(msg.password);
          if (msg.newPassword !== undefined) w.string(msg.newPassword);
          return;
        case "keyboard-interactive":
          w.string("keyboard-interactive").string(msg.language).string(msg.submethods);
          return;
        case "other":
          w.ascii(msg.name).raw(msg.data);
          return;
      }
      return;
    case "userauthFailure":
      w.byte(N.USERAUTH_FAILURE).nameList(msg.methods).boolean(msg.partialSuccess);
      return;
    case "userauthSuccess":
      w.byte(N.USERAUTH_SUCCESS);
      return;
    case "userauthBanner":
      w.byte(N.USERAUTH_BANNER).string(msg.message).string(msg.language);
      return;
    case "userauthPkOk":
      w.byte(N.USERAUTH_PK_OK).ascii(msg.algorithm).string(msg.publicKey);
      return;
    case "userauthPasswdChangereq":
      w.byte(N.USERAUTH_PASSWD_CHANGEREQ).string(msg.prompt).string(msg.language);
      return;
    case "userauthInfoRequest":
      w.byte(N.USERAUTH_INFO_REQUEST).string(msg.name).string(msg.instruction).string(msg.language)
        .uint32(msg.prompts.length);
      for (const p of msg.prompts) w.string(p.prompt).boolean(p.echo);
      return;
    case "userauthInfoResponse":
      w.byte(N.USERAUTH_INFO_RESPONSE).uint32(msg.responses.length);
      for (const r of msg.responses) w.string(r);
      return;
    case "globalRequest":
      w.byte(N.GLOBAL_REQUEST);
      writeGlobalRequestBody(w, msg, msg.wantReply);
      return;
    case "requestSuccess":
      w.byte(N.REQUEST_SUCCESS).raw(msg.data);
      return;
    case "requestFailure":
      w.byte(N.REQUEST_FAILURE);
      return;
    case "channelOpen":
      w.byte(N.CHANNEL_OPEN).ascii(channelOpenName(msg)).uint32(msg.sender).uint32(
        msg.initialWindow,
      )
        .uint32(msg.maxPacket);
      writeChannelOpenBody(w, msg);
      return;
    case "channelOpenConfirmation":
      w.byte(N.CHANNEL_OPEN_CONFIRMATION).uint32(msg.recipient).uint32(msg.sender)
        .uint32(msg.initialWindow).uint32(msg.maxPacket).raw(msg.data);
      return;
    case "channelOpenFailure":
      w.byte(N.CHANNEL_OPEN_FAILURE).uint32(msg.recipient).uint32(msg.reason).string(
        msg.description,
      )
        .string(msg.language);
      return;
    case "channelWindowAdjust":
      w.byte(N.CHANNEL_WINDOW_ADJUST).uint32(msg.recipient).uint32(msg.bytes);
      return;
    case "channelData":
      w.byte(N.CHANNEL_DATA).uint32(msg.recipient).string(msg.data);
      return;
    case "channelExtendedData":
      w.byte(N.CHANNEL_EXTENDED_DATA).uint32(msg.recipient).uint32(msg.dataType).string(msg.data);
      return;
    case "channelEof":
      w.byte(N.CHANNEL_EOF).uint32(msg.recipient);
      return;
    case "channelClose":
      w.byte(N.CHANNEL_CLOSE).uint32(msg.recipient);
      return;
    case "channelRequest":
      w.byte(N.CHANNEL_REQUEST).uint32(msg.recipient).ascii(channelRequestName(msg)).boolean(
        msg.wantReply,
      );
      writeChannelRequestBody(w, msg);
      return;
    case "channelSuccess":
      w.byte(N.CHANNEL_SUCCESS).uint32(msg.recipient);
      return;
    case "channelFailure":
      w.byte(N.CHANNEL_FAILURE).uint32(msg.recipient);
      return;
    case "ping":
      w.byte(N.PING).string(msg.data);
      return;
    case "pong":
      w.byte(N.PONG).string(msg.data);
      return;
    case "unknown":
      w.raw(msg.payload);
      return;
  }
}

function count(r: SshReader, what: string): number {
  const n = r.uint32();
  if (n > LIST_LIMIT) throw new WireError(`Too many ${what}: ${n} (limit ${LIST_LIMIT})`);
  return n;
}

/**
 * Decodes a payload into a message. Never throws anything but {@linkcode WireError}; unknown
 * numbers, and the reused numbers 30–49 / 60–79 without a `context`, give an `Unknown` value.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "@hush/wire";
 * const m = decodeMessage(new Uint8Array([52]));
 * console.log(m.type); // "userauthSuccess"
 * ```
 */
export function decodeMessage(payload: Uint8Array, context: DecodeContext = {}): Message {
  try {
    return decode(payload, context);
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError(`Malformed message ${payload[0]}`, undefined, { cause: e });
  }
}

function decode(payload: Uint8Array, context: DecodeContext): Message {
  const r = new SshReader(payload);
  const number = r.byte();
  const msg = decodeBody(number, r, context);
  if (msg === undefined) return { type: "unknown", number, payload };
  return msg;
}

function decodeBody(n: number, r: SshReader, ctx: DecodeContext): Message | undefined {
  let m: Message;
  switch (n) {
    case N.DISCONNECT:
      m = { type: "disconnect", reason: r.uint32(), description: r.utf8(), language: r.utf8() };
      break;
    case N.IGNORE:
      m = { type: "ignore", data: r.string() };
      break;
    case N.UNIMPLEMENTED:
      m = { type: "unimplemented", sequence: r.uint32() };
      break;
    case N.DEBUG:
      m = { type: "debug", alwaysDisplay: r.boolean(), message: r.utf8(), language: r.utf8() };
      break;
    case N.SERVICE_REQUEST:
      m = { type: "serviceRequest", service: r.ascii() };
      break;
    case N.SERVICE_ACCEPT:
      m = { type: "serviceAccept", service: r.ascii() };
      break;
    case N.EXT_INFO: {
      const k = count(r, "extensions");
      const extensions = [];
      for (let i = 0; i < k; i++) extensions.push({ name: r.ascii(), value: r.string() });
      m = { type: "extInfo", extensions };
      break;
    }
    case N.KEXINIT:
      m = {
        type: "kexInit",
        cookie: r.raw(16),
        kexAlgorithms: r.nameList(),
        serverHostKeyAlgorithms: r.nameList(),
        encryptionClientToServer: r.nameList(),
        encryptionServerToClient: r.nameList(),
        macClientToServer: r.nameList(),
        macServerToClient: r.nameList(),
        compressionClientToServer: r.nameList(),
        compressionServerToClient: r.nameList(),
        languagesClientToServer: r.nameList(),
        languagesServerToClient: r.nameList(),
        firstKexPacketFollows: r.boolean(),
        reserved: r.uint32(),
      };
      break;
    case N.NEWKEYS:
      m = { type: "newKeys" };
      break;
    case N.USERAUTH_REQUEST:
      return decodeUserauthRequest(r);
    case N.USERAUTH_FAILURE:
      m = { type: "userauthFailure", methods: r.nameList(), partialSuccess: r.boolean() };
      break;
    case N.USERAUTH_SUCCESS:
      m = { type: "userauthSuccess" };
      break;
    case N.USERAUTH_BANNER:
      m = { type: "userauthBanner", message: r.utf8(), language: r.utf8() };
      break;
    case N.GLOBAL_REQUEST: {
      const name = r.ascii();
      const wantReply = r.boolean();
      return { type: "globalRequest", wantReply, ...readGlobalRequestBody(r, name) };
    }
    case N.REQUEST_SUCCESS:
      return { type: "requestSuccess", data: r.rest() };
    case N.REQUEST_FAILURE:
      m = { type: "requestFailure" };
      break;
    case N.CHANNEL_OPEN: {
      const name = r.ascii();
      const sender = r.uint32(), initialWindow = r.uint32(), maxPacket = r.uint32();
      return {
        type: "channelOpen",
        sender,
        initialWindow,
        maxPacket,
        ...readChannelOpenBody(r, name),
      };
    }
    case N.CHANNEL_OPEN_CONFIRMATION:
      return {
        type: "channelOpenConfirmation",
        recipient: r.uint32(),
        sender: r.uint32(),
        initialWindow: r.uint32(),
        maxPacket: r.uint32(),
        data: r.rest(),
      };
    case N.CHANNEL_OPEN_FAILURE:
      m = {
        type: "channelOpenFailure",
        recipient: r.uint32(),
        reason: r.uint32(),
        description: r.utf8(),
        language: r.utf8(),
      };
      break;
    case N.CHANNEL_WINDOW_ADJUST:
      m = { type: "channelWindowAdjust", recipient: r.uint32(), bytes: r.uint32() };
      break;
    case N.CHANNEL_DATA:
      m = { type: "channelData", recipient: r.uint32(), data: r.string() };
      break;
    case N.CHANNEL_EXTENDED_DATA:
      m = {
        type: "channelExtendedData",
        recipient: r.uint32(),
        dataType: r.uint32(),
        data: r.string(),
      };
      break;
    case N.CHANNEL_EOF:
      m = { type: "channelEof", recipient: r.uint32() };
      break;
    case N.CHANNEL_CLOSE:
      m = { type: "channelClose", recipient: r.uint32() };
      break;
    case N.CHANNEL_REQUEST: {
      const recipient = r.uint32();
      const name = r.ascii();
      const wantReply = r.boolean();
      return { type: "channelRequest", recipient, wantReply, ...readChannelRequestBody(r, name) };
    }
    case N.CHANNEL_SUCCESS:
      m = { type: "channelSuccess", recipient: r.uint32() };
      break;
    case N.CHANNEL_FAILURE:
      m = { type: "channelFailure", recipient: r.uint32() };
      break;
    case N.PING:
      m = { type: "ping", data: r.string() };
      break;
    case N.PONG:
      m = { type: "pong", data: r.string() };
      break;
    default:
      if (n >= 30 && n <= 49) return decodeKex(n, r, ctx);
      if (n >= 60 && n <= 79) return decodeAuthMethod(n, r, ctx);
      return undefined;
  }
  r.end();
  return m;
}

function decodeKex(n: number, r: SshReader, ctx: DecodeContext): Message | undefined {
  let m: Message;
  if (ctx.kex === "ecdh" && n === N.KEX_ECDH_INIT) {
    m = { type: "kexEcdhInit", publicKey: r.string() };
  } else if (ctx.kex === "ecdh" && n === N.KEX_ECDH_REPLY) {
    m = { type: "kexEcdhReply", hostKey: r.string(), publicKey: r.string(), signature: r.string() };
  } else if (ctx.kex === "dh" && n === N.KEXDH_INIT) {
    m = { type: "kexDhInit", e: r.mpint() };
  } else if (ctx.kex === "dh" && n === N.KEXDH_REPLY) {
    m = { type: "kexDhReply", hostKey: r.string(), f: r.mpint(), signature: r.string() };
  } else if (ctx.kex === "gex" && n === N.KEX_DH_GEX_REQUEST_OLD) {
    m = { type: "kexDhGexRequestOld", n: r.uint32() };
  } else if (ctx.kex === "gex" && n === N.KEX_DH_GEX_REQUEST) {
    m = { type: "kexDhGexRequest", min: r.uint32(), n: r.uint32(), max: r.uint32() };
  } else if (ctx.kex === "gex" && n === N.KEX_DH_GEX_GROUP) {
    m = { type: "kexDhGexGroup", p: r.mpint(), g: r.mpint() };
  } else if (ctx.kex === "gex" && n === N.KEX_DH_GEX_INIT) {
    m = { type: "kexDhGexInit", e: r.mpint() };
  } else if (ctx.kex === "gex" && n === N.KEX_DH_GEX_REPLY) {
    m = { type: "kexDhGexReply", hostKey: r.string(), f: r.mpint(), signature: r.string() };
  } else {
    return undefined;
  }
  r.end();
  return m;
}

function decodeAuthMethod(n: number, r: SshReader, ctx: DecodeContext): Message | undefined {
  let m: Message;
  if (ctx.auth === "publickey" && n === N.USERAUTH_PK_OK) {
    m = { type: "userauthPkOk", algorithm: r.ascii(), publicKey: r.string() };
  } else if (ctx.auth === "password" && n === N.USERAUTH_PASSWD_CHANGEREQ) {
    m = { type: "userauthPasswdChangereq", prompt: r.utf8(), language: r.utf8() };
  } else if (ctx.auth === "keyboard-interactive" && n === N.USERAUTH_INFO_REQUEST) {
    const name = r.utf8(), instruction = r.utf8(), language = r.utf8();
    const k = count(r, "prompts");
    const prompts = [];
    for (let i = 0; i < k; i++) prompts.push({ prompt: r.utf8(), echo: r.boolean() });
    m = { type: "userauthInfoRequest", name, instruction, language, prompts };
  } else if (ctx.auth === "keyboard-interactive" && n === N.USERAUTH_INFO_RESPONSE) {
    const k = count(r, "responses");
    const responses = [];
    for (let i = 0; i < k; i++) responses.push(r.utf8());
    m = { type: "userauthInfoResponse", responses };
  } else {
    return undefined;
  }
  r.end();
  return m;
}

function decodeUserauthRequest(r: SshReader): Message {
  const user = r.utf8();
  const service = r.ascii();
  const method = r.ascii();
  let m: Message;
  switch (method) {
    case "none":
      m = { type: "userauthRequest", user, service, method };
      break;
    case "publickey": {
      const signed = r.boolean();
      const algorithm = r.ascii();
      const publicKey = r.string();
      m = signed
        ? {
          type: "userauthRequest",
          user,
          service,
          method,
          algorithm,
          publicKey,
          signature: r.string(),
        }
        : { type: "userauthRequest", user, service, method, algorithm, publicKey };
      break;
    }
    case "password": {
      const change = r.boolean();
      const password = r.utf8();
      m = change
        ? { type: "userauthRequest", user, service, method, password, newPassword: r.utf8() }
        : { type: "userauthRequest", user, service, method, password };
      break;
    }
    case "keyboard-interactive":
      m = {
        type: "userauthRequest",
        user,
        service,
        method,
        language: r.utf8(),
        submethods: r.utf8(),
      };
      break;
    default:
      return {
        type: "userauthRequest",
        user,
        service,
        method: "other",
        name: method,
        data: r.rest(),
      };
  }
  r.end();
  return m;
}
