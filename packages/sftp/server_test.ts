import assert from "node:assert/strict";
import { test } from "node:test";
import {
  encodeSftpPacket,
  HANDLE_LIMIT,
  OpenFlag,
  READ_LENGTH_LIMIT,
  serveSftp,
  SftpError,
  type SftpFileSystem,
  type SftpMessage,
  sftpPacketStream,
  StatusCode,
} from "./mod.ts";
import { memoryFileSystem, sftpPair } from "./testing.ts";
import {
  copyingWrites,
  pair,
  pattern,
  rawSession,
  readFile,
  withOverrides,
  writeFile,
} from "./testdata/session.ts";

function statusOf(m: SftpMessage | undefined): [number, number] {
  assert.equal(m?.type, "status", JSON.stringify(m));
  return m?.type === "status" ? [m.id, m.code] : [-1, -1];
}

test("a packet over 256 KiB closes the session; the server's other sessions go on", async () => {
  const fs = memoryFileSystem();
  const bad = await rawSession({ fs });
  const other = await pair({ fs });
  const header = new Uint8Array([0, 4, 0, 1, 5, 0, 0, 0, 1]); // 262145 bytes announced
  await bad.send(header);
  assert.equal(await bad.next(), undefined, "the server closed its side");
  await bad.served;
  await other.sftp.put(new TextEncoder().encode("still here"), "/ok");
  assert.equal(new TextDecoder().decode(await other.sftp.readFile("/ok")), "still here");
  await other.close();
});

test("a packet that ends the session: the READs before it still get their replies, then it closes", async () => {
  // (On Deno, a reply written while the close was under way errored the stream, and a dangling
  // send rejected unhandled: the Hush sshd logged it as an internal error.)
  const fs = memoryFileSystem();
  await writeFile(fs, "/f", pattern(64 * 32768));
  for (const wait of [0, 1, 5]) {
    const s = await rawSession({ fs });
    await s.send({ type: "open", id: 1, path: "/f", flags: OpenFlag.READ, attrs: {} });
    const opened = await s.next();
    assert.equal(opened?.type, "handle");
    const handle = opened?.type === "handle" ? opened.handle : new Uint8Array();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 64; i++) {
      sends.push(s.send({ type: "read", id: 10 + i, handle, offset: i * 32768, length: 32768 }));
    }
    sends.push(s.send(new Uint8Array([0, 4, 0, 1, 5, 0, 0, 0, 1]))); // 262145 bytes announced
    await new Promise((r) => setTimeout(r, wait));
    const ids: number[] = [];
    for (let m = await s.next(); m !== undefined; m = await s.next()) {
      assert.equal(m.type, "data");
      ids.push(m.id);
    }
    assert.deepEqual(ids, Array.from({ length: 64 }, (_, i) => 10 + i));
    await s.served;
    await Promise.allSettled(sends);
  }
});

test("a length past the end of the packet gets BAD_MESSAGE with the request's id", async () => {
  const s = await rawSession();
  const stat = encodeSftpPacket({ type: "stat", id: 42, path: "/etc" }).slice();
  stat[12] = 99; // the path's length now runs past the packet
  await s.send(stat);
  assert.deepEqual(statusOf(await s.next()), [42, StatusCode.BAD_MESSAGE]);
  await s.send({ type: "realpath", id: 43, path: "." });
  assert.equal((await s.next())?.type, "name", "the session goes on");
  await s.close();
});

test("malformed attributes get BAD_MESSAGE", async () => {
  const s = await rawSession();
  const body = [14, 0, 0, 0, 7, 0, 0, 0, 1, 0x64, 0, 0, 0x10, 0]; // MKDIR "d", unknown attr flag
  const packet = new Uint8Array([0, 0, 0, body.length, ...body]);
  await s.send(packet);
  assert.deepEqual(statusOf(await s.next()), [7, StatusCode.BAD_MESSAGE]);
  await s.close();
});

test("unknown handles get FAILURE", async () => {
  const s = await rawSession();
  await s.send({ type: "read", id: 1, handle: new Uint8Array([0, 0, 0, 9]), offset: 0, length: 5 });
  assert.deepEqual(statusOf(await s.next()), [1, StatusCode.FAILURE]);
  await s.send({ type: "close", id: 2, handle: new Uint8Array([1, 2]) });
  assert.deepEqual(statusOf(await s.next()), [2, StatusCode.FAILURE]);
  await s.send({ type: "readdir", id: 3, handle: new Uint8Array(300).subarray(0, 256) });
  assert.deepEqual(statusOf(await s.next()), [3, StatusCode.FAILURE]);
  await s.close();
});

test("the handle table holds 512; the next open fails until one is closed", async () => {
  const fs = memoryFileSystem();
  await writeFile(fs, "/f", pattern(10));
  const { sftp, close } = await pair({ fs });
  const files = [];
  for (let i = 0; i < HANDLE_LIMIT; i++) files.push(await sftp.open("/f", "r"));
  const e = await sftp.open("/f", "r").catch((e) => e);
  assert.ok(e instanceof SftpError);
  assert.equal(e.statusCode, StatusCode.FAILURE);
  assert.match(e.message, /Too many open handles \(512\)/);
  await files.pop()!.close();
  files.push(await sftp.open("/f", "r"));
  await Promise.all(files.map((f) => f.close()));
  await close();
});

test("a READ asking for more than the limit is clipped", async () => {
  const fs = memoryFileSystem();
  await writeFile(fs, "/big", pattern(1_000_000));
  const s = await rawSession({ fs });
  await s.send({ type: "open", id: 1, path: "/big", flags: OpenFlag.READ, attrs: {} });
  const h = await s.next();
  assert.equal(h?.type, "handle");
  if (h?.type !== "handle") return;
  await s.send({ type: "read", id: 2, handle: h.handle, offset: 0, length: 0xffff_ffff });
  const data = await s.next();
  assert.equal(data?.type === "data" && data.data.length, READ_LENGTH_LIMIT);
  await s.close();
});

test("no INIT first: the session closes", async () => {
  const [a, b] = sftpPair();
  const served = serveSftp(b, { fs: memoryFileSystem() });
  const w = a.writable.getWriter();
  await w.write(encodeSftpPacket({ type: "stat", id: 1, path: "/" }));
  const reader = a.readable.pipeThrough(sftpPacketStream()).getReader();
  assert.equal((await reader.read()).done, true);
  await served;
});

test("names with NUL are bad messages; new names with line breaks are refused", async () => {
  const { sftp, fs, close } = await pair();
  const nul = await sftp.stat("/a\0b").catch((e) => e);
  assert.equal(nul.statusCode, StatusCode.BAD_MESSAGE);
  for (const name of ["/a\nb", "/a\rb"]) {
    const e = await sftp.open(name, "w").catch((e) => e);
    assert.equal(e.statusCode, StatusCode.FAILURE);
    assert.match(e.message, /line breaks/);
    assert.equal((await sftp.mkdir(name).catch((e) => e)).statusCode, StatusCode.FAILURE);
  }
  assert.deepEqual(await fs.readdir("/"), []);
  await close();
});

/** A root at /srv/root holding a file; secrets outside it; links trying to get out. */
async function jail() {
  const fs = memoryFileSystem();
  await fs.mkdir("/srv", 0o755);
  await fs.mkdir("/srv/root", 0o755);
  await fs.mkdir("/srv/root/pub", 0o755);
  await writeFile(fs, "/srv/root/pub/file", new TextEncoder().encode("inside"));
  await writeFile(fs, "/srv/secret", new TextEncoder().encode("outside"));
  await fs.mkdir("/srv/rootless", 0o755); // shares the root's prefix
  await fs.symlink("/srv", "/srv/root/out-abs");
  await fs.symlink("../../srv", "/srv/root/pub/out-rel");
  await fs.symlink("/srv/nowhere/new", "/srv/root/dangling");
  await fs.symlink("/srv/rootless", "/srv/root/prefix");
  await fs.symlink("file", "/srv/root/pub/in");
  const served = await pair({ fs, root: "/srv/root" });
  return { ...served, fs };
}

test("under a root: / is the root, and .. cannot climb out of it", async () => {
  const { sftp, close } = await jail();
  assert.equal(await sftp.realpath("."), "/");
  assert.equal(await sftp.realpath("pub/../pub/file"), "/pub/file");
  assert.equal(new TextDecoder().decode(await sftp.readFile("/pub/file")), "inside");
  for (
    const path of ["..", "../secret", "/../secret", "pub/../../secret", "/pub/../../srv/secret"]
  ) {
    const e = await sftp.stat(path).catch((e) => e);
    assert.equal(e.statusCode, StatusCode.PERMISSION_DENIED, path);
    assert.doesNotMatch(e.message, /srv\/root/, "the real path is not told");
  }
  const abs = await sftp.stat("/srv/secret").catch((e) => e);
  assert.equal(abs.statusCode, StatusCode.NO_SUCH_FILE, "absolute paths start at the root");
  await close();
});

test("under a root: symbolic links that point outside are refused", async () => {
  const { sftp, fs, close } = await jail();
  for (const path of ["/out-abs/secret", "/pub/out-rel/secret", "/out-abs", "/prefix"]) {
    const e = await sftp.stat(path).catch((e) => e);
    assert.equal(e.statusCode, StatusCode.PERMISSION_DENIED, path);
    const r = await sftp.readFile(path).catch((e) => e);
    assert.equal(r.statusCode, StatusCode.PERMISSION_DENIED, `read ${path}`);
  }
  const w = await sftp.put(new TextEncoder().encode("x"), "/out-abs/planted").catch((e) => e);
  assert.equal(w.statusCode, StatusCode.PERMISSION_DENIED);
  const d = await sftp.put(new TextEncoder().encode("x"), "/dangling").catch((e) => e);
  assert.equal(d.statusCode, StatusCode.PERMISSION_DENIED, "a dangling link would create outside");
  assert.equal(
    (await sftp.list("/out-abs").catch((e) => e)).statusCode,
    StatusCode.PERMISSION_DENIED,
  );
  assert.deepEqual(await fs.readdir("/srv"), ["root", "secret", "rootless"], "nothing new outside");
  assert.equal(await fs.stat("/srv/nowhere").then(() => true, () => false), false);
  // links inside the root work, and the links themselves can be looked at and removed
  assert.equal(new TextDecoder().decode(await sftp.readFile("/pub/in")), "inside");
  assert.equal(await sftp.readlink("/out-abs"), "/srv", "a link outside reads as it is");
  await sftp.remove("/out-abs");
  await close();
});

test("under a root: new links may not point outside; absolute ones stay inside", async () => {
  const { sftp, fs, close } = await jail();
  const e = await sftp.symlink("../../secret", "/pub/escape").catch((e) => e);
  assert.equal(e.statusCode, StatusCode.PERMISSION_DENIED);
  await sftp.symlink("/pub/file", "/abs");
  assert.equal(await fs.readlink("/srv/root/abs"), "/srv/root/pub/file");
  assert.equal(await sftp.readlink("/abs"), "/pub/file");
  assert.equal(new TextDecoder().decode(await sftp.readFile("/abs")), "inside");
  const h = await sftp.hardlink("/out-abs/secret", "/stolen").catch((e) => e);
  assert.equal(h.statusCode, StatusCode.PERMISSION_DENIED);
  const r = await sftp.rename("/pub/file", "/out-abs/moved").catch((e) => e);
  assert.equal(r.statusCode, StatusCode.PERMISSION_DENIED);
  assert.equal(await sftp.expandPath("~"), "/");
  await close();
});

test("read-only: every change is refused, reads work", async () => {
  const fs = memoryFileSystem();
  await writeFile(fs, "/f", pattern(10));
  const { sftp, close } = await pair({ fs, readOnly: true });
  const attempts: [string, Promise<unknown>][] = [
    ["open w", sftp.open("/g", "w")],
    ["open r+", sftp.open("/f", "r+")],
    ["setstat", sftp.setstat("/f", { mode: 0o600 })],
    ["remove", sftp.remove("/f")],
    ["mkdir", sftp.mkdir("/d")],
    ["rmdir", sftp.rmdir("/")],
    ["rename", sftp.rename("/f", "/g")],
    ["posix-rename", sftp.rename("/f", "/g", { overwrite: true })],
    ["symlink", sftp.symlink("/f", "/l")],
    ["hardlink", sftp.hardlink("/f", "/h")],
    ["lsetstat", sftp.lsetstat("/f", { atime: 1, mtime: 1 })],
  ];
  for (const [what, p] of attempts) {
    const e = await p.then(() => undefined, (e) => e);
    assert.equal(e?.statusCode, StatusCode.PERMISSION_DENIED, what);
  }
  assert.deepEqual(await sftp.readFile("/f"), pattern(10));
  assert.deepEqual(await fs.readdir("/"), ["f"]);
  await close();
});

test("a client that never reads its replies stalls only its own session", async () => {
  const fs = memoryFileSystem();
  let handled = 0;
  const counted = withOverrides(fs, {
    stat: (p: string) => (handled++, fs.stat(p)),
  });
  const [a, b] = sftpPair();
  const served = serveSftp(b, { fs: counted });
  const w = a.writable.getWriter();
  await w.write(encodeSftpPacket({ type: "init", version: 3, extensions: [] }));
  // 10 000 requests, and the replies are never read
  const sending = (async () => {
    for (let id = 1; id <= 10_000; id++) {
      await w.write(encodeSftpPacket({ type: "stat", id, path: "/" }));
    }
  })();
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(handled < 20, `the server stopped after ${handled} requests`);
  const other = await pair({ fs });
  assert.equal((await other.sftp.stat("/")).size, 0, "another session is served meanwhile");
  await other.close();
  await a.readable.cancel();
  await w.abort().catch(() => {});
  await sending.catch(() => {});
  await served;
});

test("copy-data refuses overlapping ranges of one file and handles not open for it", async () => {
  const fs = memoryFileSystem();
  await writeFile(fs, "/f", pattern(100));
  const { sftp, close } = await pair({ fs });
  const f = await sftp.open("/f", "r+");
  const e = await sftp.copyData(f, 0, 50, f, 10).catch((e) => e);
  assert.equal(e.statusCode, StatusCode.FAILURE);
  await sftp.copyData(f, 0, 50, f, 50);
  assert.deepEqual((await readFile(fs, "/f")).subarray(50), pattern(100).subarray(0, 50));
  const ro = await sftp.open("/f", "r");
  assert.equal(
    (await sftp.copyData(f, 0, 10, ro, 0).catch((e) => e)).statusCode,
    StatusCode.FAILURE,
  );
  await f.close();
  await ro.close();
  await close();
});

test("READs run side by side, replies keep the requests' order, and a WRITE waits for them", async () => {
  const fs = memoryFileSystem();
  await writeFile(fs, "/f", pattern(1_000_000));
  let active = 0, most = 0;
  const slow = withOverrides(fs, {
    open: async (path: string, flags: number, mode: number) => {
      const f = await fs.open(path, flags, mode);
      return {
        ...f,
        // later offsets finish first
        read: async (p: number, n: number) => {
          most = Math.max(most, ++active);
          await new Promise((r) => setTimeout(r, 40 - p / 50_000));
          active--;
          return f.read(p, n);
        },
      };
    },
  });
  const s = await rawSession({ fs: slow });
  await s.send({
    type: "open",
    id: 1,
    path: "/f",
    flags: OpenFlag.READ | OpenFlag.WRITE,
    attrs: {},
  });
  const h = await s.next();
  if (h?.type !== "handle") return assert.fail(JSON.stringify(h));
  // sent without waiting, and read meanwhile (the in-memory pipe holds one packet)
  const sending = Promise.all([
    ...Array.from(
      { length: 20 },
      (_, i) =>
        s.send({ type: "read", id: 10 + i, handle: h.handle, offset: i * 40_000, length: 10 }),
    ),
    s.send({ type: "write", id: 30, handle: h.handle, offset: 0, data: new Uint8Array(10) }),
    s.send({ type: "read", id: 31, handle: h.handle, offset: 0, length: 10 }),
  ]);
  const ids: number[] = [];
  let last: SftpMessage | undefined;
  for (let i = 0; i < 22; i++) {
    last = await s.next();
    ids.push((last as { id: number }).id);
  }
  await sending;
  assert.deepEqual(ids, [...Array.from({ length: 20 }, (_, i) => 10 + i), 30, 31]);
  assert.equal(most, 16, "at most 16 at once");
  assert.deepEqual(
    last?.type === "data" && [...last.data],
    new Array(10).fill(0),
    "the read saw the write",
  );
  await s.close();
});

/** A memory file system whose files have readInto (counted in `calls.readInto`). */
function withReadInto(inner: SftpFileSystem, calls: { readInto: number }): SftpFileSystem {
  return withOverrides(inner, {
    open: async (path: string, flags: number, mode: number) => {
      const file = await inner.open(path, flags, mode);
      return {
        read: file.read.bind(file),
        write: file.write.bind(file),
        stat: file.stat.bind(file),
        setAttributes: file.setAttributes.bind(file),
        sync: file.sync.bind(file),
        close: file.close.bind(file),
        async readInto(position: number, target: Uint8Array) {
          calls.readInto++;
          const data = await file.read(position, target.length);
          target.set(data);
          return data.length;
        },
      };
    },
  });
}

test("a file system with readInto: READs are read straight into the replies", async () => {
  const inner = memoryFileSystem();
  const content = pattern(100_000);
  await writeFile(inner, "/f", content);
  const calls = { readInto: 0 };
  const fs = withReadInto(inner, calls);
  const s = await rawSession({ fs });
  await s.send({ type: "open", id: 1, path: "/f", flags: OpenFlag.READ, attrs: {} });
  const h = await s.next();
  if (h?.type !== "handle") return assert.fail(JSON.stringify(h));
  const read = async (id: number, offset: number, length: number) => {
    await s.send({ type: "read", id, handle: h.handle, offset, length });
    return await s.next();
  };
  const whole = await read(2, 0, 0xffff_ffff); // clipped to the limit
  assert.equal(whole?.type, "data");
  if (whole?.type === "data") {
    assert.equal(whole.id, 2);
    assert.deepEqual(whole.data, content.subarray(0, READ_LENGTH_LIMIT));
  }
  const tail = await read(3, 99_990, 100); // short near the end
  assert.deepEqual(tail?.type === "data" && [tail.id, ...tail.data], [
    3,
    ...content.subarray(99_990),
  ]);
  assert.deepEqual(statusOf(await read(4, 100_000, 10)), [4, StatusCode.EOF]);
  assert.equal(calls.readInto, 3);
  await s.close();
});

test("over a duplex whose writes are done when they settle, DATA replies reuse buffers", async () => {
  const inner = memoryFileSystem();
  const content = pattern(300_000, 4);
  await writeFile(inner, "/f", content);
  const fs = withReadInto(inner, { readInto: 0 });
  const buffers = new Set<ArrayBufferLike>();
  let replies = 0;
  const s = await rawSession({ fs }, (d) =>
    copyingWrites(d, (chunk) => {
      if (chunk[4] === 103) (replies++, buffers.add(chunk.buffer));
    }));
  await s.send({ type: "open", id: 1, path: "/f", flags: OpenFlag.READ, attrs: {} });
  const h = await s.next();
  if (h?.type !== "handle") return assert.fail(JSON.stringify(h));
  const got: Uint8Array[] = [];
  for (let id = 2, offset = 0; offset < content.length; id++, offset += 10_000) {
    await s.send({ type: "read", id, handle: h.handle, offset, length: 10_000 });
    const r = await s.next();
    if (r?.type !== "data") return assert.fail(JSON.stringify(r));
    got.push(r.data.slice());
  }
  assert.deepEqual(new Uint8Array(await new Blob(got as BlobPart[]).arrayBuffer()), content);
  assert.equal(replies, 30);
  assert.ok(buffers.size <= 3, `${buffers.size} buffers for ${replies} replies`);
  await s.close();
});
