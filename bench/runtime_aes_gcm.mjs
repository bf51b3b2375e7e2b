/**
 * The runtime's own AES-128-GCM decryption, 4096 packets of 32 KiB: `node:crypto` one at a time
 * and WebCrypto with 16 in flight (as Hush's reader keeps them). The same file runs on each:
 *
 *   deno run -A bench/runtime_aes_gcm.mjs; node bench/runtime_aes_gcm.mjs; bun bench/runtime_aes_gcm.mjs
 *
 * It shows what caps Hush's AES suites on a runtime: Hush hands the packet to this code.
 * @module
 */
import { createCipheriv, createDecipheriv } from "node:crypto";

const key = new Uint8Array(16), iv = new Uint8Array(12), aad = new Uint8Array(4);
const size = 32768, n = 4096;
const plaintext = new Uint8Array(size);
const mbps = (ms) => (n * size / 1e6 / (ms / 1000)).toFixed(0);

const c = createCipheriv("aes-128-gcm", key, iv);
c.setAAD(aad);
const ciphertext = new Uint8Array([...c.update(plaintext), ...c.final()]);
const tag = c.getAuthTag();
let t0 = performance.now();
for (let i = 0; i < n; i++) {
  const d = createDecipheriv("aes-128-gcm", key, iv);
  d.setAAD(aad);
  d.setAuthTag(tag);
  d.update(ciphertext);
  d.final();
}
console.log(`node:crypto, one at a time: ${mbps(performance.now() - t0)} MB/s`);

const k = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt", "encrypt"]);
const sealed = await crypto.subtle.encrypt(
  { name: "AES-GCM", iv, additionalData: aad },
  k,
  plaintext,
);
t0 = performance.now();
for (let i = 0; i < n; i += 16) {
  const inFlight = [];
  for (let j = 0; j < 16; j++) {
    inFlight.push(crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad }, k, sealed));
  }
  await Promise.all(inFlight);
}
console.log(`WebCrypto, 16 in flight: ${mbps(performance.now() - t0)} MB/s`);
