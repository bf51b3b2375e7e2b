/**
 * The two primitives of the WebAssembly chacha20-poly1305@openssh.com module apart, at packet
 * size: which one bounds the suite (cipher_bench.ts times them together, as packets).
 *
 * ```sh
 * deno bench -A bench/chacha_poly_wasm_bench.ts
 * ```
 * Each call copies its input into the module and its output back out, as a packet open does.
 * @module
 */
import { loadChaChaPolyWasm } from "@hush/cipher";

const wasm = await loadChaChaPolyWasm();
const SIZE = 32 * 1024;
const data = crypto.getRandomValues(new Uint8Array(SIZE));
const key = crypto.getRandomValues(new Uint8Array(32));
const nonce = new Uint8Array(8);

Deno.bench(`Poly1305, ${SIZE} B`, { group: "primitives", n: 2000 }, () => {
  wasm.poly1305(key, data);
});

Deno.bench(`ChaCha20, ${SIZE} B`, { group: "primitives", n: 2000 }, () => {
  wasm.chacha20(key, nonce, 1, data);
});
