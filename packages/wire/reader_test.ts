import { test } from "node:test";
import assert from "node:assert/strict";
import { SshReader, SshWriter, WireError } from "./mod.ts";

test("mpint round trip at sign boundaries", () => {
  for (const v of [0n, 1n, 0x7fn, 0x80n, -1n, -0x80n, -0x81n, 0x9a378f9b2e332a7n, -0xdeadbeefn]) {
    const bytes = new SshWriter().mpint(v).finish();
    assert.equal(new SshReader(bytes).mpint(), v);
  }
});

test("RFC 4251 §5 mpint examples", () => {
  const hex = (v: bigint) =>
    Array.from(new SshWriter().mpint(v).finish(), (b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(hex(0n), "00000000");
  assert.equal(hex(0x9a378f9b2e332a7n), "0000000809a378f9b2e332a7");
  assert.equal(hex(0x80n), "000000020080");
  assert.equal(hex(-0x1234n), "00000002edcc");
  assert.equal(hex(-0xdeadbeefn), "00000005ff21524111");
});

test("non-minimal mpint is rejected", () => {
  assert.throws(() => new SshReader(new Uint8Array([0, 0, 0, 2, 0, 1])).mpint(), WireError);
  assert.throws(() => new SshReader(new Uint8Array([0, 0, 0, 2, 0xff, 0x80])).mpint(), WireError);
});

test("zero must be the empty mpint: a lone 0x00 byte is non-minimal", () => {
  assert.equal(new SshReader(new Uint8Array([0, 0, 0, 0])).mpint(), 0n);
  assert.throws(() => new SshReader(new Uint8Array([0, 0, 0, 1, 0])).mpint(), /Non-minimal/);
  assert.equal(new SshReader(new Uint8Array([0, 0, 0, 1, 0xff])).mpint(), -1n);
  assert.equal(new SshReader(new Uint8Array([0, 0, 0, 1, 0x7f])).mpint(), 127n);
});

test("a length of 2^32-1 is rejected before allocating", () => {
  const r = new SshReader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2]));
  assert.throws(() => r.string(), (e) => e instanceof WireError && e.reason === 2);
});

test("name-list rules", () => {
  const list = (s: string) => new SshReader(new SshWriter().string(s).finish()).nameList();
  assert.deepEqual(list(""), []);
  assert.deepEqual(list("a,b"), ["a", "b"]);
  assert.throws(() => list("a,,b"), WireError);
  assert.throws(() => list("a,"), WireError);
  assert.throws(() => list("é"), WireError);
});

test("raw refuses a negative or fractional count instead of moving backwards", () => {
  const r = new SshReader(new Uint8Array([1, 2, 3]));
  r.byte();
  for (const n of [-1, 0.5, NaN]) assert.throws(() => r.raw(n), RangeError);
  assert.equal(r.offset, 1);
  assert.deepEqual(r.raw(2), new Uint8Array([2, 3]));
  assert.deepEqual(r.raw(0), new Uint8Array(0));
  assert.throws(() => r.raw(1), WireError);
});
