import { test } from "node:test";
import assert from "node:assert/strict";
import {
  algorithmList,
  parseForwardSpec,
  parseSize,
  parseSshArgs,
  UsageError,
} from "./ssh_args.ts";
import { parseSshdArgs, parseTime, yesNo } from "./sshd_args.ts";

test("ssh: OpenSSH-style flags, grouped flags, user@host and the command", () => {
  const a = parseSshArgs([
    "-vvT",
    "-p2222",
    "-i",
    "k1",
    "-ik2",
    "-o",
    "BatchMode=yes",
    "-o",
    "ciphers aes128-ctr",
    "u@h",
    "echo",
    "a b",
  ]);
  assert.equal(a.verbose, 2);
  assert.equal(a.tty, false);
  assert.equal(a.port, 2222);
  assert.deepEqual(a.identityFiles, ["k1", "k2"]);
  assert.equal(a.options.get("batchmode"), "yes");
  assert.equal(a.options.get("ciphers"), "aes128-ctr");
  assert.equal(a.user, "u");
  assert.equal(a.host, "h");
  assert.deepEqual(a.command, ["echo", "a b"]);
});

test("ssh: -l, -N, -L and -R specs, -F none", () => {
  const a = parseSshArgs([
    "-F",
    "none",
    "-N",
    "-l",
    "me",
    "-L",
    "127.0.0.1:8080:web:80",
    "-R",
    "9000:[::1]:22",
    "host",
  ]);
  assert.equal(a.user, "me");
  assert.equal(a.noCommand, true);
  assert.deepEqual(a.localForwards, [{
    bindAddress: "127.0.0.1",
    bindPort: 8080,
    host: "web",
    hostPort: 80,
  }]);
  assert.deepEqual(a.remoteForwards, [{ bindPort: 9000, host: "::1", hostPort: 22 }]);
});

test("ssh: bad input is a UsageError", () => {
  assert.throws(() => parseSshArgs([]), UsageError);
  assert.throws(() => parseSshArgs(["-p", "70000", "h"]), UsageError);
  assert.throws(() => parseSshArgs(["-o", "NoSuchOption=1", "h"]), UsageError);
  assert.throws(() => parseSshArgs(["-Z", "h"]), UsageError);
  assert.throws(() => parseSshArgs(["-F", "/etc/ssh/ssh_config", "h"]), UsageError);
  assert.throws(() => parseForwardSpec("1:2"), UsageError);
});

test("algorithm lists: replace, append, remove with wildcards, prepend", () => {
  const d = ["a-1", "b-2", "c-3"];
  assert.deepEqual(algorithmList("b-2", d), ["b-2"]);
  assert.deepEqual(algorithmList("+x", d), ["a-1", "b-2", "c-3", "x"]);
  assert.deepEqual(algorithmList("-a*,c-3", d), ["b-2"]);
  assert.deepEqual(algorithmList("^c-3", d), ["c-3", "a-1", "b-2"]);
});

test("sizes and times", () => {
  assert.equal(parseSize("512"), 512);
  assert.equal(parseSize("1G"), 1 << 30);
  assert.throws(() => parseSize("1T"), UsageError);
  assert.equal(parseTime("90"), 90_000);
  assert.equal(parseTime("1h"), 3_600_000);
  assert.equal(yesNo(undefined, true), true);
  assert.throws(() => yesNo("maybe", true), UsageError);
});

test("sshd: -d, -p, -h and -o HostKey", () => {
  const a = parseSshdArgs([
    "-dd",
    "-p",
    "0",
    "-h",
    "k1",
    "-o",
    "HostKey=k2",
    "-o",
    "MaxAuthTries 3",
  ]);
  assert.equal(a.debug, 2);
  assert.equal(a.port, 0);
  assert.deepEqual(a.hostKeyFiles, ["k1", "k2"]);
  assert.equal(a.options.get("maxauthtries"), "3");
  assert.throws(() => parseSshdArgs(["-x"]), UsageError);
});
