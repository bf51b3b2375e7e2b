import assert from "node:assert/strict";
import { test } from "node:test";
import { createOpener, createSealer, selectBackend } from "@hush/cipher";
import { defaultCipherBackends } from "./crypto_backends.ts";

test("node:crypto is a provider reached on first use, and chacha20-poly1305 never reaches it", async () => {
  const backends = await defaultCipherBackends();
  const descriptor = Object.getOwnPropertyDescriptor(backends.providers, "node");
  assert.ok(descriptor?.get, "a getter, not a value loaded up front");
  // the default suite picks WebAssembly without asking for node:crypto
  let asked = 0;
  const providers = Object.defineProperty({ ...backends.providers, node: undefined }, "node", {
    get: () => (asked++, descriptor.get!.call(backends.providers)),
  });
  const keys = {
    key: new Uint8Array(64).fill(1),
    iv: new Uint8Array(0),
    macKey: new Uint8Array(0),
  };
  const chacha = "chacha20-poly1305@openssh.com";
  const choice = selectBackend(chacha, undefined, "seal", { ...backends, providers });
  assert.equal(choice.backend, backends.providers.wasm ? "wasm" : "node");
  if (backends.providers.wasm) {
    const sealer = createSealer(chacha, undefined, keys, { backends: { ...backends, providers } });
    const opener = createOpener(chacha, undefined, keys, { backends: { ...backends, providers } });
    assert.deepEqual(
      await opener.open(await sealer.seal(new Uint8Array([5, 1]))),
      new Uint8Array([5, 1]),
    );
    assert.equal(asked, 0);
  }
  // where the runtime has it, it is there when asked for
  const node = backends.providers.node;
  assert.equal(node === undefined || typeof node.createCipheriv === "function", true);
});
