import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { generateKey, parsePublicKey } from "@hush/keys";
import { CIPHERS } from "@hush/cipher";
import { DEFAULT_KEX } from "@hush/kex";
import type { Message } from "@hush/wire";
import { DisconnectError, startTransport, type Transport, type TransportOptions } from "./mod.ts";

/**
 * Two byte duplexes wired back to back. Each direction buffers up to 256 KiB like a socket's
 * send buffer, so a peer that stops reading (as one that refuses the host key does) does not
 * stall our writes of a few packets before its DISCONNECT is read.
 */
function memoryPair() {
  const strategy = { highWaterMark: 256 * 1024, size: (c: Uint8Array) => c.byteLength };
  const ab = new TransformStream<Uint8Array, Uint8Array>({}, strategy, strategy);
  const ba = new TransformStream<Uint8Array, Uint8Array>({}, strategy, strategy);
  return [
    { readable: ba.readable, writable: ab.writable },
    { readable: ab.readable, writable: ba.writable },
  ] as const;
}

async function pair(
  client: Partial<TransportOptions> = {},
  server: Partial<TransportOptions> = {},
  hostKeyType = "ssh-ed25519",
): Promise<[Transport, Transport]> {
  const hostKey = await generateKey(hostKeyType as never);
  const [a, b] = memoryPair();
  const seen: Uint8Array[] = [];
  return await Promise.all([
    startTransport(a, {
      role: "client",
      verifyHostKey: ({ hostKey: k }) => {
        seen.push(k);
        assert.ok(parsePublicKey(k).equals(hostKey.publicKey));
      },
      ...client,
    }),
    startTransport(b, { role: "server", hostKeys: [hostKey], ...server }),
  ]);
}

async function next(t: Transport): Promise<Message> {
  const r = t.messages.getReader();
  try {
    const { value, done } = await r.read();
    assert.ok(!done, "stream ended");
    return value;
  } finally {
    r.releaseLock();
  }
}

test("client and server agree on keys and exchange service request", async () => {
  const [c, s] = await pair();
  assert.deepEqual(c.sessionId, s.sessionId);
  assert.equal(c.strictKex, true);
  await c.requestService("ssh-userauth");
  // EXT_INFO comes right after the server's NEWKEYS, so it is in by SERVICE_ACCEPT
  assert.ok(c.serverSigAlgs?.includes("ssh-ed25519"));
  await c.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  const m = await next(s);
  assert.equal(m.type, "userauthRequest");
  await c.disconnect();
  assert.equal(await s.closed, undefined);
});

for (const kex of DEFAULT_KEX) {
  test(`kex ${kex}`, async () => {
    const [c, s] = await pair({ algorithms: { kex: [kex] } });
    assert.equal(c.negotiated?.kex, kex);
    assert.deepEqual(c.sessionId, s.sessionId);
    await c.disconnect();
  });
}

for (const cipher of Object.keys(CIPHERS)) {
  if (cipher === "none") continue;
  const macs = CIPHERS[cipher as keyof typeof CIPHERS].aead
    ? [undefined]
    : ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512", "hmac-sha1"];
  for (const mac of macs) {
    test(`cipher ${cipher} ${mac ?? ""}`, async () => {
      const algorithms = { ciphers: [cipher], ...(mac ? { macs: [mac] } : {}) };
      const [c, s] = await pair({ algorithms }, { algorithms });
      assert.equal(c.negotiated?.cipherClientToServer, cipher);
      await c.requestService("ssh-userauth");
      const data = new Uint8Array(40000).map((_, i) => i);
      await s.send({ type: "userauthBanner", message: "x".repeat(30000), language: "" });
      await c.send({
        type: "userauthRequest",
        user: "u",
        service: "ssh-connection",
        method: "password",
        password: "p",
      });
      const b = await next(c);
      assert.equal(b.type, "userauthBanner");
      const r = await next(s);
      assert.equal(r.type, "userauthRequest");
      void data;
      await c.disconnect();
    });
  }
}

test("a rekey in the middle of traffic loses and reorders nothing", async () => {
  const [c, s] = await pair({ rekeyBytes: 64 * 1024 });
  await c.requestService("ssh-userauth");
  await s.authenticated(); // USERAUTH_SUCCESS, and the hand-off to the connection protocol
  assert.equal((await next(c)).type, "userauthSuccess");
  const total = 4 * 1024 * 1024;
  const chunk = 32 * 1024;
  const h1 = createHash("sha256");
  const sending = (async () => {
    for (let off = 0, i = 0; off < total; off += chunk, i++) {
      const data = new Uint8Array(chunk).fill(i & 0xff);
      h1.update(data);
      await c.send({ type: "channelData", recipient: 0, data });
    }
  })();
  const h2 = createHash("sha256");
  const r = s.messages.getReader();
  for (let got = 0; got < total;) {
    const { value } = await r.read();
    assert.equal(value!.type, "channelData");
    if (value!.type === "channelData") {
      h2.update(value!.data);
      got += value!.data.length;
    }
  }
  r.releaseLock();
  await sending;
  assert.equal(h1.digest("hex"), h2.digest("hex"));
  assert.ok(c.kexCount > 10, `only ${c.kexCount} key exchanges`);
  await c.disconnect();
});

test("a refused host key disconnects with HOST_KEY_NOT_VERIFIABLE", async () => {
  const hostKey = await generateKey("ssh-ed25519");
  const [a, b] = memoryPair();
  const client = startTransport(a, {
    role: "client",
    verifyHostKey: () => {
      throw new Error("Host key not trusted");
    },
  });
  const server = startTransport(b, { role: "server", hostKeys: [hostKey] });
  await assert.rejects(client, (e) => e instanceof DisconnectError && e.reason === 9);
  await assert.rejects(server, (e) => e instanceof DisconnectError && e.fromPeer && e.reason === 9);
});

test("no common cipher fails with KEY_EXCHANGE_FAILED naming the lists", async () => {
  const hostKey = await generateKey("ssh-ed25519");
  const [a, b] = memoryPair();
  const client = startTransport(a, { role: "client", algorithms: { ciphers: ["aes128-ctr"] } });
  const server = startTransport(b, {
    role: "server",
    hostKeys: [hostKey],
    algorithms: { ciphers: ["aes256-ctr"] },
  });
  await assert.rejects(client, (e) => e instanceof DisconnectError && e.reason === 3);
  await assert.rejects(server, (e) => e instanceof DisconnectError && e.reason === 3);
});

test("a message out of place is a protocol error", async () => {
  const [c, s] = await pair();
  // channel data before authentication
  await c.send({ type: "channelData", recipient: 0, data: new Uint8Array(1) });
  const err = await s.closed;
  assert.ok(err instanceof DisconnectError && err.reason === 2, String(err));
  const cerr = await c.closed;
  assert.ok(cerr instanceof DisconnectError && cerr.fromPeer);
});

test("backends given as promises: the version line and KEXINIT go out before they resolve", async () => {
  const { jsSntrup761, nobleX25519 } = await import("@hush/kex");
  const trace: string[] = [];
  let release!: () => void;
  const ready = new Promise<void>((r) => (release = r));
  const later = <T>(value: T) => ready.then(() => value);
  const used: string[] = [];
  const x25519 = {
    name: "counted",
    ephemeral: (random: (n: number) => Uint8Array) => {
      used.push("x25519");
      return nobleX25519.ephemeral(random);
    },
  };
  const starting = pair({
    algorithms: { kex: ["sntrup761x25519-sha512"] },
    x25519: later(x25519),
    sntrup761: later(jsSntrup761),
    cipherBackends: later({ providers: {} }),
    trace: (line) => trace.push(line),
  });
  // the peer's KEXINIT arrives while the backends are still pending (however slow this machine)
  for (let i = 0; i < 1000 && !trace.includes("SSH2_MSG_KEXINIT received"); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(trace.includes("SSH2_MSG_KEXINIT sent"), trace.join("\n"));
  assert.ok(trace.includes("SSH2_MSG_KEXINIT received"), trace.join("\n"));
  assert.deepEqual(used, []);
  release();
  const [c, s] = await starting;
  assert.deepEqual(used, ["x25519"]);
  assert.deepEqual(c.sessionId, s.sessionId);
  await c.disconnect();
});
