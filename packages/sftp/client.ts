/**
 * The SFTP client: one session over a byte duplex, requests matched to replies by id, any
 * number in flight.
 * @module
 */
import type { ByteDuplex } from "@hush/wire";
import type { FileAttributes } from "./attributes.ts";
import { decodeSftpPacket, encodeSftpPacket } from "./codec.ts";
import { SftpError } from "./errors.ts";
import {
  decodeLimits,
  decodeStatVfs,
  decodeUsersGroups,
  EXTENSION_VERSIONS,
  SftpExtension,
  type SftpExtensionName,
  type SftpLimits,
  type StatVfs,
  type UsersGroups,
} from "./extensions.ts";
import type { SftpFileSystem } from "./file_system.ts";
import { DEFAULT_CHUNK_SIZE, READ_LENGTH_LIMIT, SFTP_PACKET_LIMIT } from "./limits.ts";
import type { ExtendedRequest, NameEntry, SftpMessage, SftpReply } from "./messages.ts";
import { openFlags, type OpenMode } from "./open_flags.ts";
import { sftpPacketStream } from "./packet_stream.ts";
import { SFTP_VERSION, SftpPacketType } from "./packet_types.ts";
import { BufferPool } from "./buffer_pool.ts";
import { StatusCode, statusMessage } from "./status.ts";
import {
  fastGet,
  fastPut,
  type FastTransferOptions,
  get,
  type GetOptions,
  put,
  type PutOptions,
  type PutSource,
} from "./client_transfer.ts";

/**
 * A byte duplex an SFTP session runs over: an SSH channel running the `sftp` subsystem, a
 * child process's stdio, or an in-memory pair. The same type as `@hush/wire`'s `ByteDuplex`,
 * under the name this package has always used.
 *
 * @example
 * ```ts
 * import type { SftpDuplex } from "@hush/sftp";
 * const pipe = new TransformStream<Uint8Array, Uint8Array>();
 * const loop: SftpDuplex = { readable: pipe.readable, writable: pipe.writable };
 * ```
 */
export type SftpDuplex = ByteDuplex;

/** WRITE requests from this size on are encoded into reused buffers. */
const POOLED_WRITE_BYTES = 16 * 1024;
/** Bytes of a WRITE request besides its handle and data (length, type, id, offset, lengths). */
const WRITE_OVERHEAD = 4 + 1 + 4 + 4 + 8 + 4;
/** Requests up to this size are corked: those made in one turn are written as one chunk. */
const CORKED_REQUEST_BYTES = 1024;
/** Free request buffers kept: enough for the steady state of a put, little held after it. */
const REQUEST_BUFFERS_KEPT = 16;

/**
 * Options of {@linkcode SftpClient.start}.
 *
 * @example
 * ```ts
 * import type { SftpClientOptions } from "@hush/sftp";
 * const options: SftpClientOptions = { trace: (line) => console.error(`debug1: ${line}`) };
 * ```
 */
export interface SftpClientOptions {
  /**
   * The local files `fastGet` and `fastPut` read and write (`@hush/ssh`'s `client.sftp()`
   * passes the runtime's own).
   */
  local?: SftpFileSystem;
  /** `sftp -v` style lines. */
  trace?: (line: string) => void;
}

/**
 * A directory entry: its name, the server's `ls -l` line, and its attributes (of the entry
 * itself: a symbolic link's own).
 *
 * @example
 * ```ts
 * import type { SftpDirEntry } from "@hush/sftp";
 * const show = (e: SftpDirEntry) => `${e.filename} ${e.attrs.size ?? "?"}`;
 * ```
 */
export type SftpDirEntry = NameEntry;

/** What the client assumes of a server that does not send `limits@openssh.com` (OpenSSH's). */
const DEFAULT_SERVER_LIMITS: SftpLimits = {
  maxPacketLength: 34_000,
  maxReadLength: DEFAULT_CHUNK_SIZE,
  maxWriteLength: DEFAULT_CHUNK_SIZE,
  maxOpenHandles: 0,
};

interface Pending {
  resolve(reply: SftpReply): void;
  reject(error: Error): void;
  /** Where a DATA reply to this request is reassembled, when the caller lends buffers. */
  pool?: BufferPool;
}

/**
 * An open remote file: read and write at offsets, its attributes, and `close()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SftpClient, serveSftp } from "@hush/sftp";
 * import { memoryFileSystem, sftpPair } from "@hush/sftp/testing";
 * const [clientSide, serverSide] = sftpPair();
 * serveSftp(serverSide, { fs: memoryFileSystem(), root: "/" });
 * const sftp = await SftpClient.start(clientSide);
 * await sftp.put(new TextEncoder().encode("hello\n"), "/notes.txt");
 * const file = await sftp.open("/notes.txt", "r");
 * assert.equal(new TextDecoder().decode((await file.read(0, 100))!), "hello\n");
 * assert.equal(await file.read(6, 100), null); // null at end of file
 * await file.close();
 * await sftp.close();
 * ```
 */
export class SftpFile {
  /** The server's handle. */
  readonly handle: Uint8Array;
  /** The path it was opened by. */
  readonly path: string;
  #client: SftpClient;

  /** Files come from {@linkcode SftpClient.open}. */
  constructor(client: SftpClient, handle: Uint8Array, path: string) {
    this.#client = client;
    this.handle = handle;
    this.path = path;
  }

  /** Reads up to `length` bytes at `offset`; `null` at end of file. */
  read(offset: number, length: number): Promise<Uint8Array | null> {
    return this.#client.read(this, offset, length);
  }

  /** Writes `data` at `offset`. */
  write(offset: number, data: Uint8Array): Promise<void> {
    return this.#client.write(this, offset, data);
  }

  /** Its attributes (FSTAT). */
  stat(): Promise<FileAttributes> {
    return this.#client.fstat(this);
  }

  /** Changes its attributes (FSETSTAT). */
  setstat(attrs: FileAttributes): Promise<void> {
    return this.#client.fsetstat(this, attrs);
  }

  /** Flushes it to disk on the server (`fsync@openssh.com`). */
  sync(): Promise<void> {
    return this.#client.fsync(this);
  }

  /** Closes the handle. */
  close(): Promise<void> {
    return this.#client.closeHandle(this);
  }
}

/**
 * An SFTP client session. Every method sends its request at once and resolves with the reply,
 * so any number can be in flight; a refused request rejects with an {@linkcode SftpError}
 * carrying the server's status code. Extensions are used only when the server advertised them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SftpClient } from "@hush/sftp";
 * import { memoryFileSystem, sftpPair } from "@hush/sftp/testing";
 * const [clientSide, serverSide] = sftpPair();
 * const fs = memoryFileSystem();
 * import { serveSftp } from "@hush/sftp";
 * serveSftp(serverSide, { fs });
 * const sftp = await SftpClient.start(clientSide);
 * await sftp.put(new TextEncoder().encode("hello\n"), "/hello.txt");
 * const names: string[] = [];
 * for await (const entry of sftp.readdir("/")) names.push(entry.filename);
 * assert.deepEqual(names, ["hello.txt"]);
 * assert.equal(new TextDecoder().decode(await sftp.readFile("/hello.txt")), "hello\n");
 * await sftp.close();
 * ```
 */
export class SftpClient {
  /** The protocol version the server speaks (3). */
  readonly version: number;
  /** The server's extensions and their versions, as it advertised them. */
  readonly extensions: ReadonlyMap<string, string>;
  /** Resolves once the session has ended (either side closed it, or it failed). */
  readonly closed: Promise<void>;
  /** The local files of `fastGet`/`fastPut`, when given. */
  readonly local?: SftpFileSystem;
  #limits: SftpLimits = DEFAULT_SERVER_LIMITS;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending = new Map<number, Pending>();
  /** WRITE requests' buffers, reused once the duplex is done with them (its writesAreDone). */
  #requests: BufferPool | undefined;
  /** Small requests made in this turn, written together at its end. */
  #corked: { id: number; bytes: Uint8Array }[] = [];
  #nextId = 1;
  #error: SftpError | undefined;
  #trace: (line: string) => void;

  private constructor(
    version: number,
    extensions: Map<string, string>,
    writer: WritableStreamDefaultWriter<Uint8Array>,
    writesAreDone: boolean,
    packets: ReadableStreamDefaultReader<Uint8Array>,
    options: SftpClientOptions,
  ) {
    this.version = version;
    this.extensions = extensions;
    this.#writer = writer;
    if (writesAreDone) this.#requests = new BufferPool(REQUEST_BUFFERS_KEPT);
    this.#trace = options.trace ?? (() => {});
    if (options.local) this.local = options.local;
    this.closed = this.#receive(packets);
  }

  /**
   * Starts a session: sends INIT, reads the server's VERSION, and asks for its limits when it
   * offers `limits@openssh.com`.
   */
  static async start(duplex: SftpDuplex, options: SftpClientOptions = {}): Promise<SftpClient> {
    const trace = options.trace ?? (() => {});
    const writer = duplex.writable.getWriter();
    // replies are received before the client exists (VERSION, limits): those get new buffers
    const built: { client?: SftpClient } = {};
    const packets = duplex.readable
      .pipeThrough(
        sftpPacketStream(
          SFTP_PACKET_LIMIT,
          (n, at) => built.client ? built.client.#body(n, at) : new Uint8Array(n),
        ),
      )
      .getReader();
    await writer.write(encodeSftpPacket({ type: "init", version: SFTP_VERSION, extensions: [] }));
    let first;
    try {
      first = await packets.read();
    } catch (e) {
      throw e instanceof SftpError ? e : lost(e);
    }
    if (first.done) throw lost("the server closed the session before its VERSION");
    const version = decodeSftpPacket(first.value);
    if (version.type !== "version") {
      await writer.close().catch(() => {});
      throw new SftpError(`Bad message: expected VERSION, got ${version.type}`);
    }
    if (version.version < SFTP_VERSION) {
      await writer.close().catch(() => {});
      throw new SftpError(`The server speaks SFTP version ${version.version}, not 3`, {
        statusCode: StatusCode.OP_UNSUPPORTED,
      });
    }
    const extensions = new Map<string, string>();
    for (const e of version.extensions) {
      trace(`Server supports extension "${e.name}" revision ${e.data}`);
      if (!extensions.has(e.name) || EXTENSION_VERSIONS[e.name as SftpExtensionName] === e.data) {
        extensions.set(e.name, e.data);
      }
    }
    const client = new SftpClient(
      version.version,
      extensions,
      writer,
      duplex.writesAreDone === true,
      packets,
      options,
    );
    built.client = client;
    if (client.supports(SftpExtension.LIMITS)) {
      const reply = await client.extended({ extension: "limits@openssh.com" });
      const limits = decodeLimits(reply);
      // 0 means "no limit stated": keep OpenSSH's defaults for those fields
      client.#limits = {
        maxPacketLength: limits.maxPacketLength || SFTP_PACKET_LIMIT,
        maxReadLength: limits.maxReadLength || READ_LENGTH_LIMIT,
        maxWriteLength: limits.maxWriteLength || READ_LENGTH_LIMIT,
        maxOpenHandles: limits.maxOpenHandles,
      };
      trace(
        `Server limits: packet ${limits.maxPacketLength}, read ${limits.maxReadLength}, ` +
          `write ${limits.maxWriteLength}, handles ${limits.maxOpenHandles}`,
      );
    }
    return client;
  }

  /**
   * The server's limits: its `limits@openssh.com` answer, or OpenSSH's assumptions without it
   * (32 KiB reads and writes).
   */
  get limits(): SftpLimits {
    return this.#limits;
  }

  /** Whether the server advertised `extension` at the version Hush speaks. */
  supports(extension: SftpExtensionName): boolean {
    return this.extensions.get(extension) === EXTENSION_VERSIONS[extension];
  }

  /** Ends the session: closes our side and waits for the server to close its side. */
  async close(): Promise<void> {
    this.#uncork();
    // requests from now on fail at once: a write while the close is under way errors the stream
    this.#error ??= lost("the session was closed");
    await this.#writer.close().catch(() => {});
    await this.closed;
  }

  /**
   * Ends the session as {@linkcode SftpClient.close} does, for `await using`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { SftpClient, serveSftp } from "@hush/sftp";
   * import { memoryFileSystem, sftpPair } from "@hush/sftp/testing";
   * const [clientSide, serverSide] = sftpPair();
   * const fs = memoryFileSystem();
   * const served = serveSftp(serverSide, { fs });
   * {
   *   await using sftp = await SftpClient.start(clientSide);
   *   await sftp.put(new TextEncoder().encode("hi\n"), "/hi.txt");
   * } // the session ends here
   * await served; // the server saw it end
   * assert.equal((await fs.stat("/hi.txt")).size, 3);
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // -- plumbing ----------------------------------------------------------------------------

  async #receive(packets: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    let error: SftpError;
    try {
      for (;;) {
        const { value, done } = await packets.read();
        if (done) {
          error = lost("the session ended");
          break;
        }
        const reply = decodeSftpPacket(value);
        if (reply.type === "init" || reply.type === "version" || !isReply(reply)) {
          throw new SftpError(`Bad message: unexpected ${reply.type} from the server`);
        }
        const pending = this.#pending.get(reply.id);
        if (!pending) throw new SftpError(`Bad message: a reply to request ${reply.id}, not sent`);
        this.#pending.delete(reply.id);
        pending.resolve(reply);
      }
    } catch (e) {
      error = e instanceof SftpError ? e : lost(e);
      this.#trace(`sftp session failed: ${error.message}`);
      packets.cancel(error).catch(() => {});
      this.#writer.abort(error).catch(() => {});
    }
    this.#error = error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  /** A reply's body: from the request's pool when it lent one (a DATA reply), else new. */
  #body(length: number, start: Uint8Array): Uint8Array {
    if (start.length === 5 && start[0] === SftpPacketType.DATA) {
      const id = ((start[1] << 24) | (start[2] << 16) | (start[3] << 8) | start[4]) >>> 0;
      const pool = this.#pending.get(id)?.pool;
      if (pool) return pool.take(length);
    }
    return new Uint8Array(length);
  }

  /** Sends a request and resolves with its reply (any type; callers check). */
  #call(build: (id: number) => SftpMessage, pool?: BufferPool): Promise<SftpReply> {
    if (this.#error) return Promise.reject(this.#error);
    const id = this.#nextId;
    this.#nextId = this.#nextId === 0xffff_ffff ? 1 : this.#nextId + 1;
    let bytes: Uint8Array;
    let lent: BufferPool | undefined;
    try {
      const m = build(id);
      // a bulk WRITE goes in a reused buffer: a fresh one is zeroed and faulted in page by page
      if (m.type === "write" && this.#requests && m.data.length >= POOLED_WRITE_BYTES) {
        lent = this.#requests;
        bytes = encodeSftpPacket(m, lent.take(WRITE_OVERHEAD + m.handle.length + m.data.length));
      } else {
        bytes = encodeSftpPacket(m);
      }
    } catch (e) {
      return Promise.reject(e);
    }
    const reply = new Promise<SftpReply>((resolve, reject) => {
      this.#pending.set(id, pool ? { resolve, reject, pool } : { resolve, reject });
    });
    if (bytes.length <= CORKED_REQUEST_BYTES) {
      // small requests made in one go (a refill of READs) leave as one chunk: one channel
      // packet, one socket write, instead of one each
      if (this.#corked.length === 0) queueMicrotask(() => this.#uncork());
      this.#corked.push({ id, bytes });
    } else {
      this.#uncork(); // what was asked first goes first
      this.#write([id], bytes, lent);
    }
    return reply;
  }

  /** Writes the corked small requests, joined. */
  #uncork(): void {
    const corked = this.#corked;
    if (corked.length === 0) return;
    this.#corked = [];
    if (corked.length === 1) return this.#write([corked[0].id], corked[0].bytes);
    const joined = new Uint8Array(corked.reduce((n, c) => n + c.bytes.length, 0));
    let at = 0;
    for (const c of corked) {
      joined.set(c.bytes, at);
      at += c.bytes.length;
    }
    this.#write(corked.map((c) => c.id), joined);
  }

  /** Writes requests' bytes; a failed write fails those requests. */
  #write(ids: number[], bytes: Uint8Array, lent?: BufferPool): void {
    this.#writer.write(bytes).then(() => lent?.give(bytes), (e) => {
      for (const id of ids) {
        const p = this.#pending.get(id);
        this.#pending.delete(id);
        p?.reject(this.#error ?? lost(e));
      }
    });
  }

  async #status(build: (id: number) => SftpMessage, what: string, path?: string): Promise<void> {
    const reply = await this.#call(build);
    if (reply.type !== "status") throw unexpected(reply, what);
    if (reply.code !== StatusCode.OK) throw refused(reply, what, path);
  }

  async #handle(build: (id: number) => SftpMessage, what: string, path: string) {
    const reply = await this.#call(build);
    if (reply.type === "handle") return reply.handle.slice();
    if (reply.type === "status") throw refused(reply, what, path);
    throw unexpected(reply, what);
  }

  async #attrs(build: (id: number) => SftpMessage, what: string, path?: string) {
    const reply = await this.#call(build);
    if (reply.type === "attrs") return reply.attrs;
    if (reply.type === "status") throw refused(reply, what, path);
    throw unexpected(reply, what);
  }

  async #name(build: (id: number) => SftpMessage, what: string, path: string): Promise<string> {
    const reply = await this.#call(build);
    if (reply.type === "name" && reply.entries.length === 1) return reply.entries[0].filename;
    if (reply.type === "status") throw refused(reply, what, path);
    throw unexpected(reply, what);
  }

  #require(extension: SftpExtensionName): void {
    if (!this.supports(extension)) {
      throw new SftpError(`The server does not support ${extension}`, {
        statusCode: StatusCode.OP_UNSUPPORTED,
      });
    }
  }

  /**
   * Sends an EXTENDED request and resolves with the body of its EXTENDED_REPLY; a STATUS OK
   * resolves an empty body. Any extension may be sent; the named helpers check the server
   * advertised theirs.
   */
  async extended(request: ExtendedRequest, path?: string): Promise<Uint8Array> {
    const what = request.extension === "unknown" ? request.name : request.extension;
    const reply = await this.#call((id) => ({ type: "extended", id, ...request }));
    if (reply.type === "extendedReply") return reply.data;
    if (reply.type === "status") {
      if (reply.code === StatusCode.OK) return new Uint8Array(0);
      throw refused(reply, what, path);
    }
    throw unexpected(reply, what);
  }

  // -- files ------------------------------------------------------------------------------

  /**
   * Opens a file: `mode` is `fopen`-style (`r`, `w`, `a`, `r+`, `wx`, …) or `OpenFlag` bits;
   * `attrs` (a new file's permissions, e.g. `{ mode: 0o600 }`) apply when it is created.
   */
  async open(
    path: string,
    mode: OpenMode | number = "r",
    attrs: FileAttributes = {},
  ): Promise<SftpFile> {
    const flags = openFlags(mode);
    const handle = await this.#handle(
      (id) => ({ type: "open", id, path, flags, attrs }),
      "open",
      path,
    );
    return new SftpFile(this, handle, path);
  }

  /**
   * Reads up to `length` bytes at `offset`; `null` at end of file. With `options.pool`, the
   * reply is received into a buffer from that pool (give the data back once done with it).
   */
  async read(
    file: SftpFile,
    offset: number,
    length: number,
    options: { pool?: BufferPool } = {},
  ): Promise<Uint8Array | null> {
    const reply = await this.#call(
      (id) => ({ type: "read", id, handle: file.handle, offset, length }),
      options.pool,
    );
    if (reply.type === "data") return reply.data;
    if (reply.type === "status") {
      if (reply.code === StatusCode.EOF) return null;
      throw refused(reply, "read", file.path);
    }
    throw unexpected(reply, "read");
  }

  /**
   * Writes `data` at `offset` (at most `limits.maxWriteLength` bytes per call). The request is
   * built, `data` copied into it, before this returns: the caller may reuse `data` at once.
   */
  write(file: SftpFile, offset: number, data: Uint8Array): Promise<void> {
    return this.#status(
      (id) => ({ type: "write", id, handle: file.handle, offset, data }),
      "write",
      file.path,
    );
  }

  /** Closes a file or directory handle. */
  closeHandle(file: SftpFile): Promise<void> {
    return this.#status((id) => ({ type: "close", id, handle: file.handle }), "close", file.path);
  }

  /** The attributes of an open file. */
  fstat(file: SftpFile): Promise<FileAttributes> {
    return this.#attrs((id) => ({ type: "fstat", id, handle: file.handle }), "fstat", file.path);
  }

  /** Changes the attributes of an open file. */
  fsetstat(file: SftpFile, attrs: FileAttributes): Promise<void> {
    return this.#status(
      (id) => ({ type: "fsetstat", id, handle: file.handle, attrs }),
      "fsetstat",
      file.path,
    );
  }

  /** Flushes an open file to disk on the server (`fsync@openssh.com`). */
  async fsync(file: SftpFile): Promise<void> {
    this.#require(SftpExtension.FSYNC);
    await this.extended({ extension: "fsync@openssh.com", handle: file.handle }, file.path);
  }

  // -- paths ------------------------------------------------------------------------------

  /** Attributes, following symbolic links. */
  stat(path: string): Promise<FileAttributes> {
    return this.#attrs((id) => ({ type: "stat", id, path }), "stat", path);
  }

  /** Attributes of the path itself (a symbolic link's own). */
  lstat(path: string): Promise<FileAttributes> {
    return this.#attrs((id) => ({ type: "lstat", id, path }), "lstat", path);
  }

  /** Changes attributes (only the fields given), following symbolic links. */
  setstat(path: string, attrs: FileAttributes): Promise<void> {
    return this.#status((id) => ({ type: "setstat", id, path, attrs }), "setstat", path);
  }

  /** Changes the attributes of a symbolic link itself (`lsetstat@openssh.com`). */
  async lsetstat(path: string, attrs: FileAttributes): Promise<void> {
    this.#require(SftpExtension.LSETSTAT);
    await this.extended({ extension: "lsetstat@openssh.com", path, attrs }, path);
  }

  /** Whether `path` exists (a STAT that does not fail with NO_SUCH_FILE). */
  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (e) {
      if (e instanceof SftpError && e.statusCode === StatusCode.NO_SUCH_FILE) return false;
      throw e;
    }
  }

  /**
   * Lists a directory, a READDIR batch at a time, closing the handle when the loop ends
   * (however it ends). `.` and `..` are left out unless `all` is set.
   */
  async *readdir(path: string, options: { all?: boolean } = {}): AsyncGenerator<SftpDirEntry> {
    const handle = await this.#handle((id) => ({ type: "opendir", id, path }), "opendir", path);
    const dir = new SftpFile(this, handle, path);
    try {
      for (;;) {
        const reply = await this.#call((id) => ({ type: "readdir", id, handle }));
        if (reply.type === "status") {
          if (reply.code === StatusCode.EOF) return;
          throw refused(reply, "readdir", path);
        }
        if (reply.type !== "name") throw unexpected(reply, "readdir");
        for (const entry of reply.entries) {
          if (!options.all && (entry.filename === "." || entry.filename === "..")) continue;
          yield entry;
        }
      }
    } finally {
      await this.closeHandle(dir).catch(() => {});
    }
  }

  /** A directory's entries, all at once (see {@linkcode SftpClient.readdir}). */
  async list(path: string, options: { all?: boolean } = {}): Promise<SftpDirEntry[]> {
    const out: SftpDirEntry[] = [];
    for await (const e of this.readdir(path, options)) out.push(e);
    return out;
  }

  /** Makes a directory (`attrs.mode` its permissions, less the server's umask). */
  mkdir(path: string, attrs: FileAttributes = {}): Promise<void> {
    return this.#status((id) => ({ type: "mkdir", id, path, attrs }), "mkdir", path);
  }

  /** Removes an empty directory. */
  rmdir(path: string): Promise<void> {
    return this.#status((id) => ({ type: "rmdir", id, path }), "rmdir", path);
  }

  /** Removes a file or symbolic link. */
  remove(path: string): Promise<void> {
    return this.#status((id) => ({ type: "remove", id, path }), "remove", path);
  }

  /**
   * Renames. Plain RENAME fails when `newPath` exists; `overwrite` uses
   * `posix-rename@openssh.com`, which replaces it (as OpenSSH's `sftp` does when offered).
   */
  async rename(
    oldPath: string,
    newPath: string,
    options: { overwrite?: boolean } = {},
  ): Promise<void> {
    if (options.overwrite) {
      this.#require(SftpExtension.POSIX_RENAME);
      await this.extended({ extension: "posix-rename@openssh.com", oldPath, newPath }, oldPath);
      return;
    }
    await this.#status((id) => ({ type: "rename", id, oldPath, newPath }), "rename", oldPath);
  }

  /** Makes a symbolic link at `linkPath` pointing to `targetPath`. */
  symlink(targetPath: string, linkPath: string): Promise<void> {
    return this.#status(
      (id) => ({ type: "symlink", id, targetPath, linkPath }),
      "symlink",
      linkPath,
    );
  }

  /** Makes a hard link `newPath` to `oldPath` (`hardlink@openssh.com`). */
  async hardlink(oldPath: string, newPath: string): Promise<void> {
    this.#require(SftpExtension.HARDLINK);
    await this.extended({ extension: "hardlink@openssh.com", oldPath, newPath }, oldPath);
  }

  /** What a symbolic link points to. */
  readlink(path: string): Promise<string> {
    return this.#name((id) => ({ type: "readlink", id, path }), "readlink", path);
  }

  /** The server's canonical absolute form of `path` (`.` is the starting directory). */
  realpath(path: string): Promise<string> {
    return this.#name((id) => ({ type: "realpath", id, path }), "realpath", path);
  }

  /**
   * `realpath` that also expands a leading `~` or `~user` (`expand-path@openssh.com`; without
   * it `~/x` is taken relative to the starting directory, which servers make the home).
   */
  expandPath(path: string): Promise<string> {
    if (this.supports(SftpExtension.EXPAND_PATH)) {
      return this.#name(
        (id) => ({ type: "extended", id, extension: "expand-path@openssh.com", path }),
        "expand-path",
        path,
      );
    }
    if (path === "~") return this.realpath(".");
    if (path.startsWith("~/")) return this.realpath(path.slice(2) || ".");
    return this.realpath(path);
  }

  /** A user's home directory (`home-directory`); `""` asks for the session's own user. */
  homeDirectory(username = ""): Promise<string> {
    this.#require(SftpExtension.HOME_DIRECTORY);
    return this.#name(
      (id) => ({ type: "extended", id, extension: "home-directory", username }),
      "home-directory",
      username,
    );
  }

  /** File-system statistics of the file system holding `path` (`statvfs@openssh.com`). */
  async statvfs(path: string): Promise<StatVfs> {
    this.#require(SftpExtension.STATVFS);
    return decodeStatVfs(await this.extended({ extension: "statvfs@openssh.com", path }, path));
  }

  /** File-system statistics of an open file's file system (`fstatvfs@openssh.com`). */
  async fstatvfs(file: SftpFile): Promise<StatVfs> {
    this.#require(SftpExtension.FSTATVFS);
    return decodeStatVfs(
      await this.extended({ extension: "fstatvfs@openssh.com", handle: file.handle }, file.path),
    );
  }

  /** User and group names for ids (`users-groups-by-id@openssh.com`); `""` for unknown ids. */
  async usersGroupsById(uids: number[], gids: number[]): Promise<UsersGroups> {
    this.#require(SftpExtension.USERS_GROUPS_BY_ID);
    const body = await this.extended({ extension: "users-groups-by-id@openssh.com", uids, gids });
    const names = decodeUsersGroups(body);
    if (names.users.length !== uids.length || names.groups.length !== gids.length) {
      throw new SftpError("Bad message: users-groups-by-id answered a different number of names");
    }
    return names;
  }

  /**
   * Copies bytes between two open files on the server without moving them over the network
   * (`copy-data`); `length` 0 copies to the end of the source.
   */
  async copyData(
    from: SftpFile,
    fromOffset: number,
    length: number,
    to: SftpFile,
    toOffset: number,
  ): Promise<void> {
    this.#require(SftpExtension.COPY_DATA);
    await this.extended({
      extension: "copy-data",
      readHandle: from.handle,
      readOffset: fromOffset,
      length,
      writeHandle: to.handle,
      writeOffset: toOffset,
    }, from.path);
  }

  /**
   * Copies a file on the server (`copy-data`), keeping its permissions, as OpenSSH's `sftp cp`.
   */
  async copyFile(fromPath: string, toPath: string): Promise<void> {
    this.#require(SftpExtension.COPY_DATA);
    const from = await this.open(fromPath, "r");
    try {
      const attrs = await from.stat();
      const mode = attrs.mode === undefined ? {} : { mode: attrs.mode & 0o7777 };
      const to = await this.open(toPath, "w", mode);
      try {
        await this.copyData(from, 0, 0, to, 0);
      } finally {
        await to.close();
      }
    } finally {
      await from.close().catch(() => {});
    }
  }

  // -- whole files ------------------------------------------------------------------------

  /**
   * A remote file as a stream, read with many requests in flight (64, of the server's
   * `limits@openssh.com` read length, else 32 KiB, as OpenSSH's sftp), from `offset` on. Cancel the stream (or abort `signal`) to stop early.
   */
  get(path: string, options: GetOptions = {}): ReadableStream<Uint8Array> {
    return get(this, path, options);
  }

  /**
   * Writes a stream, async iterable or byte array to a remote file with many writes in flight,
   * and resolves with the bytes written. From `offset` (resuming) the file is not truncated. On
   * failure the {@linkcode SftpError} says in `bytesTransferred` how many bytes from the start
   * offset the server acknowledged.
   */
  put(source: PutSource, path: string, options: PutOptions = {}): Promise<number> {
    return put(this, source, path, options);
  }

  /** A whole remote file in memory (for small files; use `get` for big ones). */
  async readFile(path: string): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const chunk of this.get(path)) {
      parts.push(chunk);
      n += chunk.length;
    }
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /**
   * Downloads `remotePath` to `localPath` on the local file system: into `localPath + ".part"`,
   * renamed once complete, so the final name never holds a truncated file. `resume` continues a
   * `.part` (or a shorter `localPath`) from its size; `recursive` copies a directory tree;
   * `preserve` keeps modes and times.
   */
  fastGet(
    remotePath: string,
    localPath: string,
    options: FastTransferOptions = {},
  ): Promise<number> {
    return fastGet(this, remotePath, localPath, options);
  }

  /**
   * Uploads `localPath` to `remotePath` with many writes in flight. `resume` continues from the
   * remote file's size; `recursive` copies a directory tree; `preserve` keeps modes and times.
   */
  fastPut(
    localPath: string,
    remotePath: string,
    options: FastTransferOptions = {},
  ): Promise<number> {
    return fastPut(this, localPath, remotePath, options);
  }
}

function isReply(m: SftpMessage): m is SftpReply {
  return m.type === "status" || m.type === "handle" || m.type === "data" || m.type === "name" ||
    m.type === "attrs" || m.type === "extendedReply";
}

function lost(cause: unknown): SftpError {
  const why = typeof cause === "string" ? cause : (cause as Error)?.message ?? String(cause);
  return new SftpError(`Connection lost: ${why}`, {
    statusCode: StatusCode.CONNECTION_LOST,
    cause: typeof cause === "string" ? undefined : cause,
  });
}

function refused(
  reply: { code: number; message: string },
  what: string,
  path: string | undefined,
): SftpError {
  const words = reply.message || statusMessage(reply.code);
  return new SftpError(
    `Cannot ${what}${path === undefined ? "" : ` ${JSON.stringify(path)}`}: ${words}`,
    { statusCode: reply.code, ...(path === undefined ? {} : { path }) },
  );
}

function unexpected(reply: SftpReply, what: string): SftpError {
  return new SftpError(`Bad message: the server answered ${what} with ${reply.type}`);
}
