/**
 * The cipher backends `connect()` and `serve()` hand down, picked per runtime: `node:crypto`
 * where the runtime has it (Node, Deno, Bun), WebCrypto, and the WebAssembly
 * chacha20-poly1305; and the order to try them, from the measurements in bench/README.md.
 * The only place that asks which runtime this is: the core packages are handed the result.
 * @module
 */
import {
  type BackendPreferences,
  type CipherBackends,
  type CipherProviders,
  loadChaChaPolyWasm,
  type NodeCrypto,
} from "@hush/cipher";

/** The runtimes the measured preferences tell apart. */
type Runtime = "deno" | "node" | "bun" | "browser";

function runtime(): Runtime {
  const g = globalThis as { Deno?: unknown; Bun?: unknown; process?: { versions?: object } };
  if (g.Deno !== undefined) return "deno";
  if (g.Bun !== undefined) return "bun";
  if (g.process?.versions && "node" in g.process.versions) return "node";
  return "browser";
}

const AES_FAMILIES = ["aes-gcm", "aes-ctr-etm", "aes-ctr"] as const;

/**
 * The order per runtime (bench/README.md, "Cipher suites"): chacha20-poly1305 on the
 * WebAssembly construction everywhere (OpenSSL's ChaCha20 with noble's Poly1305 is bounded by
 * the Poly1305); AES on WebCrypto on Deno (its OpenSSL path through node:crypto costs a copy per
 * call), except packets under the crossover sizes, and on OpenSSL through node:crypto on Node
 * and Bun; in browsers WebCrypto.
 */
const PREFERENCES: Record<Runtime, BackendPreferences> = {
  deno: {
    "chacha20-poly1305": { seal: ["wasm", "node", "noble"], open: ["wasm", "node", "noble"] },
    "aes-gcm": {
      seal: ["webcrypto", "node", "noble"],
      open: ["webcrypto", "node", "noble"],
      smallPacketBelow: { seal: 4096, open: 2048 },
    },
    "aes-ctr-etm": {
      seal: ["webcrypto", "node", "noble"],
      open: ["webcrypto", "node", "noble"],
      smallPacketBelow: { seal: 6144, open: 12288 },
    },
    "aes-ctr": {
      seal: ["webcrypto", "node", "noble"],
      open: ["webcrypto", "node", "noble"],
      smallPacketBelow: { seal: 6144, open: 16384 },
    },
  },
  node: {
    "chacha20-poly1305": { seal: ["wasm", "node", "noble"], open: ["wasm", "node", "noble"] },
    ...Object.fromEntries(AES_FAMILIES.map((f) => [f, {
      seal: ["node", "webcrypto", "noble"],
      open: ["node", "webcrypto", "noble"],
    }])),
  },
  bun: {
    "chacha20-poly1305": { seal: ["wasm", "noble"], open: ["wasm", "noble"] },
    ...Object.fromEntries(AES_FAMILIES.map((f) => [f, {
      seal: ["node", "webcrypto", "noble"],
      open: ["node", "webcrypto", "noble"],
    }])),
  },
  browser: {
    "chacha20-poly1305": { seal: ["wasm", "noble"], open: ["wasm", "noble"] },
    ...Object.fromEntries(AES_FAMILIES.map((f) => [f, {
      seal: ["webcrypto", "noble"],
      open: ["webcrypto", "noble"],
    }])),
  },
};

let chosen: Promise<CipherBackends> | undefined;

/**
 * The cipher backends for this runtime (found once per process): what `connect()` and
 * `serve()` use unless given `cipherBackends` of their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultCipherBackends } from "@hush/ssh/adapters";
 * const backends = await defaultCipherBackends();
 * assert.ok(backends.providers.subtle); // WebCrypto, on every runtime
 * // backends.providers.wasm is there too where WebAssembly SIMD runs
 * ```
 */
export function defaultCipherBackends(): Promise<CipherBackends> {
  chosen ??= (async () => {
    const where = runtime();
    const providers: CipherProviders = {};
    if (where !== "browser") {
      // Without a static node: import, so that the browser bundle of the client has none; and
      // only when a suite asks for it: on Deno, reaching `process` and node:crypto costs ~40 ms
      // of start-up that a chacha20-poly1305 connection (WebAssembly) never needs.
      let node: NodeCrypto | undefined | null = null;
      Object.defineProperty(providers, "node", {
        enumerable: true,
        get(): NodeCrypto | undefined {
          if (node !== null) return node;
          node = undefined;
          try {
            const proc = (globalThis as {
              process?: { getBuiltinModule?: (id: string) => unknown };
            }).process;
            node = proc?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
          } catch { /* a runtime without node:crypto */ }
          return node;
        },
      });
    }
    if (globalThis.crypto?.subtle) providers.subtle = globalThis.crypto.subtle;
    try {
      providers.wasm = await loadChaChaPolyWasm();
    } catch { /* no WebAssembly, or no SIMD: noble runs chacha20-poly1305 */ }
    return { providers, preferences: PREFERENCES[where] };
  })();
  return chosen;
}
