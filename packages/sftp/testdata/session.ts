/**
 * Shared set-up of the sftp tests: a client and a server over an in-memory pair, and a raw
 * session that sends packets by hand and reads the server's replies.
 * @module
 */
import {
  decodeSftpPacket,
  encodeSftpPacket,
  serveSftp,
  SftpClient,
  type SftpClientOptions,
  type SftpDuplex,
  type SftpFileSystem,
  type SftpMessage,
  sftpPacketStream,
  type SftpServerOptions,
} from "../mod.ts";
import { memoryFileSystem, sftpPair } from "../testing.ts";

/** A connected client and server over memory. */
export interface Pair {
  sftp: SftpClient;
  fs: SftpFileSystem;
  served: Promise<void>;
  close(): Promise<void>;
}

/** Starts a server on `fs` (a fresh memory one by default) and a client to it. */
export async function pair(
  server: Partial<SftpServerOptions> = {},
  client: SftpClientOptions = {},
  wrap: (d: SftpDuplex) => SftpDuplex = (d) => d,
): Promise<Pair> {
  const fs = server.fs ?? memoryFileSystem();
  const [a, b] = sftpPair();
  const served = serveSftp(b, { ...server, fs });
  const sftp = await SftpClient.start(wrap(a), client);
  return {
    sftp,
    fs,
    served,
    close: async () => {
      await sftp.close();
      await served;
    },
  };
}

/** A hand-driven client: raw packets out, decoded replies in. */
export interface RawSession {
  send(m: SftpMessage | Uint8Array): Promise<void>;
  next(): Promise<SftpMessage | undefined>;
  served: Promise<void>;
  close(): Promise<void>;
}

/** Starts a server and a raw session to it, INIT and VERSION already exchanged. */
export async function rawSession(
  server: Partial<SftpServerOptions> = {},
  wrapServer: (d: SftpDuplex) => SftpDuplex = (d) => d,
): Promise<RawSession> {
  const fs = server.fs ?? memoryFileSystem();
  const [a, b] = sftpPair();
  const served = serveSftp(wrapServer(b), { ...server, fs });
  const writer = a.writable.getWriter();
  const reader = a.readable.pipeThrough(sftpPacketStream()).getReader();
  const session: RawSession = {
    send: (m) => writer.write(m instanceof Uint8Array ? m : encodeSftpPacket(m)),
    next: async () => {
      const { value, done } = await reader.read();
      return done ? undefined : decodeSftpPacket(value);
    },
    served,
    close: async () => {
      await writer.close().catch(() => {});
      await served;
    },
  };
  await session.send({ type: "init", version: 3, extensions: [] });
  await session.next();
  return session;
}

/**
 * `d` with writes that copy each chunk before they settle, and say so (`writesAreDone`), as an
 * SSH channel does; `seen` is shown each chunk first.
 */
export function copyingWrites(d: SftpDuplex, seen: (chunk: Uint8Array) => void): SftpDuplex {
  const w = d.writable.getWriter();
  return {
    readable: d.readable,
    writable: new WritableStream({
      write: async (chunk) => {
        seen(chunk);
        await w.write(chunk.slice());
      },
      close: () => w.close(),
      abort: (e) => w.abort(e),
    }),
    writesAreDone: true,
  };
}

/** Bytes 0..n-1 of a fixed pseudo-random sequence. */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Writes a whole file on a file system. */
export async function writeFile(fs: SftpFileSystem, path: string, data: Uint8Array, mode = 0o644) {
  const f = await fs.open(path, 0x1a, mode);
  await f.write(0, data);
  await f.close();
}

/** Reads a whole file of a file system. */
export async function readFile(fs: SftpFileSystem, path: string): Promise<Uint8Array> {
  const f = await fs.open(path, 0x01, 0);
  const size = (await f.stat()).size;
  const data = await f.read(0, size);
  await f.close();
  return data;
}

const FS_METHODS = [
  "open",
  "stat",
  "lstat",
  "setAttributes",
  "readdir",
  "mkdir",
  "rmdir",
  "remove",
  "rename",
  "link",
  "symlink",
  "readlink",
  "realpath",
  "statvfs",
  "userNames",
  "groupNames",
] as const;

/** `fs` with some methods replaced (or removed, given `undefined`). */
export function withOverrides(
  fs: SftpFileSystem,
  overrides: Partial<Record<(typeof FS_METHODS)[number], unknown>>,
): SftpFileSystem {
  const out: Record<string, unknown> = {};
  for (const k of FS_METHODS) {
    const method = (fs as unknown as Record<string, unknown>)[k];
    if (typeof method === "function") out[k] = method.bind(fs);
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as unknown as SftpFileSystem;
}
