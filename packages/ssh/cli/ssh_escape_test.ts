import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeFilter } from "./ssh_escape.ts";

async function through(chunks: string[]): Promise<{ out: string; disconnected: boolean }> {
  let disconnected = false;
  const enc = new TextEncoder();
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      for (const s of chunks) c.enqueue(enc.encode(s));
      c.close();
    },
  });
  const out = await new Response(source.pipeThrough(escapeFilter(() => (disconnected = true))))
    .text();
  return { out, disconnected };
}

test("escape: ~. at the start of a line disconnects, even split across reads", async () => {
  assert.deepEqual(await through(["~."]), { out: "", disconnected: true });
  assert.deepEqual(await through(["ls\r", "~", ".rest"]), { out: "ls\r", disconnected: true });
  assert.deepEqual(await through(["echo\n~.", "more"]), { out: "echo\n", disconnected: true });
});

test("escape: ~~ sends one ~; a ~ elsewhere or before another key goes through", async () => {
  assert.deepEqual(await through(["~~x"]), { out: "~x", disconnected: false });
  assert.deepEqual(await through(["a~.b"]), { out: "a~.b", disconnected: false });
  assert.deepEqual(await through(["~x\r~"]), { out: "~x\r~", disconnected: false });
  assert.deepEqual(await through(["~~.", "\r~/"]), { out: "~.\r~/", disconnected: false });
});
