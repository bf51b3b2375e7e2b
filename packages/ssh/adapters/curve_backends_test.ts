import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKey, parsePublicKey } from "@hush/keys";
import { defaultX25519, installDefaultEd25519 } from "./mod.ts";

test("defaults: WebCrypto X25519 on Deno, Node 20 and Bun; two of its key pairs agree", async () => {
  const x25519 = await defaultX25519();
  assert.equal(x25519.name, "webcrypto");
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  const [a, b] = [await x25519.ephemeral(random), await x25519.ephemeral(random)];
  assert.deepEqual(await a.sharedSecret(b.publicKey), await b.sharedSecret(a.publicKey));
});

test("defaults: with WebCrypto's Ed25519 installed, keys sign and verify as before", async () => {
  await installDefaultEd25519();
  const key = await generateKey("ssh-ed25519");
  const data = new TextEncoder().encode("exchange hash");
  const sig = await key.sign(data, "ssh-ed25519");
  const pub = parsePublicKey(key.publicKey.blob);
  assert.equal(await pub.verify("ssh-ed25519", sig, data), true);
  assert.equal(await pub.verify("ssh-ed25519", sig, new TextEncoder().encode("other")), false);
});
