/**
 * One encoder and one decoder for every SFTP packet. The encoder writes the length prefix; the
 * decoder takes a packet's body (type byte onward, as {@linkcode sftpPacketStream} delivers it),
 * reads nothing past a length, rejects trailing bytes, and throws only `SftpError`.
 * @module
 */
import { decodeAttributes, encodeAttributes, type FileAttributes } from "./attributes.ts";
import { SftpError } from "./errors.ts";
import { decodeIdList, encodeIdList } from "./extensions.ts";
import { HANDLE_LENGTH_LIMIT, SFTP_PACKET_LIMIT } from "./limits.ts";
import type {
  ExtendedMessage,
  ExtendedRequest,
  ExtensionPair,
  NameEntry,
  SftpMessage,
} from "./messages.ts";
import { SftpPacketType as T } from "./packet_types.ts";
import { SftpReader } from "./reader.ts";
import { StatusCode } from "./status.ts";
import { SftpWriter } from "./writer.ts";

const PATH_REQUESTS = {
  lstat: T.LSTAT,
  stat: T.STAT,
  opendir: T.OPENDIR,
  remove: T.REMOVE,
  rmdir: T.RMDIR,
  realpath: T.REALPATH,
  readlink: T.READLINK,
} as const;
const HANDLE_REQUESTS = { close: T.CLOSE, fstat: T.FSTAT, readdir: T.READDIR } as const;
/** Smallest encoding of one NAME entry: two empty strings and empty attributes. */
const NAME_ENTRY_MIN_BYTES = 12;
/** Smallest encoding of one extension pair: two empty strings. */
const EXTENSION_PAIR_MIN_BYTES = 8;

/**
 * Bytes of a DATA reply before its data: uint32 length, byte type, uint32 id, uint32 data length.
 */
export const DATA_REPLY_HEADER = 13;

/**
 * Completes a DATA reply whose `n` bytes of data were read straight into `packet` at
 * {@linkcode DATA_REPLY_HEADER}: writes the header and returns the packet (`n` bytes of data).
 */
export function finishDataReply(packet: Uint8Array, id: number, n: number): Uint8Array {
  const view = new DataView(packet.buffer, packet.byteOffset, DATA_REPLY_HEADER);
  view.setUint32(0, DATA_REPLY_HEADER - 4 + n);
  view.setUint8(4, T.DATA);
  view.setUint32(5, id);
  view.setUint32(9, n);
  return packet.subarray(0, DATA_REPLY_HEADER + n);
}

/**
 * Encodes a packet, length prefix included. Fields out of range are a RangeError or TypeError
 * (the caller's mistake, never the peer's). With `into`, the packet is written there (the result
 * is a view of it) when it fits, else in a new buffer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSftpPacket } from "@hush/sftp";
 * const bytes = encodeSftpPacket({ type: "init", version: 3, extensions: [] });
 * assert.deepEqual(bytes, new Uint8Array([0, 0, 0, 5, 1, 0, 0, 0, 3]));
 * ```
 */
export function encodeSftpPacket(m: SftpMessage, into?: Uint8Array): Uint8Array {
  const start = (type: number, capacity: number) => startPacket(type, capacity, into);
  let w: SftpWriter;
  switch (m.type) {
    case "init":
    case "version":
      w = start(m.type === "init" ? T.INIT : T.VERSION, 64).uint32(m.version);
      for (const e of m.extensions) w.string(e.name).string(e.data);
      break;
    case "open":
      w = start(T.OPEN, 64).uint32(m.id).string(m.path).uint32(m.flags);
      encodeAttributes(w, m.attrs);
      break;
    case "close":
    case "fstat":
    case "readdir":
      w = start(HANDLE_REQUESTS[m.type], 16 + m.handle.length).uint32(m.id);
      handle(w, m.handle);
      break;
    case "read":
      w = start(T.READ, 32 + m.handle.length).uint32(m.id);
      handle(w, m.handle).uint64(m.offset).uint32(m.length);
      break;
    case "write":
      w = start(T.WRITE, 32 + m.handle.length + m.data.length).uint32(m.id);
      handle(w, m.handle).uint64(m.offset).string(m.data);
      break;
    case "lstat":
    case "stat":
    case "opendir":
    case "remove":
    case "rmdir":
    case "realpath":
    case "readlink":
      w = start(PATH_REQUESTS[m.type], 64).uint32(m.id).string(m.path);
      break;
    case "setstat":
    case "mkdir":
      w = start(m.type === "setstat" ? T.SETSTAT : T.MKDIR, 64).uint32(m.id).string(m.path);
      encodeAttributes(w, m.attrs);
      break;
    case "fsetstat":
      w = start(T.FSETSTAT, 64).uint32(m.id);
      encodeAttributes(handle(w, m.handle), m.attrs);
      break;
    case "rename":
      w = start(T.RENAME, 64).uint32(m.id).string(m.oldPath).string(m.newPath);
      break;
    case "symlink":
      w = start(T.SYMLINK, 64).uint32(m.id).string(m.targetPath).string(m.linkPath);
      break;
    case "extended":
      w = encodeExtended(m);
      break;
    case "status":
      w = start(T.STATUS, 32 + m.message.length * 3).uint32(m.id).uint32(m.code)
        .string(m.message).string(m.language);
      break;
    case "handle":
      w = start(T.HANDLE, 16 + m.handle.length).uint32(m.id);
      handle(w, m.handle);
      break;
    case "data":
      w = start(T.DATA, 16 + m.data.length).uint32(m.id).string(m.data);
      break;
    case "name":
      w = start(T.NAME, 64 + m.entries.length * 128).uint32(m.id).uint32(m.entries.length);
      for (const e of m.entries) encodeAttributes(w.string(e.filename).string(e.longname), e.attrs);
      break;
    case "attrs":
      w = start(T.ATTRS, 64).uint32(m.id);
      encodeAttributes(w, m.attrs);
      break;
    case "extendedReply":
      w = start(T.EXTENDED_REPLY, 16 + m.data.length).uint32(m.id).raw(m.data);
      break;
    default:
      throw new TypeError(`Unknown SFTP message type: ${(m as { type: string }).type}`);
  }
  const bytes = w.finish();
  if (bytes.length - 4 > SFTP_PACKET_LIMIT) {
    throw new RangeError(`SFTP packet of ${bytes.length - 4} bytes is past ${SFTP_PACKET_LIMIT}`);
  }
  new DataView(bytes.buffer, bytes.byteOffset, 4).setUint32(0, bytes.length - 4);
  return bytes;
}

/** A writer with room for the length prefix, and the type byte written. */
function startPacket(type: number, capacity: number, into?: Uint8Array): SftpWriter {
  return new SftpWriter(capacity + 5, into).uint32(0).byte(type);
}

function handle(w: SftpWriter, h: Uint8Array): SftpWriter {
  if (h.length > HANDLE_LENGTH_LIMIT) {
    throw new RangeError(`Handle of ${h.length} bytes is past ${HANDLE_LENGTH_LIMIT}`);
  }
  return w.string(h);
}

function encodeExtended(m: ExtendedMessage): SftpWriter {
  const w = startPacket(T.EXTENDED, 96).uint32(m.id);
  if (m.extension === "unknown") return w.string(m.name).raw(m.data);
  w.string(m.extension);
  switch (m.extension) {
    case "posix-rename@openssh.com":
    case "hardlink@openssh.com":
      return w.string(m.oldPath).string(m.newPath);
    case "statvfs@openssh.com":
    case "expand-path@openssh.com":
      return w.string(m.path);
    case "fstatvfs@openssh.com":
    case "fsync@openssh.com":
      return handle(w, m.handle);
    case "lsetstat@openssh.com":
      return encodeAttributes(w.string(m.path), m.attrs);
    case "limits@openssh.com":
      return w;
    case "copy-data":
      handle(w, m.readHandle).uint64(m.readOffset).uint64(m.length);
      return handle(w, m.writeHandle).uint64(m.writeOffset);
    case "home-directory":
      return w.string(m.username);
    case "users-groups-by-id@openssh.com":
      return w.string(encodeIdList(m.uids)).string(encodeIdList(m.gids));
  }
}

/**
 * Decodes a packet's body (its type byte onward, without the length prefix). Anything that is
 * not a whole, well-formed SFTP v3 packet throws an `SftpError` with code BAD_MESSAGE.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSftpPacket, encodeSftpPacket } from "@hush/sftp";
 * const bytes = encodeSftpPacket({ type: "stat", id: 7, path: "/etc" });
 * assert.deepEqual(decodeSftpPacket(bytes.subarray(4)), { type: "stat", id: 7, path: "/etc" });
 * ```
 */
export function decodeSftpPacket(body: Uint8Array): SftpMessage {
  const r = new SftpReader(body);
  const type = r.byte();
  let m: SftpMessage;
  switch (type) {
    case T.INIT:
    case T.VERSION: {
      const version = r.uint32();
      const n = Math.floor(r.remaining / EXTENSION_PAIR_MIN_BYTES);
      const extensions: ExtensionPair[] = [];
      for (let i = 0; i < n && r.remaining > 0; i++) {
        extensions.push({ name: r.text(), data: r.text() });
      }
      m = { type: type === T.INIT ? "init" : "version", version, extensions };
      break;
    }
    case T.OPEN:
      m = { type: "open", id: r.uint32(), path: r.text(), flags: r.uint32(), attrs: attrs(r) };
      break;
    case T.CLOSE:
      m = { type: "close", id: r.uint32(), handle: readHandle(r) };
      break;
    case T.FSTAT:
      m = { type: "fstat", id: r.uint32(), handle: readHandle(r) };
      break;
    case T.READDIR:
      m = { type: "readdir", id: r.uint32(), handle: readHandle(r) };
      break;
    case T.READ:
      m = {
        type: "read",
        id: r.uint32(),
        handle: readHandle(r),
        offset: r.uint64(),
        length: r.uint32(),
      };
      break;
    case T.WRITE:
      m = {
        type: "write",
        id: r.uint32(),
        handle: readHandle(r),
        offset: r.uint64(),
        data: r.string(),
      };
      break;
    case T.LSTAT:
      m = { type: "lstat", id: r.uint32(), path: r.text() };
      break;
    case T.STAT:
      m = { type: "stat", id: r.uint32(), path: r.text() };
      break;
    case T.OPENDIR:
      m = { type: "opendir", id: r.uint32(), path: r.text() };
      break;
    case T.REMOVE:
      m = { type: "remove", id: r.uint32(), path: r.text() };
      break;
    case T.RMDIR:
      m = { type: "rmdir", id: r.uint32(), path: r.text() };
      break;
    case T.REALPATH:
      m = { type: "realpath", id: r.uint32(), path: r.text() };
      break;
    case T.READLINK:
      m = { type: "readlink", id: r.uint32(), path: r.text() };
      break;
    case T.SETSTAT:
      m = { type: "setstat", id: r.uint32(), path: r.text(), attrs: attrs(r) };
      break;
    case T.MKDIR:
      m = { type: "mkdir", id: r.uint32(), path: r.text(), attrs: attrs(r) };
      break;
    case T.FSETSTAT:
      m = { type: "fsetstat", id: r.uint32(), handle: readHandle(r), attrs: attrs(r) };
      break;
    case T.RENAME:
      m = { type: "rename", id: r.uint32(), oldPath: r.text(), newPath: r.text() };
      break;
    case T.SYMLINK:
      m = { type: "symlink", id: r.uint32(), targetPath: r.text(), linkPath: r.text() };
      break;
    case T.EXTENDED: {
      const id = r.uint32();
      m = { type: "extended", id, ...decodeExtended(r) } as ExtendedMessage;
      break;
    }
    case T.STATUS: {
      const id = r.uint32();
      const code = r.uint32();
      // draft-02 servers may stop after the code
      const message = r.remaining > 0 ? r.text() : "";
      const language = r.remaining > 0 ? r.text() : "";
      m = { type: "status", id, code, message, language };
      break;
    }
    case T.HANDLE:
      m = { type: "handle", id: r.uint32(), handle: readHandle(r) };
      break;
    case T.DATA:
      m = { type: "data", id: r.uint32(), data: r.string() };
      break;
    case T.NAME: {
      const id = r.uint32();
      const n = r.count(NAME_ENTRY_MIN_BYTES, "names");
      const entries: NameEntry[] = [];
      for (let i = 0; i < n; i++) {
        entries.push({ filename: r.text(), longname: r.text(), attrs: attrs(r) });
      }
      m = { type: "name", id, entries };
      break;
    }
    case T.ATTRS:
      m = { type: "attrs", id: r.uint32(), attrs: attrs(r) };
      break;
    case T.EXTENDED_REPLY:
      m = { type: "extendedReply", id: r.uint32(), data: r.rest() };
      break;
    default:
      throw new SftpError(`Bad message: unknown packet type ${type}`, {
        code: StatusCode.BAD_MESSAGE,
      });
  }
  r.end();
  return m;
}

function attrs(r: SftpReader): FileAttributes {
  return decodeAttributes(r);
}

function readHandle(r: SftpReader): Uint8Array {
  const h = r.string();
  if (h.length > HANDLE_LENGTH_LIMIT) {
    throw new SftpError(`Bad message: a handle of ${h.length} bytes`, {
      code: StatusCode.BAD_MESSAGE,
    });
  }
  return h;
}

function decodeExtended(r: SftpReader): ExtendedRequest {
  const name = r.text();
  switch (name) {
    case "posix-rename@openssh.com":
    case "hardlink@openssh.com":
      return { extension: name, oldPath: r.text(), newPath: r.text() };
    case "statvfs@openssh.com":
    case "expand-path@openssh.com":
      return { extension: name, path: r.text() };
    case "fstatvfs@openssh.com":
    case "fsync@openssh.com":
      return { extension: name, handle: readHandle(r) };
    case "lsetstat@openssh.com":
      return { extension: name, path: r.text(), attrs: attrs(r) };
    case "limits@openssh.com":
      return { extension: name };
    case "copy-data":
      return {
        extension: name,
        readHandle: readHandle(r),
        readOffset: r.uint64(),
        length: r.uint64(),
        writeHandle: readHandle(r),
        writeOffset: r.uint64(),
      };
    case "home-directory":
      return { extension: name, username: r.text() };
    case "users-groups-by-id@openssh.com": {
      const uids = decodeIdList(r.string());
      const gids = decodeIdList(r.string());
      return { extension: name, uids, gids };
    }
    default:
      return { extension: "unknown", name, data: r.rest() };
  }
}

/**
 * The request id of a packet body, if it is a request that has one and is long enough to hold
 * it: how a server answers a request it cannot decode with a BAD_MESSAGE status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestIdOf } from "@hush/sftp";
 * assert.equal(requestIdOf(new Uint8Array([17, 0, 0, 0, 9, 0xff])), 9);
 * assert.equal(requestIdOf(new Uint8Array([1])), undefined);
 * ```
 */
export function requestIdOf(body: Uint8Array): number | undefined {
  if (body.length < 5) return undefined;
  const type = body[0];
  if (type < T.OPEN || (type > T.SYMLINK && type !== T.EXTENDED)) return undefined;
  return new DataView(body.buffer, body.byteOffset, 5).getUint32(1);
}
