import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Socks5Reply,
  SOCKS_HANDSHAKE_LIMIT,
  SOCKS_NAME_LIMIT,
  SocksHandshake,
  socksReply,
  socksReplyForOpenFailure,
  type SocksStep,
} from "./socks.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (number | number[] | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "number" ? [p] : [...p])));

/** Feeds `input` in pieces of `size` bytes; returns every step taken. */
function feed(input: Uint8Array, size = input.length): SocksStep[] {
  const h = new SocksHandshake();
  const steps: SocksStep[] = [];
  for (let i = 0; i < input.length; i += size) {
    const step = h.feed(input.subarray(i, i + size));
    steps.push(step);
    if (step.type !== "more") break;
  }
  return steps;
}

const last = (steps: SocksStep[]) => steps[steps.length - 1];
const replies = (steps: SocksStep[]) => steps.flatMap((s) => (s.reply ? [...s.reply] : []));

test("SOCKS4 and SOCKS4a CONNECT, whole or a byte at a time; bytes after the request kept", () => {
  const v4 = bytes(4, 1, 0, 80, 192, 0, 2, 1, ascii("user"), 0, ascii("GET"));
  for (const size of [v4.length, 1]) {
    const step = last(feed(v4, size));
    assert.equal(step.type, "request");
    if (step.type !== "request") return;
    assert.deepEqual(step.request, { version: 4, host: "192.0.2.1", port: 80 });
    assert.deepEqual([...step.rest], [...ascii("GET")].slice(0, size === 1 ? 0 : 3));
  }
  const v4a = bytes(4, 1, 1, 187, 0, 0, 0, 9, 0, ascii("example.org"), 0);
  const step = last(feed(v4a, 3));
  assert.deepEqual(step.type === "request" && step.request, {
    version: 4,
    host: "example.org",
    port: 443,
  });
});

test("SOCKS5: method choice, then IPv4, a name or IPv6", () => {
  const greeting = bytes(5, 2, 2, 0);
  const name = ascii("example.org");
  const cases: [Uint8Array, { host: string; port: number }][] = [
    [bytes(5, 1, 0, 1, 10, 0, 0, 1, 0, 22), { host: "10.0.0.1", port: 22 }],
    [bytes(5, 1, 0, 3, name.length, name, 0x1f, 0x90), { host: "example.org", port: 8080 }],
    [
      bytes(5, 1, 0, 4, [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1], 0, 80),
      { host: "2001:db8:0:0:0:0:0:1", port: 80 },
    ],
  ];
  for (const [request, want] of cases) {
    for (const size of [1, 5, 100]) {
      const steps = feed(bytes(greeting, request), size);
      const step = last(steps);
      assert.equal(step.type, "request", `${want.host} in pieces of ${size}`);
      if (step.type === "request") assert.deepEqual(step.request, { version: 5, ...want });
      // the method choice (no authentication) went out once, before anything else
      assert.deepEqual(replies(steps), [5, 0]);
    }
  }
});

test("malformed requests get the protocol's error reply and an end", () => {
  const error = (input: Uint8Array) => {
    const step = last(feed(input));
    assert.equal(step.type, "error", `no error for ${input}`);
    return step.reply ? [...step.reply] : undefined;
  };
  const refused5 = (code: number) => [5, code, 0, 1, 0, 0, 0, 0, 0, 0];
  // not SOCKS at all: nothing sensible to answer
  assert.equal(error(ascii("GET / HTTP/1.1\r\n")), undefined);
  // SOCKS5 without the no-authentication method
  assert.deepEqual(error(bytes(5, 1, 2)), [5, 0xff]);
  assert.deepEqual(error(bytes(5, 0)), [5, 0xff]);
  // BIND and UDP ASSOCIATE are not supported; nor an unknown address type
  assert.deepEqual(error(bytes(5, 1, 0, 5, 2, 0, 1, 1, 2, 3, 4, 0, 80)), [5, 0, ...refused5(7)]);
  assert.deepEqual(error(bytes(5, 1, 0, 5, 1, 0, 9, 0, 0)), [5, 0, ...refused5(8)]);
  // an empty or binary host name, port 0, a second version byte that is not 5
  assert.deepEqual(error(bytes(5, 1, 0, 5, 1, 0, 3, 0, 0, 80)), [5, 0, ...refused5(1)]);
  assert.deepEqual(error(bytes(5, 1, 0, 5, 1, 0, 3, 2, 0, 10, 0, 80)), [5, 0, ...refused5(1)]);
  assert.deepEqual(error(bytes(5, 1, 0, 5, 1, 0, 1, 1, 2, 3, 4, 0, 0)), [5, 0, ...refused5(1)]);
  assert.deepEqual(error(bytes(5, 1, 0, 4, 1, 0, 1, 1, 2, 3, 4, 0, 80)), [5, 0, ...refused5(1)]);
  // SOCKS4 BIND, port 0
  assert.deepEqual(error(bytes(4, 2, 0, 80, 1, 2, 3, 4, 0)), [0, 0x5b, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(error(bytes(4, 1, 0, 0, 1, 2, 3, 4, 0)), [0, 0x5b, 0, 0, 0, 0, 0, 0]);
});

test("bounds: a user id or a host name at the limit and one past it; the whole handshake", () => {
  const id = (n: number) => bytes(4, 1, 0, 80, 1, 2, 3, 4, ascii("u".repeat(n)), 0);
  assert.equal(last(feed(id(SOCKS_NAME_LIMIT))).type, "request");
  assert.equal(last(feed(id(SOCKS_NAME_LIMIT + 1))).type, "error");
  // without its NUL, one byte past the limit is enough to refuse: nothing more is awaited
  const open = bytes(4, 1, 0, 80, 1, 2, 3, 4, ascii("u".repeat(SOCKS_NAME_LIMIT + 1)));
  assert.equal(last(feed(open)).type, "error");
  assert.equal(last(feed(open.subarray(0, open.length - 1))).type, "more");
  const name = (n: number) => bytes(4, 1, 0, 80, 0, 0, 0, 1, 0, ascii("h".repeat(n)), 0);
  assert.equal(last(feed(name(SOCKS_NAME_LIMIT))).type, "request");
  assert.equal(last(feed(name(SOCKS_NAME_LIMIT + 1))).type, "error");
  const h = new SocksHandshake();
  assert.equal(h.feed(new Uint8Array(SOCKS_HANDSHAKE_LIMIT).fill(5).subarray(0, 1)).type, "more");
  const flood = h.feed(new Uint8Array(SOCKS_HANDSHAKE_LIMIT));
  assert.equal(flood.type, "error");
  assert.match(flood.type === "error" ? flood.message : "", /More than 1024 bytes/);
});

test("replies, and the reply for a refused channel open", () => {
  assert.deepEqual([...socksReply(4, Socks5Reply.SUCCEEDED)], [0, 0x5a, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...socksReply(4, Socks5Reply.HOST_UNREACHABLE)], [0, 0x5b, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...socksReply(5, Socks5Reply.SUCCEEDED)], [5, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  assert.equal(socksReplyForOpenFailure(1), Socks5Reply.NOT_ALLOWED);
  assert.equal(
    socksReplyForOpenFailure(2, "connect failed: Connection refused"),
    Socks5Reply.CONNECTION_REFUSED,
  );
  assert.equal(
    socksReplyForOpenFailure(2, "connect failed: No route"),
    Socks5Reply.HOST_UNREACHABLE,
  );
  assert.equal(socksReplyForOpenFailure(undefined), Socks5Reply.GENERAL_FAILURE);
});
