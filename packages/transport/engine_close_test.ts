/**
 * Closing a connection through the transport and the connection layer: a clean close flushes
 * what was written (also during a rekey), and a connection error reaches both layers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Message } from "@hush/wire";
import { DisconnectError, startTransport } from "./mod.ts";
import { memoryDuplexPair } from "./testing.ts";
import { text } from "./testdata/byte_streams.ts";
import { connectedPair } from "./testdata/connected_pair.ts";
import { sessionServer } from "./testdata/exec_server.ts";
import { hostKey, read } from "./testdata/transport_pair.ts";
import { withResolvers } from "./testdata/with_resolvers.ts";

test("a clean close flushes: data written just before close() arrives", async () => {
  const received = withResolvers<string>();
  const p = await connectedPair({
    serverConnection: {
      onChannelOpen: () => true,
      onChannel: (ch) => text(ch.readable).then(received.resolve, received.reject),
    },
  });
  const ch = await p.c.openDirectTcpip({
    host: "h",
    port: 1,
    originatorAddress: "o",
    originatorPort: 2,
  });
  const w = ch.writable.getWriter();
  const last = "x".repeat(1_000_000) + "the end";
  await w.write(new TextEncoder().encode(last));
  await w.close();
  await p.c.close(); // right away: the bytes are still in buffers on their way
  assert.equal(await received.promise, last);
  assert.equal(await p.server.closed, undefined);
});

test("transport: a message sent just before disconnect() arrives before the DISCONNECT", async () => {
  const [a, b] = memoryDuplexPair();
  const [c2, s2] = await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {} }),
    startTransport(b, { role: "server", hostKeys: [await hostKey()] }),
  ]);
  await c2.requestService("ssh-userauth");
  c2.send({ type: "userauthRequest", user: "last", service: "s", method: "none" }); // not awaited
  const closing = c2.disconnect();
  const m = await read(s2);
  assert.ok(m.type === "userauthRequest" && m.user === "last");
  await closing;
  assert.equal(await s2.closed, undefined);
});

test("a clean close during a rekey waits for it, then flushes what was held", async () => {
  const [a, b] = memoryDuplexPair();
  const [client, server] = await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {} }),
    startTransport(b, { role: "server", hostKeys: [await hostKey()] }),
  ]);
  await client.requestService("ssh-userauth");
  await client.send({
    type: "userauthRequest",
    user: "u",
    service: "ssh-connection",
    method: "none",
  });
  await read(server);
  await server.authenticated(); // USERAUTH_SUCCESS, and the hand-off to the connection protocol
  await read(client);
  const p = { client, server };
  p.client.rekey();
  for (let i = 0; i < 5; i++) {
    p.client.send(
      {
        type: "globalRequest",
        request: "other",
        name: `n${i}`,
        wantReply: false,
        data: new Uint8Array(0),
      } as Message,
    );
  }
  assert.equal(p.client.heldMessages, 5);
  const names: string[] = [];
  const r = p.server.messages.getReader();
  const closing = p.client.disconnect();
  for (;;) {
    const { value, done } = await r.read();
    if (done) break;
    if (value.type === "globalRequest" && value.request === "other") names.push(value.name);
  }
  await closing;
  assert.deepEqual(names, ["n0", "n1", "n2", "n3", "n4"]);
  assert.equal(await p.server.closed, undefined);
});

test("the connection error reaches both layers: transport closed and channels torn down", async () => {
  const p = await connectedPair({ serverConnection: sessionServer });
  const session = await p.c.openSession();
  await p.server.disconnect(2, "Protocol error for testing");
  await assert.rejects(text(session.readable));
  await p.c.closed;
  const e = await p.client.closed;
  assert.ok(e instanceof DisconnectError && e.fromPeer && e.reason === 2);
});
