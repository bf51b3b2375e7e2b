/**
 * Codecs for the request-specific parts of the connection protocol (RFC 4254): global request
 * bodies, channel open bodies and channel request bodies.
 * @module
 */
import type { ChannelOpenBody, ChannelRequestBody, GlobalRequestBody } from "./messages.ts";
import type { SshReader } from "./reader.ts";
import { decodeTerminalModes, encodeTerminalModes } from "./terminal_modes.ts";
import type { SshWriter } from "./writer.ts";

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

/** The wire name of a channel request body. */
export function channelRequestName(body: ChannelRequestBody): string {
  return body.request === "other" ? body.name : body.request;
}

/** Writes the request-specific tail of a channel request. */
export function writeChannelRequestBody(w: SshWriter, body: ChannelRequestBody): void {
  switch (body.request) {
    case "pty-req":
      w.string(body.term).uint32(body.cols).uint32(body.rows).uint32(body.widthPx).uint32(
        body.heightPx,
      )
        .string(encodeTerminalModes(body.modes));
      return;
    case "x11-req":
      w.boolean(body.singleConnection).string(body.authProtocol).string(body.authCookie).uint32(
        body.screen,
      );
      return;
    case "env":
      w.string(body.name).string(body.value);
      return;
    case "shell":
    case "eow@openssh.com":
      return;
    case "exec":
      w.string(body.command);
      return;
    case "subsystem":
      w.string(body.name);
      return;
    case "window-change":
      w.uint32(body.cols).uint32(body.rows).uint32(body.widthPx).uint32(body.heightPx);
      return;
    case "xon-xoff":
      w.boolean(body.clientCanDo);
      return;
    case "signal":
      w.string(body.signal);
      return;
    case "exit-status":
      w.uint32(body.status);
      return;
    case "exit-signal":
      w.string(body.signal).boolean(body.coreDumped).string(body.message).string(body.language);
      return;
    case "break":
      w.uint32(body.length);
      return;
    case "other":
      w.raw(body.data);
      return;
  }
}

/** Reads the request-specific tail of a channel request. */
export function readChannelRequestBody(r: SshReader, name: string): ChannelRequestBody {
  let body: ChannelRequestBody;
  switch (name) {
    case "pty-req":
      body = {
        request: name,
        term: r.utf8(),
        cols: r.uint32(),
        rows: r.uint32(),
        widthPx: r.uint32(),
        heightPx: r.uint32(),
        modes: decodeTerminalModes(r.string()),
      };
      break;
    case "x11-req":
      body = {
        request: name,
        singleConnection: r.boolean(),
        authProtocol: r.utf8(),
        authCookie: r.utf8(),
        screen: r.uint32(),
      };
      break;
    case "env":
      body = { request: name, name: r.utf8(), value: r.utf8() };
      break;
    case "shell":
    case "eow@openssh.com":
      body = { request: name };
      break;
    case "exec":
      body = { request: name, command: r.utf8() };
      break;
    case "subsystem":
      body = { request: name, name: r.utf8() };
      break;
    case "window-change":
      body = {
        request: name,
        cols: r.uint32(),
        rows: r.uint32(),
        widthPx: r.uint32(),
        heightPx: r.uint32(),
      };
      break;
    case "xon-xoff":
      body = { request: name, clientCanDo: r.boolean() };
      break;
    case "signal":
      body = { request: name, signal: r.utf8() };
      break;
    case "exit-status":
      body = { request: name, status: r.uint32() };
      break;
    case "exit-signal":
      body = {
        request: name,
        signal: r.utf8(),
        coreDumped: r.boolean(),
        message: r.utf8(),
        language: r.utf8(),
      };
      break;
    case "break":
      body = { request: name, length: r.uint32() };
      break;
    default:
      return { request: "other", name, data: r.rest() };
  }
  r.end();
  return body;
}
