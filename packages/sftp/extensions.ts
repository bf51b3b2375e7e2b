/**
 * OpenSSH's SFTP extensions (PROTOCOL §4.3–4.11): their names, the versions OpenSSH's
 * sftp-server advertises, and the bodies of their EXTENDED_REPLY answers.
 * @module
 */
import { SftpReader } from "./reader.ts";
import { SftpWriter } from "./writer.ts";

/**
 * The extension names, as they appear in VERSION and EXTENDED (OpenSSH spells `copy-data` and
 * `home-directory` without a domain).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SftpExtension } from "@hush/sftp";
 * assert.equal(SftpExtension.POSIX_RENAME, "posix-rename@openssh.com");
 * ```
 */
export const SftpExtension = {
  POSIX_RENAME: "posix-rename@openssh.com",
  STATVFS: "statvfs@openssh.com",
  FSTATVFS: "fstatvfs@openssh.com",
  HARDLINK: "hardlink@openssh.com",
  FSYNC: "fsync@openssh.com",
  LSETSTAT: "lsetstat@openssh.com",
  LIMITS: "limits@openssh.com",
  EXPAND_PATH: "expand-path@openssh.com",
  COPY_DATA: "copy-data",
  HOME_DIRECTORY: "home-directory",
  USERS_GROUPS_BY_ID: "users-groups-by-id@openssh.com",
} as const;

/** One of the names of {@linkcode SftpExtension}. */
export type SftpExtensionName = (typeof SftpExtension)[keyof typeof SftpExtension];

/**
 * The version of each extension Hush speaks, as OpenSSH's sftp-server advertises it. A peer's
 * extension counts only when it advertises this very version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXTENSION_VERSIONS } from "@hush/sftp";
 * assert.equal(EXTENSION_VERSIONS["statvfs@openssh.com"], "2");
 * ```
 */
export const EXTENSION_VERSIONS: Readonly<Record<SftpExtensionName, string>> = {
  "posix-rename@openssh.com": "1",
  "statvfs@openssh.com": "2",
  "fstatvfs@openssh.com": "2",
  "hardlink@openssh.com": "1",
  "fsync@openssh.com": "1",
  "lsetstat@openssh.com": "1",
  "limits@openssh.com": "1",
  "expand-path@openssh.com": "1",
  "copy-data": "1",
  "home-directory": "1",
  "users-groups-by-id@openssh.com": "1",
};

/**
 * What `statvfs@openssh.com` answers (POSIX `statvfs`). Block counts are in `fragmentSize`
 * units.
 *
 * @example
 * ```ts
 * import type { StatVfs } from "@hush/sftp";
 * const freeBytes = (s: StatVfs) => s.blocksAvailable * s.fragmentSize;
 * ```
 */
export interface StatVfs {
  /** File system block size. */
  blockSize: number;
  /** Fundamental block size (the unit of the counts). */
  fragmentSize: number;
  /** Size of the file system, in fragments. */
  blocks: number;
  /** Free fragments. */
  blocksFree: number;
  /** Fragments free for unprivileged users. */
  blocksAvailable: number;
  /** Inodes. */
  files: number;
  /** Free inodes. */
  filesFree: number;
  /** Inodes free for unprivileged users. */
  filesAvailable: number;
  /** File system id (all 64 bits). */
  fsid: bigint;
  /** Flags: 1 read-only, 2 no setuid. */
  flag: number;
  /** Longest file name. */
  nameMax: number;
}

/**
 * `statvfs@openssh.com`'s `f_flag` bits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StatVfsFlag } from "@hush/sftp";
 * assert.equal(StatVfsFlag.READ_ONLY, 1);
 * ```
 */
export const StatVfsFlag = { READ_ONLY: 1, NO_SUID: 2 } as const;

/**
 * What `limits@openssh.com` answers. 0 means "no limit stated".
 *
 * @example
 * ```ts
 * import type { SftpLimits } from "@hush/sftp";
 * const limits: SftpLimits = {
 *   maxPacketLength: 262144, maxReadLength: 261120, maxWriteLength: 261120, maxOpenHandles: 512,
 * };
 * ```
 */
export interface SftpLimits {
  /** Longest packet the server accepts. */
  maxPacketLength: number;
  /** Most bytes one READ returns. */
  maxReadLength: number;
  /** Most bytes one WRITE may carry. */
  maxWriteLength: number;
  /** Most handles open at once. */
  maxOpenHandles: number;
}

/**
 * What `users-groups-by-id@openssh.com` answers: a name for each id asked, `""` for ids the
 * server does not know.
 *
 * @example
 * ```ts
 * import type { UsersGroups } from "@hush/sftp";
 * const none: UsersGroups = { users: [], groups: [] };
 * ```
 */
export interface UsersGroups {
  /** User names, in the order of the uids asked. */
  users: string[];
  /** Group names, in the order of the gids asked. */
  groups: string[];
}

const U64_COUNT_STATVFS = 11;

/**
 * Encodes the body of `statvfs@openssh.com`'s EXTENDED_REPLY (after the request id).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeStatVfs, encodeStatVfs } from "@hush/sftp";
 * const s = {
 *   blockSize: 4096, fragmentSize: 4096, blocks: 100, blocksFree: 50, blocksAvailable: 40,
 *   files: 10, filesFree: 5, filesAvailable: 5, fsid: 1n, flag: 0, nameMax: 255,
 * };
 * assert.equal(decodeStatVfs(encodeStatVfs(s)).blocksAvailable, 40);
 * ```
 */
export function encodeStatVfs(s: StatVfs): Uint8Array {
  const w = new SftpWriter(U64_COUNT_STATVFS * 8);
  w.uint64(s.blockSize).uint64(s.fragmentSize).uint64(s.blocks).uint64(s.blocksFree);
  w.uint64(s.blocksAvailable).uint64(s.files).uint64(s.filesFree).uint64(s.filesAvailable);
  w.uint64(s.fsid).uint64(s.flag).uint64(s.nameMax);
  return w.finish();
}

/**
 * Decodes the body of `statvfs@openssh.com`'s EXTENDED_REPLY. Throws an `SftpError` (BAD_MESSAGE)
 * when it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeStatVfs } from "@hush/sftp";
 * try {
 *   decodeStatVfs(new Uint8Array(3));
 * } catch (e) {
 *   assert.equal((e as Error).name, "SftpError");
 * }
 * ```
 */
export function decodeStatVfs(body: Uint8Array): StatVfs {
  const r = new SftpReader(body);
  const big = () => clampSafe(r.bigUint64());
  const s: StatVfs = {
    blockSize: big(),
    fragmentSize: big(),
    blocks: big(),
    blocksFree: big(),
    blocksAvailable: big(),
    files: big(),
    filesFree: big(),
    filesAvailable: big(),
    fsid: r.bigUint64(),
    flag: big(),
    nameMax: big(),
  };
  r.end();
  return s;
}

/** A uint64 as a number; anything past 2^53 − 1 (e.g. "unlimited") becomes MAX_SAFE_INTEGER. */
function clampSafe(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/**
 * Encodes the body of `limits@openssh.com`'s EXTENDED_REPLY.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeLimits, encodeLimits } from "@hush/sftp";
 * const l = { maxPacketLength: 262144, maxReadLength: 261120, maxWriteLength: 261120, maxOpenHandles: 512 };
 * assert.equal(decodeLimits(encodeLimits(l)).maxOpenHandles, 512);
 * ```
 */
export function encodeLimits(l: SftpLimits): Uint8Array {
  return new SftpWriter(32).uint64(l.maxPacketLength).uint64(l.maxReadLength)
    .uint64(l.maxWriteLength).uint64(l.maxOpenHandles).finish();
}

/**
 * Decodes the body of `limits@openssh.com`'s EXTENDED_REPLY (values past 2^53 − 1 are clamped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeLimits } from "@hush/sftp";
 * assert.equal(decodeLimits(new Uint8Array(32)).maxReadLength, 0);
 * ```
 */
export function decodeLimits(body: Uint8Array): SftpLimits {
  const r = new SftpReader(body);
  const l: SftpLimits = {
    maxPacketLength: clampSafe(r.bigUint64()),
    maxReadLength: clampSafe(r.bigUint64()),
    maxWriteLength: clampSafe(r.bigUint64()),
    maxOpenHandles: clampSafe(r.bigUint64()),
  };
  r.end();
  return l;
}

/**
 * Encodes the id lists of a `users-groups-by-id@openssh.com` request: each a string holding
 * uint32s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeIdList } from "@hush/sftp";
 * assert.equal(encodeIdList([0, 1]).length, 8);
 * ```
 */
export function encodeIdList(ids: readonly number[]): Uint8Array {
  const w = new SftpWriter(ids.length * 4);
  for (const id of ids) w.uint32(id);
  return w.finish();
}

/**
 * Decodes an id list of a `users-groups-by-id@openssh.com` request (a length that is not a
 * multiple of 4 is a BAD_MESSAGE).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeIdList, encodeIdList } from "@hush/sftp";
 * assert.deepEqual(decodeIdList(encodeIdList([0, 1000])), [0, 1000]);
 * ```
 */
export function decodeIdList(bytes: Uint8Array): number[] {
  const r = new SftpReader(bytes);
  const ids: number[] = [];
  while (r.remaining > 0) ids.push(r.uint32());
  return ids;
}

/**
 * Encodes the body of `users-groups-by-id@openssh.com`'s EXTENDED_REPLY: two strings, each
 * holding one string per id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeUsersGroups, encodeUsersGroups } from "@hush/sftp";
 * assert.deepEqual(
 *   decodeUsersGroups(encodeUsersGroups({ users: ["root"], groups: [""] })),
 *   { users: ["root"], groups: [""] },
 * );
 * ```
 */
export function encodeUsersGroups(u: UsersGroups): Uint8Array {
  const names = (list: readonly string[]) => {
    const w = new SftpWriter();
    for (const n of list) w.string(n);
    return w.finish();
  };
  return new SftpWriter().string(names(u.users)).string(names(u.groups)).finish();
}

/**
 * Decodes the body of `users-groups-by-id@openssh.com`'s EXTENDED_REPLY.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeUsersGroups } from "@hush/sftp";
 * assert.deepEqual(decodeUsersGroups(new Uint8Array(8)), { users: [], groups: [] });
 * ```
 */
export function decodeUsersGroups(body: Uint8Array): UsersGroups {
  const r = new SftpReader(body);
  const names = (bytes: Uint8Array) => {
    const inner = new SftpReader(bytes);
    const out: string[] = [];
    while (inner.remaining > 0) out.push(inner.text());
    return out;
  };
  const users = names(r.string());
  const groups = names(r.string());
  r.end();
  return { users, groups };
}
