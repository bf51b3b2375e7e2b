import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { fromNodeSocket } from "./tcp.ts";

/** The byte at `i` of the test stream: no period a reused buffer could hide behind. */
const byteAt = (i: number) => (i * 7 + (i >>> 16)) & 0xff;

test("tcp: a node:net socket's chunks are each its own memory, kept intact by later reads (readsAreOwned)", async () => {
  const total = 16 * 1024 * 1024;
  const server = net.createServer((s) => {
    let sent = 0;
    const send = () => {
      while (sent < total) {
        const part = new Uint8Array(256 * 1024);
        for (let i = 0; i < part.length; i++) part[i] = byteAt(sent + i);
        sent += part.length;
        if (!s.write(part)) return void s.once("drain", send);
      }
      s.end();
    };
    send();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((r, j) => socket.once("connect", r).once("error", j));
  const conn = fromNodeSocket(socket);
  assert.equal(conn.readsAreOwned, true);
  const kept: Uint8Array[] = [];
  for await (const chunk of conn.readable) kept.push(chunk);
  conn.close();
  await new Promise<void>((r) => server.close(() => r()));
  // Every chunk still holds what it held when read, and no two share memory.
  const buffers = new Set(kept.map((c) => c.buffer));
  assert.equal(buffers.size, kept.length, "no buffer is handed out twice");
  let at = 0;
  for (const c of kept) {
    for (let i = 0; i < c.length; i++, at++) {
      if (c[i] !== byteAt(at)) assert.fail(`byte ${at} changed after it was read`);
    }
  }
  assert.equal(at, total);
});
