/**
 * ping@openssh.com between a Hush client and a Hush server: answered after authentication, not
 * before.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTransport } from "./mod.ts";
import { memoryDuplexPair } from "./testing.ts";
import { connectedPair } from "./testdata/connected_pair.ts";
import { hostKey } from "./testdata/transport_pair.ts";

test("ping@openssh.com: the client pings after authentication, the server answers", async () => {
  const p = await connectedPair();
  assert.ok(p.client.peerExtensions.has("ping@openssh.com"));
  const data = new TextEncoder().encode("are you there");
  assert.deepEqual(await p.client.ping(data), data);
  // the server's client did not announce it
  await assert.rejects(p.server.ping(), TypeError);
  await p.c.close();
});

test("a PING before authentication is not answered", async () => {
  const [a, b] = memoryDuplexPair();
  const lines: string[] = [];
  const [client] = await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {} }),
    startTransport(b, { role: "server", hostKeys: [await hostKey()], trace: (l) => lines.push(l) }),
  ]);
  await client.send({ type: "ping", data: new Uint8Array(1) });
  await client.requestService("ssh-userauth");
  assert.ok(lines.includes("Not answering PING before authentication or during key exchange"));
  await client.disconnect();
});
