/**
 * Whole-file transfers of the SFTP client: `get` and `put` as Web Streams with many requests in
 * flight, and `fastGet`/`fastPut` between a remote path and a local file system, with resume,
 * recursion and preserved modes and times.
 * @module
 */
import type { FileAttributes } from "./attributes.ts";
import type { SftpClient, SftpFile } from "./client.ts";
import { SftpError } from "./errors.ts";
import { isDirectoryMode, isRegularFileMode, isSymlinkMode } from "./file_mode.ts";
import type { FileStats, SftpFileSystem } from "./file_system.ts";
import { DEFAULT_CHUNK_SIZE, DEFAULT_REQUESTS_IN_FLIGHT, READ_LENGTH_LIMIT } from "./limits.ts";
import { OpenFlag } from "./open_flags.ts";
import { BufferPool } from "./buffer_pool.ts";
import { StatusCode } from "./status.ts";

/**
 * How far a transfer has got: bytes of `path` done (counting a resumed start) of `total`.
 *
 * @example
 * ```ts
 * import type { TransferProgress } from "@hush/sftp";
 * const percent = (p: TransferProgress) => p.total ? Math.floor(100 * p.transferred / p.total) : 100;
 * ```
 */
export interface TransferProgress {
  /** The remote path being moved. */
  path: string;
  /** Bytes of it done, from the start of the file. */
  transferred: number;
  /** Its size (0 when unknown). */
  total: number;
}

/** What every transfer takes. */
export interface TransferOptions {
  /** READ or WRITE requests kept in flight (64, as OpenSSH's sftp). */
  concurrency?: number;
  /**
   * Bytes per request. As OpenSSH's sftp: the server's `limits@openssh.com` read or write length
   * when it offers one (255 KiB from OpenSSH's sftp-server and Hush's), else 32 KiB; a larger
   * value is clipped to that.
   */
  chunkSize?: number;
  /** Stops the transfer. */
  signal?: AbortSignal;
  /** Called as bytes are acknowledged. */
  onProgress?: (progress: TransferProgress) => void;
}

/**
 * Options of `SftpClient.get`.
 *
 * @example
 * ```ts
 * import type { GetOptions } from "@hush/sftp";
 * const tail: GetOptions = { offset: 1024, concurrency: 16 };
 * ```
 */
export interface GetOptions extends TransferOptions {
  /** Where to start reading (0). */
  offset?: number;
  /** Most bytes to read (to the end of the file). */
  length?: number;
  /**
   * Receive buffers to read into: each chunk the stream yields is then a view of one of them,
   * and the reader gives it back (`pool.give(chunk)`) once done with its bytes.
   */
  pool?: BufferPool;
}

/**
 * Options of `SftpClient.put`.
 *
 * @example
 * ```ts
 * import type { PutOptions } from "@hush/sftp";
 * const options: PutOptions = { mode: 0o600, attributes: { atime: 0, mtime: 0 } };
 * ```
 */
export interface PutOptions extends TransferOptions {
  /** Where to start writing; from a non-zero offset the file is not truncated (0). */
  offset?: number;
  /** Permissions of a new file (0o644, less the server's umask). */
  mode?: number;
  /** Attributes set (FSETSTAT) once all data is written, before the close: `-p`'s times. */
  attributes?: FileAttributes;
  /** Flush to disk before the close (`fsync@openssh.com`, when offered). */
  fsync?: boolean;
  /** The source's size, for progress (0: unknown). */
  total?: number;
}

/**
 * Options of `SftpClient.fastGet` and `fastPut`.
 *
 * @example
 * ```ts
 * import type { FastTransferOptions } from "@hush/sftp";
 * const options: FastTransferOptions = { recursive: true, preserve: true, resume: true };
 * ```
 */
export interface FastTransferOptions extends TransferOptions {
  /** The local file system (the client's `local` by default). */
  fs?: SftpFileSystem;
  /** Continue a partial copy from its size. */
  resume?: boolean;
  /** Copy directories and what they hold. */
  recursive?: boolean;
  /** Keep permissions and access and modification times. */
  preserve?: boolean;
  /** Flush uploads to disk on the server before closing them. */
  fsync?: boolean;
}

/** What `put` takes. */
export type PutSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array;

/** Bytes a local file is read by when uploading (several requests' worth per read). */
const LOCAL_READ_SIZE = 256 * 1024;

/**
 * Bytes per request: as OpenSSH's sftp, the server's read or write length when it states one
 * (`limits@openssh.com`), else 32 KiB; never past what one of our packets can carry.
 */
function chunkSize(requested: number | undefined, serverLimit: number): number {
  const limit = Math.max(1, Math.min(serverLimit || DEFAULT_CHUNK_SIZE, READ_LENGTH_LIMIT));
  const n = requested ?? limit;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Bad chunk size: ${n}`);
  return Math.min(n, limit);
}

function concurrency(requested: number | undefined): number {
  const n = requested ?? DEFAULT_REQUESTS_IN_FLIGHT;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Bad concurrency: ${n}`);
  return n;
}

interface ReadRequest {
  offset: number;
  length: number;
  reply: Promise<Uint8Array | null>;
}

/** `SftpClient.get`: reads ahead, delivers in order, re-asks for the rest of a short read. */
export function get(
  client: SftpClient,
  path: string,
  options: GetOptions = {},
): ReadableStream<Uint8Array> {
  const size = chunkSize(options.chunkSize, client.limits.maxReadLength);
  const inFlight = concurrency(options.concurrency);
  const start = options.offset ?? 0;
  const end = options.length === undefined ? Infinity : start + options.length;
  if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`Bad offset: ${start}`);
  let file: SftpFile | undefined;
  let total = 0;
  // reads go ahead up to the size the file had when opened; past it, one at a time, to find its
  // end (or what it grew by: a file that grows while it is read is rare, and read slowly)
  let limit = end;
  let probing = false;
  let next = start;
  let delivered = start;
  let eof = false;
  const queue: ReadRequest[] = [];
  const ask = (offset: number, length: number): ReadRequest => {
    const reply = client.read(file!, offset, length, { pool: options.pool });
    reply.catch(() => {}); // awaited in order later; a rejection before then is not unhandled
    return { offset, length, reply };
  };
  const finish = async () => {
    eof = true;
    queue.length = 0;
    const f = file;
    file = undefined;
    await f?.close().catch(() => {});
  };
  let onAbort: (() => void) | undefined;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      options.signal?.throwIfAborted();
      file = await client.open(path, "r");
      const size = (await file.stat()).size;
      if (size !== undefined) {
        total = size;
        limit = Math.min(end, Math.max(size, start));
      }
      if (options.signal) {
        onAbort = () => {
          controller.error(options.signal!.reason);
          void finish();
        };
        options.signal.addEventListener("abort", onAbort, { once: true });
      }
    },
    async pull(controller) {
      try {
        if (queue.length === 0 && next >= limit && limit < end) {
          probing = true;
          limit = end;
        }
        // refilled by halves: the READs of a refill leave in one socket write, not one each
        const refill = probing ? queue.length === 0 : queue.length <= inFlight >> 1;
        while (refill && !eof && queue.length < (probing ? 1 : inFlight) && next < limit) {
          const length = Math.min(size, limit - next);
          queue.push(ask(next, length));
          next += length;
        }
        const head = queue.shift();
        if (!head) {
          await finish();
          options.signal?.removeEventListener("abort", onAbort!);
          controller.close();
          return;
        }
        const data = await head.reply;
        if (eof) return; // cancelled meanwhile
        if (data === null || data.length === 0) {
          await finish();
          options.signal?.removeEventListener("abort", onAbort!);
          controller.close();
          return;
        }
        if (data.length > head.length) {
          throw new SftpError(`Bad message: asked for ${head.length} bytes, got ${data.length}`);
        }
        // a short read is not the end: ask for the rest before anything after it
        if (data.length < head.length) {
          queue.unshift(ask(head.offset + data.length, head.length - data.length));
        }
        delivered += data.length;
        controller.enqueue(data);
        options.onProgress?.({ path, transferred: delivered, total });
      } catch (e) {
        await finish();
        options.signal?.removeEventListener("abort", onAbort!);
        throw e;
      }
    },
    async cancel() {
      options.signal?.removeEventListener("abort", onAbort!);
      await finish();
    },
  }, { highWaterMark: 0 });
}

async function* chunks(source: PutSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (source instanceof ReadableStream) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<Uint8Array>;
}

/** `SftpClient.put`: writes in pieces with many in flight; counts the acknowledged prefix. */
export async function put(
  client: SftpClient,
  source: PutSource,
  path: string,
  options: PutOptions = {},
): Promise<number> {
  const size = chunkSize(options.chunkSize, client.limits.maxWriteLength);
  const inFlight = concurrency(options.concurrency);
  const start = options.offset ?? 0;
  if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`Bad offset: ${start}`);
  options.signal?.throwIfAborted();
  const flags = OpenFlag.WRITE | OpenFlag.CREAT | (start > 0 ? 0 : OpenFlag.TRUNC);
  const file = await client.open(path, flags, { mode: options.mode ?? 0o644 });
  // writes finish in any order; `acked` is the end of the prefix whose writes all succeeded
  const order: { end: number; done: boolean }[] = [];
  let acked = start;
  let failure: unknown;
  let running = 0;
  let wake: (() => void) | undefined;
  const settled = () => {
    running--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const slot = async (limit: number) => {
    while (running >= limit) await new Promise<void>((r) => (wake = r));
  };
  const total = options.total ?? 0;
  const send = (offset: number, data: Uint8Array) => {
    const entry = { end: offset + data.length, done: false };
    order.push(entry);
    running++;
    client.write(file, offset, data).then(() => {
      entry.done = true;
      while (order.length && order[0].done) acked = order.shift()!.end;
      options.onProgress?.({ path, transferred: acked, total });
    }, (e) => {
      failure ??= e;
    }).finally(settled);
  };
  let offset = start;
  try {
    for await (const chunk of chunks(source)) {
      for (let o = 0; o < chunk.length && failure === undefined; o += size) {
        options.signal?.throwIfAborted();
        await slot(inFlight);
        if (failure !== undefined) break;
        const piece = chunk.subarray(o, Math.min(o + size, chunk.length));
        send(offset, piece);
        offset += piece.length;
      }
      if (failure !== undefined) break;
    }
    await slot(1);
    if (failure !== undefined) throw failure;
    options.signal?.throwIfAborted();
    if (options.attributes) await file.setstat(options.attributes);
    if (options.fsync && client.supports("fsync@openssh.com")) await file.sync();
  } catch (e) {
    failure ??= e;
    await slot(1);
    await file.close().catch(() => {});
    throw transferError(failure, "put", path, acked - start);
  }
  try {
    await file.close();
  } catch (e) {
    throw transferError(e, "put", path, acked - start);
  }
  return offset - start;
}

/** The error of a failed transfer: the cause's status code and words, and the bytes moved. */
function transferError(e: unknown, what: string, path: string, moved: number): SftpError {
  const aborted = e instanceof Error && (e.name === "AbortError" || e.name === "TimeoutError");
  const code = e instanceof SftpError ? e.statusCode : StatusCode.FAILURE;
  const words = aborted ? "cancelled" : (e as Error)?.message ?? String(e);
  return new SftpError(`Cannot ${what} ${JSON.stringify(path)} after ${moved} bytes: ${words}`, {
    code,
    path,
    bytesTransferred: moved,
    cause: e,
  });
}

function localFs(client: SftpClient, options: FastTransferOptions): SftpFileSystem {
  const fs = options.fs ?? client.local;
  if (!fs) {
    throw new TypeError("fastGet and fastPut need a local file system (options.fs or local)");
  }
  return fs;
}

async function lstatOrUndefined(
  fs: SftpFileSystem,
  path: string,
): Promise<FileStats | undefined> {
  try {
    return await fs.lstat(path);
  } catch {
    return undefined;
  }
}

async function statOrUndefined(fs: SftpFileSystem, path: string): Promise<FileStats | undefined> {
  try {
    return await fs.stat(path);
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return undefined;
    throw e;
  }
}

/** A name from a server's READDIR that is safe to use as one local path segment. */
function safeName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !name.includes("/") &&
    !name.includes("\0");
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** `SftpClient.fastGet`. */
export async function fastGet(
  client: SftpClient,
  remotePath: string,
  localPath: string,
  options: FastTransferOptions = {},
): Promise<number> {
  const fs = localFs(client, options);
  const attrs = await client.stat(remotePath);
  if (isDirectoryMode(attrs.mode)) {
    if (!options.recursive) {
      throw new SftpError(`Cannot get ${JSON.stringify(remotePath)}: it is a directory`, {
        statusCode: StatusCode.FAILURE,
        path: remotePath,
      });
    }
    return await getTree(client, fs, remotePath, localPath, attrs, options);
  }
  return await getFile(client, fs, remotePath, localPath, attrs, options);
}

async function getFile(
  client: SftpClient,
  fs: SftpFileSystem,
  remotePath: string,
  localPath: string,
  attrs: FileAttributes,
  options: FastTransferOptions,
): Promise<number> {
  const size = attrs.size ?? 0;
  // A symbolic link is written through, as OpenSSH's sftp does: the copy goes next to what it
  // points at and replaces that, and the link stays. A link to nothing gets its target created.
  const link = await lstatOrUndefined(fs, localPath);
  const isLink = link !== undefined && isSymlinkMode(link.mode);
  if (isLink) localPath = await fs.realpath(localPath).catch(() => localPath);
  // A destination that exists and is not a regular file (/dev/null, a FIFO, a terminal) is
  // written into, as OpenSSH's sftp does: renaming a finished copy over it would replace the
  // device with a file.
  const existing = await statOrUndefined(fs, localPath);
  const inPlace = (isLink && existing === undefined) ||
    (existing !== undefined && !isRegularFileMode(existing.mode) &&
      !isDirectoryMode(existing.mode));
  const part = inPlace ? localPath : `${localPath}.part`;
  let start = 0;
  if (options.resume && !inPlace) {
    const partial = await statOrUndefined(fs, part);
    if (partial) start = partial.size;
    else {
      if (existing && isRegularFileMode(existing.mode)) {
        start = existing.size;
        await fs.rename(localPath, part);
      }
    }
    if (start > size) {
      throw new SftpError(
        `Cannot resume ${JSON.stringify(remotePath)}: the local copy is larger than it`,
        { statusCode: StatusCode.FAILURE, path: remotePath, bytesTransferred: 0 },
      );
    }
  }
  const mode = ((attrs.mode ?? 0o644) & 0o777) | 0o200;
  const out = await fs.open(
    part,
    OpenFlag.WRITE | OpenFlag.CREAT | (start > 0 ? 0 : OpenFlag.TRUNC),
    mode,
  );
  let position = start;
  // a local file that is done with each write's bytes lets the receive buffers go round
  const pool = out.writesAreDone ? new BufferPool() : undefined;
  try {
    const stream = client.get(remotePath, {
      offset: start,
      concurrency: options.concurrency,
      chunkSize: options.chunkSize,
      signal: options.signal,
      pool,
    });
    for await (const chunk of stream) {
      await out.write(position, chunk);
      pool?.give(chunk);
      position += chunk.length;
      options.onProgress?.({ path: remotePath, transferred: position, total: size });
    }
  } catch (e) {
    await out.close().catch(() => {});
    throw transferError(e, "get", remotePath, position - start);
  }
  await out.close();
  if (inPlace) return position;
  if (options.preserve) {
    await fs.setAttributes(part, preserved(attrs));
  }
  await fs.rename(part, localPath);
  return position - start;
}

/** Mode and times to keep (`-p`): the permission bits and both times, where known. */
function preserved(attrs: FileAttributes): FileAttributes {
  const keep: FileAttributes = {};
  if (attrs.mode !== undefined) keep.mode = attrs.mode & 0o7777;
  if (attrs.atime !== undefined && attrs.mtime !== undefined) {
    keep.atime = attrs.atime;
    keep.mtime = attrs.mtime;
  }
  return keep;
}

async function getTree(
  client: SftpClient,
  fs: SftpFileSystem,
  remoteDir: string,
  localDir: string,
  attrs: FileAttributes,
  options: FastTransferOptions,
): Promise<number> {
  const existing = await statOrUndefined(fs, localDir);
  if (!existing) await fs.mkdir(localDir, ((attrs.mode ?? 0o755) & 0o777) | 0o700);
  else if (!isDirectoryMode(existing.mode)) {
    throw new SftpError(`Cannot get ${JSON.stringify(remoteDir)}: ${localDir} is not a directory`, {
      statusCode: StatusCode.FAILURE,
      path: remoteDir,
    });
  }
  let moved = 0;
  for (const entry of await client.list(remoteDir)) {
    if (!safeName(entry.filename)) continue; // a name that would leave the directory
    const remote = join(remoteDir, entry.filename);
    let entryAttrs = entry.attrs;
    if (isSymlinkMode(entryAttrs.mode)) entryAttrs = await client.stat(remote).catch(() => ({}));
    const local = join(localDir, entry.filename);
    if (isDirectoryMode(entryAttrs.mode)) {
      if (isSymlinkMode(entry.attrs.mode)) continue; // links to directories could loop
      moved += await getTree(client, fs, remote, local, entryAttrs, options);
    } else if (isRegularFileMode(entryAttrs.mode)) {
      moved += await getFile(client, fs, remote, local, entryAttrs, options);
    }
  }
  if (options.preserve) await fs.setAttributes(localDir, preserved(attrs));
  return moved;
}

/** `SftpClient.fastPut`. */
export async function fastPut(
  client: SftpClient,
  localPath: string,
  remotePath: string,
  options: FastTransferOptions = {},
): Promise<number> {
  const fs = localFs(client, options);
  const stats = await fs.stat(localPath);
  if (isDirectoryMode(stats.mode)) {
    if (!options.recursive) {
      throw new SftpError(`Cannot put ${localPath}: it is a directory`, {
        statusCode: StatusCode.FAILURE,
        path: remotePath,
      });
    }
    return await putTree(client, fs, localPath, remotePath, stats, options);
  }
  return await putFile(client, fs, localPath, remotePath, stats, options);
}

async function putFile(
  client: SftpClient,
  fs: SftpFileSystem,
  localPath: string,
  remotePath: string,
  stats: FileStats,
  options: FastTransferOptions,
): Promise<number> {
  let start = 0;
  if (options.resume) {
    const remote = await client.stat(remotePath).catch((e) => {
      if (e instanceof SftpError && e.statusCode === StatusCode.NO_SUCH_FILE) return undefined;
      throw e;
    });
    start = remote?.size ?? 0;
    if (start > stats.size) {
      throw new SftpError(
        `Cannot resume ${JSON.stringify(remotePath)}: it is larger than ${localPath}`,
        { statusCode: StatusCode.FAILURE, path: remotePath, bytesTransferred: 0 },
      );
    }
  }
  const file = await fs.open(localPath, OpenFlag.READ, 0);
  // whole requests per read; and one buffer for them all where the file can read into it: put
  // copies each piece into its request before it asks for the next chunk
  const size = chunkSize(options.chunkSize, client.limits.maxWriteLength);
  const readSize = Math.max(1, Math.floor(LOCAL_READ_SIZE / size)) * size;
  const buffer = file.readInto ? new Uint8Array(readSize) : undefined;
  const source = async function* () {
    for (let position = start;;) {
      const data = buffer
        ? buffer.subarray(0, await file.readInto!(position, buffer))
        : await file.read(position, readSize);
      if (data.length === 0) return;
      position += data.length;
      yield data;
    }
  };
  try {
    return await put(client, source(), remotePath, {
      offset: start,
      mode: stats.mode & 0o777,
      attributes: options.preserve ? preserved(stats) : undefined,
      fsync: options.fsync,
      total: stats.size,
      concurrency: options.concurrency,
      chunkSize: options.chunkSize,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  } finally {
    await file.close().catch(() => {});
  }
}

async function putTree(
  client: SftpClient,
  fs: SftpFileSystem,
  localDir: string,
  remoteDir: string,
  stats: FileStats,
  options: FastTransferOptions,
): Promise<number> {
  const existing = await client.stat(remoteDir).catch(() => undefined);
  if (!existing) await client.mkdir(remoteDir, { mode: (stats.mode & 0o777) | 0o700 });
  else if (!isDirectoryMode(existing.mode)) {
    throw new SftpError(`Cannot put ${localDir}: ${remoteDir} is not a directory`, {
      statusCode: StatusCode.FAILURE,
      path: remoteDir,
    });
  }
  let moved = 0;
  for (const name of (await fs.readdir(localDir)).sort()) {
    const local = join(localDir, name);
    const remote = join(remoteDir, name);
    let entry = await fs.lstat(local);
    const link = isSymlinkMode(entry.mode);
    if (link) entry = await fs.stat(local).catch(() => entry);
    if (isDirectoryMode(entry.mode)) {
      if (link) continue; // links to directories could loop
      moved += await putTree(client, fs, local, remote, entry, options);
    } else if (isRegularFileMode(entry.mode)) {
      moved += await putFile(client, fs, local, remote, entry, options);
    }
  }
  if (options.preserve) await client.setstat(remoteDir, preserved(stats));
  return moved;
}
