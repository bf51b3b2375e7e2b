/**
 * Encode and decode of the connection protocol's messages (numbers 80–127: RFC 4254, OpenSSH
 * PROTOCOL): global requests and their replies and every channel message, with the codecs of
 * their request-specific parts (global request bodies and channel open bodies; channel request
 * bodies have `channel_request_codec.ts`).
 * @module
 */
import {
  channelRequestName,
  readChannelRequestBody,
  writeChannelRequestBody,
} from "./channel_request_codec.ts";
import type {
  ChannelOpenBody,
  ConnectionMessage,
  GlobalRequestBody,
} from "./connection_messages.ts";
import { type Message, MessageNumber as N } from "./messages.ts";
import type { SshReader } from "./reader.ts";
import type { SshWriter } from "./writer.ts";

/** Writes a connection protocol message, message number first. */
export function writeConnectionMessage(w: SshWriter, msg: ConnectionMessage): void {
  switch (msg.type) {
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
  }
}

/**
 * Reads a connection protocol message after its number `n`; `undefined` when `n` is not one of
 * them.
 */
export function readConnectionMessage(n: number, r: SshReader): Message | undefined {
  let m: Message;
  switch (n) {
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
    default:
      return undefined;
  }
  r.end();
  return m;
}

/** Writes the name and body of a global request. */
export function writeGlobalRequestBody(
  w: SshWriter,
  body: GlobalRequestBody,
  wantReply: boolean,
): void {
  switch (body.request) {
    case "tcpip-forward":
    case "cancel-tcpip-forward":
      w.string(body.request).boolean(wantReply).string(body.address).uint32(body.port);
      return;
    case "other":
      w.ascii(body.name).boolean(wantReply).raw(body.data);
      return;
  }
}

/** Reads a global request body after its name and want-reply flag. */
export function readGlobalRequestBody(r: SshReader, name: string): GlobalRequestBody {
  switch (name) {
    case "tcpip-forward":
    case "cancel-tcpip-forward": {
      const address = r.utf8();
      const port = r.uint32();
      r.end();
      return { request: name, address, port };
    }
    default:
      return { request: "other", name, data: r.rest() };
  }
}

/** The wire name of a channel open's type. */
export function channelOpenName(body: ChannelOpenBody): string {
  return body.channelType === "other" ? body.name : body.channelType;
}

/** Writes the type-specific tail of a channel open. */
export function writeChannelOpenBody(w: SshWriter, body: ChannelOpenBody): void {
  switch (body.channelType) {
    case "session":
      return;
    case "direct-tcpip":
      w.string(body.host).uint32(body.port).string(body.originatorAddress).uint32(
        body.originatorPort,
      );
      return;
    case "forwarded-tcpip":
      w.string(body.address).uint32(body.port).string(body.originatorAddress).uint32(
        body.originatorPort,
      );
      return;
    case "other":
      w.raw(body.data);
      return;
  }
}

/** Reads the type-specific tail of a channel open. */
export function readChannelOpenBody(r: SshReader, name: string): ChannelOpenBody {
  switch (name) {
    case "session":
      r.end();
      return { channelType: "session" };
    case "direct-tcpip": {
      const host = r.utf8(),
        port = r.uint32(),
        originatorAddress = r.utf8(),
        originatorPort = r.uint32();
      r.end();
      return { channelType: "direct-tcpip", host, port, originatorAddress, originatorPort };
    }
    case "forwarded-tcpip": {
      const address = r.utf8(),
        port = r.uint32(),
        originatorAddress = r.utf8(),
        originatorPort = r.uint32();
      r.end();
      return { channelType: "forwarded-tcpip", address, port, originatorAddress, originatorPort };
    }
    default:
      return { channelType: "other", name, data: r.rest() };
  }
}
