/**
 * Encode and decode of the transport layer's messages (RFC 4253, RFC 8308, OpenSSH PROTOCOL
 * §1.8): the numbers 1–7, 20–21 and 192–193, whose meaning never depends on what was negotiated.
 * @module
 */
import { readCount } from "./list_limit.ts";
import { type Message, MessageNumber as N } from "./messages.ts";
import type { SshReader } from "./reader.ts";
import type { TransportMessage } from "./transport_messages.ts";
import type { SshWriter } from "./writer.ts";

/** Writes a transport-layer message, message number first. */
export function writeTransportMessage(w: SshWriter, msg: TransportMessage): void {
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
    case "ping":
      w.byte(N.PING).string(msg.data);
      return;
    case "pong":
      w.byte(N.PONG).string(msg.data);
      return;
  }
}

/**
 * Reads a transport-layer message after its number `n`; `undefined` when `n` is not one of
 * them.
 */
export function readTransportMessage(n: number, r: SshReader): Message | undefined {
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
      const k = readCount(r, "extensions");
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
    case N.PING:
      m = { type: "ping", data: r.string() };
      break;
    case N.PONG:
      m = { type: "pong", data: r.string() };
      break;
    default:
      return undefined;
  }
  r.end();
  return m;
}
