/**
 * Test doubles for SFTP: a connected pair of byte duplexes, and a file system in memory (with
 * directories, symbolic and hard links, modes and times) that behaves as a POSIX one does for
 * what SFTP asks of it.
 * @module
 */
import type { FileAttributes } from "./attributes.ts";
import type { SftpDuplex } from "./client.ts";
import type { StatVfs } from "./extensions.ts";
import { FileType } from "./file_mode.ts";
import type { FileStats, SftpFileSystem, SftpOpenFile } from "./file_system.ts";
import { OpenFlag } from "./open_flags.ts";

/**
 * Two connected byte duplexes: what one writes, the other reads. Closing one's `writable` ends
 * the other's `readable`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sftpPair } from "@hush/sftp/testing";
 * const [a, b] = sftpPair();
 * const w = a.writable.getWriter();
 * w.write(new Uint8Array([1, 2]));
 * w.close();
 * assert.deepEqual(new Uint8Array(await new Response(b.readable).arrayBuffer()), new Uint8Array([1, 2]));
 * ```
 */
export function sftpPair(): [SftpDuplex, SftpDuplex] {
  const ab = new TransformStream<Uint8Array, Uint8Array>();
  const ba = new TransformStream<Uint8Array, Uint8Array>();
  return [
    { readable: ba.readable, writable: ab.writable },
    { readable: ab.readable, writable: ba.writable },
  ];
}

type Meta = { mode: number; uid: number; gid: number; atime: number; mtime: number };
type FileNode = Meta & { kind: "file"; data: Uint8Array; size: number; nlink: number };
type DirNode = Meta & { kind: "dir"; entries: Map<string, Node> };
type LinkNode = Meta & { kind: "link"; target: string };
type Node = FileNode | DirNode | LinkNode;

/** Symbolic links followed in one lookup before ELOOP (Linux's 40). */
const LINK_LIMIT = 40;

function fail(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}

/** Options of {@linkcode memoryFileSystem}. */
export interface MemoryFileSystemOptions {
  /** Owner of new files (0). */
  uid?: number;
  /** Group of new files (0). */
  gid?: number;
  /** The clock, seconds since the epoch (default `Date.now() / 1000`). */
  now?: () => number;
  /** Refuse every write with ENOSPC once this many bytes of file data exist. */
  capacity?: number;
}

/**
 * A file system in memory, for tests and examples: `/` is an empty directory. Its errors carry
 * POSIX codes (ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, ELOOP, ENOSPC) as Node's do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryFileSystem } from "@hush/sftp/testing";
 * const fs = memoryFileSystem();
 * await fs.mkdir("/d", 0o755);
 * const f = await fs.open("/d/a", 0x1a, 0o644);
 * await f.write(0, new TextEncoder().encode("hi"));
 * await f.close();
 * assert.equal((await fs.stat("/d/a")).size, 2);
 * assert.deepEqual(await fs.readdir("/d"), ["a"]);
 * ```
 */
export function memoryFileSystem(options: MemoryFileSystemOptions = {}): SftpFileSystem {
  return new MemoryFileSystem(options);
}

class MemoryFileSystem implements SftpFileSystem {
  #root: DirNode;
  #options: MemoryFileSystemOptions;
  #used = 0;

  constructor(options: MemoryFileSystemOptions) {
    this.#options = options;
    this.#root = { kind: "dir", entries: new Map(), ...this.#meta(FileType.DIRECTORY | 0o755) };
  }

  #now(): number {
    return Math.floor(this.#options.now?.() ?? Date.now() / 1000);
  }

  #meta(mode: number): Meta {
    const t = this.#now();
    return { mode, uid: this.#options.uid ?? 0, gid: this.#options.gid ?? 0, atime: t, mtime: t };
  }

  /** Walks to `path`; returns its directory, name and node (undefined when missing). */
  #lookup(path: string, followLast: boolean, depth = 0): {
    dir: DirNode;
    name: string;
    node: Node | undefined;
    path: string;
  } {
    if (depth > LINK_LIMIT) throw fail("ELOOP", path);
    const parts = path.split("/").filter((p) => p !== "" && p !== ".");
    let dir = this.#root;
    let at = "";
    if (parts.length === 0) return { dir, name: "", node: this.#root, path: "/" };
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i];
      const last = i === parts.length - 1;
      if (name === "..") {
        const parent = at.slice(0, at.lastIndexOf("/"));
        const up = this.#lookup(parent || "/", true, depth);
        dir = up.node as DirNode;
        at = parent;
        if (last) return { dir, name: "", node: dir, path: at || "/" };
        continue;
      }
      let node = dir.entries.get(name);
      if (node?.kind === "link" && (!last || followLast)) {
        const target = node.target.startsWith("/") ? node.target : `${at}/${node.target}`;
        const resolved = this.#lookup(target, true, depth + 1);
        node = resolved.node;
        if (last) return resolved;
        if (!node) throw fail("ENOENT", path);
        if (node.kind !== "dir") throw fail("ENOTDIR", path);
        dir = node;
        at = resolved.path === "/" ? "" : resolved.path;
        continue;
      }
      if (last) return { dir, name, node, path: `${at}/${name}` };
      if (!node) throw fail("ENOENT", path);
      if (node.kind !== "dir") throw fail("ENOTDIR", path);
      dir = node;
      at = `${at}/${name}`;
    }
    throw fail("ENOENT", path);
  }

  #existing(path: string, followLast: boolean): Node {
    const { node } = this.#lookup(path, followLast);
    if (!node) throw fail("ENOENT", path);
    return node;
  }

  #stats(node: Node): FileStats {
    const size = node.kind === "file" ? node.size : node.kind === "link" ? node.target.length : 0;
    return {
      size,
      mode: node.mode,
      uid: node.uid,
      gid: node.gid,
      atime: node.atime,
      mtime: node.mtime,
      nlink: node.kind === "file" ? node.nlink : node.kind === "dir" ? 2 : 1,
    };
  }

  #setAttributes(node: Node, attrs: FileAttributes): void {
    if (attrs.size !== undefined) {
      if (node.kind !== "file") throw fail(node.kind === "dir" ? "EISDIR" : "EINVAL", "");
      this.#resize(node, attrs.size);
      node.size = attrs.size;
    }
    if (attrs.mode !== undefined) node.mode = (node.mode & FileType.MASK) | (attrs.mode & 0o7777);
    if (attrs.uid !== undefined) node.uid = attrs.uid;
    if (attrs.gid !== undefined) node.gid = attrs.gid;
    if (attrs.atime !== undefined) node.atime = attrs.atime;
    if (attrs.mtime !== undefined) node.mtime = attrs.mtime;
  }

  #resize(file: FileNode, size: number): void {
    const grow = size - file.size;
    if (grow > 0 && this.#options.capacity !== undefined) {
      if (this.#used + grow > this.#options.capacity) throw fail("ENOSPC", "");
    }
    this.#used += grow;
    if (size > file.data.length) {
      const next = new Uint8Array(Math.max(size, file.data.length * 2));
      next.set(file.data.subarray(0, file.size));
      file.data = next;
    } else if (size < file.size) {
      file.data.fill(0, size, file.size);
    }
  }

  open(path: string, flags: number, mode: number): Promise<SftpOpenFile> {
    return Promise.resolve().then(() => this.#open(path, flags, mode));
  }

  #open(path: string, flags: number, mode: number): SftpOpenFile {
    const found = this.#lookup(path, true);
    let node = found.node;
    if (node && flags & OpenFlag.CREAT && flags & OpenFlag.EXCL) throw fail("EEXIST", path);
    if (!node) {
      if (!(flags & OpenFlag.CREAT)) throw fail("ENOENT", path);
      if (!found.name) throw fail("EISDIR", path);
      node = {
        kind: "file",
        data: new Uint8Array(0),
        size: 0,
        nlink: 1,
        ...this.#meta(FileType.REGULAR | (mode & 0o7777)),
      };
      found.dir.entries.set(found.name, node);
      found.dir.mtime = this.#now();
    }
    const writing = (flags & (OpenFlag.WRITE | OpenFlag.APPEND)) !== 0;
    if (node.kind === "dir" && writing) throw fail("EISDIR", path);
    if (node.kind === "link") throw fail("ELOOP", path);
    if (node.kind === "file" && flags & OpenFlag.TRUNC && writing) {
      this.#resize(node, 0);
      node.size = 0;
    }
    return this.#openFile(node, flags);
  }

  #openFile(node: FileNode | DirNode, flags: number): SftpOpenFile {
    let closed = false;
    const check = () => {
      if (closed) throw fail("EBADF", "");
    };
    const file = node.kind === "file" ? node : undefined;
    return {
      read: (position, length) => {
        check();
        if (!file) return Promise.reject(fail("EISDIR", ""));
        const end = Math.min(file.size, position + length);
        return Promise.resolve(
          position >= end ? new Uint8Array(0) : file.data.slice(position, end),
        );
      },
      writesAreDone: true, // write copies into the node
      write: (position, data) => {
        check();
        if (!file || !(flags & (OpenFlag.WRITE | OpenFlag.APPEND))) {
          return Promise.reject(fail("EBADF", ""));
        }
        const at = flags & OpenFlag.APPEND ? file.size : position;
        const end = at + data.length;
        if (end > file.size) {
          this.#resize(file, end);
          file.size = end;
        }
        file.data.set(data, at);
        file.mtime = this.#now();
        return Promise.resolve();
      },
      stat: () => {
        check();
        return Promise.resolve(this.#stats(node));
      },
      setAttributes: (attrs) => {
        check();
        this.#setAttributes(node, attrs);
        return Promise.resolve();
      },
      sync: () => Promise.resolve(),
      close: () => {
        check();
        closed = true;
        return Promise.resolve();
      },
    };
  }

  stat(path: string): Promise<FileStats> {
    return Promise.resolve().then(() => this.#stats(this.#existing(path, true)));
  }

  lstat(path: string): Promise<FileStats> {
    return Promise.resolve().then(() => this.#stats(this.#existing(path, false)));
  }

  setAttributes(
    path: string,
    attrs: FileAttributes,
    options: { followSymlinks?: boolean } = {},
  ): Promise<void> {
    return Promise.resolve().then(() => {
      const node = this.#existing(path, options.followSymlinks ?? true);
      if (node.kind === "link" && attrs.mode !== undefined) throw fail("EOPNOTSUPP", path);
      this.#setAttributes(node, attrs);
    });
  }

  readdir(path: string): Promise<string[]> {
    return Promise.resolve().then(() => {
      const node = this.#existing(path, true);
      if (node.kind !== "dir") throw fail("ENOTDIR", path);
      return [...node.entries.keys()];
    });
  }

  mkdir(path: string, mode: number): Promise<void> {
    return Promise.resolve().then(() => {
      const { dir, name, node } = this.#lookup(path, false);
      if (node || !name) throw fail("EEXIST", path);
      dir.entries.set(name, {
        kind: "dir",
        entries: new Map(),
        ...this.#meta(FileType.DIRECTORY | (mode & 0o7777)),
      });
      dir.mtime = this.#now();
    });
  }

  rmdir(path: string): Promise<void> {
    return Promise.resolve().then(() => {
      const { dir, name, node } = this.#lookup(path, false);
      if (!node) throw fail("ENOENT", path);
      if (node.kind !== "dir") throw fail("ENOTDIR", path);
      if (!name) throw fail("EBUSY", path);
      if (node.entries.size > 0) throw fail("ENOTEMPTY", path);
      dir.entries.delete(name);
    });
  }

  remove(path: string): Promise<void> {
    return Promise.resolve().then(() => {
      const { dir, name, node } = this.#lookup(path, false);
      if (!node) throw fail("ENOENT", path);
      if (node.kind === "dir") throw fail("EISDIR", path);
      dir.entries.delete(name);
      if (node.kind === "file" && --node.nlink === 0) this.#used -= node.size;
    });
  }

  rename(oldPath: string, newPath: string): Promise<void> {
    return Promise.resolve().then(() => {
      const from = this.#lookup(oldPath, false);
      if (!from.node || !from.name) throw fail("ENOENT", oldPath);
      const to = this.#lookup(newPath, false);
      if (!to.name) throw fail("EBUSY", newPath);
      if (to.node === from.node) return;
      if (to.node?.kind === "dir") {
        if (from.node.kind !== "dir") throw fail("EISDIR", newPath);
        if (to.node.entries.size > 0) throw fail("ENOTEMPTY", newPath);
      } else if (to.node && from.node.kind === "dir") throw fail("ENOTDIR", newPath);
      if (from.node.kind === "dir" && `${newPath}/`.startsWith(`${oldPath}/`)) {
        throw fail("EINVAL", newPath);
      }
      from.dir.entries.delete(from.name);
      to.dir.entries.set(to.name, from.node);
    });
  }

  link(existingPath: string, newPath: string): Promise<void> {
    return Promise.resolve().then(() => {
      const node = this.#existing(existingPath, false);
      if (node.kind === "dir") throw fail("EPERM", existingPath);
      const to = this.#lookup(newPath, false);
      if (to.node) throw fail("EEXIST", newPath);
      to.dir.entries.set(to.name, node);
      if (node.kind === "file") node.nlink++;
    });
  }

  symlink(target: string, path: string): Promise<void> {
    return Promise.resolve().then(() => {
      const { dir, name, node } = this.#lookup(path, false);
      if (node || !name) throw fail("EEXIST", path);
      dir.entries.set(name, { kind: "link", target, ...this.#meta(FileType.SYMLINK | 0o777) });
    });
  }

  readlink(path: string): Promise<string> {
    return Promise.resolve().then(() => {
      const node = this.#existing(path, false);
      if (node.kind !== "link") throw fail("EINVAL", path);
      return node.target;
    });
  }

  realpath(path: string): Promise<string> {
    return Promise.resolve().then(() => {
      const found = this.#lookup(path, true);
      if (!found.node) throw fail("ENOENT", path);
      return found.path;
    });
  }

  statvfs(_path: string): Promise<StatVfs> {
    const capacity = this.#options.capacity ?? 1 << 30;
    const free = Math.max(0, capacity - this.#used);
    return Promise.resolve({
      blockSize: 4096,
      fragmentSize: 4096,
      blocks: Math.ceil(capacity / 4096),
      blocksFree: Math.floor(free / 4096),
      blocksAvailable: Math.floor(free / 4096),
      files: 1 << 20,
      filesFree: 1 << 19,
      filesAvailable: 1 << 19,
      fsid: 0x1234n,
      flag: 0,
      nameMax: 255,
    });
  }

  userNames(uids: number[]): Promise<string[]> {
    return Promise.resolve(uids.map((u) => (u === 0 ? "root" : "")));
  }

  groupNames(gids: number[]): Promise<string[]> {
    return Promise.resolve(gids.map((g) => (g === 0 ? "root" : "")));
  }
}
