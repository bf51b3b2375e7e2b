/**
 * The SFTP server: one session over a byte duplex, serving a {@linkcode SftpFileSystem} as
 * OpenSSH's sftp-server serves the local one, with a root nothing escapes, a read-only mode and
 * a umask.
 * @module
 */
import type { FileAttributes } from "./attributes.ts";
import type { SftpDuplex } from "./client.ts";
import { BufferPool } from "./buffer_pool.ts";
import {
  DATA_REPLY_HEADER,
  decodeSftpPacket,
  encodeSftpPacket,
  finishDataReply,
  requestIdOf,
} from "./codec.ts";
import { SftpError } from "./errors.ts";
import {
  encodeLimits,
  encodeStatVfs,
  encodeUsersGroups,
  EXTENSION_VERSIONS,
  SftpExtension,
  type SftpExtensionName,
} from "./extensions.ts";
import { isDirectoryMode, modeString } from "./file_mode.ts";
import type { FileStats, SftpFileSystem, SftpOpenFile } from "./file_system.ts";
import { HANDLE_LIMIT, READ_LENGTH_LIMIT, READDIR_BATCH, SFTP_PACKET_LIMIT } from "./limits.ts";
import type {
  ExtendedMessage,
  ExtensionPair,
  NameEntry,
  SftpMessage,
  SftpReply,
  SftpRequest,
} from "./messages.ts";
import { OpenFlag } from "./open_flags.ts";
import { sftpPacketStream } from "./packet_stream.ts";
import { SFTP_VERSION } from "./packet_types.ts";
import { parentPath, ServerPaths } from "./server_paths.ts";
import { StatusCode, statusMessage } from "./status.ts";

/**
 * Options of {@linkcode serveSftp}.
 *
 * @example
 * ```ts
 * import type { SftpServerOptions } from "@hush/sftp";
 * import { memoryFileSystem } from "@hush/sftp/testing";
 * const options: SftpServerOptions = { fs: memoryFileSystem(), root: "/srv/ftp", readOnly: true };
 * ```
 */
export interface SftpServerOptions {
  /** The files served. */
  fs: SftpFileSystem;
  /**
   * A directory nothing escapes: the client sees it as `/`; `..` past it, and symbolic links
   * pointing outside it, are refused (PERMISSION_DENIED). Without it the whole file system.
   */
  root?: string;
  /** The starting directory, in the client's view (`/`): where relative paths start, `~`. */
  home?: string;
  /** The session's user name (what `home-directory` and `~user` answer for). */
  user?: string;
  /** Refuse every change (PERMISSION_DENIED), as `sftp-server -R`. */
  readOnly?: boolean;
  /** Bits cleared from the mode of new files and directories (0o022), as `sftp-server -u`. */
  umask?: number;
  /** Called with `sftp-server -l DEBUG` style lines. */
  trace?: (line: string) => void;
  /** The clock for `ls -l` dates (default `Date.now`). */
  now?: () => number;
  /**
   * The OpenSSH extensions to offer (default: all those the file system can serve). Requests for
   * others get OP_UNSUPPORTED.
   */
  extensions?: readonly SftpExtensionName[];
}

type Handle =
  | { kind: "file"; file: SftpOpenFile; path: string; flags: number }
  | { kind: "dir"; path: string; real: string; names?: string[]; next: number };

/** Errors a file system throws, as OpenSSH's sftp-server maps errno to a status. */
const ERRNO_STATUS: Record<string, number> = {
  ENOENT: StatusCode.NO_SUCH_FILE,
  ENOTDIR: StatusCode.NO_SUCH_FILE,
  EBADF: StatusCode.NO_SUCH_FILE,
  ELOOP: StatusCode.NO_SUCH_FILE,
  EPERM: StatusCode.PERMISSION_DENIED,
  EACCES: StatusCode.PERMISSION_DENIED,
  EFAULT: StatusCode.PERMISSION_DENIED,
  ENAMETOOLONG: StatusCode.BAD_MESSAGE,
  EINVAL: StatusCode.BAD_MESSAGE,
  ENOSYS: StatusCode.OP_UNSUPPORTED,
  EOPNOTSUPP: StatusCode.OP_UNSUPPORTED,
  ENOTSUP: StatusCode.OP_UNSUPPORTED,
};

/**
 * READs (or WRITEs) a session serves at once: enough to keep a file system's thread pool busy,
 * few enough that a client never reading its replies holds little.
 */
const PIPELINE_DEPTH = 16;

/** Bytes copy-data moves per read. */
const COPY_CHUNK = 64 * 1024;

/** Requests that change something, refused in read-only mode. */
const WRITING_EXTENSIONS = new Set<string>([
  SftpExtension.POSIX_RENAME,
  SftpExtension.HARDLINK,
  SftpExtension.LSETSTAT,
  SftpExtension.COPY_DATA,
]);

class Refusal extends Error {
  constructor(readonly code: number, message?: string) {
    super(message ?? statusMessage(code));
  }
}

/**
 * Serves one SFTP session over `duplex` until the client closes it (or sends something that
 * is not SFTP, when the session is closed); resolves then, with every handle closed. A request
 * that fails gets a status reply; nothing a client sends escapes as an exception.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SftpClient, serveSftp } from "@hush/sftp";
 * import { memoryFileSystem, sftpPair } from "@hush/sftp/testing";
 * const [client, server] = sftpPair();
 * const done = serveSftp(server, { fs: memoryFileSystem(), root: "/", readOnly: true });
 * const sftp = await SftpClient.start(client);
 * await assert.rejects(sftp.mkdir("/x"), { message: 'Cannot mkdir "/x": Permission denied' });
 * await sftp.close();
 * await done;
 * ```
 */
export async function serveSftp(duplex: SftpDuplex, options: SftpServerOptions): Promise<void> {
  await new ServerSession(duplex, options).run();
}

class ServerSession {
  #duplex: SftpDuplex;
  #fs: SftpFileSystem;
  #paths: ServerPaths;
  #options: SftpServerOptions;
  #trace: (line: string) => void;
  #handles = new Map<number, Handle>();
  #nextHandle = 0;
  #umask: number;
  #extensions: SftpExtensionName[];
  /** DATA replies' buffers, reused once the duplex is done with them (its writesAreDone). */
  #replyBuffers: BufferPool | undefined;

  constructor(duplex: SftpDuplex, options: SftpServerOptions) {
    this.#duplex = duplex;
    this.#fs = options.fs;
    this.#options = options;
    this.#trace = options.trace ?? (() => {});
    this.#paths = new ServerPaths(options.fs, options.root, options.home ?? "/");
    this.#umask = options.umask ?? 0o022;
    if (duplex.writesAreDone) this.#replyBuffers = new BufferPool(2 * PIPELINE_DEPTH);
    const fs = options.fs;
    this.#extensions = (Object.keys(EXTENSION_VERSIONS) as SftpExtensionName[]).filter((e) => {
      if (e === SftpExtension.STATVFS || e === SftpExtension.FSTATVFS) return !!fs.statvfs;
      if (e === SftpExtension.HARDLINK) return !!fs.link;
      if (e === SftpExtension.USERS_GROUPS_BY_ID) return !!fs.userNames && !!fs.groupNames;
      return true;
    }).filter((e) => options.extensions?.includes(e) ?? true);
  }

  async run(): Promise<void> {
    const packets = this.#duplex.readable.pipeThrough(sftpPacketStream()).getReader();
    const writer = this.#duplex.writable.getWriter();
    const send = async (m: SftpMessage | Uint8Array) => {
      await writer.ready;
      if (!(m instanceof Uint8Array)) {
        writer.write(encodeSftpPacket(m)).catch(() => {});
        return;
      }
      // a DATA reply's buffer goes back to the pool once the channel has taken its bytes
      writer.write(m).then(() => this.#replyBuffers?.give(m), () => {});
    };
    // Replies go out in the order of the requests, each after the one before (see below).
    let replies: Promise<void> = Promise.resolve();
    try {
      const first = await packets.read();
      if (first.done) return;
      const init = decodeSftpPacket(first.value);
      if (init.type !== "init") throw new SftpError(`Bad message: ${init.type} before INIT`);
      this.#trace(`received client version ${init.version}`);
      const extensions: ExtensionPair[] = this.#extensions.map((name) => ({
        name,
        data: EXTENSION_VERSIONS[name],
      }));
      await send({ type: "version", version: SFTP_VERSION, extensions });
      // Replies go out in the order of the requests. A run of READs (or of WRITEs to ranges
      // that do not overlap) is served concurrently, up to PIPELINE_DEPTH at once, as the file
      // system allows; anything else first waits for the run to finish, so its effects stay in
      // order. When the peer stops reading replies, sending waits, the run fills, and we stop
      // reading requests: backpressure all the way to the client.
      const running: Promise<void>[] = [];
      let run:
        | { kind: "read" | "write"; writes: { handle: number; start: number; end: number }[] }
        | undefined;
      const drain = async () => {
        await Promise.all(running);
        running.length = 0;
        run = undefined;
      };
      for (;;) {
        const { value, done } = await packets.read();
        if (done) break;
        let request: SftpMessage;
        try {
          request = decodeSftpPacket(value);
        } catch (e) {
          const id = requestIdOf(value);
          if (id === undefined) throw e;
          this.#trace(`request ${id}: ${(e as Error).message}`);
          await drain();
          await replies;
          await send(status(id, StatusCode.BAD_MESSAGE));
          continue;
        }
        if (!isRequest(request)) {
          throw new SftpError(`Bad message: a ${request.type} from the client`);
        }
        const range = this.#concurrentRange(request);
        const joins = range !== undefined && run?.kind === range.kind &&
          !(range.kind === "write" &&
            run.writes.some((w) =>
              w.handle === range.handle && w.start < range.end && range.start < w.end
            ));
        if (!joins) {
          await drain();
          if (range) run = { kind: range.kind, writes: [] };
        }
        if (range?.kind === "write") run!.writes.push(range);
        while (running.length >= PIPELINE_DEPTH) await running.shift();
        const answer = this.#answer(request);
        replies = replies.then(async () => await send(await answer));
        if (range) running.push(replies);
        else await replies;
      }
      await drain();
      await replies;
    } catch (e) {
      this.#trace(`session ends: ${(e as Error)?.message ?? e}`);
      packets.cancel().catch(() => {});
    } finally {
      // The requests before the one that ended the session still get their replies, and no
      // handle is closed under a READ or WRITE still running; the writer closes after the
      // last reply (a write while its close is under way would error the stream instead).
      // This ends once they are out, or once the channel fails and the sends with it.
      await replies.catch(() => {});
      for (const h of this.#handles.values()) {
        if (h.kind === "file") await h.file.close().catch(() => {});
      }
      this.#handles.clear();
      await writer.close().catch(() => {});
    }
  }

  /**
   * A READ, or a WRITE to a handle not opened for appending, with the range it touches: what
   * may run alongside others of its kind. Anything else runs alone.
   */
  #concurrentRange(
    m: SftpRequest,
  ): { kind: "read" | "write"; handle: number; start: number; end: number } | undefined {
    if (m.type !== "read" && m.type !== "write") return undefined;
    if (m.handle.length !== 4) return undefined;
    const handle = new DataView(m.handle.buffer, m.handle.byteOffset, 4).getUint32(0);
    const h = this.#handles.get(handle);
    if (!h || h.kind !== "file") return undefined;
    if (m.type === "read") {
      return { kind: "read", handle, start: m.offset, end: m.offset + m.length };
    }
    if (h.flags & OpenFlag.APPEND) return undefined;
    return { kind: "write", handle, start: m.offset, end: m.offset + m.data.length };
  }

  /** The reply to a request: a message, or a DATA reply already encoded (read in place). */
  async #answer(request: SftpRequest): Promise<SftpReply | Uint8Array> {
    try {
      return await this.#dispatch(request);
    } catch (e) {
      const code = e instanceof Refusal
        ? e.code
        : e instanceof SftpError
        ? e.statusCode
        : ERRNO_STATUS[(e as { code?: string })?.code ?? ""] ?? StatusCode.FAILURE;
      const message = e instanceof Refusal ? e.message : statusMessage(code);
      this.#trace(`request ${request.id} (${request.type}): ${message}`);
      return { type: "status", id: request.id, code, message, language: "" };
    }
  }

  #handle(bytes: Uint8Array, kind: "file" | "dir"): Handle {
    const h = bytes.length === 4
      ? this.#handles.get(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0))
      : undefined;
    if (!h || h.kind !== kind) throw new Refusal(StatusCode.FAILURE);
    return h;
  }

  #newHandle(h: Handle): Uint8Array {
    if (this.#handles.size >= HANDLE_LIMIT) {
      throw new Refusal(StatusCode.FAILURE, `Too many open handles (${HANDLE_LIMIT})`);
    }
    while (this.#handles.has(this.#nextHandle)) {
      this.#nextHandle = (this.#nextHandle + 1) >>> 0;
    }
    const id = this.#nextHandle;
    this.#nextHandle = (this.#nextHandle + 1) >>> 0;
    this.#handles.set(id, h);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, id);
    return bytes;
  }

  #writable(): void {
    if (this.#options.readOnly) throw new Refusal(StatusCode.PERMISSION_DENIED);
  }

  /** A name a client wants to create: no line breaks (they break listings and logs). */
  #newName(path: string): void {
    if (/[\n\r]/.test(path)) {
      throw new Refusal(StatusCode.FAILURE, "Names with line breaks are refused");
    }
  }

  async #dispatch(m: SftpRequest): Promise<SftpReply | Uint8Array> {
    const fs = this.#fs;
    const paths = this.#paths;
    const ok = status(m.id, StatusCode.OK);
    switch (m.type) {
      case "open": {
        const writing = (m.flags & (OpenFlag.WRITE | OpenFlag.APPEND | OpenFlag.CREAT |
          OpenFlag.TRUNC)) !== 0;
        if (writing) this.#writable();
        if (m.flags & OpenFlag.CREAT) this.#newName(m.path);
        const real = await paths.resolve(m.path, true);
        const mode = ((m.attrs.mode ?? 0o666) & 0o7777) & ~this.#umask;
        this.#trace(`open "${m.path}" flags ${flagNames(m.flags)} mode 0${mode.toString(8)}`);
        const file = await fs.open(real, m.flags, mode);
        try {
          return { type: "handle", id: m.id, handle: this.#newHandle(fileHandle(file, m)) };
        } catch (e) {
          await file.close().catch(() => {});
          throw e;
        }
      }
      case "close": {
        const bytes = m.handle;
        const h = bytes.length === 4
          ? this.#handles.get(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0))
          : undefined;
        if (!h) throw new Refusal(StatusCode.FAILURE);
        this.#handles.delete(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0));
        this.#trace(`close "${h.path}"`);
        if (h.kind === "file") await h.file.close();
        return ok;
      }
      case "read": {
        const h = this.#handle(m.handle, "file") as Extract<Handle, { kind: "file" }>;
        const length = Math.min(m.length, READ_LENGTH_LIMIT);
        if (h.file.readInto) {
          // Read straight into the reply: no buffer for the data and no copy of it. The reply's
          // memory is reused when it can be: a fresh one is zeroed and faulted in page by page.
          const size = DATA_REPLY_HEADER + length;
          const packet = this.#replyBuffers?.take(size) ?? new Uint8Array(size);
          const n = await h.file.readInto(m.offset, packet.subarray(DATA_REPLY_HEADER));
          if (n === 0) {
            this.#replyBuffers?.give(packet);
            return status(m.id, StatusCode.EOF);
          }
          return finishDataReply(packet, m.id, n);
        }
        const data = await h.file.read(m.offset, length);
        if (data.length === 0) return status(m.id, StatusCode.EOF);
        return { type: "data", id: m.id, data };
      }
      case "write": {
        const h = this.#handle(m.handle, "file") as Extract<Handle, { kind: "file" }>;
        this.#writable();
        await h.file.write(m.offset, m.data);
        return ok;
      }
      case "lstat":
      case "stat": {
        const real = await paths.resolve(m.path, m.type === "stat");
        const stats = m.type === "stat" ? await fs.stat(real) : await fs.lstat(real);
        return { type: "attrs", id: m.id, attrs: attributes(stats) };
      }
      case "fstat": {
        const h = this.#handle(m.handle, "file") as Extract<Handle, { kind: "file" }>;
        return { type: "attrs", id: m.id, attrs: attributes(await h.file.stat()) };
      }
      case "setstat": {
        this.#writable();
        const real = await paths.resolve(m.path, true);
        this.#trace(`setstat "${m.path}"`);
        await fs.setAttributes(real, m.attrs);
        return ok;
      }
      case "fsetstat": {
        this.#writable();
        const h = this.#handle(m.handle, "file") as Extract<Handle, { kind: "file" }>;
        await h.file.setAttributes(m.attrs);
        return ok;
      }
      case "opendir": {
        const real = await paths.resolve(m.path, true);
        const stats = await fs.stat(real);
        if (!isDirectoryMode(stats.mode)) throw new Refusal(StatusCode.NO_SUCH_FILE);
        this.#trace(`opendir "${m.path}"`);
        const handle = this.#newHandle({ kind: "dir", path: m.path, real, next: 0 });
        return { type: "handle", id: m.id, handle };
      }
      case "readdir": {
        const h = this.#handle(m.handle, "dir") as Extract<Handle, { kind: "dir" }>;
        h.names ??= [".", "..", ...await fs.readdir(h.real)];
        const entries: NameEntry[] = [];
        while (h.next < h.names.length && entries.length < READDIR_BATCH) {
          const name = h.names[h.next++];
          const path = name === ".."
            ? parentPath(h.real)
            : name === "."
            ? h.real
            : `${h.real === "/" ? "" : h.real}/${name}`;
          const stats = await fs.lstat(path).catch(() => undefined);
          if (!stats) continue; // gone meanwhile
          entries.push({
            filename: name,
            longname: await this.#longname(name, stats),
            attrs: attributes(stats),
          });
        }
        if (entries.length === 0) return status(m.id, StatusCode.EOF);
        return { type: "name", id: m.id, entries };
      }
      case "remove": {
        this.#writable();
        const real = await paths.resolve(m.path, false);
        this.#trace(`remove name "${m.path}"`);
        await fs.remove(real);
        return ok;
      }
      case "mkdir": {
        this.#writable();
        this.#newName(m.path);
        const real = await paths.resolve(m.path, false);
        const mode = ((m.attrs.mode ?? 0o777) & 0o7777) & ~this.#umask;
        this.#trace(`mkdir name "${m.path}" mode 0${mode.toString(8)}`);
        await fs.mkdir(real, mode);
        return ok;
      }
      case "rmdir": {
        this.#writable();
        const real = await paths.resolve(m.path, false);
        this.#trace(`rmdir name "${m.path}"`);
        await fs.rmdir(real);
        return ok;
      }
      case "realpath":
        return name(m.id, await this.#realpath(m.path));
      case "rename": {
        this.#writable();
        this.#newName(m.newPath);
        const from = await paths.resolve(m.oldPath, false);
        const to = await paths.resolve(m.newPath, false);
        this.#trace(`rename old "${m.oldPath}" new "${m.newPath}"`);
        // SSH_FXP_RENAME does not replace (OpenSSH: link, then unlink)
        if (await fs.lstat(to).then(() => true, () => false)) {
          throw new Refusal(StatusCode.FAILURE);
        }
        await fs.rename(from, to);
        return ok;
      }
      case "readlink": {
        const real = await paths.resolve(m.path, false);
        return name(m.id, paths.linkView(await fs.readlink(real)));
      }
      case "symlink": {
        this.#writable();
        this.#newName(m.linkPath);
        const real = await paths.resolve(m.linkPath, false);
        const text = paths.linkText(m.targetPath, paths.view(m.linkPath));
        this.#trace(`symlink old "${m.targetPath}" new "${m.linkPath}"`);
        await fs.symlink(text, real);
        return ok;
      }
      case "extended":
        return await this.#extended(m);
    }
  }

  async #extended(m: ExtendedMessage): Promise<SftpReply> {
    const fs = this.#fs;
    const paths = this.#paths;
    const ok = status(m.id, StatusCode.OK);
    if (m.extension === "unknown" || !this.#extensions.includes(m.extension)) {
      throw new Refusal(StatusCode.OP_UNSUPPORTED);
    }
    if (WRITING_EXTENSIONS.has(m.extension)) this.#writable();
    switch (m.extension) {
      case "posix-rename@openssh.com": {
        this.#newName(m.newPath);
        const from = await paths.resolve(m.oldPath, false);
        const to = await paths.resolve(m.newPath, false);
        this.#trace(`posix-rename old "${m.oldPath}" new "${m.newPath}"`);
        await fs.rename(from, to);
        return ok;
      }
      case "hardlink@openssh.com": {
        this.#newName(m.newPath);
        const from = await paths.resolve(m.oldPath, false);
        const to = await paths.resolve(m.newPath, false);
        this.#trace(`hardlink old "${m.oldPath}" new "${m.newPath}"`);
        await fs.link!(from, to);
        return ok;
      }
      case "statvfs@openssh.com": {
        const real = await paths.resolve(m.path, true);
        return { type: "extendedReply", id: m.id, data: encodeStatVfs(await fs.statvfs!(real)) };
      }
      case "fstatvfs@openssh.com": {
        const h = this.#handle(m.handle, "file") as Extract<Handle, { kind: "file" }>;
        const real = await paths.resolve(h.path, true);
        return { type: "extendedReply", id: m.id, data: encodeStatVfs(await fs.statvfs!(real)) };
      }
      case "fsync@openssh.com": {
        const h = this.#handle(m.handle, "file") as Extract<Handle, { kind: "file" }>;
        await h.file.sync();
        return ok;
      }
      case "lsetstat@openssh.com": {
        const real = await paths.resolve(m.path, false);
        await fs.setAttributes(real, m.attrs, { followSymlinks: false });
        return ok;
      }
      case "limits@openssh.com":
        return {
          type: "extendedReply",
          id: m.id,
          data: encodeLimits({
            maxPacketLength: SFTP_PACKET_LIMIT,
            maxReadLength: READ_LENGTH_LIMIT,
            maxWriteLength: READ_LENGTH_LIMIT,
            maxOpenHandles: HANDLE_LIMIT,
          }),
        };
      case "expand-path@openssh.com":
        return name(m.id, await this.#realpath(this.#expandTilde(m.path)));
      case "home-directory": {
        if (m.username !== "" && m.username !== this.#options.user) {
          throw new Refusal(StatusCode.FAILURE);
        }
        return name(m.id, this.#paths.home);
      }
      case "users-groups-by-id@openssh.com": {
        const users = await fs.userNames!(m.uids);
        const groups = await fs.groupNames!(m.gids);
        return { type: "extendedReply", id: m.id, data: encodeUsersGroups({ users, groups }) };
      }
      case "copy-data":
        await this.#copyData(m as Extract<ExtendedMessage, { extension: "copy-data" }>);
        return ok;
    }
  }

  /** `~`, `~/x` and `~user/x` (the session's own user only) → the home directory. */
  #expandTilde(path: string): string {
    if (!path.startsWith("~")) return path;
    const slash = path.indexOf("/");
    const user = path.slice(1, slash < 0 ? undefined : slash);
    if (user !== "" && user !== this.#options.user) throw new Refusal(StatusCode.NO_SUCH_FILE);
    const rest = slash < 0 ? "" : path.slice(slash + 1);
    return rest === "" ? this.#paths.home : `${this.#paths.home}/${rest}`;
  }

  /**
   * REALPATH, as OpenSSH's: the path resolved by name, then by the file system when it exists;
   * a missing last component is fine, a missing directory before it is not.
   */
  async #realpath(path: string): Promise<string> {
    const paths = this.#paths;
    const view = paths.view(path);
    const real = paths.real(view);
    try {
      await paths.checkInside(real, true, path);
      const resolved = await this.#fs.realpath(real);
      return paths.toView(resolved) ?? view;
    } catch (e) {
      if (e instanceof SftpError) throw e;
      if ((e as { code?: string }).code !== "ENOENT") throw e;
      await this.#fs.realpath(parentPath(real)); // the directory must exist
      return view;
    }
  }

  async #copyData(m: Extract<ExtendedMessage, { extension: "copy-data" }>): Promise<void> {
    const from = this.#handle(m.readHandle, "file") as Extract<Handle, { kind: "file" }>;
    const to = this.#handle(m.writeHandle, "file") as Extract<Handle, { kind: "file" }>;
    if (!(from.flags & OpenFlag.READ) || !(to.flags & (OpenFlag.WRITE | OpenFlag.APPEND))) {
      throw new Refusal(StatusCode.FAILURE);
    }
    const length = m.length === 0 ? Infinity : m.length;
    const end = m.readOffset + length;
    if (
      from === to && m.readOffset < m.writeOffset + length && m.writeOffset < m.readOffset + length
    ) {
      throw new Refusal(StatusCode.FAILURE, "The source and destination ranges overlap");
    }
    let r = m.readOffset, w = m.writeOffset;
    while (r < end) {
      const data = await from.file.read(r, Math.min(COPY_CHUNK, end - r));
      if (data.length === 0) {
        if (m.length !== 0) throw new Refusal(StatusCode.EOF);
        break;
      }
      await to.file.write(w, data);
      r += data.length;
      w += data.length;
    }
  }

  async #longname(filename: string, stats: FileStats): Promise<string> {
    const fs = this.#fs;
    const uid = stats.uid ?? 0, gid = stats.gid ?? 0;
    const user = (await fs.userNames?.([uid]).catch(() => undefined))?.[0] || String(uid);
    const group = (await fs.groupNames?.([gid]).catch(() => undefined))?.[0] || String(gid);
    return longname(filename, stats, user, group, (this.#options.now ?? Date.now)());
  }
}

function fileHandle(file: SftpOpenFile, m: { path: string; flags: number }): Handle {
  return { kind: "file", file, path: m.path, flags: m.flags };
}

function isRequest(m: SftpMessage): m is SftpRequest {
  return m.type !== "init" && m.type !== "version" && m.type !== "status" &&
    m.type !== "handle" && m.type !== "data" && m.type !== "name" && m.type !== "attrs" &&
    m.type !== "extendedReply";
}

function status(id: number, code: number): SftpReply {
  return { type: "status", id, code, message: statusMessage(code), language: "" };
}

function name(id: number, path: string): SftpReply {
  return { type: "name", id, entries: [{ filename: path, longname: path, attrs: {} }] };
}

/** The attributes a stat gives, as SFTP carries them. */
function attributes(s: FileStats): FileAttributes {
  const a: FileAttributes = { size: s.size };
  if (s.uid !== undefined && s.gid !== undefined) {
    a.uid = s.uid;
    a.gid = s.gid;
  }
  a.mode = s.mode;
  if (s.atime !== undefined && s.mtime !== undefined) {
    a.atime = Math.floor(s.atime);
    a.mtime = Math.floor(s.mtime);
  }
  return a;
}

function flagNames(flags: number): string {
  const names = Object.entries(OpenFlag).filter(([, bit]) => flags & bit).map(([n]) => n);
  return names.join(",") || "0";
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * The `ls -l` line OpenSSH's sftp-server sends with each READDIR name: mode, links (`?` when
 * unknown), owner, group, size, date (time of day within the last six months, else the year)
 * and name. Dates are in local time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { longname } from "@hush/sftp";
 * const now = Date.UTC(2026, 4, 5);
 * const line = longname("notes", { mode: 0o100644, size: 239, nlink: 1, mtime: now / 1000 - 3600 }, "root", "root", now);
 * assert.equal(line.startsWith("-rw-r--r--    1 root     root          239 "), true);
 * ```
 */
export function longname(
  filename: string,
  stats: FileStats,
  user: string,
  group: string,
  now: number,
): string {
  const mtime = (stats.mtime ?? 0) * 1000;
  const d = new Date(mtime);
  const halfYear = 365 * 24 * 3600 * 1000 / 2;
  const day = String(d.getDate()).padStart(2, " ");
  const when = now - halfYear < mtime && now >= mtime
    ? `${MONTHS[d.getMonth()]} ${day} ${String(d.getHours()).padStart(2, "0")}:${
      String(d.getMinutes()).padStart(2, "0")
    }`
    : `${MONTHS[d.getMonth()]} ${day}  ${d.getFullYear()}`;
  // "?" when the link count is unknown (attributes a client got by STAT), as OpenSSH's ls
  const links = String(stats.nlink ?? "?").padStart(4, " ");
  return `${modeString(stats.mode)} ${links} ${user.padEnd(8, " ")} ${group.padEnd(8, " ")} ${
    String(stats.size).padStart(8, " ")
  } ${when} ${filename}`;
}
