import { test } from "node:test";
import assert from "node:assert/strict";
import { connectTcp, listenTcp } from "./tcp.ts";

test("tcp: a half-closed connection still carries the reply (EOF ends only the reading half)", async () => {
  const listener = await listenTcp("127.0.0.1", 0);
  const served = (async () => {
    for await (const conn of listener) {
      let got = 0;
      for await (const chunk of conn.readable) got += chunk.length;
      const w = conn.writable.getWriter();
      await w.write(new TextEncoder().encode(`got ${got}`));
      await w.close();
      conn.close();
      break;
    }
  })();
  const client = await connectTcp("127.0.0.1", listener.port);
  const w = client.writable.getWriter();
  await w.write(new Uint8Array(100_000));
  await w.close(); // FIN: the server sees EOF, then answers
  const reply = await new Response(client.readable).text();
  assert.equal(reply, "got 100000");
  client.close();
  await served;
  listener.close();
});

test("tcp: close() ends our own reading half at once, the peer silent and connected", async () => {
  const listener = await listenTcp("127.0.0.1", 0);
  const accepted = (async () => {
    for await (const conn of listener) return conn;
  })();
  // the peer connects and then says nothing, as a client that stalls before its version line
  const peer = await connectTcp("127.0.0.1", listener.port);
  const conn = (await accepted)!;
  const reader = conn.readable.getReader();
  const read = reader.read();
  conn.close();
  assert.deepEqual(await read, { done: true, value: undefined });
  peer.close();
  listener.close();
});
