/**
 * Two Hush transports back to back over an in-memory duplex, for the transport's tests: a host
 * key, a pair with the handshake done (and optionally authenticated), reading one message, and
 * the assertion that one end disconnected the other for breaking a rule.
 * @module
 */
import assert from "node:assert/strict";
import { generateKey, type PrivateKey } from "@hush/keys";
import type { Message } from "@hush/wire";
import { DisconnectError, startTransport, type Transport, type TransportOptions } from "../mod.ts";
import { memoryDuplexPair } from "../testing.ts";

const keyCache = new Map<string, Promise<PrivateKey>>();

/** A host key of `type` (default ssh-ed25519), generated once and shared by every test. */
export function hostKey(type = "ssh-ed25519"): Promise<PrivateKey> {
  if (!keyCache.has(type)) keyCache.set(type, generateKey(type as "ssh-ed25519"));
  return keyCache.get(type)!;
}

/** The next message `t` delivers; fails if its stream has ended. */
export async function read(t: Transport): Promise<Message> {
  const r = t.messages.getReader();
  try {
    const { value, done } = await r.read();
    assert.ok(!done, "stream ended");
    return value;
  } finally {
    r.releaseLock();
  }
}

/** A client and a server transport with the handshake done, nothing more. */
export async function pair(
  client: Partial<TransportOptions> = {},
  server: Partial<TransportOptions> = {},
): Promise<[Transport, Transport]> {
  const [a, b] = memoryDuplexPair();
  return await Promise.all([
    startTransport(a, { role: "client", verifyHostKey: () => {}, ...client }),
    startTransport(b, { role: "server", hostKeys: [await hostKey()], ...server }),
  ]);
}

/** Authenticated pair: service accepted, USERAUTH_SUCCESS through. */
export async function authenticated(
  client: Partial<TransportOptions> = {},
  server: Partial<TransportOptions> = {},
): Promise<readonly [Transport, Transport]> {
  const [c, s] = await pair(client, server);
  await c.requestService("ssh-userauth");
  await c.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  await read(s);
  await s.authenticated(); // USERAUTH_SUCCESS, and the hand-off to the connection protocol
  assert.equal((await read(c)).type, "userauthSuccess");
  return [c, s] as const;
}

/** Asserts that `victim` disconnected `peer` with `reason` and a message matching `pattern`. */
export async function victimCloses(
  victim: Transport,
  peer: Transport,
  pattern: RegExp,
  reason = 2,
): Promise<void> {
  const e = await victim.closed;
  assert.ok(e instanceof DisconnectError, String(e));
  assert.equal(e.reason, reason);
  assert.equal(e.fromPeer, false);
  assert.match(e.message, new RegExp(pattern.source, "i"));
  const pe = await peer.closed;
  assert.ok(pe instanceof DisconnectError && pe.fromPeer && pe.reason === reason, String(pe));
}
