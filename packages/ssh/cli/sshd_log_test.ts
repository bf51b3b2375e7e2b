import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSshdArgs } from "./sshd_args.ts";
import { sshdSettings } from "./sshd_config.ts";
import { LogLevel, parseLogLevel, sshdLog } from "./sshd_log.ts";

/** Lines the server traces, one of each level. */
const TRACED = [
  "accept: Too many open files (os error 24)",
  "Accepted publickey for alice from 127.0.0.1 port 40000 ssh2",
  "Connection from 127.0.0.1 port 40000 on 127.0.0.1 port 22",
  "kex: algorithm: curve25519-sha256",
];

function printed(level: LogLevel): string {
  let out = "";
  const log = sshdLog(level, (text) => (out += text));
  for (const line of TRACED) log.trace(line);
  log.log(LogLevel.FATAL, "cannot bind");
  log.log(LogLevel.INFO, "Server listening on 127.0.0.1 port 22.");
  return out;
}

test("LogLevel: each level prints its own lines and the quieter ones', as OpenSSH's sshd", () => {
  assert.equal(printed(LogLevel.QUIET), "");
  assert.equal(printed(LogLevel.FATAL), "cannot bind\n");
  assert.equal(printed(LogLevel.ERROR), "accept: Too many open files (os error 24)\ncannot bind\n");
  const info = [
    "accept: Too many open files (os error 24)",
    "Accepted publickey for alice from 127.0.0.1 port 40000 ssh2",
    "cannot bind",
    "Server listening on 127.0.0.1 port 22.",
    "",
  ].join("\n");
  assert.equal(printed(LogLevel.INFO), info);
  const verbose = printed(LogLevel.VERBOSE);
  assert.match(verbose, /^Connection from 127\.0\.0\.1 port 40000 on 127\.0\.0\.1 port 22$/m);
  assert.doesNotMatch(verbose, /kex: algorithm/);
  // Debug lines carry OpenSSH's "debug1: " prefix; the others print as they are.
  const debug = printed(LogLevel.DEBUG1);
  assert.match(debug, /^debug1: kex: algorithm: curve25519-sha256$/m);
  assert.match(debug, /^Accepted publickey for alice/m);
  assert.equal(debug.split("\n").length - 1, 6);
});

test("LogLevel: a peer's text is printed as one escaped line", () => {
  let out = "";
  sshdLog(LogLevel.INFO, (text) => (out += text)).trace(
    "Invalid user root\nAccepted publickey for root from 10.0.0.1 port 1 ssh2",
  );
  assert.equal(out, "Invalid user root\\nAccepted publickey for root from 10.0.0.1 port 1 ssh2\n");
});

test("LogLevel values: names in any case, DEBUG is DEBUG1, others refused", () => {
  assert.equal(parseLogLevel("quiet"), LogLevel.QUIET);
  assert.equal(parseLogLevel("Error"), LogLevel.ERROR);
  assert.equal(parseLogLevel("DEBUG"), LogLevel.DEBUG1);
  assert.equal(parseLogLevel("debug3"), LogLevel.DEBUG3);
  assert.throws(() => parseLogLevel("LOUD"), /Bad LogLevel 'LOUD'/);
  assert.throws(() => parseLogLevel("DEBUG4"), /Bad LogLevel/);
});

test("sshd -o LogLevel= sets the level; -d, -dd, -ddd are DEBUG1 to DEBUG3 whatever it says", () => {
  const level = (...argv: string[]) => sshdSettings(parseSshdArgs(argv)).logLevel;
  assert.equal(level(), LogLevel.INFO);
  assert.equal(level("-o", "LogLevel=ERROR"), LogLevel.ERROR);
  assert.equal(level("-o", "LogLevel VERBOSE"), LogLevel.VERBOSE);
  assert.equal(level("-d", "-o", "LogLevel=QUIET"), LogLevel.DEBUG1);
  assert.equal(level("-dd"), LogLevel.DEBUG2);
  assert.equal(level("-d", "-d", "-d", "-d"), LogLevel.DEBUG3);
  assert.throws(() => level("-o", "LogLevel=chatty"), /Bad LogLevel 'chatty'/);
});
