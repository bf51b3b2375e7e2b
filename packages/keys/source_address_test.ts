import { test } from "node:test";
import assert from "node:assert/strict";
import { KeyError, matchSourceAddress } from "./mod.ts";

test("matchSourceAddress matches IPv4 and IPv6 CIDR lists", () => {
  const list = "10.0.0.0/8,192.168.1.1,2001:db8::/32,::1";
  const yes = [
    "10.0.0.1",
    "10.255.255.255",
    "192.168.1.1",
    "2001:db8::5",
    "2001:DB8:1::1",
    "::1",
    "::ffff:10.2.3.4",
    "0:0:0:0:0:0:0:1",
    "2001:db8::1%eth0",
  ];
  const no = [
    "11.0.0.1",
    "192.168.1.2",
    "2001:db9::1",
    "::2",
    "host.example.com",
    "",
    "::ffff:11.0.0.1",
  ];
  for (const a of yes) assert.equal(matchSourceAddress(list, a), true, a);
  for (const a of no) assert.equal(matchSourceAddress(list, a), false, a);
  assert.equal(matchSourceAddress("0.0.0.0/0", "203.0.113.9"), true);
  assert.equal(matchSourceAddress("::/0", "2001:db8::1"), true);
  assert.equal(matchSourceAddress("10.1.2.3/32", "10.1.2.3"), true);
  assert.equal(matchSourceAddress("10.1.2.0/25", "10.1.2.128"), false);
});

test("matchSourceAddress refuses malformed lists with KeyError", () => {
  for (
    const list of [
      "",
      "10.0.0.0/33",
      "10.0.0.1/8",
      "300.1.1.1",
      "10.0.0.0/",
      "1:2:3",
      "1::2::3",
      "*",
      "10.0.0.0/8,",
      "2001:db8::/129",
      "a.b.c.d",
    ]
  ) {
    assert.throws(() => matchSourceAddress(list, "10.0.0.1"), KeyError, list);
  }
});
