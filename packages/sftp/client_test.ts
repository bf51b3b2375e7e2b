import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BufferPool,
  isDirectoryMode,
  isSymlinkMode,
  type SftpDuplex,
  SftpError,
  type SftpFileSystem,
  StatusCode,
} from "./mod.ts";
import { SshError } from "@hush/wire";
import { memoryFileSystem } from "./testing.ts";
import { FileType } from "./file_mode.ts";
import {
  copyingWrites,
  pair,
  pattern,
  readFile,
  withOverrides,
  writeFile,
} from "./testdata/session.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

async function rejectsWith(p: Promise<unknown>, code: number, what = ""): Promise<SftpError> {
  let error: unknown;
  await p.then(() => assert.fail(`${what} should fail`), (e) => (error = e));
  assert.ok(error instanceof SftpError, `${what}: ${error}`);
  assert.ok(error instanceof SshError);
  assert.equal(error.code, "ERR_SSH_SFTP");
  assert.equal(error.statusCode, code, `${what}: ${error.message}`);
  return error;
}

test("a request made once close() has begun fails as a closed session; the close completes", async () => {
  const { sftp, served } = await pair();
  const first = sftp.stat("/"); // asked before: answered
  const closing = sftp.close();
  const e = await rejectsWith(sftp.stat("/"), StatusCode.CONNECTION_LOST, "stat during close");
  assert.equal(e.message, "Connection lost: the session was closed");
  assert.equal((await first).size, 0);
  await closing;
  await served;
});

test("start: version 3, the server's extensions and limits", async () => {
  const { sftp, close } = await pair();
  assert.equal(sftp.version, 3);
  assert.ok(sftp.supports("posix-rename@openssh.com"));
  assert.ok(sftp.supports("limits@openssh.com"));
  assert.equal(sftp.extensions.get("statvfs@openssh.com"), "2");
  assert.deepEqual(sftp.limits, {
    maxPacketLength: 262144,
    maxReadLength: 261120,
    maxWriteLength: 261120,
    maxOpenHandles: 512,
  });
  await close();
});

test("open, write, read, fstat and close; read at the end is null", async () => {
  const { sftp, fs, close } = await pair();
  const file = await sftp.open("/a.txt", "w+", { mode: 0o600 });
  await file.write(0, bytes("hello "));
  await file.write(6, bytes("world"));
  assert.equal(text((await file.read(0, 100))!), "hello world");
  assert.equal(await file.read(11, 10), null);
  const attrs = await file.stat();
  assert.equal(attrs.size, 11);
  assert.equal(attrs.mode! & 0o777, 0o600);
  await file.close();
  await rejectsWith(file.close(), StatusCode.FAILURE, "second close");
  assert.equal(text(await readFile(fs, "/a.txt")), "hello world");
  await close();
});

test("stat family, setstat, mkdir, rmdir, remove, realpath", async () => {
  const { sftp, close } = await pair({ umask: 0o022 });
  await sftp.mkdir("/d", { mode: 0o777 });
  const d = await sftp.stat("/d");
  assert.ok(isDirectoryMode(d.mode));
  assert.equal(d.mode! & 0o777, 0o755, "umask applied");
  await sftp.put(bytes("x"), "/d/f");
  await sftp.setstat("/d/f", { mode: 0o640, atime: 1000, mtime: 2000 });
  const f = await sftp.stat("/d/f");
  assert.deepEqual([f.mode! & 0o7777, f.atime, f.mtime, f.size], [0o640, 1000, 2000, 1]);
  await rejectsWith(sftp.rmdir("/d"), StatusCode.FAILURE, "rmdir of a non-empty directory");
  assert.equal(await sftp.realpath("d/../d/./f"), "/d/f");
  assert.equal(await sftp.realpath("."), "/");
  await rejectsWith(sftp.realpath("/nope/x"), StatusCode.NO_SUCH_FILE, "missing directory");
  assert.equal(await sftp.realpath("/nope"), "/nope", "a missing last component is fine");
  await sftp.remove("/d/f");
  await sftp.rmdir("/d");
  assert.equal(await sftp.exists("/d"), false);
  await rejectsWith(sftp.stat("/d"), StatusCode.NO_SUCH_FILE, "stat of a missing path");
  await close();
});

test("symlink, readlink, lstat and lsetstat", async () => {
  const { sftp, close } = await pair();
  await sftp.put(bytes("target"), "/t");
  await sftp.symlink("t", "/l");
  assert.equal(await sftp.readlink("/l"), "t");
  assert.ok(isSymlinkMode((await sftp.lstat("/l")).mode));
  assert.equal((await sftp.stat("/l")).size, 6);
  await sftp.lsetstat("/l", { atime: 5, mtime: 6 });
  assert.equal((await sftp.lstat("/l")).mtime, 6);
  assert.notEqual((await sftp.stat("/l")).mtime, 6);
  await close();
});

test("rename fails onto an existing name; overwrite uses posix-rename", async () => {
  const { sftp, close } = await pair();
  await sftp.put(bytes("a"), "/a");
  await sftp.put(bytes("b"), "/b");
  await rejectsWith(sftp.rename("/a", "/b"), StatusCode.FAILURE, "plain rename");
  await sftp.rename("/a", "/b", { overwrite: true });
  assert.equal(text(await sftp.readFile("/b")), "a");
  await sftp.rename("/b", "/c");
  assert.deepEqual((await sftp.list("/")).map((e) => e.filename), ["c"]);
  await close();
});

test("readdir returns every name over several READDIR batches, with ls -l lines", async () => {
  const { sftp, fs, close } = await pair();
  await fs.mkdir("/many", 0o755);
  for (let i = 0; i < 250; i++) await writeFile(fs, `/many/f${i}`, pattern(i));
  const entries = await sftp.list("/many");
  assert.equal(entries.length, 250);
  const f7 = entries.find((e) => e.filename === "f7")!;
  assert.equal(f7.attrs.size, 7);
  assert.match(f7.longname, /^-rw-r--r-- +1 root +root +7 \w{3} [ \d]\d .* f7$/);
  const all = await sftp.list("/many", { all: true });
  assert.deepEqual(all.slice(0, 2).map((e) => e.filename), [".", ".."]);
  // leaving the loop early closes the directory handle
  for await (const _ of sftp.readdir("/many")) break;
  await close();
});

test("OpenSSH's extensions: statvfs, fstatvfs, fsync, hardlink, copy-data, names", async () => {
  const { sftp, close } = await pair({ user: "me", home: "/home/me" });
  await sftp.mkdir("/home");
  await sftp.mkdir("/home/me");
  const vfs = await sftp.statvfs("/");
  assert.equal(vfs.nameMax, 255);
  await sftp.put(pattern(100_000), "/home/me/src", { mode: 0o604 });
  const file = await sftp.open("/home/me/src", "r");
  assert.equal((await sftp.fstatvfs(file)).blockSize, 4096);
  await file.close();
  const w = await sftp.open("/home/me/w", "w");
  await w.sync();
  await w.close();
  await sftp.hardlink("/home/me/src", "/home/me/hard");
  assert.deepEqual(await sftp.readFile("/home/me/hard"), pattern(100_000));
  await sftp.copyFile("/home/me/src", "/home/me/copy");
  assert.deepEqual(await sftp.readFile("/home/me/copy"), pattern(100_000));
  assert.equal((await sftp.stat("/home/me/copy")).mode! & 0o777, 0o604);
  assert.equal(await sftp.homeDirectory(), "/home/me");
  assert.equal(await sftp.homeDirectory("me"), "/home/me");
  await rejectsWith(sftp.homeDirectory("other"), StatusCode.FAILURE, "another user's home");
  assert.equal(await sftp.expandPath("~/src"), "/home/me/src");
  assert.equal(await sftp.expandPath("~me"), "/home/me");
  assert.equal(await sftp.realpath("src"), "/home/me/src", "relative paths start at home");
  assert.deepEqual(await sftp.usersGroupsById([0, 4242], [0]), {
    users: ["root", ""],
    groups: ["root"],
  });
  await close();
});

test("an extension the server does not offer is refused without asking", async () => {
  const fs = memoryFileSystem();
  const noLinks: SftpFileSystem = withOverrides(fs, { link: undefined });
  const { sftp, close } = await pair({ fs: noLinks });
  assert.equal(sftp.supports("hardlink@openssh.com"), false);
  await rejectsWith(sftp.hardlink("/a", "/b"), StatusCode.OP_UNSUPPORTED, "hardlink");
  const raw = await sftp.extended({
    extension: "hardlink@openssh.com",
    oldPath: "/a",
    newPath: "/b",
  })
    .catch((e) => e);
  assert.equal(
    (raw as SftpError).statusCode,
    StatusCode.OP_UNSUPPORTED,
    "the server refuses it too",
  );
  await close();
});

test("errors carry the status and the path", async () => {
  const { sftp, close } = await pair({ readOnly: true });
  const e = await rejectsWith(sftp.open("/x", "w"), StatusCode.PERMISSION_DENIED, "write open");
  assert.equal(e.path, "/x");
  assert.equal(e.message, 'Cannot open "/x": Permission denied');
  await rejectsWith(sftp.mkdir("/d"), StatusCode.PERMISSION_DENIED, "mkdir");
  await rejectsWith(sftp.open("/missing", "r"), StatusCode.NO_SUCH_FILE, "read open");
  await close();
});

test("put and get: many megabytes intact, in order, both ways", async () => {
  const { sftp, close } = await pair();
  const data = pattern(3 * 1024 * 1024 + 17);
  assert.equal(await sftp.put(data, "/big"), data.length);
  assert.equal((await sftp.stat("/big")).size, data.length);
  assert.deepEqual(await sftp.readFile("/big"), data);
  const parts: Uint8Array[] = [];
  for await (const c of sftp.get("/big", { offset: 1000, length: 70_000, chunkSize: 4096 })) {
    parts.push(c);
  }
  assert.deepEqual(
    new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer()),
    data.subarray(1000, 71_000),
  );
  await close();
});

test("put from a stream, and from an offset without truncating", async () => {
  const { sftp, close } = await pair();
  const data = pattern(200_000);
  const stream = ReadableStream.from([data.subarray(0, 70_000), data.subarray(70_000)]);
  assert.equal(await sftp.put(stream, "/f"), 200_000);
  await sftp.put(bytes("XY"), "/f", { offset: 10 });
  const back = await sftp.readFile("/f");
  assert.equal(back.length, 200_000);
  assert.equal(text(back.subarray(10, 12)), "XY");
  await close();
});

/** A file system whose reads wait until `release()`, counting the reads waiting. */
function gatedFs(): { fs: SftpFileSystem; release: () => void } {
  const fs = memoryFileSystem();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const gated: SftpFileSystem = withOverrides(fs, {
    open: async (path: string, flags: number, mode: number) => {
      const f = await fs.open(path, flags, mode);
      return { ...f, read: async (p: number, n: number) => (await gate, f.read(p, n)) };
    },
  });
  return { fs: gated, release };
}

/** Counts READ and WRITE packets the client sends (its duplex, wrapped). */
function counting(d: SftpDuplex, seen: { reads: number; writes: number }): SftpDuplex {
  // room for every write the client makes: counted as sent, as a channel's window would take them
  const tap = new TransformStream<Uint8Array, Uint8Array>(
    {
      transform(chunk, c) {
        // a chunk holds whole packets (small requests made together share one); byte 4 of
        // each is its type
        const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
        for (let at = 0; at < chunk.length; at += 4 + view.getUint32(at)) {
          if (chunk[at + 4] === 5) seen.reads++;
          if (chunk[at + 4] === 6) seen.writes++;
        }
        c.enqueue(chunk);
      },
    },
    { highWaterMark: 1024 },
    { highWaterMark: 1024 },
  );
  tap.readable.pipeTo(d.writable).catch(() => {});
  return { readable: d.readable, writable: tap.writable };
}

test("small requests made in one turn leave in one chunk, in order, before a large one", async () => {
  const chunks: number[][] = [];
  const tap = (d: SftpDuplex): SftpDuplex => {
    const w = d.writable.getWriter();
    return {
      readable: d.readable,
      writable: new WritableStream({
        write: (chunk) => {
          const types: number[] = [];
          const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
          for (let at = 0; at < chunk.length; at += 4 + view.getUint32(at)) {
            types.push(chunk[at + 4]);
          }
          chunks.push(types);
          return w.write(chunk);
        },
        close: () => w.close(),
      }),
    };
  };
  const { sftp, close } = await pair({}, {}, tap);
  chunks.length = 0;
  const file = await sftp.open("/f", "w");
  chunks.length = 0;
  const done = Promise.all([
    sftp.mkdir("/a"),
    sftp.mkdir("/b"),
    sftp.write(file, 0, new Uint8Array(5000)),
    sftp.stat("/a"),
  ]);
  await done;
  // MKDIR 14, MKDIR 14, then the WRITE (6) alone, then STAT 17
  assert.deepEqual(chunks, [[14, 14], [6], [17]]);
  const closing = file.close(); // not awaited: close() still sends it first
  await close();
  await closing;
});

test("get keeps 64 reads in flight, of the server's limits@openssh.com read length", async () => {
  const { fs, release } = gatedFs();
  const seen = { reads: 0, writes: 0 };
  const { sftp, close } = await pair({ fs }, {}, (d) => counting(d, seen));
  await writeFile(fs, "/f", pattern(20 * 1024 * 1024));
  const reader = sftp.get("/f").getReader();
  const first = reader.read();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(seen.reads, 64, "reads sent before any answer");
  release();
  assert.equal((await first).value!.length, 261120, "as OpenSSH's sftp with its sftp-server");
  await reader.cancel();
  await close();
});

test("without limits@openssh.com, transfers use 32 KiB requests", async () => {
  const seen = { reads: 0, writes: 0 };
  const extensions = ["posix-rename@openssh.com"] as const;
  const { sftp, fs, close } = await pair({ extensions }, {}, (d) => counting(d, seen));
  assert.equal(sftp.supports("limits@openssh.com"), false);
  assert.equal(sftp.supports("statvfs@openssh.com"), false, "only what the server offers");
  assert.equal(sftp.limits.maxReadLength, 32768);
  await writeFile(fs, "/f", pattern(1 << 20));
  assert.equal((await sftp.readFile("/f")).length, 1 << 20);
  assert.equal(seen.reads, 32 + 1, "32 reads of 32 KiB, and the one that finds the end");
  await sftp.put(pattern(1 << 20), "/g", { chunkSize: 1 << 20 });
  assert.equal(seen.writes, 32, "a larger chunkSize is clipped to 32 KiB");
  await close();
});

test("put keeps 64 writes in flight, and concurrency and chunkSize change it", async () => {
  const seen = { reads: 0, writes: 0 };
  const fs = memoryFileSystem();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const gated: SftpFileSystem = withOverrides(fs, {
    open: async (path: string, flags: number, mode: number) => {
      const f = await fs.open(path, flags, mode);
      return { ...f, write: async (p: number, d: Uint8Array) => (await gate, f.write(p, d)) };
    },
  });
  const { sftp, close } = await pair({ fs: gated }, {}, (d) => counting(d, seen));
  const done = sftp.put(pattern(20 * 1024 * 1024), "/f");
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(seen.writes, 64);
  release();
  await done;
  seen.writes = 0;
  await sftp.put(pattern(1024 * 1024), "/g", { chunkSize: 1 << 20, concurrency: 2 });
  assert.equal(seen.writes, 5, "clipped to the server's 255 KiB write limit");
  await close();
});

test("short reads are asked again, and data arrives in order", async () => {
  const fs = memoryFileSystem();
  const short: SftpFileSystem = withOverrides(fs, {
    open: async (path: string, flags: number, mode: number) => {
      const f = await fs.open(path, flags, mode);
      let n = 0;
      return { ...f, read: (p: number, len: number) => f.read(p, ++n % 3 ? len : len >> 1) };
    },
  });
  const { sftp, close } = await pair({ fs: short });
  const data = pattern(1_000_000);
  await sftp.put(data, "/f");
  assert.deepEqual(await sftp.readFile("/f"), data);
  await close();
});

test("get stops on abort and on cancel, closing the handle", async () => {
  const { sftp, fs, close } = await pair();
  await writeFile(fs, "/f", pattern(4 * 1024 * 1024));
  const controller = new AbortController();
  const stream = sftp.get("/f", { signal: controller.signal });
  const reader = stream.getReader();
  await reader.read();
  controller.abort();
  await assert.rejects(async () => {
    for (;;) if ((await reader.read()).done) break;
  }, { name: "AbortError" });
  for (let i = 0; i < 600; i++) {
    // were the handles leaked, the 512-handle table would fill
    const r = sftp.get("/f").getReader();
    await r.read();
    await r.cancel();
  }
  await close();
});

test("a failed put says how many bytes the server acknowledged", async () => {
  const fs = memoryFileSystem({ capacity: 1_000_000 });
  const { sftp, close } = await pair({ fs });
  const e = await rejectsWith(sftp.put(pattern(3_000_000), "/f"), StatusCode.FAILURE, "put");
  assert.ok(e.bytesTransferred !== undefined);
  assert.ok(
    e.bytesTransferred! <= 1_000_000 && e.bytesTransferred! > 1_000_000 - 261120,
    `${e.bytesTransferred}`,
  );
  assert.equal(e.bytesTransferred! % 261120, 0, "a whole number of acknowledged writes");
  const onServer = await readFile(fs, "/f");
  assert.deepEqual(
    onServer.subarray(0, e.bytesTransferred),
    pattern(3_000_000).subarray(0, e.bytesTransferred),
  );
  await close();
});

test("reads with a pool land in its buffers; fastGet reuses them when writes are done", async () => {
  const local = memoryFileSystem();
  const { sftp, fs, close } = await pair({}, { local });
  await writeFile(fs, "/r", pattern(2_000_000, 5), 0o644);
  const pool = new BufferPool();
  const file = await sftp.open("/r", "r");
  const first = await sftp.read(file, 0, 1000, { pool });
  assert.deepEqual(first, pattern(2_000_000, 5).subarray(0, 1000));
  pool.give(first!);
  const again = await sftp.read(file, 1000, 1000, { pool });
  assert.equal(again!.buffer, first!.buffer, "the given-back buffer is used again");
  assert.deepEqual(again, pattern(2_000_000, 5).subarray(1000, 2000));
  assert.equal(await sftp.read(file, 2_000_000, 10, { pool }), null);
  await file.close();
  // fastGet's reads go round a pool: far fewer buffers than chunks
  const buffers = new Set<ArrayBufferLike>();
  const open = local.open.bind(local);
  local.open = async (path, flags, mode) => {
    const f = await open(path, flags, mode);
    const write = f.write.bind(f);
    return Object.assign(f, {
      write: (at: number, data: Uint8Array) => (buffers.add(data.buffer), write(at, data)),
    });
  };
  await sftp.fastGet("/r", "/r", { chunkSize: 10_000, concurrency: 4 });
  assert.deepEqual(await readFile(local, "/r"), pattern(2_000_000, 5));
  assert.ok(buffers.size <= 6, `${buffers.size} buffers for 200 chunks`);
  await close();
});

test("fastPut reads whole requests, into one buffer when the local file can read into it", async () => {
  const local = memoryFileSystem();
  const { sftp, fs, close } = await pair({}, { local });
  await writeFile(local, "/up", pattern(1_000_000, 7), 0o644);
  for (const into of [false, true]) {
    const reads: { length: number; buffer?: ArrayBufferLike }[] = [];
    const open = local.open.bind(local);
    local.open = async (path, flags, mode) => {
      const f = await open(path, flags, mode);
      const read = f.read.bind(f);
      const counted = {
        ...f,
        read: (at: number, length: number) => (reads.push({ length }), read(at, length)),
      };
      if (!into) return counted;
      return {
        ...counted,
        readInto: async (at: number, target: Uint8Array) => {
          reads.push({ length: target.length, buffer: target.buffer });
          const data = await read(at, target.length);
          target.set(data);
          return data.length;
        },
      };
    };
    await sftp.fastPut("/up", `/remote-${into}`, { chunkSize: 100_000 });
    assert.deepEqual(await readFile(fs, `/remote-${into}`), pattern(1_000_000, 7));
    assert.ok(reads.every((r) => r.length === 200_000), "two whole requests per read");
    if (into) assert.equal(new Set(reads.map((r) => r.buffer)).size, 1, "one buffer");
  }
  await close();
});

test("over a duplex whose writes are done when they settle, WRITE requests reuse buffers", async () => {
  const buffers = new Set<ArrayBufferLike>();
  let writes = 0;
  const copying = (d: SftpDuplex) =>
    copyingWrites(d, (chunk) => {
      if (chunk[4] === 6) (writes++, buffers.add(chunk.buffer));
    });
  const { sftp, fs, close } = await pair({}, {}, copying);
  const data = pattern(3_000_000, 11);
  assert.equal(await sftp.put(data, "/w", { chunkSize: 50_000, concurrency: 8 }), data.length);
  assert.deepEqual(await readFile(fs, "/w"), data);
  assert.equal(writes, 60);
  assert.ok(buffers.size <= 20, `${buffers.size} buffers for ${writes} writes`);
  await close();
});

test("fastGet and fastPut copy files between the local and remote file systems", async () => {
  const local = memoryFileSystem();
  const { sftp, fs, close } = await pair({}, { local });
  await writeFile(local, "/up", pattern(1_500_000, 3), 0o640);
  assert.equal(await sftp.fastPut("/up", "/remote"), 1_500_000);
  assert.deepEqual(await readFile(fs, "/remote"), pattern(1_500_000, 3));
  assert.equal((await fs.stat("/remote")).mode & 0o777, 0o640);
  const progress: number[] = [];
  await sftp.fastGet("/remote", "/down", { onProgress: (p) => progress.push(p.transferred) });
  assert.deepEqual(await readFile(local, "/down"), pattern(1_500_000, 3));
  assert.equal(progress.at(-1), 1_500_000);
  assert.deepEqual(await local.readdir("/"), ["up", "down"], "no .part left");
  await close();
});

test("recursive copies keep the tree, modes and times", async () => {
  const local = memoryFileSystem();
  const { sftp, fs, close } = await pair({}, { local });
  await local.mkdir("/tree", 0o750);
  await local.mkdir("/tree/sub", 0o700);
  await writeFile(local, "/tree/a", pattern(10), 0o600);
  await writeFile(local, "/tree/sub/b", pattern(70_000), 0o755);
  await local.symlink("a", "/tree/link-to-a");
  await local.setAttributes("/tree/a", { atime: 1_000_000, mtime: 1_500_000 });
  await local.setAttributes("/tree/sub", { atime: 2_000_000, mtime: 2_500_000 });
  await sftp.fastPut("/tree", "/copy", { recursive: true, preserve: true });
  assert.equal((await fs.stat("/copy/a")).mtime, 1_500_000);
  assert.equal((await fs.stat("/copy/a")).mode & 0o7777, 0o600);
  assert.equal((await fs.stat("/copy/sub")).mtime, 2_500_000);
  assert.equal((await fs.stat("/copy/sub/b")).mode & 0o7777, 0o755);
  assert.deepEqual(await readFile(fs, "/copy/link-to-a"), pattern(10), "links are followed");
  await sftp.fastGet("/copy", "/back", { recursive: true, preserve: true });
  assert.deepEqual(await readFile(local, "/back/sub/b"), pattern(70_000));
  assert.equal((await local.stat("/back/sub")).mtime, 2_500_000);
  assert.equal((await local.stat("/back")).mode & 0o7777, 0o750);
  await rejectsWith(
    sftp.fastGet("/copy", "/x"),
    StatusCode.FAILURE,
    "a directory without recursive",
  );
  await close();
});

test("a cut get leaves no truncated file under the final name, and resumes", async () => {
  const local = memoryFileSystem();
  const fs = memoryFileSystem();
  let failAt = 600_000;
  const flaky: SftpFileSystem = withOverrides(fs, {
    open: async (path: string, flags: number, mode: number) => {
      const f = await fs.open(path, flags, mode);
      return {
        ...f,
        read: (p: number, n: number) =>
          p >= failAt
            ? Promise.reject(Object.assign(new Error("cut"), { code: "EIO" }))
            : f.read(p, n),
      };
    },
  });
  const { sftp, close } = await pair({ fs: flaky }, { local });
  const data = pattern(1_000_000, 9);
  await writeFile(fs, "/f", data);
  const e = await rejectsWith(sftp.fastGet("/f", "/f"), StatusCode.FAILURE, "cut get");
  assert.equal(await local.stat("/f").then(() => true, () => false), false, "no /f");
  const part = await local.stat("/f.part");
  assert.equal(part.size, e.bytesTransferred);
  assert.equal(part.size, 3 * 261120, "every read before the one at 600 000 or past");
  failAt = Infinity;
  assert.equal(await sftp.fastGet("/f", "/f", { resume: true }), 1_000_000 - part.size);
  assert.deepEqual(await readFile(local, "/f"), data);
  await close();
});

test("fastPut resumes from the remote file's size", async () => {
  const local = memoryFileSystem();
  const { sftp, fs, close } = await pair({}, { local });
  const data = pattern(800_000, 5);
  await writeFile(local, "/f", data);
  await writeFile(fs, "/f", data.subarray(0, 300_000));
  assert.equal(await sftp.fastPut("/f", "/f", { resume: true }), 500_000);
  assert.deepEqual(await readFile(fs, "/f"), data);
  await close();
});

test("a session cut mid-request fails what is pending with CONNECTION_LOST", async () => {
  const { fs } = gatedFs();
  let cut!: (e: Error) => void;
  const { sftp } = await pair({ fs }, {}, (d) => {
    const tap = new TransformStream<Uint8Array, Uint8Array>({
      start: (c) => void (cut = (e) => c.error(e)),
    });
    d.readable.pipeTo(tap.writable).catch(() => {});
    return { readable: tap.readable, writable: d.writable };
  });
  await writeFile(fs, "/f", pattern(100));
  const file = await sftp.open("/f", "r");
  const pending = file.read(0, 10);
  cut(new Error("the connection dropped"));
  const e = await rejectsWith(pending, StatusCode.CONNECTION_LOST, "pending read");
  assert.equal(e.message, "Connection lost: the connection dropped");
  await rejectsWith(sftp.stat("/f"), StatusCode.CONNECTION_LOST, "after the end");
  await sftp.closed;
});

test("get reads ahead up to the size at open, then finds the end (or what the file grew by)", async () => {
  const seen = { reads: 0, writes: 0 };
  const { sftp, fs, close } = await pair({}, {}, (d) => counting(d, seen));
  await writeFile(fs, "/log", pattern(100_000));
  const reader = sftp.get("/log").getReader();
  assert.equal((await reader.read()).value!.length, 100_000);
  const f = await fs.open("/log", 0x02 | 0x04, 0); // append while it is being read
  await f.write(0, pattern(50_000, 7));
  await f.close();
  let rest = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += value.length;
  }
  assert.equal(rest, 50_000);
  assert.equal(seen.reads, 3, "the size's worth, the read that found the growth, the end");
  await close();
});

test("fastGet into a destination that is not a regular file (/dev/null) writes into it, never renames over it", async () => {
  const memory = memoryFileSystem();
  const sink: Uint8Array[] = [];
  const calls: string[] = [];
  // "/dev/null" here is a character device whose writes vanish, as the real one's do
  const local = withOverrides(memory, {
    stat: (path: string) =>
      path === "/dev/null"
        ? Promise.resolve({ mode: FileType.CHARACTER_DEVICE | 0o666, size: 0 })
        : memory.stat(path),
    open: (path: string, flags: number, mode: number) => {
      calls.push(`open ${path}`);
      if (path !== "/dev/null") return memory.open(path, flags, mode);
      return Promise.resolve({
        read: () => Promise.resolve(new Uint8Array(0)),
        write: (_position: number, data: Uint8Array) => {
          sink.push(data.slice());
          return Promise.resolve();
        },
        stat: () => Promise.resolve({ mode: FileType.CHARACTER_DEVICE | 0o666, size: 0 }),
        setAttributes: () => Promise.resolve(),
        close: () => Promise.resolve(),
      });
    },
    rename: (from: string, to: string) => {
      calls.push(`rename ${from} ${to}`);
      return memory.rename(from, to);
    },
    setAttributes: (path: string, attrs: object) => {
      calls.push(`setAttributes ${path}`);
      return memory.setAttributes(path, attrs);
    },
  });
  const { sftp, fs, close } = await pair({}, { local });
  await writeFile(fs, "/remote", pattern(100_000, 5), 0o600);
  assert.equal(await sftp.fastGet("/remote", "/dev/null", { preserve: true }), 100_000);
  assert.deepEqual(calls, ["open /dev/null"], "no .part, no rename, no chmod of the device");
  assert.equal(sink.reduce((n, b) => n + b.length, 0), 100_000);
  await close();
});

test("fastGet through a symbolic link replaces what it points at and keeps the link", async () => {
  const local = memoryFileSystem();
  const { sftp, fs, close } = await pair({}, { local });
  await writeFile(fs, "/remote", pattern(70_000, 3), 0o600);
  await local.mkdir("/data", 0o755);
  await writeFile(local, "/data/real", pattern(10, 9));
  await local.symlink("/data/real", "/link");
  assert.equal(await sftp.fastGet("/remote", "/link"), 70_000);
  assert.ok(isSymlinkMode((await local.lstat("/link")).mode), "the link is still a link");
  assert.equal(await local.readlink("/link"), "/data/real");
  assert.deepEqual(await readFile(local, "/data/real"), pattern(70_000, 3));
  assert.deepEqual((await local.readdir("/data")).sort(), ["real"], "no .part left behind");
  // a link to nothing: its target is created, as open(2) with O_CREAT does through a link
  await local.symlink("/data/new", "/dangling");
  assert.equal(await sftp.fastGet("/remote", "/dangling"), 70_000);
  assert.ok(isSymlinkMode((await local.lstat("/dangling")).mode));
  assert.deepEqual(await readFile(local, "/data/new"), pattern(70_000, 3));
  await close();
});
