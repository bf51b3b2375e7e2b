import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage, LIST_LIMIT, SshWriter, WireError } from "./mod.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

test("list limits: EXT_INFO and keyboard-interactive counts", () => {
  const ext = (n: number) => {
    const w = new SshWriter().byte(7).uint32(n);
    for (let i = 0; i < n; i++) w.string(`e${i}`).string("");
    return w.finish();
  };
  assert.equal((decodeMessage(ext(LIST_LIMIT)) as { extensions: unknown[] }).extensions.length, 64);
  assert.throws(() => decodeMessage(ext(LIST_LIMIT + 1)), /Too many extensions/);
  assert.throws(() => decodeMessage(bytes(7, 0xff, 0xff, 0xff, 0xff)), WireError);
  const responses = new SshWriter().byte(61).uint32(0xffffffff).finish();
  assert.throws(() => decodeMessage(responses, { auth: "keyboard-interactive" }), WireError);
});
