/**
 * The connection protocol's messages (numbers 80–100: RFC 4254, OpenSSH PROTOCOL) as typed values:
 * global requests and their replies, and everything about channels, with the reason codes of a
 * refused channel open.
 * @module
 */
import type { TerminalModes } from "./terminal_modes.ts";

/**
 * Reason codes of SSH_MSG_CHANNEL_OPEN_FAILURE (RFC 4254 §5.1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChannelOpenFailureReason } from "@hush/wire";
 * assert.equal(ChannelOpenFailureReason.CONNECT_FAILED, 2);
 * ```
 */
export const ChannelOpenFailureReason = {
  ADMINISTRATIVELY_PROHIBITED: 1,
  CONNECT_FAILED: 2,
  UNKNOWN_CHANNEL_TYPE: 3,
  RESOURCE_SHORTAGE: 4,
} as const;

/** The request-specific part of SSH_MSG_GLOBAL_REQUEST (RFC 4254 §7). */
export type GlobalRequestBody =
  | { request: "tcpip-forward"; address: string; port: number }
  | { request: "cancel-tcpip-forward"; address: string; port: number }
  | { request: "other"; name: string; data: Uint8Array };

/** SSH_MSG_GLOBAL_REQUEST. */
export type GlobalRequest = { type: "globalRequest"; wantReply: boolean } & GlobalRequestBody;

/** SSH_MSG_REQUEST_SUCCESS; `data` holds request-specific bytes (the bound port for port 0). */
export interface RequestSuccess {
  /** The message tag. */
  type: "requestSuccess";
  /** Request-specific bytes (the bound port for tcpip-forward to port 0). */
  data: Uint8Array;
}
/** SSH_MSG_REQUEST_FAILURE. */
export interface RequestFailure {
  /** The message tag. */
  type: "requestFailure";
}

/** The type-specific part of SSH_MSG_CHANNEL_OPEN (RFC 4254 §6.1, §7.2). */
export type ChannelOpenBody =
  | { channelType: "session" }
  | {
    channelType: "direct-tcpip";
    host: string;
    port: number;
    originatorAddress: string;
    originatorPort: number;
  }
  | {
    channelType: "forwarded-tcpip";
    address: string;
    port: number;
    originatorAddress: string;
    originatorPort: number;
  }
  | { channelType: "other"; name: string; data: Uint8Array };

/** SSH_MSG_CHANNEL_OPEN. */
export type ChannelOpen =
  & { type: "channelOpen"; sender: number; initialWindow: number; maxPacket: number }
  & ChannelOpenBody;

/** SSH_MSG_CHANNEL_OPEN_CONFIRMATION. */
export interface ChannelOpenConfirmation {
  /** The message tag. */
  type: "channelOpenConfirmation";
  /** The receiving side's channel number. */
  recipient: number;
  /** The sending side's channel number. */
  sender: number;
  /** Initial window size in bytes. */
  initialWindow: number;
  /** Largest data packet the sender accepts. */
  maxPacket: number;
  /** Channel-type-specific data (empty for the standard types). */
  data: Uint8Array;
}
/** SSH_MSG_CHANNEL_OPEN_FAILURE. */
export interface ChannelOpenFailure {
  /** The message tag. */
  type: "channelOpenFailure";
  /** The receiving side's channel number. */
  recipient: number;
  /** One of {@linkcode ChannelOpenFailureReason}. */
  reason: number;
  /** Human-readable description (UTF-8). */
  description: string;
  /** RFC 3066 language tag, usually empty. */
  language: string;
}
/** SSH_MSG_CHANNEL_WINDOW_ADJUST. */
export interface ChannelWindowAdjust {
  /** The message tag. */
  type: "channelWindowAdjust";
  /** The receiving side's channel number. */
  recipient: number;
  /** Bytes to add to the window. */
  bytes: number;
}
/** SSH_MSG_CHANNEL_DATA. */
export interface ChannelData {
  /** The message tag. */
  type: "channelData";
  /** The receiving side's channel number. */
  recipient: number;
  /** The channel data. */
  data: Uint8Array;
}
/** SSH_MSG_CHANNEL_EXTENDED_DATA (data type 1 is stderr). */
export interface ChannelExtendedData {
  /** The message tag. */
  type: "channelExtendedData";
  /** The receiving side's channel number. */
  recipient: number;
  /** The data type code (1: stderr). */
  dataType: number;
  /** The extended data. */
  data: Uint8Array;
}
/** SSH_MSG_CHANNEL_EOF. */
export interface ChannelEof {
  /** The message tag. */
  type: "channelEof";
  /** The receiving side's channel number. */
  recipient: number;
}
/** SSH_MSG_CHANNEL_CLOSE. */
export interface ChannelClose {
  /** The message tag. */
  type: "channelClose";
  /** The receiving side's channel number. */
  recipient: number;
}

/** The request-specific part of SSH_MSG_CHANNEL_REQUEST (RFC 4254 §6, OpenSSH PROTOCOL). */
export type ChannelRequestBody =
  | {
    request: "pty-req";
    term: string;
    cols: number;
    rows: number;
    widthPx: number;
    heightPx: number;
    modes: TerminalModes;
  }
  | {
    request: "x11-req";
    singleConnection: boolean;
    authProtocol: string;
    authCookie: string;
    screen: number;
  }
  | { request: "env"; name: string; value: string }
  | { request: "shell" }
  | { request: "exec"; command: string }
  | { request: "subsystem"; name: string }
  | { request: "window-change"; cols: number; rows: number; widthPx: number; heightPx: number }
  | { request: "xon-xoff"; clientCanDo: boolean }
  | { request: "signal"; signal: string }
  | { request: "exit-status"; status: number }
  | {
    request: "exit-signal";
    signal: string;
    coreDumped: boolean;
    message: string;
    language: string;
  }
  | { request: "break"; length: number }
  | { request: "eow@openssh.com" }
  | { request: "other"; name: string; data: Uint8Array };

/** SSH_MSG_CHANNEL_REQUEST. */
export type ChannelRequest =
  & { type: "channelRequest"; recipient: number; wantReply: boolean }
  & ChannelRequestBody;

/** SSH_MSG_CHANNEL_SUCCESS. */
export interface ChannelSuccess {
  /** The message tag. */
  type: "channelSuccess";
  /** The receiving side's channel number. */
  recipient: number;
}
/** SSH_MSG_CHANNEL_FAILURE. */
export interface ChannelFailure {
  /** The message tag. */
  type: "channelFailure";
  /** The receiving side's channel number. */
  recipient: number;
}

/** The connection protocol's messages (RFC 4254), one layer of `Message`. */
export type ConnectionMessage =
  | GlobalRequest
  | RequestSuccess
  | RequestFailure
  | ChannelOpen
  | ChannelOpenConfirmation
  | ChannelOpenFailure
  | ChannelWindowAdjust
  | ChannelData
  | ChannelExtendedData
  | ChannelEof
  | ChannelClose
  | ChannelRequest
  | ChannelSuccess
  | ChannelFailure;
