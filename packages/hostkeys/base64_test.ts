import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeBase64, encodeBase64 } from "./base64.ts";

test("base64: round-trips every length", () => {
  for (let n = 0; n < 70; n++) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
    const text = encodeBase64(bytes);
    assert.equal(text, btoa(String.fromCharCode(...bytes)));
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
