import { test } from "node:test";
import assert from "node:assert/strict";
import { mpintBytes, SshReader, SshWriter } from "./mod.ts";

test("a writer made with capacity 0 grows (it used to loop forever)", () => {
  const w = new SshWriter(0);
  assert.deepEqual(w.byte(1).finish(), new Uint8Array([1]));
  assert.deepEqual(
    new SshWriter(0).string("abc").finish(),
    new Uint8Array([0, 0, 0, 3, 97, 98, 99]),
  );
});

test("growth keeps earlier bytes, and reset reuses the buffer", () => {
  const w = new SshWriter(1);
  const big = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
  w.byte(7).string(big).uint64(0x0102030405060708n);
  const r = new SshReader(w.finish());
  assert.equal(r.byte(), 7);
  assert.deepEqual(r.string(), big);
  assert.equal(r.uint64(), 0x0102030405060708n);
  r.end();
  assert.equal(w.reset().length, 0);
  assert.deepEqual(w.boolean(true).finish(), new Uint8Array([1]));
});

test("finish returns a copy the writer does not touch again", () => {
  const w = new SshWriter();
  const first = w.uint32(1).finish();
  w.reset().uint32(2);
  assert.deepEqual(first, new Uint8Array([0, 0, 0, 1]));
});

test("range checks on uint32, uint64 and name-lists", () => {
  const w = new SshWriter();
  for (const v of [-1, 2 ** 32, 1.5, NaN]) assert.throws(() => w.uint32(v), RangeError);
  assert.throws(() => w.uint64(-1n), RangeError);
  assert.throws(() => w.uint64(1n << 64n), RangeError);
  for (const bad of ["", "a,b", "caf\u00e9", "tab\t"]) {
    assert.throws(() => w.nameList([bad]), TypeError, JSON.stringify(bad));
  }
});

test("mpintFromUnsigned strips zeros and adds a sign byte", () => {
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const m = (...b: number[]) => hex(new SshWriter().mpintFromUnsigned(new Uint8Array(b)).finish());
  assert.equal(m(), "00000000");
  assert.equal(m(0, 0), "00000000");
  assert.equal(m(0, 0x7f), "000000017f");
  assert.equal(m(0, 0, 0x80, 1), "00000003008001");
  for (const v of [0n, 1n, 0x7fn, 0x80n, 0xffffn, (1n << 255n) + 7n]) {
    const bytes = mpintBytes(v);
    const mag = new Uint8Array(40);
    const h = v.toString(16).padStart(80, "0");
    for (let i = 0; i < 40; i++) mag[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
    const viaUnsigned = new SshWriter().mpintFromUnsigned(mag).finish();
    assert.deepEqual(viaUnsigned, new SshWriter().string(bytes).finish());
    assert.equal(new SshReader(viaUnsigned).mpint(), v);
  }
});

test("ascii writes printable US-ASCII and refuses anything else", () => {
  assert.deepEqual(
    new SshWriter().ascii("a b~").finish(),
    new Uint8Array([0, 0, 0, 4, 97, 32, 98, 126]),
  );
  for (const bad of ["\u00e9", "\n", "\u0000", "\u007f", "\u{1f600}"]) {
    assert.throws(() => new SshWriter().ascii(bad), TypeError, JSON.stringify(bad));
  }
});
