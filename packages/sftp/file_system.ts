/**
 * The file-system interface SFTP works against: the server serves one, and the client's
 * `fastGet`/`fastPut` read and write the local side through one. `@hush/ssh` implements it over
 * the runtime's real files; `memoryFileSystem()` from `@hush/sftp/testing` keeps one in memory.
 * @module
 */
import type { FileAttributes } from "./attributes.ts";
import type { StatVfs } from "./extensions.ts";

/** What `stat` gives: the attributes, with the link count `ls -l` shows. */
export interface FileStats extends FileAttributes {
  /** Size in bytes. */
  size: number;
  /** Type and permission bits. */
  mode: number;
  /** Hard links (1 when unknown). */
  nlink?: number;
}

/** An open file. Positions are absolute; a file opened with APPEND writes at its end. */
export interface SftpOpenFile {
  /** Reads up to `length` bytes at `position`: fewer near the end, none at or past it. */
  read(position: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: reads up to `target.length` bytes at `position` into `target`, returning how many
   * (0 at or past the end). The server then reads straight into the reply it sends.
   */
  readInto?(position: number, target: Uint8Array): Promise<number>;
  /** Writes all of `data` at `position`. */
  write(position: number, data: Uint8Array): Promise<void>;
  /**
   * True when `write` keeps no reference to `data` once its promise settles (it wrote the bytes
   * out or copied them): `fastGet` then reuses its receive buffers instead of allocating each.
   */
  readonly writesAreDone?: boolean;
  /** The file's attributes. */
  stat(): Promise<FileStats>;
  /** Changes size, owner, mode or times (only the fields given). */
  setAttributes(attrs: FileAttributes): Promise<void>;
  /** Flushes the file to stable storage. */
  sync(): Promise<void>;
  /** Closes it. */
  close(): Promise<void>;
}

/**
 * A file system, as SFTP needs it. Paths are absolute, `/`-separated and already normalized (no
 * `.` or `..` segments). Failures throw an error whose `code` is the POSIX name (`ENOENT`,
 * `EACCES`, `EEXIST`, `ENOTDIR`, `EISDIR`, `ENOTEMPTY`, `ELOOP`, `EPERM`, `EROFS`, `ENOSYS`, …),
 * as Node's `fs` does; the server turns them into status codes.
 *
 * @example
 * ```ts
 * import type { SftpFileSystem } from "@hush/sftp";
 * async function size(fs: SftpFileSystem, path: string): Promise<number> {
 *   return (await fs.stat(path)).size;
 * }
 * ```
 */
export interface SftpFileSystem {
  /** Opens a file; `flags` are `OpenFlag` bits, `mode` the permissions of a new one. */
  open(path: string, flags: number, mode: number): Promise<SftpOpenFile>;
  /** Attributes, following symbolic links. */
  stat(path: string): Promise<FileStats>;
  /** Attributes of the path itself (a link's own). */
  lstat(path: string): Promise<FileStats>;
  /**
   * Changes size, owner, mode or times (only the fields given); `followSymlinks: false` changes
   * a link itself (`ENOSYS`/`EOPNOTSUPP` where the system cannot).
   */
  setAttributes(
    path: string,
    attrs: FileAttributes,
    options?: { followSymlinks?: boolean },
  ): Promise<void>;
  /** The names in a directory, without `.` and `..`. */
  readdir(path: string): Promise<string[]>;
  /** Makes a directory. */
  mkdir(path: string, mode: number): Promise<void>;
  /** Removes an empty directory. */
  rmdir(path: string): Promise<void>;
  /** Removes a file or link. */
  remove(path: string): Promise<void>;
  /** Renames, replacing `newPath` if it exists (POSIX `rename`). */
  rename(oldPath: string, newPath: string): Promise<void>;
  /** Makes a hard link (optional). */
  link?(existingPath: string, newPath: string): Promise<void>;
  /** Makes a symbolic link at `path` pointing to `target`. */
  symlink(target: string, path: string): Promise<void>;
  /** What a symbolic link points to. */
  readlink(path: string): Promise<string>;
  /** The path with every symbolic link resolved; the path must exist. */
  realpath(path: string): Promise<string>;
  /** File-system statistics (optional: without it `statvfs@openssh.com` is not offered). */
  statvfs?(path: string): Promise<StatVfs>;
  /** User names by id, `""` when unknown (optional). */
  userNames?(uids: number[]): Promise<string[]>;
  /** Group names by id, `""` when unknown (optional). */
  groupNames?(gids: number[]): Promise<string[]>;
}
