/**
 * The runtime's own files as an `SftpFileSystem` (what the Hush sshd's sftp subsystem serves and
 * what `client.sftp()`'s `fastGet`/`fastPut` write locally), through `node:fs/promises`, which
 * Deno, Node and Bun all have. Reached on first use through `process.getBuiltinModule` rather
 * than an `import`, as `tcp.ts` reaches `node:net`, so that the browser bundle of the client holds
 * no `node:` import.
 * @module
 */
import type { FileAttributes, FileStats, SftpFileSystem, SftpOpenFile, StatVfs } from "@hush/sftp";
import { SshError } from "@hush/wire";

type Fsp = typeof import("node:fs/promises");
type Stats = Awaited<ReturnType<Fsp["stat"]>>;

type Fs = typeof import("node:fs");

function builtin<T>(id: string): T {
  const proc = (globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
  }).process;
  const m = proc?.getBuiltinModule?.(id) as T | undefined;
  if (!m) {
    throw new SshError(
      "ERR_SSH_UNSUPPORTED_RUNTIME",
      "Local files need Deno, Node (20.16 or later) or Bun",
    );
  }
  return m;
}

// deno-lint-ignore require-await
const fsp = async (): Promise<Fsp> => builtin<Fsp>("node:fs/promises");

/**
 * Loads the runtime's file modules now rather than on the first file operation: on Deno the
 * first `node:fs` costs 60–70 ms (its Node compatibility layer), which a command would rather pay
 * while it waits on the server. Does nothing where they are missing (a browser).
 *
 * @example
 * ```ts
 * import { preloadLocalFileSystem } from "@hush/ssh";
 * preloadLocalFileSystem();
 * ```
 */
export function preloadLocalFileSystem(): void {
  try {
    builtin<Fs>("node:fs");
    builtin<Fsp>("node:fs/promises");
  } catch { /* no local files here; the first operation will say so */ }
}

/** SFTP's OpenFlag bits (READ, WRITE, APPEND, CREAT, TRUNC, EXCL). */
const READ = 0x01, WRITE = 0x02, APPEND = 0x04, CREAT = 0x08, TRUNC = 0x10, EXCL = 0x20;

/** POSIX open(2) flags on Linux and the BSDs alike for these (Node's `fs.constants`). */
function posixFlags(flags: number): number {
  const { constants: c } = builtin<Fs>("node:fs");
  let f = flags & (WRITE | APPEND) ? (flags & READ ? c.O_RDWR : c.O_WRONLY) : c.O_RDONLY;
  if (flags & APPEND) f |= c.O_APPEND;
  if (flags & CREAT) f |= c.O_CREAT;
  if (flags & TRUNC) f |= c.O_TRUNC;
  if (flags & EXCL) f |= c.O_EXCL;
  return f;
}

function stats(s: Stats): FileStats {
  return {
    size: Number(s.size),
    mode: Number(s.mode),
    uid: Number(s.uid),
    gid: Number(s.gid),
    atime: Math.floor(Number(s.atimeMs) / 1000),
    mtime: Math.floor(Number(s.mtimeMs) / 1000),
    nlink: Number(s.nlink),
  };
}

/** `attrs` applied in OpenSSH's order: size, mode, times, owner. */
async function apply(
  attrs: FileAttributes,
  ops: {
    truncate(size: number): Promise<void>;
    chmod(mode: number): Promise<void>;
    utimes(atime: number, mtime: number): Promise<void>;
    chown(uid: number, gid: number): Promise<void>;
  },
): Promise<void> {
  if (attrs.size !== undefined) await ops.truncate(attrs.size);
  if (attrs.mode !== undefined) await ops.chmod(attrs.mode & 0o7777);
  if (attrs.atime !== undefined && attrs.mtime !== undefined) {
    await ops.utimes(attrs.atime, attrs.mtime);
  }
  if (attrs.uid !== undefined && attrs.gid !== undefined) await ops.chown(attrs.uid, attrs.gid);
}

/** The errno-style error SftpFileSystem asks for (its `code` is the POSIX name). */
function unsupported(what: string): Error {
  // allow-plain-error: a file system's error carries a POSIX `code`, as Node's fs errors do
  return Object.assign(new Error(`${what} is not supported here`), { code: "EOPNOTSUPP" });
}

/** Names from /etc/passwd or /etc/group by id, read once; `""` for unknown ids. */
function idNames(file: string): (ids: number[]) => Promise<string[]> {
  let table: Promise<Map<number, string>> | undefined;
  return async (ids) => {
    table ??= fsp().then((fs) => fs.readFile(file, "utf8")).then((text) => {
      const map = new Map<number, string>();
      for (const line of text.split("\n")) {
        const [name, , id] = line.split(":");
        if (name && id !== undefined && /^\d+$/.test(id) && !map.has(Number(id))) {
          map.set(Number(id), name);
        }
      }
      return map;
    }, () => new Map());
    const names = await table;
    return ids.map((id) => names.get(id) ?? "");
  };
}

async function openFile(path: string, flags: number, mode: number): Promise<SftpOpenFile> {
  const fs = await fsp();
  const fh = await fs.open(path, posixFlags(flags), mode);
  const append = (flags & APPEND) !== 0;
  return {
    async read(position, length) {
      const buffer = new Uint8Array(length);
      const { bytesRead } = await fh.read(buffer, 0, length, position);
      return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    },
    async readInto(position, target) {
      const { bytesRead } = await fh.read(target, 0, target.length, position);
      return bytesRead;
    },
    writesAreDone: true,
    async write(position, data) {
      for (let off = 0; off < data.length;) {
        const { bytesWritten } = await fh.write(
          data,
          off,
          data.length - off,
          append ? null : position + off,
        );
        off += bytesWritten;
      }
    },
    async stat() {
      return stats(await fh.stat());
    },
    setAttributes: (attrs) =>
      apply(attrs, {
        truncate: (size) => fh.truncate(size),
        chmod: (m) => fh.chmod(m),
        utimes: (a, m) => fh.utimes(a, m),
        chown: (u, g) => fh.chown(u, g),
      }),
    sync: () => fh.sync(),
    close: () => fh.close(),
  };
}

/**
 * The runtime's files as an `SftpFileSystem`: `serveSftp({ fs: localFileSystem() })` serves
 * them, `client.sftp()` uses it for `fastGet`/`fastPut`. Errors keep Node's `code`s (ENOENT,
 * EACCES, …). `statvfs` is there where the runtime has `statfs`; names of ids come from
 * /etc/passwd and /etc/group.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localFileSystem } from "@hush/ssh";
 * const fs = localFileSystem();
 * assert.equal((await fs.stat("/")).mode.toString(8).startsWith("40"), true);
 * ```
 */
export function localFileSystem(): SftpFileSystem {
  const users = idNames("/etc/passwd");
  const groups = idNames("/etc/group");
  return {
    open: openFile,
    stat: async (path) => stats(await (await fsp()).stat(path)),
    lstat: async (path) => stats(await (await fsp()).lstat(path)),
    async setAttributes(path, attrs, options = {}) {
      const fs = await fsp();
      const follow = options.followSymlinks ?? true;
      const link = !follow && (await fs.lstat(path)).isSymbolicLink();
      await apply(attrs, {
        truncate: (size) => fs.truncate(path, size),
        chmod: (m) => link ? Promise.reject(unsupported("chmod of a link")) : fs.chmod(path, m),
        utimes: (a, m) => (link ? fs.lutimes(path, a, m) : fs.utimes(path, a, m)),
        chown: (u, g) => (link ? fs.lchown(path, u, g) : fs.chown(path, u, g)),
      });
    },
    readdir: async (path) => await (await fsp()).readdir(path),
    mkdir: async (path, mode) => void await (await fsp()).mkdir(path, { mode }),
    rmdir: async (path) => await (await fsp()).rmdir(path),
    remove: async (path) => await (await fsp()).unlink(path),
    rename: async (from, to) => await (await fsp()).rename(from, to),
    link: async (from, to) => await (await fsp()).link(from, to),
    symlink: async (target, path) => await (await fsp()).symlink(target, path),
    readlink: async (path) => await (await fsp()).readlink(path),
    realpath: async (path) => await (await fsp()).realpath(path),
    async statvfs(path): Promise<StatVfs> {
      const fs = await fsp();
      if (typeof fs.statfs !== "function") throw unsupported("statfs");
      const s = await fs.statfs(path);
      return {
        blockSize: Number(s.bsize),
        fragmentSize: Number(s.bsize),
        blocks: Number(s.blocks),
        blocksFree: Number(s.bfree),
        blocksAvailable: Number(s.bavail),
        files: Number(s.files),
        filesFree: Number(s.ffree),
        filesAvailable: Number(s.ffree),
        fsid: 0n,
        flag: 0,
        nameMax: 255,
      };
    },
    userNames: users,
    groupNames: groups,
  };
}
