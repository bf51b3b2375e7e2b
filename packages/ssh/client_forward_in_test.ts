import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKey } from "@hush/keys";
import { memoryDuplexPair } from "./adapters/memory.ts";
import { accept } from "./accept.ts";
import { connect } from "./connect.ts";
import type { TcpipForwardRequest } from "./server_forward_handlers.ts";

test("connect: onChannelOpen/onChannel receive the server's forwarded-tcpip opens (ssh -R)", async () => {
  const hostKey = await generateKey("ssh-ed25519");
  const userKey = await generateKey("ssh-ed25519");
  const [a, b] = memoryDuplexPair();
  let request!: TcpipForwardRequest;
  const server = accept(b, {
    hostKeys: [hostKey],
    authenticate: { publickey: (_user, key) => key.equals(userKey.publicKey) },
    onForward: {
      tcpipForward: (r) => {
        request = r;
        return { port: 4242, close: () => {} };
      },
    },
  });
  const opens: string[] = [];
  const client = await connect({
    hostname: "test",
    username: "me",
    identities: [userKey],
    policy: "no",
    duplex: a,
    onChannelOpen: (open) => {
      opens.push(open.channelType === "forwarded-tcpip" ? `${open.address}:${open.port}` : "?");
      return true;
    },
    onChannel: (channel) => {
      // an echo service on the client side
      void channel.readable.pipeTo(channel.writable);
    },
  });
  await server;
  assert.equal(await client.forwardIn("localhost", 0), 4242);
  // the server hands one connection back through the forward
  const [near, far] = memoryDuplexPair();
  await request.forward(far, "192.0.2.1", 5555);
  const w = near.writable.getWriter();
  await w.write(new TextEncoder().encode("echo me"));
  await w.close();
  assert.equal(await new Response(near.readable).text(), "echo me");
  assert.deepEqual(opens, ["localhost:4242"], "the open names the port actually bound");
  await client.close();
});
