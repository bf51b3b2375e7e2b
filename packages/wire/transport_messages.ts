/**
 * The transport layer's messages as typed values (RFC 4253 §§7–11, RFC 8308, OpenSSH PROTOCOL
 * §1.8): disconnect, ignore, unimplemented, debug, service request and accept, EXT_INFO, KEXINIT,
 * NEWKEYS, and PING/PONG. They live apart from the method-specific key exchange messages
 * (`kex_messages.ts`) because their numbers mean one thing whatever was negotiated.
 * @module
 */

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

/** The transport layer's messages (RFC 4253, 8308; ping/pong), one layer of `Message`. */
export type TransportMessage =
  | Disconnect
  | Ignore
  | Unimplemented
  | Debug
  | ServiceRequest
  | ServiceAccept
  | ExtInfo
  | KexInit
  | NewKeys
  | Ping
  | Pong;
