/**
 * How fast each runtime runs Hush's chacha20-poly1305@openssh.com: the WebAssembly module
 * (SIMD ChaCha20, 26-bit-limb Poly1305) and noble's JavaScript, sealing and opening 8192
 * packets of 32 KiB. The same bundle runs on each runtime:
 *
 * ```sh
 * deno bundle --platform=node -o /tmp/chacha.mjs bench/runtime_chacha_wasm.ts
 * deno run -A /tmp/chacha.mjs; node /tmp/chacha.mjs; bun /tmp/chacha.mjs
 * ```
 *
 * It shows what caps a runtime's chacha20-poly1305 transfers: Bun's JavaScriptCore runs the
 * module at about a third of V8's speed.
 * @module
 */
import { createOpener, createSealer, loadChaChaPolyWasm, type PacketSealer } from "@hush/cipher";

const CIPHER = "chacha20-poly1305@openssh.com";
const N = 8192;
const backends = { providers: { wasm: await loadChaChaPolyWasm() } };
const keys = {
  iv: new Uint8Array(0),
  key: crypto.getRandomValues(new Uint8Array(64)),
  macKey: new Uint8Array(0),
};
const payload = crypto.getRandomValues(new Uint8Array(32768));
const mbps = (ms: number) => (N * payload.length / 1e6 / (ms / 1000)).toFixed(0);

async function sealAll(sealer: PacketSealer): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < N; i++) out.push(await sealer.seal(payload));
  return out;
}

for (const round of [1, 2]) {
  for (const backend of ["wasm", "noble"] as const) {
    const sealer = createSealer(CIPHER, undefined, keys, { backend, backends });
    const opener = createOpener(CIPHER, undefined, keys, { backend, backends });
    let t = performance.now();
    const packets = await sealAll(sealer);
    const sealMs = performance.now() - t;
    t = performance.now();
    for (const p of packets) await opener.open(p);
    const openMs = performance.now() - t;
    console.log(`round ${round}, ${backend}: seal ${mbps(sealMs)} MB/s, open ${mbps(openMs)} MB/s`);
  }
}
