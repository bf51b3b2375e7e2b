import { test } from "node:test";
import assert from "node:assert/strict";
import { hashPassword, parsePasswordFile, verifyPassword } from "./password_hash.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16));
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b)).replace(/=+$/, "");

test("verifyPassword matches the RFC 7914 §12 scrypt vector (N=16384, r=8, p=1)", async () => {
  const salt = b64(new TextEncoder().encode("SodiumChloride"));
  const dk = b64(hex(
    "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2" +
      "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
  ));
  const stored = `$scrypt$16384$8$1$${salt}$${dk}`;
  assert.equal(await verifyPassword("pleaseletmein", stored), true);
  assert.equal(await verifyPassword("pleaseletmeIn", stored), false);
});

test("hashPassword round-trips, salts differ, format is $scrypt$N$r$p$salt$hash", async () => {
  const a = await hashPassword("s3cret", { N: 1024 });
  const b = await hashPassword("s3cret", { N: 1024 });
  assert.match(a, /^\$scrypt\$1024\$8\$1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword("s3cret", a), true);
  assert.equal(await verifyPassword("s3cret ", a), false);
  assert.equal(await verifyPassword("", a), false);
});

test("parameters are bounded at the limit and one past it", async () => {
  await assert.rejects(hashPassword("x", { N: 1000 }), RangeError);
  await assert.rejects(hashPassword("x", { r: 33 }), RangeError);
  await assert.rejects(hashPassword("x", { p: 17 }), RangeError);
  await assert.rejects(
    verifyPassword("x", "$scrypt$2097152$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"),
    RangeError,
  );
  await assert.rejects(
    verifyPassword("x", "$scrypt$1048576$16$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"),
    RangeError,
  );
  await assert.rejects(verifyPassword("x", "$2b$10$abc"), TypeError);
  await assert.rejects(verifyPassword("x", "$scrypt$1024$8$1$c2Fs$aGFzaA"), TypeError);
});

test("parsePasswordFile reads user:hash lines and names a bad line", () => {
  const users = parsePasswordFile(
    "# c\n\nalice:$scrypt$2$1$1$AAAA$BBBB\r\nbob:$scrypt$4$1$1$CC$DD\n",
  );
  assert.deepEqual([...users.keys()], ["alice", "bob"]);
  assert.equal(users.get("alice"), "$scrypt$2$1$1$AAAA$BBBB");
  assert.throws(() => parsePasswordFile("alice:$scrypt$1\nbob\n"), /line 2/);
  assert.throws(() => parsePasswordFile(":$scrypt$x"), /line 1/);
});
