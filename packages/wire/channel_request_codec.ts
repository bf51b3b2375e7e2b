/**
 * Codecs for the request-specific part of SSH_MSG_CHANNEL_REQUEST (RFC 4254 §6, OpenSSH
 * PROTOCOL): pty-req with its terminal modes, x11-req, env, shell, exec, subsystem,
 * window-change, xon-xoff, signal, exit-status, exit-signal, break and eow@openssh.com. The
 * longest list of bodies in the connection protocol, so it has a file of its own.
 * @module
 */
import type { ChannelRequestBody } from "./connection_messages.ts";
import type { SshReader } from "./reader.ts";
import { decodeTerminalModes, encodeTerminalModes } from "./terminal_modes.ts";
import type { SshWriter } from "./writer.ts";

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
