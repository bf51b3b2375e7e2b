/**
 * Test support (not published): every implementation this runtime can hand the suites —
 * `node:crypto`, WebCrypto and the WebAssembly chacha20-poly1305 — so that tests run each
 * backend, and "auto" picks among all of them as `@hush/ssh` would.
 * @module
 */
import * as nodeCrypto from "node:crypto";
import {
  type CipherBackends,
  type CipherProviders,
  loadChaChaPolyWasm,
  type NodeCrypto,
} from "../mod.ts";

/** Every provider the runtime has. */
export const ALL_PROVIDERS: CipherProviders = {
  node: nodeCrypto as unknown as NodeCrypto,
  subtle: crypto.subtle,
  wasm: await loadChaChaPolyWasm(),
};

/**
 * All providers; AES on WebCrypto with small packets through `node:crypto` (as on Deno), so
 * that "auto" runs that mixed path too.
 */
export const ALL_BACKENDS: CipherBackends = {
  providers: ALL_PROVIDERS,
  preferences: Object.fromEntries(
    (["aes-gcm", "aes-ctr-etm", "aes-ctr"] as const).map((family) => [family, {
      seal: ["webcrypto", "node", "noble"],
      open: ["webcrypto", "node", "noble"],
      smallPacketBelow: { seal: 4096, open: 2048 },
    }]),
  ),
};
