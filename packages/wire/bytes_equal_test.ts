import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesEqual } from "./bytes_equal.ts";

test("bytesEqual: equal only with the same length and every byte the same", () => {
  const a = Uint8Array.from({ length: 64 }, (_, i) => i * 7);
  assert.equal(bytesEqual(a, a.slice()), true);
  assert.equal(bytesEqual(new Uint8Array(0), new Uint8Array(0)), true);
  assert.equal(bytesEqual(a, a.subarray(0, 63)), false);
  for (const at of [0, 31, 63]) {
    for (const bit of [1, 0x80]) {
      const b = a.slice();
      b[at] ^= bit;
      assert.equal(bytesEqual(a, b), false, `byte ${at} bit ${bit}`);
    }
  }
  // Views compare their own bytes, not their buffers.
  const buffer = new Uint8Array([9, 1, 2, 9]);
  assert.equal(bytesEqual(buffer.subarray(1, 3), new Uint8Array([1, 2])), true);
});
