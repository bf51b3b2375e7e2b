/**
 * Starting a transport: a {@linkcode Transport} over a byte duplex, once its version exchange
 * and first key exchange are done.
 * @module
 */
import type { ByteDuplex, TransportOptions } from "./options.ts";
import { Transport } from "./transport.ts";

/**
 * Starts an SSH transport over a byte duplex: version exchange and the first key exchange.
 * Resolves once keys are in place; the client then calls `requestService("ssh-userauth")`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey } from "@hush/keys";
 * import { startTransport } from "@hush/transport";
 * import { memoryDuplexPair } from "@hush/transport/testing";
 * const [a, b] = memoryDuplexPair();
 * const hostKey = await generateKey("ssh-ed25519");
 * const seen: string[] = [];
 * const [client, server] = await Promise.all([
 *   startTransport(a, { role: "client", verifyHostKey: ({ algorithm }) => void seen.push(algorithm) }),
 *   startTransport(b, { role: "server", hostKeys: [hostKey] }),
 * ]);
 * assert.deepEqual(seen, ["ssh-ed25519"]);
 * assert.equal(client.sessionId?.length === server.sessionId?.length, true);
 * await client.disconnect();
 * ```
 */
export async function startTransport(
  duplex: ByteDuplex,
  options: TransportOptions,
): Promise<Transport> {
  const t = new Transport(duplex, options);
  await t.start();
  return t;
}
