/**
 * A Hush client and server, transport and connection layer together, over a socket-like
 * in-memory duplex: handshake, service request, a `none` authentication, then a
 * {@linkcode Connection} on each end.
 * @module
 */
import assert from "node:assert/strict";
import { Connection, type ConnectionOptions } from "@hush/channels";
import { startTransport, type Transport, type TransportOptions } from "../mod.ts";
import { type MemoryDuplex, memoryDuplexPair } from "../testing.ts";
import { hostKey, read } from "./transport_pair.ts";

/** What {@linkcode connectedPair} returns: both transports, both connections, both duplex ends. */
export interface Pair {
  client: Transport;
  server: Transport;
  c: Connection;
  s: Connection;
  a: MemoryDuplex;
  b: MemoryDuplex;
}

/** Handshake, service request, a `none` authentication the server accepts, then channels. */
export async function connectedPair(
  options: {
    client?: Partial<TransportOptions>;
    server?: Partial<TransportOptions>;
    hostKeyType?: string;
    serverConnection?: Partial<ConnectionOptions>;
    clientConnection?: Partial<ConnectionOptions>;
  } = {},
): Promise<Pair> {
  const key = await hostKey(options.hostKeyType);
  const [a, b] = memoryDuplexPair();
  const [client, server] = await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {}, ...options.client }),
    startTransport(b, { role: "server", hostKeys: [key], ...options.server }),
  ]);
  await client.requestService("ssh-userauth");
  await client.send({
    type: "userauthRequest",
    user: "u",
    service: "ssh-connection",
    method: "none",
  });
  assert.equal((await read(server)).type, "userauthRequest");
  await server.authenticated(); // USERAUTH_SUCCESS, and the hand-off to the connection protocol
  assert.equal((await read(client)).type, "userauthSuccess");
  const s = new Connection(server, { role: "server", ...options.serverConnection });
  const c = new Connection(client, { role: "client", ...options.clientConnection });
  return { client, server, c, s, a, b };
}
