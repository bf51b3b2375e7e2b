/**
 * File attributes, SFTP v3's ATTRS (draft-ietf-secsh-filexfer-02 §5): each field present only
 * when its flag is set.
 * @module
 */
import { SftpError } from "./errors.ts";
import type { SftpReader } from "./reader.ts";
import { StatusCode } from "./status.ts";
import type { SftpWriter } from "./writer.ts";

/**
 * Bits of ATTRS' `flags`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AttrFlag } from "@hush/sftp";
 * assert.equal(AttrFlag.PERMISSIONS | AttrFlag.ACMODTIME, 12);
 * ```
 */
export const AttrFlag = {
  SIZE: 0x01,
  UIDGID: 0x02,
  PERMISSIONS: 0x04,
  ACMODTIME: 0x08,
  EXTENDED: 0x8000_0000,
} as const;

/** An extended attribute pair of ATTRS (`type` is an extension name). */
export interface ExtendedAttribute {
  /** Its name, `name@domain`. */
  type: string;
  /** Its value. */
  data: Uint8Array;
}

/**
 * File attributes. Every field is optional: the server leaves out what it does not know, and a
 * SETSTAT changes only the fields given. `uid` and `gid` travel together, as do `atime` and
 * `mtime`.
 *
 * @example
 * ```ts
 * import type { FileAttributes } from "@hush/sftp";
 * const attrs: FileAttributes = { mode: 0o100644, size: 12, mtime: 1_700_000_000 };
 * ```
 */
export interface FileAttributes {
  /** Size in bytes. */
  size?: number;
  /** Owner's user id. */
  uid?: number;
  /** Owner's group id. */
  gid?: number;
  /** Permission bits and the file type bits (`FileType`), as `st_mode`. */
  mode?: number;
  /** Last access, seconds since the epoch. */
  atime?: number;
  /** Last modification, seconds since the epoch. */
  mtime?: number;
  /** Extended attributes. */
  extended?: ExtendedAttribute[];
}

/** The smallest encoding of one extended pair (two empty strings). */
const EXTENDED_PAIR_MIN_BYTES = 8;

/**
 * Writes ATTRS. `uid` without `gid` (or `atime` without `mtime`) is a TypeError: the protocol
 * carries them as pairs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeAttributes, SftpWriter } from "@hush/sftp";
 * const bytes = encodeAttributes(new SftpWriter(), { mode: 0o644 }).finish();
 * assert.deepEqual(bytes, new Uint8Array([0, 0, 0, 4, 0, 0, 1, 164]));
 * ```
 */
export function encodeAttributes(w: SftpWriter, a: FileAttributes): SftpWriter {
  if ((a.uid === undefined) !== (a.gid === undefined)) {
    throw new TypeError("Attributes: uid and gid must be given together");
  }
  if ((a.atime === undefined) !== (a.mtime === undefined)) {
    throw new TypeError("Attributes: atime and mtime must be given together");
  }
  let flags = 0;
  if (a.size !== undefined) flags |= AttrFlag.SIZE;
  if (a.uid !== undefined) flags |= AttrFlag.UIDGID;
  if (a.mode !== undefined) flags |= AttrFlag.PERMISSIONS;
  if (a.atime !== undefined) flags |= AttrFlag.ACMODTIME;
  if (a.extended?.length) flags |= AttrFlag.EXTENDED;
  w.uint32(flags >>> 0);
  if (a.size !== undefined) w.uint64(a.size);
  if (a.uid !== undefined) w.uint32(a.uid).uint32(a.gid!);
  if (a.mode !== undefined) w.uint32(a.mode);
  if (a.atime !== undefined) w.uint32(clampTime(a.atime)).uint32(clampTime(a.mtime!));
  if (a.extended?.length) {
    w.uint32(a.extended.length);
    for (const e of a.extended) w.string(e.type).string(e.data);
  }
  return w;
}

/** SFTP v3 times are uint32 seconds; fractions are dropped, and the range is clamped. */
function clampTime(t: number): number {
  if (!Number.isFinite(t)) throw new RangeError(`Bad time: ${t}`);
  return Math.min(Math.max(Math.floor(t), 0), 0xffff_ffff);
}

/**
 * Reads ATTRS. Flags this version does not define are a BAD_MESSAGE, as is an extended count
 * the packet cannot hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeAttributes, SftpReader } from "@hush/sftp";
 * const r = new SftpReader(new Uint8Array([0, 0, 0, 4, 0, 0, 1, 164]));
 * assert.deepEqual(decodeAttributes(r), { mode: 420 });
 * ```
 */
export function decodeAttributes(r: SftpReader): FileAttributes {
  const flags = r.uint32();
  const known = AttrFlag.SIZE | AttrFlag.UIDGID | AttrFlag.PERMISSIONS | AttrFlag.ACMODTIME |
    AttrFlag.EXTENDED;
  if ((flags & ~known) !== 0) {
    throw new SftpError(`Bad message: unknown attribute flags 0x${flags.toString(16)}`, {
      statusCode: StatusCode.BAD_MESSAGE,
    });
  }
  const a: FileAttributes = {};
  if (flags & AttrFlag.SIZE) a.size = r.uint64();
  if (flags & AttrFlag.UIDGID) {
    a.uid = r.uint32();
    a.gid = r.uint32();
  }
  if (flags & AttrFlag.PERMISSIONS) a.mode = r.uint32();
  if (flags & AttrFlag.ACMODTIME) {
    a.atime = r.uint32();
    a.mtime = r.uint32();
  }
  if (flags & AttrFlag.EXTENDED) {
    const n = r.count(EXTENDED_PAIR_MIN_BYTES, "extended attributes");
    const extended: ExtendedAttribute[] = [];
    for (let i = 0; i < n; i++) extended.push({ type: r.text(), data: r.string().slice() });
    a.extended = extended;
  }
  return a;
}
