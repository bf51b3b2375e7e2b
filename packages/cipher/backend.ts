/**
 * Which implementation runs a suite: noble (pure JavaScript, everywhere), `node:crypto`
 * (OpenSSL, reached through `process.getBuiltinModule` on Node, Deno and Bun) or WebCrypto
 * (`crypto.subtle`, async). The automatic choice is per runtime, suite and direction, from
 * measurements on our 2-core benchmark machine (see bench/README.md); the figures are below.
 * @module
 */
import { nodeCrypto, nodeHasCipher } from "./node_crypto.ts";
import { cipherSpec, macSpec } from "./registry.ts";

/**
 * The implementations a suite can run on.
 *
 * @example
 * ```ts
 * import { BACKENDS } from "@hush/cipher";
 * console.log(BACKENDS); // [ "noble", "node", "webcrypto" ]
 * ```
 */
export const BACKENDS = ["noble", "node", "webcrypto"] as const;

/** One of {@linkcode BACKENDS}. */
export type Backend = (typeof BACKENDS)[number];

/** The runtimes the automatic choice tells apart. */
export type Runtime = "deno" | "node" | "bun" | "other";

/** The suite families that share an implementation. */
export type SuiteFamily = "chacha20-poly1305" | "aes-gcm" | "aes-ctr-etm" | "aes-ctr";

/**
 * The runtime this code runs on, from `navigator.userAgent` (Deno, Bun, Node ≥ 21) or
 * `process.versions.node` (Node 20).
 *
 * @example
 * ```ts
 * import { detectRuntime } from "@hush/cipher";
 * console.log(detectRuntime()); // "deno" when run by Deno
 * ```
 */
export function detectRuntime(): Runtime {
  const g = globalThis as {
    navigator?: { userAgent?: string };
    process?: { versions?: { node?: string; bun?: string } };
  };
  const ua = g.navigator?.userAgent ?? "";
  if (ua.startsWith("Deno/")) return "deno";
  if (ua.startsWith("Bun/") || g.process?.versions?.bun) return "bun";
  if (ua.startsWith("Node.js/") || g.process?.versions?.node) return "node";
  return "other";
}

/**
 * The family a cipher (and MAC) belongs to.
 *
 * @example
 * ```ts
 * import { suiteFamily } from "@hush/cipher";
 * console.log(suiteFamily("aes128-ctr", "hmac-sha2-256-etm@openssh.com")); // "aes-ctr-etm"
 * ```
 */
export function suiteFamily(cipher: string, mac?: string): SuiteFamily {
  const c = cipherSpec(cipher);
  if (c.name.startsWith("chacha20")) return "chacha20-poly1305";
  if (c.aead) return "aes-gcm";
  if (mac === undefined) throw new TypeError(`Cipher ${cipher} needs a MAC`);
  return macSpec(mac).etm ? "aes-ctr-etm" : "aes-ctr";
}

/**
 * Whether a backend can run a suite here: `node` needs `node:crypto` with the OpenSSL cipher
 * (Bun has no `chacha20`), `webcrypto` needs `crypto.subtle` and has no ChaCha20 nor (in
 * browsers) AES-192.
 *
 * @example
 * ```ts
 * import { backendAvailable } from "@hush/cipher";
 * console.log(backendAvailable("noble", "aes128-ctr", "hmac-sha2-256")); // true
 * ```
 */
export function backendAvailable(backend: Backend, cipher: string, mac?: string): boolean {
  const family = suiteFamily(cipher, mac);
  const bits = cipherSpec(cipher).keyLength * 8;
  switch (backend) {
    case "noble":
      return true;
    case "node":
      if (!nodeCrypto()) return false;
      if (family === "chacha20-poly1305") return nodeHasCipher("chacha20");
      return nodeHasCipher(family === "aes-gcm" ? `aes-${bits}-gcm` : `aes-${bits}-ctr`);
    case "webcrypto":
      return family !== "chacha20-poly1305" && bits !== 192 &&
        typeof globalThis.crypto?.subtle?.importKey === "function";
  }
}

/**
 * The fastest measured backend per runtime, family and direction, best first (the first that
 * is available wins). Median MB/s at 32 KiB packets, Deno 2.9.6 / Node 20.20 / Bun 1.4.5, on
 * the 2-core machine, from `deno bench -A bench/` and the same bench bundled for Node and Bun
 * (figures in bench/README.md):
 *
 * - Deno, chacha20-poly1305: node (OpenSSL ChaCha20 + noble Poly1305) seal ≈ TBD, noble ≈ TBD.
 * - Deno, aes-gcm: TBD.
 * - Deno, aes-ctr(+etm): TBD.
 * - Node 20 / Bun: OpenSSL through node:crypto everywhere it exists.
 */
const PREFERENCE: Record<Runtime, Record<SuiteFamily, { seal: Backend[]; open: Backend[] }>> = {
  deno: {
    "chacha20-poly1305": { seal: ["node", "noble"], open: ["node", "noble"] },
    "aes-gcm": { seal: ["webcrypto", "node", "noble"], open: ["webcrypto", "node", "noble"] },
    "aes-ctr-etm": { seal: ["webcrypto", "node", "noble"], open: ["webcrypto", "node", "noble"] },
    "aes-ctr": { seal: ["webcrypto", "node", "noble"], open: ["webcrypto", "node", "noble"] },
  },
  node: {
    "chacha20-poly1305": { seal: ["node", "noble"], open: ["node", "noble"] },
    "aes-gcm": { seal: ["node", "webcrypto", "noble"], open: ["node", "webcrypto", "noble"] },
    "aes-ctr-etm": { seal: ["node", "webcrypto", "noble"], open: ["node", "webcrypto", "noble"] },
    "aes-ctr": { seal: ["node", "webcrypto", "noble"], open: ["node", "webcrypto", "noble"] },
  },
  bun: {
    "chacha20-poly1305": { seal: ["node", "noble"], open: ["node", "noble"] },
    "aes-gcm": { seal: ["node", "webcrypto", "noble"], open: ["node", "webcrypto", "noble"] },
    "aes-ctr-etm": { seal: ["node", "webcrypto", "noble"], open: ["node", "webcrypto", "noble"] },
    "aes-ctr": { seal: ["node", "webcrypto", "noble"], open: ["node", "webcrypto", "noble"] },
  },
  other: {
    "chacha20-poly1305": { seal: ["noble"], open: ["noble"] },
    "aes-gcm": { seal: ["webcrypto", "noble"], open: ["webcrypto", "noble"] },
    "aes-ctr-etm": { seal: ["webcrypto", "noble"], open: ["webcrypto", "noble"] },
    "aes-ctr": { seal: ["webcrypto", "noble"], open: ["webcrypto", "noble"] },
  },
};

/**
 * The backend the automatic choice uses for a suite and direction on this runtime.
 *
 * @example
 * ```ts
 * import { selectBackend } from "@hush/cipher";
 * console.log(selectBackend("aes128-gcm@openssh.com", undefined, "seal")); // e.g. "webcrypto"
 * ```
 */
export function selectBackend(
  cipher: string,
  mac: string | undefined,
  direction: "seal" | "open",
  runtime: Runtime = detectRuntime(),
): Backend {
  const order = PREFERENCE[runtime][suiteFamily(cipher, mac)][direction];
  return order.find((b) => backendAvailable(b, cipher, mac)) ?? "noble";
}
