import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeBase64, encodeBase64 } from "./base64.ts";

test("base64: round-trips every length", () => {
  for (const n of [...Array(70).keys(), 0x8000 - 1, 0x8000, 0x8000 * 3 + 1]) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
    const text = encodeBase64(bytes);
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    assert.equal(text, btoa(bin));
    assert.deepEqual(decodeBase64(text), bytes);
  }
});

test("base64: only strict padded standard base64 decodes", () => {
  for (
    const bad of [
      "A",
      "AA",
      "AAA",
      "A===",
      "AA=A",
      "=AAA",
      "AA==AAAA",
      "aGk=\n",
      " aGk=",
      "aG-_",
      "aGk\u00e9",
    ]
  ) {
    assert.equal(decodeBase64(bad), undefined, JSON.stringify(bad));
  }
  assert.deepEqual(decodeBase64(""), new Uint8Array(0));
  assert.deepEqual(decodeBase64("AA=="), new Uint8Array([0]));
  assert.deepEqual(decodeBase64("//8="), new Uint8Array([255, 255]));
});
