import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKey } from "@hush/keys";
import { startTransport } from "./start.ts";

/** A duplex whose peer swallows what we write and never says anything. */
function silentPeer(): {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
} {
  const toPeer = new TransformStream<Uint8Array, Uint8Array>();
  toPeer.readable.pipeTo(new WritableStream()).catch(() => {});
  return { readable: new ReadableStream<Uint8Array>(), writable: toPeer.writable };
}

test("startTransport: the handshake timeout ends a peer that never sends its version line", async () => {
  const started = Date.now();
  await assert.rejects(
    startTransport(silentPeer(), {
      role: "client",
      handshakeTimeout: 200,
      verifyHostKey: () => {},
    }),
    /timed out after 200 ms/,
  );
  assert.ok(Date.now() - started < 5000);
});

test("startTransport: an abort ends a peer that never sends its version line", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const started = Date.now();
  await assert.rejects(
    startTransport(silentPeer(), {
      role: "server",
      hostKeys: [await generateKey("ssh-ed25519")],
      signal: controller.signal,
    }),
  );
  assert.ok(Date.now() - started >= 90, "ended by the abort, not at once");
});
