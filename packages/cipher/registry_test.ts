import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CIPHERS,
  cipherSpec,
  DEFAULT_CIPHERS,
  DEFAULT_MACS,
  isAead,
  keyLengths,
  MACS,
  macSpec,
} from "./mod.ts";

test("defaults follow OpenSSH 10: chacha20-poly1305, aes-gcm, aes-ctr; etm MACs first, no SHA-1", () => {
  assert.deepEqual(DEFAULT_CIPHERS, [
    "chacha20-poly1305@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
  ]);
  assert.deepEqual(DEFAULT_MACS, [
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
  ]);
  for (const c of DEFAULT_CIPHERS) assert.ok(CIPHERS[c], c);
  for (const m of DEFAULT_MACS) assert.ok(MACS[m], m);
  assert.ok(MACS["hmac-sha1"] && MACS["hmac-sha1-etm@openssh.com"]);
  assert.ok(!DEFAULT_MACS.some((m) => m.includes("sha1")));
});

test("key lengths as RFC 4253 §7.2 derives them", () => {
  assert.deepEqual(keyLengths("chacha20-poly1305@openssh.com"), {
    ivLength: 0,
    keyLength: 64,
    macKeyLength: 0,
  });
  assert.deepEqual(keyLengths("aes128-gcm@openssh.com", "hmac-sha2-256"), {
    ivLength: 12,
    keyLength: 16,
    macKeyLength: 0,
  });
  assert.deepEqual(keyLengths("aes256-gcm@openssh.com"), {
    ivLength: 12,
    keyLength: 32,
    macKeyLength: 0,
  });
  assert.deepEqual(keyLengths("aes192-ctr", "hmac-sha1-etm@openssh.com"), {
    ivLength: 16,
    keyLength: 24,
    macKeyLength: 20,
  });
  assert.deepEqual(keyLengths("aes128-ctr", "hmac-sha2-512"), {
    ivLength: 16,
    keyLength: 16,
    macKeyLength: 64,
  });
});

test("AEAD flags, block sizes and tag lengths", () => {
  assert.equal(isAead("chacha20-poly1305@openssh.com"), true);
  assert.equal(isAead("aes256-gcm@openssh.com"), true);
  assert.equal(isAead("aes256-ctr"), false);
  assert.equal(isAead("none"), false);
  assert.equal(isAead("toString"), false);
  assert.equal(cipherSpec("chacha20-poly1305@openssh.com").blockSize, 8);
  assert.equal(cipherSpec("aes128-gcm@openssh.com").tagLength, 16);
  assert.equal(cipherSpec("aes128-ctr").tagLength, 0);
  assert.equal(macSpec("hmac-sha2-512-etm@openssh.com").etm, true);
  assert.equal(macSpec("hmac-sha2-256").etm, false);
  for (const [name, spec] of Object.entries(CIPHERS)) assert.equal(spec.name, name);
  for (const [name, spec] of Object.entries(MACS)) assert.equal(spec.name, name);
});

test("unknown names are TypeErrors; a non-AEAD cipher needs a MAC", () => {
  assert.throws(() => keyLengths("aes128-cbc", "hmac-sha2-256"), TypeError);
  assert.throws(() => keyLengths("aes128-ctr", "hmac-md5"), TypeError);
  assert.throws(() => keyLengths("aes128-ctr"), TypeError);
  assert.throws(() => cipherSpec("__proto__"), TypeError);
});
