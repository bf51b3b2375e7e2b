/**
 * The file type bits of a mode (POSIX `S_IFMT`, as SFTP v3 carries them in `permissions`) and
 * `ls -l`'s way of writing a mode.
 * @module
 */

/**
 * File type values of `mode & FileType.MASK`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileType } from "@hush/sftp";
 * assert.equal((0o040755 & FileType.MASK) === FileType.DIRECTORY, true);
 * ```
 */
export const FileType = {
  MASK: 0o170000,
  SOCKET: 0o140000,
  SYMLINK: 0o120000,
  REGULAR: 0o100000,
  BLOCK_DEVICE: 0o060000,
  DIRECTORY: 0o040000,
  CHARACTER_DEVICE: 0o020000,
  FIFO: 0o010000,
} as const;

/**
 * Whether a mode is a directory's (`undefined` mode: false).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDirectoryMode } from "@hush/sftp";
 * assert.equal(isDirectoryMode(0o040755), true);
 * assert.equal(isDirectoryMode(0o100644), false);
 * ```
 */
export function isDirectoryMode(mode: number | undefined): boolean {
  return mode !== undefined && (mode & FileType.MASK) === FileType.DIRECTORY;
}

/**
 * Whether a mode is a regular file's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRegularFileMode } from "@hush/sftp";
 * assert.equal(isRegularFileMode(0o100644), true);
 * ```
 */
export function isRegularFileMode(mode: number | undefined): boolean {
  return mode !== undefined && (mode & FileType.MASK) === FileType.REGULAR;
}

/**
 * Whether a mode is a symbolic link's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSymlinkMode } from "@hush/sftp";
 * assert.equal(isSymlinkMode(0o120777), true);
 * ```
 */
export function isSymlinkMode(mode: number | undefined): boolean {
  return mode !== undefined && (mode & FileType.MASK) === FileType.SYMLINK;
}

const TYPE_CHARS: Record<number, string> = {
  [FileType.SOCKET]: "s",
  [FileType.SYMLINK]: "l",
  [FileType.REGULAR]: "-",
  [FileType.BLOCK_DEVICE]: "b",
  [FileType.DIRECTORY]: "d",
  [FileType.CHARACTER_DEVICE]: "c",
  [FileType.FIFO]: "p",
};

/**
 * A mode as `ls -l` writes it, e.g. `drwxr-xr-x` or `-rwsr-x---` (setuid, setgid and sticky
 * bits as `s`/`S`, `t`/`T`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modeString } from "@hush/sftp";
 * assert.equal(modeString(0o100644), "-rw-r--r--");
 * assert.equal(modeString(0o041777), "drwxrwxrwt");
 * ```
 */
export function modeString(mode: number): string {
  let s = TYPE_CHARS[mode & FileType.MASK] ?? "?";
  const bit = (b: number, c: string) => (mode & b ? c : "-");
  const special = (x: number, sp: number, lower: string, upper: string) =>
    mode & sp ? (mode & x ? lower : upper) : (mode & x ? "x" : "-");
  s += bit(0o400, "r") + bit(0o200, "w") + special(0o100, 0o4000, "s", "S");
  s += bit(0o040, "r") + bit(0o020, "w") + special(0o010, 0o2000, "s", "S");
  s += bit(0o004, "r") + bit(0o002, "w") + special(0o001, 0o1000, "t", "T");
  return s;
}
