/**
 * Every key exchange × host key algorithm × cipher suite between a Hush client and server.
 *
 * The full cross product is 10 × 6 × 21 = 1260 handshakes; by default this runs a pairwise
 * covering design instead: every kex with every suite (210 handshakes), the host key algorithm
 * chosen as `(kex index + suite index) mod 6`, which gives every kex each host key algorithm at
 * least three times and every suite each host key algorithm at least once. So every pair of
 * algorithms from different families meets in some handshake. Set `HUSH_FULL_MATRIX=1` for the
 * whole product. Each handshake then carries a message each way and a rekey.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { CIPHERS, MACS } from "@hush/cipher";
import { DEFAULT_KEX } from "@hush/kex";
import { generateKey, type PrivateKey } from "@hush/keys";
import type { Message } from "@hush/wire";
import { startTransport, type Transport } from "./mod.ts";
import { memoryDuplexPair } from "./testing.ts";

const HOST_KEY_ALGORITHMS: [string, string][] = [
  ["ssh-ed25519", "ssh-ed25519"],
  ["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"],
  ["ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384"],
  ["ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521"],
  ["rsa-sha2-256", "ssh-rsa"],
  ["rsa-sha2-512", "ssh-rsa"],
];

const SUITES: [string, string | undefined][] = [];
for (const [cipher, spec] of Object.entries(CIPHERS)) {
  if (cipher === "none") continue;
  if (spec.aead) SUITES.push([cipher, undefined]);
  else for (const mac of Object.keys(MACS)) SUITES.push([cipher, mac]);
}

const keys = new Map<string, Promise<PrivateKey>>();
function key(type: string): Promise<PrivateKey> {
  if (!keys.has(type)) keys.set(type, generateKey(type as "ssh-ed25519"));
  return keys.get(type)!;
}

async function read(t: Transport): Promise<Message> {
  const r = t.messages.getReader();
  try {
    const { value, done } = await r.read();
    assert.ok(!done, "stream ended");
    return value;
  } finally {
    r.releaseLock();
  }
}

async function handshake(
  kex: string,
  hostKeyAlgorithm: string,
  keyType: string,
  cipher: string,
  mac?: string,
) {
  const algorithms = {
    kex: [kex],
    hostKey: [hostKeyAlgorithm],
    ciphers: [cipher],
    ...(mac ? { macs: [mac] } : {}),
  };
  const [a, b] = memoryDuplexPair();
  const [c, s] = await Promise.all([
    startTransport(a, { role: "client", algorithms, verifyHostKey: () => {} }),
    startTransport(b, { role: "server", algorithms, hostKeys: [await key(keyType)] }),
  ]);
  assert.equal(c.negotiated?.kex, kex);
  assert.equal(s.negotiated?.hostKey, hostKeyAlgorithm);
  assert.equal(c.negotiated?.cipherServerToClient, cipher);
  assert.equal(s.negotiated?.macClientToServer, mac);
  assert.deepEqual(c.sessionId, s.sessionId);
  await c.requestService("ssh-userauth");
  await c.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  assert.equal((await read(s)).type, "userauthRequest");
  c.rekey();
  await s.send({ type: "userauthBanner", message: "x".repeat(5000), language: "" });
  assert.equal((await read(c)).type, "userauthBanner");
  await s.authenticated(); // USERAUTH_SUCCESS, and the hand-off to the connection protocol
  assert.equal((await read(c)).type, "userauthSuccess");
  assert.equal(c.kexCount, 2);
  await c.disconnect();
  assert.equal(await s.closed, undefined);
}

const full = process.env.HUSH_FULL_MATRIX === "1";
DEFAULT_KEX.forEach((kex, i) => {
  SUITES.forEach(([cipher, mac], j) => {
    const hosts = full
      ? HOST_KEY_ALGORITHMS
      : [HOST_KEY_ALGORITHMS[(i + j) % HOST_KEY_ALGORITHMS.length]];
    for (const [alg, keyType] of hosts) {
      test(`${kex} × ${alg} × ${cipher}${mac ? " " + mac : ""}`, async () => {
        await handshake(kex, alg, keyType, cipher, mac);
      });
    }
  });
});

test("the design covers every pair of algorithms", () => {
  const pairs = new Set<string>();
  DEFAULT_KEX.forEach((kex, i) =>
    SUITES.forEach(([cipher, mac], j) => {
      const [alg] = HOST_KEY_ALGORITHMS[(i + j) % HOST_KEY_ALGORITHMS.length];
      const suite = `${cipher} ${mac}`;
      pairs.add(`k ${kex} s ${suite}`).add(`k ${kex} h ${alg}`).add(`s ${suite} h ${alg}`);
    })
  );
  const n = DEFAULT_KEX.length, m = SUITES.length, h = HOST_KEY_ALGORITHMS.length;
  assert.equal(pairs.size, n * m + n * h + m * h);
});
