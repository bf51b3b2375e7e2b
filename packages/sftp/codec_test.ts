import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  decodeLimits,
  decodeSftpPacket,
  decodeUsersGroups,
  encodeSftpPacket,
  HANDLE_LENGTH_LIMIT,
  requestIdOf,
  SftpError,
  type SftpMessage,
  StatusCode,
} from "./mod.ts";

const h = new Uint8Array([0, 0, 0, 1]);
const bytes = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff);

const SAMPLES: SftpMessage[] = [
  { type: "init", version: 3, extensions: [] },
  { type: "version", version: 3, extensions: [{ name: "limits@openssh.com", data: "1" }] },
  { type: "open", id: 1, path: "/a b/ü", flags: 0x1a, attrs: { mode: 0o644 } },
  { type: "close", id: 2, handle: h },
  { type: "read", id: 3, handle: h, offset: 2 ** 40 + 5, length: 32768 },
  { type: "write", id: 4, handle: h, offset: 7, data: bytes(1000) },
  { type: "lstat", id: 5, path: "l" },
  { type: "fstat", id: 6, handle: h },
  {
    type: "setstat",
    id: 7,
    path: "p",
    attrs: { size: 1, uid: 2, gid: 3, mode: 0o100600, atime: 4, mtime: 5 },
  },
  { type: "fsetstat", id: 8, handle: h, attrs: { atime: 1, mtime: 2 } },
  { type: "opendir", id: 9, path: "/" },
  { type: "readdir", id: 10, handle: h },
  { type: "remove", id: 11, path: "x" },
  { type: "mkdir", id: 12, path: "d", attrs: { mode: 0o755 } },
  { type: "rmdir", id: 13, path: "d" },
  { type: "realpath", id: 14, path: "." },
  { type: "stat", id: 15, path: "s" },
  { type: "rename", id: 16, oldPath: "a", newPath: "b" },
  { type: "readlink", id: 17, path: "l" },
  { type: "symlink", id: 18, targetPath: "t", linkPath: "l" },
  { type: "extended", id: 19, extension: "posix-rename@openssh.com", oldPath: "a", newPath: "b" },
  { type: "extended", id: 20, extension: "statvfs@openssh.com", path: "/" },
  { type: "extended", id: 21, extension: "fstatvfs@openssh.com", handle: h },
  { type: "extended", id: 22, extension: "hardlink@openssh.com", oldPath: "a", newPath: "b" },
  { type: "extended", id: 23, extension: "fsync@openssh.com", handle: h },
  { type: "extended", id: 24, extension: "lsetstat@openssh.com", path: "l", attrs: { mode: 1 } },
  { type: "extended", id: 25, extension: "limits@openssh.com" },
  { type: "extended", id: 26, extension: "expand-path@openssh.com", path: "~/x" },
  {
    type: "extended",
    id: 27,
    extension: "copy-data",
    readHandle: h,
    readOffset: 1,
    length: 0,
    writeHandle: new Uint8Array([9]),
    writeOffset: 2,
  },
  { type: "extended", id: 28, extension: "home-directory", username: "root" },
  { type: "extended", id: 29, extension: "users-groups-by-id@openssh.com", uids: [0], gids: [] },
  { type: "extended", id: 30, extension: "unknown", name: "x@y", data: bytes(3) },
  { type: "status", id: 31, code: 2, message: "No such file", language: "" },
  { type: "handle", id: 32, handle: h },
  { type: "data", id: 33, data: bytes(5) },
  {
    type: "name",
    id: 34,
    entries: [
      { filename: "a", longname: "-rw-r--r-- 1 0 0 0 Jan 1 00:00 a", attrs: { size: 0 } },
      { filename: "b", longname: "", attrs: {} },
    ],
  },
  { type: "attrs", id: 35, attrs: { extended: [{ type: "x@y", data: bytes(2) }] } },
  { type: "extendedReply", id: 36, data: bytes(8) },
];

test("every packet type decodes to what was encoded", () => {
  for (const m of SAMPLES) {
    const packet = encodeSftpPacket(m);
    assert.equal(new DataView(packet.buffer, packet.byteOffset).getUint32(0), packet.length - 4);
    assert.deepEqual(decodeSftpPacket(packet.subarray(4)), m, m.type);
  }
});

test("every request's id can be read before decoding", () => {
  for (const m of SAMPLES) {
    const id = requestIdOf(encodeSftpPacket(m).subarray(4));
    const isRequest = !["init", "version", "status", "handle", "data", "name", "attrs"]
      .includes(m.type) && m.type !== "extendedReply";
    assert.equal(id, isRequest ? (m as { id: number }).id : undefined, m.type);
  }
});

const vectors = JSON.parse(
  readFileSync(new URL("./testdata/openssh_sftp_server.json", import.meta.url), "utf8"),
) as { workdir: string; packets: { name: string; request: string; reply: string }[] };
const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));
const vector = (name: string) => vectors.packets.find((p) => p.name === name)!;

test("OpenSSH's sftp-server: its VERSION lists the eleven extensions", () => {
  const v = decodeSftpPacket(hex(vector("init").reply));
  assert.equal(v.type, "version");
  if (v.type !== "version") return;
  assert.equal(v.version, 3);
  assert.deepEqual(v.extensions.map((e) => `${e.name}=${e.data}`), [
    "posix-rename@openssh.com=1",
    "statvfs@openssh.com=2",
    "fstatvfs@openssh.com=2",
    "hardlink@openssh.com=1",
    "fsync@openssh.com=1",
    "lsetstat@openssh.com=1",
    "limits@openssh.com=1",
    "expand-path@openssh.com=1",
    "copy-data=1",
    "home-directory=1",
    "users-groups-by-id@openssh.com=1",
  ]);
});

test("OpenSSH's sftp-server: requests encode byte for byte as it was sent them", () => {
  const requests: [string, SftpMessage][] = [
    ["init", { type: "init", version: 3, extensions: [] }],
    ["limits", { type: "extended", id: 1, extension: "limits@openssh.com" }],
    ["users-groups-by-id", {
      type: "extended",
      id: 2,
      extension: "users-groups-by-id@openssh.com",
      uids: [0, 99999],
      gids: [0],
    }],
    ["stat missing", { type: "stat", id: 5, path: "/nonexistent" }],
    ["symlink", {
      type: "symlink",
      id: 11,
      targetPath: "target",
      linkPath: `${vectors.workdir}/link`,
    }],
  ];
  for (const [name, m] of requests) {
    assert.deepEqual(encodeSftpPacket(m).subarray(4), hex(vector(name).request), name);
  }
});

test("OpenSSH's sftp-server: its replies decode", () => {
  const limits = decodeSftpPacket(hex(vector("limits").reply));
  assert.equal(limits.type, "extendedReply");
  if (limits.type === "extendedReply") {
    assert.deepEqual(decodeLimits(limits.data), {
      maxPacketLength: 262144,
      maxReadLength: 261120,
      maxWriteLength: 261120,
      maxOpenHandles: 19995,
    });
  }
  const ids = decodeSftpPacket(hex(vector("users-groups-by-id").reply));
  if (ids.type !== "extendedReply") assert.fail(ids.type);
  assert.deepEqual(decodeUsersGroups(ids.data), { users: ["root", ""], groups: ["root"] });
  assert.deepEqual(decodeSftpPacket(hex(vector("stat missing").reply)), {
    type: "status",
    id: 5,
    code: StatusCode.NO_SUCH_FILE,
    message: "No such file",
    language: "",
  });
  const unknown = decodeSftpPacket(hex(vector("unknown extension").reply));
  assert.equal(unknown.type === "status" && unknown.code, StatusCode.OP_UNSUPPORTED);
  const big = decodeSftpPacket(hex(vector("read past the read limit").reply));
  assert.equal(big.type === "data" && new TextDecoder().decode(big.data), "hello\n");
  const eof = decodeSftpPacket(hex(vector("read eof").reply));
  assert.equal(eof.type === "status" && eof.code, StatusCode.EOF);
  const bad = decodeSftpPacket(hex(vector("read with an unknown handle").reply));
  assert.equal(bad.type === "status" && bad.code, StatusCode.FAILURE);
  const link = decodeSftpPacket(hex(vector("readlink").reply));
  assert.equal(link.type === "name" && link.entries[0].filename, "target");
});

function assertBadMessage(body: Uint8Array, what: string) {
  assert.throws(() => decodeSftpPacket(body), (e: unknown) => {
    assert.ok(e instanceof SftpError, `${what}: ${e}`);
    assert.equal(e.statusCode, StatusCode.BAD_MESSAGE, what);
    return true;
  });
}

test("lengths past the end, trailing bytes and unknown types are BAD_MESSAGE", () => {
  const stat = encodeSftpPacket({ type: "stat", id: 1, path: "/etc" }).subarray(4);
  for (let n = 0; n < stat.length; n++) assertBadMessage(stat.subarray(0, n), `cut at ${n}`);
  const longer = new Uint8Array(stat.length + 1);
  longer.set(stat);
  assertBadMessage(longer, "trailing byte");
  const lying = stat.slice();
  lying[8] = 200; // the path's length says 200 bytes; 4 follow
  assertBadMessage(lying, "string length past the end");
  assertBadMessage(new Uint8Array([99, 0, 0, 0, 1]), "unknown type");
  assertBadMessage(new Uint8Array([]), "empty");
});

test("malformed attributes are BAD_MESSAGE", () => {
  const base = [9, 0, 0, 0, 1, 0, 0, 0, 1, 0x70];
  assertBadMessage(new Uint8Array([...base, 0, 0, 0x10, 0]), "unknown flag");
  assertBadMessage(new Uint8Array([...base, 0, 0, 0, 1, 0, 0, 0]), "size cut short");
  assertBadMessage(
    new Uint8Array([...base, 0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
    "extended count past the packet",
  );
  assertBadMessage(
    new Uint8Array([...base, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
    "size past 2^53",
  );
});

test("NAME counts the packet cannot hold and overlong handles are BAD_MESSAGE", () => {
  assertBadMessage(new Uint8Array([104, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff]), "name count");
  const long = new Uint8Array(HANDLE_LENGTH_LIMIT + 1);
  const read = encodeSftpPacket({ type: "data", id: 1, data: long }).slice(4);
  read[0] = 102; // the same bytes as a HANDLE
  assertBadMessage(read, "handle past the limit");
  assert.throws(() => encodeSftpPacket({ type: "close", id: 1, handle: long }), RangeError);
});

test("random bytes throw nothing but SftpError", () => {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
  for (let i = 0; i < 20000; i++) {
    const src = encodeSftpPacket(SAMPLES[i % SAMPLES.length]).slice(4);
    for (let k = rnd() % 4; k >= 0; k--) src[rnd() % src.length] = rnd() & 0xff;
    const body = src.subarray(0, rnd() % (src.length + 1));
    try {
      decodeSftpPacket(body);
    } catch (e) {
      if (!(e instanceof SftpError)) throw e;
    }
  }
});

test("the encoder refuses values the caller got wrong", () => {
  assert.throws(
    () => encodeSftpPacket({ type: "setstat", id: 1, path: "p", attrs: { uid: 1 } }),
    TypeError,
  );
  assert.throws(
    () => encodeSftpPacket({ type: "read", id: 1, handle: h, offset: -1, length: 1 }),
    RangeError,
  );
  assert.throws(
    () => encodeSftpPacket({ type: "data", id: 1, data: new Uint8Array(256 * 1024) }),
    RangeError,
  );
});

test("encodeSftpPacket into a given buffer: the same bytes, in it when they fit", () => {
  const m: SftpMessage = {
    type: "write",
    id: 9,
    handle: new Uint8Array([1, 2, 3]),
    offset: 2 ** 40,
    data: new Uint8Array(500).fill(5),
  };
  const plain = encodeSftpPacket(m);
  const into = new Uint8Array(600).fill(0xee);
  const there = encodeSftpPacket(m, into.subarray(50));
  assert.deepEqual(there, plain);
  assert.equal(there.buffer, into.buffer);
  assert.equal(there.byteOffset, 50);
  const small = new Uint8Array(100);
  const grown = encodeSftpPacket(m, small);
  assert.deepEqual(grown, plain);
  assert.notEqual(grown.buffer, small.buffer);
});
