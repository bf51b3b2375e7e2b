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
  /** The message tag. */
  type: "disconnect";
  /** One of {@linkcode DisconnectReason}. */
  reason: number;
  /** Human-readable description (UTF-8). */
  description: string;
  /** RFC 3066 language tag, usually empty. */
  language: string;
}
/** SSH_MSG_IGNORE. */
export interface Ignore {
  /** The message tag. */
  type: "ignore";
  /** Arbitrary bytes to ignore. */
  data: Uint8Array;
}
/** SSH_MSG_UNIMPLEMENTED: names the sequence number of the packet not understood. */
export interface Unimplemented {
  /** The message tag. */
  type: "unimplemented";
  /** Sequence number of the rejected packet. */
  sequence: number;
}
/** SSH_MSG_DEBUG. */
export interface Debug {
  /** The message tag. */
  type: "debug";
  /** Whether the client should show the message even when not asked to. */
  alwaysDisplay: boolean;
  /** The debug message (UTF-8). */
  message: string;
  /** RFC 3066 language tag, usually empty. */
  language: string;
}
/** SSH_MSG_SERVICE_REQUEST. */
export interface ServiceRequest {
  /** The message tag. */
  type: "serviceRequest";
  /** Service name, e.g. `ssh-userauth` or `ssh-connection`. */
  service: string;
}
/** SSH_MSG_SERVICE_ACCEPT. */
export interface ServiceAccept {
  /** The message tag. */
  type: "serviceAccept";
  /** Service name, e.g. `ssh-userauth` or `ssh-connection`. */
  service: string;
}
/** One RFC 8308 extension: its name and raw value. */
export interface Extension {
  /** The extension name, e.g. `server-sig-algs`. */
  name: string;
  /** The extension's value bytes (format depends on the name). */
  value: Uint8Array;
}
/** SSH_MSG_EXT_INFO (RFC 8308). */
export interface ExtInfo {
  /** The message tag. */
  type: "extInfo";
  /** The extensions, in the order sent. */
  extensions: Extension[];
}
/** SSH_MSG_KEXINIT (RFC 4253 §7.1). */
export interface KexInit {
  /** The message tag. */
  type: "kexInit";
  /** 16 random bytes. */
  cookie: Uint8Array;
  /** Key exchange methods, preferred first. */
  kexAlgorithms: string[];
  /** Host key (signature) algorithms, preferred first. */
  serverHostKeyAlgorithms: string[];
  /** Ciphers client to server, preferred first. */
  encryptionClientToServer: string[];
  /** Ciphers server to client, preferred first. */
  encryptionServerToClient: string[];
  /** MACs client to server, preferred first. */
  macClientToServer: string[];
  /** MACs server to client, preferred first. */
  macServerToClient: string[];
  /** Compression methods client to server. */
  compressionClientToServer: string[];
  /** Compression methods server to client. */
  compressionServerToClient: string[];
  /** Language tags client to server (usually empty). */
  languagesClientToServer: string[];
  /** Language tags server to client (usually empty). */
  languagesServerToClient: string[];
  /** Whether a guessed first key exchange packet follows. */
  firstKexPacketFollows: boolean;
  /** Reserved uint32, zero. */
  reserved: number;
}
/** SSH_MSG_NEWKEYS. */
export interface NewKeys {
  /** The message tag. */
  type: "newKeys";
}
/** SSH_MSG_KEX_ECDH_INIT (RFC 5656; also curve25519 and the ML-KEM hybrid's C_INIT). */
export interface KexEcdhInit {
  /** The message tag. */
  type: "kexEcdhInit";
  /** Q_C, the client's ephemeral public value, as a string. */
  publicKey: Uint8Array;
}
/** SSH_MSG_KEX_ECDH_REPLY (RFC 5656; also curve25519 and the ML-KEM hybrid's S_REPLY). */
export interface KexEcdhReply {
  /** The message tag. */
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
  /** The message tag. */
  type: "kexDhInit";
  /** The client's public value e. */
  e: bigint;
}
/** SSH_MSG_KEXDH_REPLY (RFC 4253 §8). */
export interface KexDhReply {
  /** The message tag. */
  type: "kexDhReply";
  /** K_S, the server's host key blob. */
  hostKey: Uint8Array;
  /** The server's public value f. */
  f: bigint;
  /** The signature blob over the exchange hash H. */
  signature: Uint8Array;
}
/** SSH_MSG_KEX_DH_GEX_REQUEST_OLD (RFC 4419). */
export interface KexDhGexRequestOld {
  /** The message tag. */
  type: "kexDhGexRequestOld";
  /** Preferred group size in bits. */
  n: number;
}
/** SSH_MSG_KEX_DH_GEX_REQUEST (RFC 4419). */
export interface KexDhGexRequest {
  /** The message tag. */
  type: "kexDhGexRequest";
  /** Smallest acceptable group size in bits. */
  min: number;
  /** Preferred group size in bits. */
  n: number;
  /** Largest acceptable group size in bits. */
  max: number;
}
/** SSH_MSG_KEX_DH_GEX_GROUP (RFC 4419). */
export interface KexDhGexGroup {
  /** The message tag. */
  type: "kexDhGexGroup";
  /** The safe prime p. */
  p: bigint;
  /** The generator g. */
  g: bigint;
}
/** SSH_MSG_KEX_DH_GEX_INIT (RFC 4419). */
export interface KexDhGexInit {
  /** The message tag. */
  type: "kexDhGexInit";
  /** The client's public value e. */
  e: bigint;
}
/** SSH_MSG_KEX_DH_GEX_REPLY (RFC 4419). */
export interface KexDhGexReply {
  /** The message tag. */
  type: "kexDhGexReply";
  /** K_S, the server's host key blob. */
  hostKey: Uint8Array;
  /** The server's public value f. */
  f: bigint;
  /** The signature blob over the exchange hash H. */
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
export type UserauthRequest =
  & { type: "userauthRequest"; user: string; service: string }
  & UserauthMethod;

/** SSH_MSG_USERAUTH_FAILURE. */
export interface UserauthFailure {
  /** The message tag. */
  type: "userauthFailure";
  /** Authentication methods that may continue. */
  methods: string[];
  /** Whether the request succeeded but more methods are required. */
  partialSuccess: boolean;
}
/** SSH_MSG_USERAUTH_SUCCESS. */
export interface UserauthSuccess {
  /** The message tag. */
  type: "userauthSuccess";
}
/** SSH_MSG_USERAUTH_BANNER. */
export interface UserauthBanner {
  /** The message tag. */
  type: "userauthBanner";
  /** The banner text (UTF-8). */
  message: string;
  /** RFC 3066 language tag, usually empty. */
  language: string;
}
/** SSH_MSG_USERAUTH_PK_OK (60, publickey). */
export interface UserauthPkOk {
  /** The message tag. */
  type: "userauthPkOk";
  /** The public key algorithm name. */
  algorithm: string;
  /** The public key blob. */
  publicKey: Uint8Array;
}
/** SSH_MSG_USERAUTH_PASSWD_CHANGEREQ (60, password). */
export interface UserauthPasswdChangereq {
  /** The message tag. */
  type: "userauthPasswdChangereq";
  /** The prompt text. */
  prompt: string;
  /** RFC 3066 language tag, usually empty. */
  language: string;
}
/** One prompt of a keyboard-interactive round. */
export interface InfoPrompt {
  /** The prompt text. */
  prompt: string;
  /** Whether the response may be echoed as typed. */
  echo: boolean;
}
/** SSH_MSG_USERAUTH_INFO_REQUEST (60, keyboard-interactive; RFC 4256). */
export interface UserauthInfoRequest {
  /** The message tag. */
  type: "userauthInfoRequest";
  /** Name of the round (may be empty). */
  name: string;
  /** Instruction text shown above the prompts. */
  instruction: string;
  /** RFC 3066 language tag, usually empty. */
  language: string;
  /** The prompts, in order. */
  prompts: InfoPrompt[];
}
/** SSH_MSG_USERAUTH_INFO_RESPONSE (61, keyboard-interactive; RFC 4256). */
export interface UserauthInfoResponse {
  /** The message tag. */
  type: "userauthInfoResponse";
  /** One response per prompt, in order. */
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
/** SSH2_MSG_PING (OpenSSH PROTOCOL §1.8). */
export interface Ping {
  /** The message tag. */
  type: "ping";
  /** Data the peer echoes back in a PONG. */
  data: Uint8Array;
}
/** SSH2_MSG_PONG (OpenSSH PROTOCOL §1.8). */
export interface Pong {
  /** The message tag. */
  type: "pong";
  /** The data of the PING answered. */
  data: Uint8Array;
}
/**
 * A message this codec does not know, or a method-specific number decoded without the context
 * that says which method. The transport answers with SSH_MSG_UNIMPLEMENTED.
 */
export interface Unknown {
  /** The message tag. */
  type: "unknown";
  /** The message number. */
  number: number;
  /** The whole payload, message number included. */
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
