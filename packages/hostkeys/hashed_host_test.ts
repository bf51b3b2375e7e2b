import { test } from "node:test";
import assert from "node:assert/strict";
import { hashHostName, matchHashedHost, parseHashedHost } from "./hashed_host.ts";
import { HOST_NAME_LIMIT, knownHostsName } from "./host_name.ts";

test("hashed names: HMAC-SHA1 of the name under the salt (RFC 2202 test case 1)", () => {
  // HMAC-SHA1 with a 20-byte key of 0x0b and data "Hi There" (RFC 2202 test case 1).
  const salt = new Uint8Array(20).fill(0x0b);
  const field = hashHostName("Hi There", salt);
  assert.equal(field, "|1|CwsLCwsLCwsLCwsLCwsLCwsLCws=|thcxhlUFcmTii8C2+zeMjvFGvgA=");
  assert.equal(matchHashedHost("Hi There", field), true);
  assert.equal(matchHashedHost("hi there", field), false);
});

test("hashed names: fresh salts, ports are part of the name", () => {
  const a = hashHostName("[10.0.0.1]:2222");
  const b = hashHostName("[10.0.0.1]:2222");
  assert.notEqual(a, b);
  assert.equal(matchHashedHost(knownHostsName("10.0.0.1", 2222), a), true);
  assert.equal(matchHashedHost(knownHostsName("10.0.0.1", 22), a), false);
  assert.throws(() => hashHostName("x", new Uint8Array(19)), RangeError);
});

test("hashed names: malformed fields are rejected", () => {
  const good = hashHostName("h", new Uint8Array(20));
  assert.ok(parseHashedHost(good));
  const [, , salt, hash] = good.split("|");
  for (
    const bad of [
      `|2|${salt}|${hash}`,
      `|1|${salt}`,
      `|1|${salt}|${hash}|`,
      `|1|${salt}|${hash}x`,
      `|1|AAAA|${hash}`,
      `|1|${salt}|AAAA`,
      `1|${salt}|${hash}`,
    ]
  ) {
    assert.equal(parseHashedHost(bad), undefined, bad);
    assert.equal(matchHashedHost("h", bad), false);
  }
});

test("knownHostsName: port 22 is bare, others bracketed; letters lowercased", () => {
  assert.equal(knownHostsName("Example.ORG"), "example.org");
  assert.equal(knownHostsName("example.org", 0), "example.org");
  assert.equal(knownHostsName("example.org", 2222), "[example.org]:2222");
  assert.equal(knownHostsName("::1", 22), "::1");
  assert.equal(knownHostsName("::1", 2222), "[::1]:2222");
  assert.throws(() => knownHostsName("x", 65536), RangeError);
  assert.throws(() => knownHostsName("x", 1.5), RangeError);
  assert.throws(() => knownHostsName("", 22), TypeError);
  assert.equal(knownHostsName("a".repeat(HOST_NAME_LIMIT), 22).length, HOST_NAME_LIMIT);
  assert.throws(() => knownHostsName("a".repeat(HOST_NAME_LIMIT + 1), 22), RangeError);
});
