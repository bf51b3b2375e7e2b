/**
 * Every SFTP v3 packet as a typed value: `type` names the packet, the other fields are its wire
 * fields in wire order. Byte fields decoded from a packet (handles, data) are views into it.
 * @module
 */
import type { FileAttributes } from "./attributes.ts";

/** An extension pair of INIT or VERSION: its name and its data (OpenSSH: a version number). */
export interface ExtensionPair {
  /** The extension's name. */
  name: string;
  /** Its data, e.g. `"1"`. */
  data: string;
}

/** SSH_FXP_INIT: the client's version (3) and extension pairs (OpenSSH sends none). */
export interface InitMessage {
  /** The packet type. */
  type: "init";
  /** Protocol version (3). */
  version: number;
  /** Extension pairs. */
  extensions: ExtensionPair[];
}

/** SSH_FXP_VERSION: the server's version and the extensions it supports. */
export interface VersionMessage {
  /** The packet type. */
  type: "version";
  /** Protocol version (3). */
  version: number;
  /** Extension pairs. */
  extensions: ExtensionPair[];
}

/** SSH_FXP_OPEN: `flags` are `OpenFlag` bits; `attrs` the new file's mode. */
export interface OpenMessage {
  /** The packet type. */
  type: "open";
  /** Request id, echoed by the reply. */
  id: number;
  /** The path. */
  path: string;
  /** `OpenFlag` bits. */
  flags: number;
  /** Attributes. */
  attrs: FileAttributes;
}

/** A request that names a handle: CLOSE, FSTAT, READDIR. */
export interface HandleRequest {
  /** The packet type. */
  type: "close" | "fstat" | "readdir";
  /** Request id, echoed by the reply. */
  id: number;
  /** The handle. */
  handle: Uint8Array;
}

/** SSH_FXP_READ. */
export interface ReadMessage {
  /** The packet type. */
  type: "read";
  /** Request id, echoed by the reply. */
  id: number;
  /** The handle. */
  handle: Uint8Array;
  /** Byte offset in the file. */
  offset: number;
  /** Bytes to read. */
  length: number;
}

/** SSH_FXP_WRITE. */
export interface WriteMessage {
  /** The packet type. */
  type: "write";
  /** Request id, echoed by the reply. */
  id: number;
  /** The handle. */
  handle: Uint8Array;
  /** Byte offset in the file. */
  offset: number;
  /** The bytes. */
  data: Uint8Array;
}

/** A request that names a path: LSTAT, STAT, OPENDIR, REMOVE, RMDIR, REALPATH, READLINK. */
export interface PathRequest {
  /** The packet type. */
  type: "lstat" | "stat" | "opendir" | "remove" | "rmdir" | "realpath" | "readlink";
  /** Request id, echoed by the reply. */
  id: number;
  /** The path. */
  path: string;
}

/** SETSTAT and MKDIR: a path and attributes. */
export interface PathAttrsRequest {
  /** The packet type. */
  type: "setstat" | "mkdir";
  /** Request id, echoed by the reply. */
  id: number;
  /** The path. */
  path: string;
  /** Attributes. */
  attrs: FileAttributes;
}

/** SSH_FXP_FSETSTAT. */
export interface FsetstatMessage {
  /** The packet type. */
  type: "fsetstat";
  /** Request id, echoed by the reply. */
  id: number;
  /** The handle. */
  handle: Uint8Array;
  /** Attributes. */
  attrs: FileAttributes;
}

/** SSH_FXP_RENAME (fails when `newPath` exists; `posix-rename@openssh.com` replaces). */
export interface RenameMessage {
  /** The packet type. */
  type: "rename";
  /** Request id, echoed by the reply. */
  id: number;
  /** The existing path. */
  oldPath: string;
  /** The new path. */
  newPath: string;
}

/**
 * SSH_FXP_SYMLINK: a link at `linkPath` pointing to `targetPath`. On the wire the target comes
 * first, as OpenSSH sends it (PROTOCOL §4.1; the draft says the reverse, and every server
 * follows OpenSSH).
 */
export interface SymlinkMessage {
  /** The packet type. */
  type: "symlink";
  /** Request id, echoed by the reply. */
  id: number;
  /** What the link points to. */
  targetPath: string;
  /** Where the link is made. */
  linkPath: string;
}

/** The body of an SSH_FXP_EXTENDED request: an OpenSSH extension, or any other by name. */
export type ExtendedRequest =
  | { extension: "posix-rename@openssh.com"; oldPath: string; newPath: string }
  | { extension: "statvfs@openssh.com"; path: string }
  | { extension: "fstatvfs@openssh.com"; handle: Uint8Array }
  | { extension: "hardlink@openssh.com"; oldPath: string; newPath: string }
  | { extension: "fsync@openssh.com"; handle: Uint8Array }
  | { extension: "lsetstat@openssh.com"; path: string; attrs: FileAttributes }
  | { extension: "limits@openssh.com" }
  | { extension: "expand-path@openssh.com"; path: string }
  | {
    extension: "copy-data";
    readHandle: Uint8Array;
    readOffset: number;
    /** Bytes to copy; 0 copies to the end of the file. */
    length: number;
    writeHandle: Uint8Array;
    writeOffset: number;
  }
  | { extension: "home-directory"; username: string }
  | { extension: "users-groups-by-id@openssh.com"; uids: number[]; gids: number[] }
  | { extension: "unknown"; name: string; data: Uint8Array };

/** SSH_FXP_EXTENDED. */
export type ExtendedMessage = { type: "extended"; id: number } & ExtendedRequest;

/** SSH_FXP_STATUS. Some servers leave out the message and language; they decode as `""`. */
export interface StatusMessage {
  /** The packet type. */
  type: "status";
  /** Request id, echoed by the reply. */
  id: number;
  /** The `StatusCode`. */
  code: number;
  /** Text for people. */
  message: string;
  /** Language tag of the message (RFC 1766), usually empty. */
  language: string;
}

/** SSH_FXP_HANDLE. */
export interface HandleMessage {
  /** The packet type. */
  type: "handle";
  /** Request id, echoed by the reply. */
  id: number;
  /** The handle. */
  handle: Uint8Array;
}

/** SSH_FXP_DATA. */
export interface DataMessage {
  /** The packet type. */
  type: "data";
  /** Request id, echoed by the reply. */
  id: number;
  /** The bytes. */
  data: Uint8Array;
}

/** One name of SSH_FXP_NAME: a file name, an `ls -l` style line, and attributes. */
export interface NameEntry {
  /** The name (in READDIR) or the path (in REALPATH, READLINK). */
  filename: string;
  /** `ls -l` style line (READDIR), or anything; for display only. */
  longname: string;
  /** Its attributes (possibly none). */
  attrs: FileAttributes;
}

/** SSH_FXP_NAME. */
export interface NameMessage {
  /** The packet type. */
  type: "name";
  /** Request id, echoed by the reply. */
  id: number;
  /** The names. */
  entries: NameEntry[];
}

/** SSH_FXP_ATTRS. */
export interface AttrsMessage {
  /** The packet type. */
  type: "attrs";
  /** Request id, echoed by the reply. */
  id: number;
  /** Attributes. */
  attrs: FileAttributes;
}

/** SSH_FXP_EXTENDED_REPLY: the body's format depends on the request it answers. */
export interface ExtendedReplyMessage {
  /** The packet type. */
  type: "extendedReply";
  /** Request id, echoed by the reply. */
  id: number;
  /** The bytes. */
  data: Uint8Array;
}

/** Any request a client sends (INIT aside). */
export type SftpRequest =
  | OpenMessage
  | HandleRequest
  | ReadMessage
  | WriteMessage
  | PathRequest
  | PathAttrsRequest
  | FsetstatMessage
  | RenameMessage
  | SymlinkMessage
  | ExtendedMessage;

/** Any reply a server sends (VERSION aside). */
export type SftpReply =
  | StatusMessage
  | HandleMessage
  | DataMessage
  | NameMessage
  | AttrsMessage
  | ExtendedReplyMessage;

/**
 * Any SFTP packet.
 *
 * @example
 * ```ts
 * import type { SftpMessage } from "@hush/sftp";
 * const read: SftpMessage = {
 *   type: "read", id: 1, handle: new Uint8Array([0, 0, 0, 0]), offset: 0, length: 32768,
 * };
 * ```
 */
export type SftpMessage = InitMessage | VersionMessage | SftpRequest | SftpReply;
