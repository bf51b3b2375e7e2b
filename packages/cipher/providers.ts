/**
 * What a suite may run on, and which implementation runs it. The implementations beyond noble
 * (pure JavaScript, everywhere) are handed in by the caller — `node:crypto` (OpenSSL), WebCrypto's
 * `SubtleCrypto`, the package's WebAssembly chacha20-poly1305 — so this package never looks for
 * a runtime: `@hush/ssh` picks them per runtime, from measurements, and passes them down.
 * @module
 */
import type { ChaChaPolyWasm } from "./chacha20_poly1305_wasm.ts";
import type { NodeCrypto } from "./node_crypto.ts";
import { cipherSpec, macSpec } from "./registry.ts";

/**
 * The implementations a suite can run on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BACKENDS } from "@hush/cipher";
 * assert.deepEqual(BACKENDS, ["noble", "node", "webcrypto", "wasm"]);
 * ```
 */
export const BACKENDS = ["noble", "node", "webcrypto", "wasm"] as const;

/**
 * One of {@linkcode BACKENDS}.
 *
 * @example
 * ```ts
 * import type { Backend } from "@hush/cipher";
 * const backend: Backend = "wasm";
 * ```
 */
export type Backend = (typeof BACKENDS)[number];

/**
 * The suite families that share an implementation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suiteFamily, type SuiteFamily } from "@hush/cipher";
 * const f: SuiteFamily = suiteFamily("aes256-gcm@openssh.com");
 * assert.equal(f, "aes-gcm");
 * ```
 */
export type SuiteFamily = "chacha20-poly1305" | "aes-gcm" | "aes-ctr-etm" | "aes-ctr";

/**
 * The implementations beyond noble that the caller hands in; each is optional.
 *
 * @example
 * ```ts
 * import { type CipherProviders, loadChaChaPolyWasm } from "@hush/cipher";
 * const providers: CipherProviders = { subtle: crypto.subtle, wasm: await loadChaChaPolyWasm() };
 * ```
 */
export interface CipherProviders {
  /** `node:crypto` (OpenSSL) where the runtime has it: Node, Deno, Bun (Bun has no `chacha20`). */
  node?: NodeCrypto;
  /** WebCrypto's `SubtleCrypto` (asynchronous; no ChaCha20, and in browsers no AES-192). */
  subtle?: SubtleCrypto;
  /** The WebAssembly chacha20-poly1305@openssh.com module ({@linkcode loadChaChaPolyWasm}). */
  wasm?: ChaChaPolyWasm;
}

/**
 * For one suite family: the backends to try, best first, per direction; and, where the first
 * available is WebCrypto, the packet sizes under which a synchronous `node:crypto` call wins
 * (payload bytes when sealing, packet_length when opening; WebCrypto costs a thread hop and a
 * promise per call).
 *
 * @example
 * ```ts
 * import type { BackendChoice } from "@hush/cipher";
 * const gcmOnDeno: BackendChoice = {
 *   seal: ["webcrypto", "node", "noble"],
 *   open: ["webcrypto", "node", "noble"],
 *   smallPacketBelow: { seal: 4096, open: 2048 },
 * };
 * ```
 */
export interface BackendChoice {
  /** Backends for sealing, best first. */
  seal: readonly Backend[];
  /** Backends for opening, best first. */
  open: readonly Backend[];
  /** With WebCrypto chosen: packets under these sizes go through `node:crypto`. */
  smallPacketBelow?: { seal: number; open: number };
}

/**
 * Backend choices per suite family; families left out use {@linkcode DEFAULT_BACKEND_CHOICES}.
 *
 * @example
 * ```ts
 * import type { BackendPreferences } from "@hush/cipher";
 * const prefs: BackendPreferences = { "aes-gcm": { seal: ["node"], open: ["node"] } };
 * ```
 */
export type BackendPreferences = Partial<Record<SuiteFamily, BackendChoice>>;

/**
 * What sealers and openers are built from: the providers handed in, and the order to try them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CipherBackends, createSealer } from "@hush/cipher";
 * const backends: CipherBackends = { providers: { subtle: crypto.subtle } };
 * const keys = { iv: new Uint8Array(12), key: new Uint8Array(16), macKey: new Uint8Array(0) };
 * const sealer = createSealer("aes128-gcm@openssh.com", undefined, keys, { backends });
 * assert.equal((await sealer.seal(new Uint8Array([2]))).length, 36);
 * ```
 */
export interface CipherBackends {
  /** The implementations available. */
  providers: CipherProviders;
  /** The order to try them per family (default: {@linkcode DEFAULT_BACKEND_CHOICES}). */
  preferences?: BackendPreferences;
}

/**
 * The order used where the caller gives none: the WebAssembly construction for chacha20-poly1305
 * (one call per packet, SIMD ChaCha20 and 26-bit-limb Poly1305), OpenSSL then WebCrypto for AES,
 * noble last. `@hush/ssh` refines it per runtime from measurements (see bench/README.md).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_BACKEND_CHOICES } from "@hush/cipher";
 * assert.deepEqual(DEFAULT_BACKEND_CHOICES["chacha20-poly1305"].seal, ["wasm", "noble"]);
 * ```
 */
export const DEFAULT_BACKEND_CHOICES: Readonly<Record<SuiteFamily, BackendChoice>> = {
  "chacha20-poly1305": { seal: ["wasm", "noble"], open: ["wasm", "noble"] },
  "aes-gcm": { seal: ["node", "webcrypto", "noble"], open: ["node", "webcrypto", "noble"] },
  "aes-ctr-etm": { seal: ["node", "webcrypto", "noble"], open: ["node", "webcrypto", "noble"] },
  "aes-ctr": { seal: ["node", "webcrypto", "noble"], open: ["node", "webcrypto", "noble"] },
};

/**
 * The family a cipher (and MAC) belongs to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suiteFamily } from "@hush/cipher";
 * assert.equal(suiteFamily("aes128-ctr", "hmac-sha2-256-etm@openssh.com"), "aes-ctr-etm");
 * ```
 */
export function suiteFamily(cipher: string, mac?: string): SuiteFamily {
  const c = cipherSpec(cipher);
  if (c.name.startsWith("chacha20")) return "chacha20-poly1305";
  if (c.aead) return "aes-gcm";
  if (mac === undefined) throw new TypeError(`Cipher ${cipher} needs a MAC`);
  return macSpec(mac).etm ? "aes-ctr-etm" : "aes-ctr";
}

const cipherNames = new WeakMap<NodeCrypto, Set<string>>();

/** Whether `node:crypto` knows an OpenSSL cipher name (Bun has no `chacha20`). */
function nodeHasCipher(nc: NodeCrypto, name: string): boolean {
  let names = cipherNames.get(nc);
  if (!names) cipherNames.set(nc, names = new Set(nc.getCiphers()));
  return names.has(name);
}

/**
 * Whether a backend can run a suite with these providers: `node` needs the OpenSSL cipher,
 * `webcrypto` has no ChaCha20 (nor, in browsers, AES-192), `wasm` runs chacha20-poly1305 only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backendAvailable } from "@hush/cipher";
 * assert.equal(backendAvailable("noble", "aes128-ctr", "hmac-sha2-256", {}), true);
 * assert.equal(backendAvailable("webcrypto", "aes128-ctr", "hmac-sha2-256", {}), false);
 * ```
 */
export function backendAvailable(
  backend: Backend,
  cipher: string,
  mac: string | undefined,
  providers: CipherProviders,
): boolean {
  const family = suiteFamily(cipher, mac);
  const bits = cipherSpec(cipher).keyLength * 8;
  switch (backend) {
    case "noble":
      return true;
    case "wasm":
      return family === "chacha20-poly1305" && providers.wasm !== undefined;
    case "node": {
      const nc = providers.node;
      if (!nc) return false;
      if (family === "chacha20-poly1305") return nodeHasCipher(nc, "chacha20");
      return nodeHasCipher(nc, family === "aes-gcm" ? `aes-${bits}-gcm` : `aes-${bits}-ctr`);
    }
    case "webcrypto":
      return family !== "chacha20-poly1305" && bits !== 192 && providers.subtle !== undefined;
  }
}

/**
 * The backend a suite and direction runs on: the first available of the preferences, else
 * noble; and the size under which packets take `node:crypto` instead when that is WebCrypto.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectBackend } from "@hush/cipher";
 * const choice = selectBackend("aes128-gcm@openssh.com", undefined, "seal", { providers: {} });
 * assert.deepEqual(choice, { backend: "noble", smallPacketBelow: 0 });
 * ```
 */
export function selectBackend(
  cipher: string,
  mac: string | undefined,
  direction: "seal" | "open",
  backends: CipherBackends,
): { backend: Backend; smallPacketBelow: number } {
  const family = suiteFamily(cipher, mac);
  const choice = backends.preferences?.[family] ?? DEFAULT_BACKEND_CHOICES[family];
  const providers = backends.providers;
  const backend = choice[direction].find((b) => backendAvailable(b, cipher, mac, providers)) ??
    "noble";
  const small = backend === "webcrypto" && backendAvailable("node", cipher, mac, providers)
    ? choice.smallPacketBelow?.[direction] ?? 0
    : 0;
  return { backend, smallPacketBelow: small };
}
