import { test } from "node:test";
import assert from "node:assert/strict";
import { DerReader, derSequence } from "./asn1.ts";
import { SshError } from "@hush/wire";
import { KeyError } from "./errors.ts";

const der = (...b: number[]) => new Uint8Array(b);

function throwsKeyError(fn: () => unknown, message: RegExp): void {
  assert.throws(
    fn,
    (e: unknown) =>
      e instanceof KeyError && e instanceof SshError && e.code === "ERR_SSH_KEY" &&
      message.test(e.message),
  );
}

test("reads a SEQUENCE of INTEGER, OCTET STRING, NULL, OID, BIT STRING", () => {
  const r = derSequence(
    der(
      0x30,
      0x1e,
      0x02,
      0x02,
      0x00,
      0x80,
      0x04,
      0x02,
      0xaa,
      0xbb,
      0x05,
      0x00,
      0x06,
      0x08,
      0x2a,
      0x86,
      0x48,
      0xce,
      0x3d,
      0x03,
      0x01,
      0x07,
      0x03,
      0x03,
      0x00,
      0x01,
      0x02,
      0xa1,
      0x03,
      0x02,
      0x01,
      0x05,
    ),
    "test",
  );
  assert.equal(r.integer(), 128n);
  assert.deepEqual(r.octetString(), der(0xaa, 0xbb));
  r.null();
  assert.equal(r.oid(), "1.2.840.10045.3.1.7");
  assert.deepEqual(r.bitString(), der(1, 2));
  assert.equal(r.optionalExplicit(0), undefined);
  const inner = r.optionalExplicit(1);
  assert.equal(inner?.smallInteger(), 5);
  r.end();
});

test("long-form lengths are read and must be minimal", () => {
  const body = new Uint8Array(200);
  const ok = new Uint8Array([0x04, 0x81, 200, ...body]);
  assert.equal(new DerReader(ok).octetString().length, 200);
  throwsKeyError(
    () => new DerReader(der(0x04, 0x81, 0x05, 1, 2, 3, 4, 5)).octetString(),
    /non-minimal length/,
  );
  throwsKeyError(
    () => new DerReader(der(0x04, 0x82, 0x00, 0x85, ...body)).octetString(),
    /non-minimal length/,
  );
});

test("indefinite, oversized and overlong lengths are refused before slicing", () => {
  throwsKeyError(() => new DerReader(der(0x30, 0x80, 0, 0)).sequence(), /indefinite/);
  throwsKeyError(() => new DerReader(der(0x04, 0x85, 1, 0, 0, 0, 0)).octetString(), /too large/);
  throwsKeyError(
    () => new DerReader(der(0x04, 0x84, 0x7f, 0xff, 0xff, 0xff)).octetString(),
    /longer than its container/,
  );
  throwsKeyError(
    () => new DerReader(der(0x04, 0x05, 1, 2)).octetString(),
    /longer than its container/,
  );
  throwsKeyError(() => new DerReader(der(0x04, 0x82, 1)).octetString(), /truncated length/);
  throwsKeyError(() => new DerReader(der(0x04)).octetString(), /truncated element/);
});

test("INTEGERs must be minimal, non-empty and (here) non-negative", () => {
  throwsKeyError(() => new DerReader(der(0x02, 0x02, 0x00, 0x01)).integer(), /non-minimal/);
  throwsKeyError(() => new DerReader(der(0x02, 0x02, 0xff, 0x80)).integer(), /non-minimal/);
  throwsKeyError(() => new DerReader(der(0x02, 0x00)).integer(), /empty/);
  throwsKeyError(() => new DerReader(der(0x02, 0x01, 0x80)).integer(), /negative/);
  throwsKeyError(
    () => new DerReader(der(0x02, 0x05, 0x01, 0, 0, 0, 0)).smallInteger(),
    /too large/,
  );
});

test("wrong tags, multi-byte tags, trailing bytes and bad OIDs are KeyErrors", () => {
  throwsKeyError(() => new DerReader(der(0x04, 0x00)).integer("version"), /expected version/);
  throwsKeyError(() => new DerReader(der(0x1f, 0x01, 0x00)).element(), /multi-byte tag/);
  throwsKeyError(() => derSequence(der(0x30, 0x00, 0x00), "key"), /trailing bytes after key/);
  throwsKeyError(() => new DerReader(der(0x06, 0x02, 0x2a, 0x86)).oid(), /truncated/);
  throwsKeyError(() => new DerReader(der(0x06, 0x02, 0x80, 0x01)).oid(), /non-minimal/);
  throwsKeyError(() => new DerReader(der(0x06, 0x00)).oid(), /OBJECT IDENTIFIER/);
  throwsKeyError(() => new DerReader(der(0x03, 0x02, 0x04, 0xf0)).bitString(), /not whole bytes/);
  throwsKeyError(() => new DerReader(der(0x05, 0x01, 0x00)).null(), /NULL/);
});
