/**
 * Every SSH message as a typed value (RFC 4253, 4252, 4254, 4256, 4419, 5656, 8308, OpenSSH
 * PROTOCOL §1.8/1.9). Field order follows the wire order. Byte fields decoded from a payload
 * are views into it.
 * @module
 */
import type { TerminalModes } from "./terminal_modes.ts";

/**
 * SSH message numbers. Numbers 30–49 and 60–79 are reused by different key exchange and
 * authentication methods; their names here carry the method.
 *
 * @example
 * ```ts
 * import { MessageNumber } from "@hush/wire";
 * console.log(MessageNumber.KEXINIT); // 20
 * ```
 */
export const MessageNumber = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  SERVICE_REQUEST: 5,
  SERVICE_ACCEPT: 6,
  EXT_INFO: 7,
  KEXINIT: 20,
  NEWKEYS: 21,
  KEXDH_INIT: 30,
  KEXDH_REPLY: 31,
  KEX_ECDH_INIT: 30,
  KEX_ECDH_REPLY: 31,
  KEX_DH_GEX_REQUEST_OLD: 30,
  KEX_DH_GEX_GROUP: 31,
  KEX_DH_GEX_INIT: 32,
  KEX_DH_GEX_REPLY: 33,
  KEX_DH_GEX_REQUEST: 34,
  USERAUTH_REQUEST: 50,
  USERAUTH_FAILURE: 51,
  USERAUTH_SUCCESS: 52,
  USERAUTH_BANNER: 53,
  USERAUTH_PK_OK: 60,
  USERAUTH_PASSWD_CHANGEREQ: 60,
  USERAUTH_INFO_REQUEST: 60,
  USERAUTH_INFO_RESPONSE: 61,
  GLOBAL_REQUEST: 80,
  REQUEST_SUCCESS: 81,
  REQUEST_FAILURE: 82,
  CHANNEL_OPEN: 90,
  CHANNEL_OPEN_CONFIRMATION: 91,
  CHANNEL_OPEN_FAILURE: 92,
  CHANNEL_WINDOW_ADJUST: 93,
  CHANNEL_DATA: 94,
  CHANNEL_EXTENDED_DATA: 95,
  CHANNEL_EOF: 96,
  CHANNEL_CLOSE: 97,
  CHANNEL_REQUEST: 98,
  CHANNEL_SUCCESS: 99,
  CHANNEL_FAILURE: 100,
  PING: 192,
  PONG: 193,
} as const;

/**
 * Reason codes of SSH_MSG_CHANNEL_OPEN_FAILURE (RFC 4254 §5.1).
 *
 * @example
 * ```ts
 * import { ChannelOpenFailureReason } from "@hush/wire";
 * console.log(ChannelOpenFailureReason.CONNECT_FAILED); // 2
 * ```
 */
export const ChannelOpenFailureReason = {
  ADMINISTRATIVELY_PROHIBITED: 1,
  CONNECT_FAILED: 2,
  UNKNOWN_CHANNEL_TYPE: 3,
  RESOURCE_SHORTAGE: 4,
} as const;

/** SSH_MSG_DISCONNECT. */
export interface Disconnect {
  type: "disconnect";
  reason: number;
  description: string;
  language: string;
}
/** SSH_MSG_IGNORE. */
export interface Ignore {
  type: "ignore";
  data: Uint8Array;
}
/** SSH_MSG_UNIMPLEMENTED: names the sequence number of the packet not understood. */
export interface Unimplemented {
  type: "unimplemented";
  sequence: number;
}
/** SSH_MSG_DEBUG. */
export interface Debug {
  type: "debug";
  alwaysDisplay: boolean;
  message: string;
  language: string;
}
/** SSH_MSG_SERVICE_REQUEST. */
export interface ServiceRequest {
  type: "serviceRequest";
  service: string;
}
/** SSH_MSG_SERVICE_ACCEPT. */
export interface ServiceAccept {
  type: "serviceAccept";
  service: string;
}
/** One RFC 8308 extension: its name and raw value. */
export interface Extension {
  name: string;
  value: Uint8Array;
}
/** SSH_MSG_EXT_INFO (RFC 8308). */
export interface ExtInfo {
  type: "extInfo";
  extensions: Extension[];
}
/** SSH_MSG_KEXINIT (RFC 4253 §7.1). */
export interface KexInit {
  type: "kexInit";
  /** 16 random bytes. */
  cookie: Uint8Array;
  kexAlgorithms: string[];
  serverHostKeyAlgorithms: string[];
  encryptionClientToServer: string[];
  encryptionServerToClient: string[];
  macClientToServer: string[];
  macServerToClient: string[];
  compressionClientToServer: string[];
  compressionServerToClient: string[];
  languagesClientToServer: string[];
  languagesServerToClient: string[];
  firstKexPacketFollows: boolean;
  reserved: number;
}
/** SSH_MSG_NEWKEYS. */
export interface NewKeys {
  type: "newKeys";
}
/** SSH_MSG_KEX_ECDH_INIT (RFC 5656; also curve25519 and the ML-KEM hybrid's C_INIT). */
export interface KexEcdhInit {
  type: "kexEcdhInit";
  /** Q_C, the client's ephemeral public value, as a string. */
  publicKey: Uint8Array;
}
/** SSH_MSG_KEX_ECDH_REPLY (RFC 5656; also curve25519 and the ML-KEM hybrid's S_REPLY). */
export interface KexEcdhReply {
  type: "kexEcdhReply";
  /** K_S, the server's host key blob. */
  hostKey: Uint8Array;
  /** Q_S, the server's ephemeral public value (or ciphertext), as a string. */
  publicKey: Uint8Array;
  /** The signature blob over H. */
  signature: Uint8Array;
}
/** SSH_MSG_KEXDH_INIT (RFC 4253 §8). */
export interface KexDhInit {
  type: "kexDhInit";
  e: bigint;
}
/** SSH_MSG_KEXDH_REPLY (RFC 4253 §8). */
export interface KexDhReply {
  type: "kexDhReply";
  hostKey: Uint8Array;
  f: bigint;
  signature: Uint8Array;
}
/** SSH_MSG_KEX_DH_GEX_REQUEST_OLD (RFC 4419). */
export interface KexDhGexRequestOld {
  type: "kexDhGexRequestOld";
  n: number;
}
/** SSH_MSG_KEX_DH_GEX_REQUEST (RFC 4419). */
export interface KexDhGexRequest {
  type: "kexDhGexRequest";
  min: number;
  n: number;
  max: number;
}
/** SSH_MSG_KEX_DH_GEX_GROUP (RFC 4419). */
export interface KexDhGexGroup {
  type: "kexDhGexGroup";
  p: bigint;
  g: bigint;
}
/** SSH_MSG_KEX_DH_GEX_INIT (RFC 4419). */
export interface KexDhGexInit {
  type: "kexDhGexInit";
  e: bigint;
}
/** SSH_MSG_KEX_DH_GEX_REPLY (RFC 4419). */
export interface KexDhGexReply {
  type: "kexDhGexReply";
  hostKey: Uint8Array;
  f: bigint;
  signature: Uint8Array;
}

/** The method-specific part of SSH_MSG_USERAUTH_REQUEST (RFC 4252, 4256). */
export type UserauthMethod =
  | { method: "none" }
  | {
    method: "publickey";
    algorithm: string;
    publicKey: Uint8Array;
    /** Absent in a query (RFC 4252 §7, the boolean FALSE form). */
    signature?: Uint8Array;
  }
  | { method: "password"; password: string; newPassword?: string }
  | { method: "keyboard-interactive"; language: string; submethods: string }
  | { method: "other"; name: string; data: Uint8Array };

/** SSH_MSG_USERAUTH_REQUEST. */
export type UserauthRequest = { type: "userauthRequest"; user: string; service: string } & UserauthMethod;

/** SSH_MSG_USERAUTH_FAILURE. */
export interface UserauthFailure {
  type: "userauthFailure";
  methods: string[];
  partialSuccess: boolean;
}
/** SSH_MSG_USERAUTH_SUCCESS. */
export interface UserauthSuccess {
  type: "userauthSuccess";
}
/** SSH_MSG_USERAUTH_BANNER. */
export interface UserauthBanner {
  type: "userauthBanner";
  message: string;
  language: string;
}
/** SSH_MSG_USERAUTH_PK_OK (60, publickey). */
export interface UserauthPkOk {
  type: "userauthPkOk";
  algorithm: string;
  publicKey: Uint8Array;
}
/** SSH_MSG_USERAUTH_PASSWD_CHANGEREQ (60, password). */
export interface UserauthPasswdChangereq {
  type: "userauthPasswdChangereq";
  prompt: string;
  language: string;
}
/** One prompt of a keyboard-interactive round. */
export interface InfoPrompt {
  prompt: string;
  echo: boolean;
}
/** SSH_MSG_USERAUTH_INFO_REQUEST (60, keyboard-interactive; RFC 4256). */
export interface UserauthInfoRequest {
  type: "userauthInfoRequest";
  name: string;
  instruction: string;
  language: string;
  prompts: InfoPrompt[];
}
/** SSH_MSG_USERAUTH_INFO_RESPONSE (61, keyboard-interactive; RFC 4256). */
export interface UserauthInfoResponse {
  type: "userauthInfoResponse";
  responses: string[];
}

/** The request-specific part of SSH_MSG_GLOBAL_REQUEST (RFC 4254 §7). */
export type GlobalRequestBody =
  | { request: "tcpip-forward"; address: string; port: number }
  | { request: "cancel-tcpip-forward"; address: string; port: number }
  | { request: "other"; name: string; data: Uint8Array };

/** SSH_MSG_GLOBAL_REQUEST. */
export type GlobalRequest = { type: "globalRequest"; wantReply: boolean } & GlobalRequestBody;

/** SSH_MSG_REQUEST_SUCCESS; `data` holds request-specific bytes (the bound port for port 0). */
export interface RequestSuccess {
  type: "requestSuccess";
  data: Uint8Array;
}
/** SSH_MSG_REQUEST_FAILURE. */
export interface RequestFailure {
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
  type: "channelOpenConfirmation";
  recipient: number;
  sender: number;
  initialWindow: number;
  maxPacket: number;
  /** Channel-type-specific data (empty for the standard types). */
  data: Uint8Array;
}
/** SSH_MSG_CHANNEL_OPEN_FAILURE. */
export interface ChannelOpenFailure {
  type: "channelOpenFailure";
  recipient: number;
  reason: number;
  description: string;
  language: string;
}
/** SSH_MSG_CHANNEL_WINDOW_ADJUST. */
export interface ChannelWindowAdjust {
  type: "channelWindowAdjust";
  recipient: number;
  bytes: number;
}
/** SSH_MSG_CHANNEL_DATA. */
export interface ChannelData {
  type: "channelData";
  recipient: number;
  data: Uint8Array;
}
/** SSH_MSG_CHANNEL_EXTENDED_DATA (data type 1 is stderr). */
export interface ChannelExtendedData {
  type: "channelExtendedData";
  recipient: number;
  dataType: number;
  data: Uint8Array;
}
/** SSH_MSG_CHANNEL_EOF. */
export interface ChannelEof {
  type: "channelEof";
  recipient: number;
}
/** SSH_MSG_CHANNEL_CLOSE. */
export interface ChannelClose {
  type: "channelClose";
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
  | { request: "exit-signal"; signal: string; coreDumped: boolean; message: string; language: string }
  | { request: "break"; length: number }
  | { request: "eow@openssh.com" }
  | { request: "other"; name: string; data: Uint8Array };

/** SSH_MSG_CHANNEL_REQUEST. */
export type ChannelRequest =
  & { type: "channelRequest"; recipient: number; wantReply: boolean }
  & ChannelRequestBody;

/** SSH_MSG_CHANNEL_SUCCESS. */
export interface ChannelSuccess {
  type: "channelSuccess";
  recipient: number;
}
/** SSH_MSG_CHANNEL_FAILURE. */
export interface ChannelFailure {
  type: "channelFailure";
  recipient: number;
}
/** SSH2_MSG_PING (OpenSSH PROTOCOL §1.8). */
export interface Ping {
  type: "ping";
  data: Uint8Array;
}
/** SSH2_MSG_PONG (OpenSSH PROTOCOL §1.8). */
export interface Pong {
  type: "pong";
  data: Uint8Array;
}
/**
 * A message this codec does not know, or a method-specific number decoded without the context
 * that says which method. The transport answers with SSH_MSG_UNIMPLEMENTED.
 */
export interface Unknown {
  type: "unknown";
  number: number;
  payload: Uint8Array;
}

/** Every SSH message. Switch on `type`. */
export type Message =
  | Disconnect
  | Ignore
  | Unimplemented
  | Debug
  | ServiceRequest
  | ServiceAccept
  | ExtInfo
  | KexInit
  | NewKeys
  | KexEcdhInit
  | KexEcdhReply
  | KexDhInit
  | KexDhReply
  | KexDhGexRequestOld
  | KexDhGexRequest
  | KexDhGexGroup
  | KexDhGexInit
  | KexDhGexReply
  | UserauthRequest
  | UserauthFailure
  | UserauthSuccess
  | UserauthBanner
  | UserauthPkOk
  | UserauthPasswdChangereq
  | UserauthInfoRequest
  | UserauthInfoResponse
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
  | ChannelFailure
  | Ping
  | Pong
  | Unknown;

/** The `type` tag of a message. */
export type MessageType = Message["type"];

/**
 * Which method's meaning to give the reused numbers 30–49 and 60–79. Without it those numbers
 * decode as `Unknown`.
 */
export interface DecodeContext {
  /** `ecdh`: ECDH, curve25519 and ML-KEM hybrid (strings); `dh`: fixed groups; `gex`: RFC 4419. */
  kex?: "ecdh" | "dh" | "gex";
  /** The authentication method in progress. */
  auth?: "publickey" | "password" | "keyboard-interactive";
}
