import { test } from "node:test";
import assert from "node:assert/strict";
import { printable, USER_NAME_LIMIT, userNameProblem } from "./mod.ts";
import { testSigner } from "./test_peer.ts";
import { failure } from "./testdata/outcomes.ts";
import { signedRequest, start } from "./testdata/scripted_client.ts";

/** Names a client could use to steer a `%u` path or forge a log line. */
const HOSTILE_NAMES = [
  "",
  "../../tmp/keys",
  "..",
  "a..b",
  "alice/../bob",
  "/etc/passwd",
  "c:\\keys",
  "-oProxyCommand=x",
  "alice\0",
  "alice\nAccepted publickey for root",
  "alice\x1b[2J",
  "alice\x7f",
  "alice\x85",
  "a".repeat(USER_NAME_LIMIT + 1),
  "é".repeat(128), // 256 bytes in UTF-8, 128 UTF-16 units
];

test("user names that could leave a directory or forge a log line are refused", () => {
  for (const name of HOSTILE_NAMES) {
    assert.equal(typeof userNameProblem(name), "string", JSON.stringify(name));
  }
  for (const name of ["alice", "git", "a.b", "first.last@example.org", "a".repeat(255), "Ünï"]) {
    assert.equal(userNameProblem(name), undefined, name);
  }
  assert.equal(userNameProblem("x/y"), "it contains a path separator");
});

test("printable escapes control characters and cuts long text", () => {
  assert.equal(printable("root\nFake\x1b[1m"), "root\\nFake\\x1b[1m");
  assert.equal(printable(printable("a\r\nb\0")), printable("a\r\nb\0"));
  assert.equal(printable("abcdef", 3), "abc…");
  assert.equal(printable("plain name"), "plain name");
});

test("an invalid user name fails every method before any callback sees it", async () => {
  const seen: string[] = [];
  const traces: string[] = [];
  const key = testSigner();
  const { reply, request, result } = start({
    publickey: (user) => (seen.push(user), true),
    password: (user) => (seen.push(user), true),
    authorizedKeys: (user) => (seen.push(user), undefined),
    trace: (line) => traces.push(line),
    maxAuthTries: 100,
  });
  for (const user of HOSTILE_NAMES) {
    await request({ user, method: "none" });
    assert.deepEqual(await reply(), failure(["publickey", "password"]));
    await request({ user, method: "password", password: "anything" });
    assert.deepEqual(await reply(), failure(["publickey", "password"]));
    await request(await signedRequest(key, user));
    assert.deepEqual(await reply(), failure(["publickey", "password"]));
  }
  assert.deepEqual(seen, []);
  // One "Invalid user" line per name, each on one line.
  const invalid = traces.filter((l) => l.startsWith("Invalid user"));
  assert.equal(invalid.length, HOSTILE_NAMES.length);
  // deno-lint-ignore no-control-regex
  for (const line of traces) assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f]/);
  // A valid name still logs in on the same connection.
  await request({ user: "alice", method: "password", password: "right" });
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  assert.equal((await result).user, "alice");
  assert.deepEqual(seen, ["alice"]);
});

test("users() limits the names served; others fail like a wrong password", async () => {
  const asked: string[] = [];
  const traces: string[] = [];
  const { reply, request, result } = start({
    users: (user) => (asked.push(user), user === "alice"),
    password: () => true,
    trace: (line) => traces.push(line),
  });
  await request({ user: "mallory", method: "password", password: "x" });
  assert.deepEqual(await reply(), failure(["password"]));
  await request({ user: "mallory", method: "password", password: "x" });
  assert.deepEqual(await reply(), failure(["password"]));
  await request({ user: "alice", method: "password", password: "x" });
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  await result;
  assert.deepEqual(asked, ["mallory", "alice"]); // once per name, not per request
  assert.ok(traces.includes("Invalid user mallory"));
});
