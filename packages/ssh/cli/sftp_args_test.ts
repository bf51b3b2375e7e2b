import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRemote, parseScpArgs, parseSftpArgs } from "./sftp_args.ts";
import { UsageError } from "./ssh_args.ts";

test("sftp: OpenSSH's flags, destination forms and -b's BatchMode", () => {
  const a = parseSftpArgs([
    "-P",
    "2222",
    "-i",
    "id",
    "-o",
    "StrictHostKeyChecking=no",
    "-J",
    "jump",
    "-rpaf",
    "-B",
    "65536",
    "-R16",
    "-b",
    "-",
    "me@host:/srv/x",
  ]);
  assert.equal(a.ssh.port, 2222);
  assert.deepEqual(a.ssh.identityFiles, ["id"]);
  assert.equal(a.ssh.options.get("stricthostkeychecking"), "no");
  assert.equal(a.ssh.options.get("batchmode"), "yes");
  assert.equal(a.ssh.jump, "jump");
  assert.deepEqual([a.recursive, a.preserve, a.resume, a.fsync], [true, true, true, true]);
  assert.deepEqual([a.bufferSize, a.requests, a.batchFile], [65536, 16, "-"]);
  assert.deepEqual([a.ssh.user, a.ssh.host, a.path], ["me", "host", "/srv/x"]);
  const url = parseSftpArgs(["sftp://me@[::1]:2200/tmp"]);
  assert.deepEqual([url.ssh.user, url.ssh.host, url.ssh.port, url.path], [
    "me",
    "::1",
    2200,
    "/tmp",
  ]);
  const bare = parseSftpArgs(["-o", "Port=23", "host"]);
  assert.deepEqual([bare.ssh.host, bare.ssh.port, bare.path], ["host", 23, undefined]);
  assert.throws(() => parseSftpArgs([]), UsageError);
  assert.throws(() => parseSftpArgs(["-Z", "host"]), UsageError);
  // -F, -P, -i, -J and the destination become ssh_config lines, as ssh's own flags do
  const f = parseSftpArgs(["-F", "cfg", "-P", "2200", "-J", "jump", "-i", "id", "me@host"]);
  assert.equal(f.ssh.configFile, "cfg");
  assert.deepEqual(f.ssh.configLines, [
    "Port 2200",
    "ProxyJump jump",
    'IdentityFile "id"',
    'User "me"',
  ]);
  assert.throws(() => parseSftpArgs(["-B", "0", "host"]), UsageError);
});

test("scp: flags, sources and target; -O is refused", () => {
  const a = parseScpArgs(["-rpq", "-P", "2222", "-o", "BatchMode=yes", "a", "b", "me@host:dir/"]);
  assert.deepEqual([a.recursive, a.preserve, a.quiet, a.ssh.port], [true, true, true, 2222]);
  assert.deepEqual([a.sources, a.target], [["a", "b"], "me@host:dir/"]);
  assert.throws(() => parseScpArgs(["-O", "a", "h:b"]), /legacy scp protocol/);
  assert.throws(() => parseScpArgs(["a"]), UsageError);
});

test("remote operands: host:path, user@host:path, [v6]:path, URLs; local paths are not", () => {
  assert.deepEqual(parseRemote("host:"), { host: "host", path: "" });
  assert.deepEqual(parseRemote("u@h:a:b"), { user: "u", host: "h", path: "a:b" });
  assert.deepEqual(parseRemote("u@[fe80::1]:/x"), { user: "u", host: "fe80::1", path: "/x" });
  assert.deepEqual(parseRemote("scp://u@h/~/docs"), { user: "u", host: "h", path: "docs" });
  for (const local of ["file", "/abs/a:b", "./a:b", "dir/a:b", ":x"]) {
    assert.equal(parseRemote(local), undefined, local);
  }
});
