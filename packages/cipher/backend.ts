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

/**
 * One of {@linkcode BACKENDS}.
 *
 * @example
 * ```ts
 * import { type Backend, selectBackend } from "@hush/cipher";
 * const b: Backend = selectBackend("aes256-gcm@openssh.com", undefined, "open");
 * console.log(["noble", "node", "webcrypto"].includes(b)); // true
 * ```
 */
export type Backend = (typeof BACKENDS)[number];

/**
 * The runtimes the automatic choice tells apart.
 *
 * @example
 * ```ts
 * import { detectRuntime, type Runtime } from "@hush/cipher";
 * const r: Runtime = detectRuntime();
 * console.log(r); // "deno" under Deno
 * ```
 */
export type Runtime = "deno" | "node" | "bun" | "other";

/**
 * The suite families that share an implementation.
 *
 * @example
 * ```ts
 * import { suiteFamily, type SuiteFamily } from "@hush/cipher";
 * const f: SuiteFamily = suiteFamily("aes256-gcm@openssh.com");
 * console.log(f); // "aes-gcm"
 * ```
 */
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
 * is available wins). Seal/open MB/s of payload, median of 5 rounds, 16 seals in flight and
 * opens one at a time (as the wire streams run them), on the shared 2-core machine (AMD EPYC,
 * load ≈ 6 from other jobs, so ±30%), measured 2026-11-25 with the bundled package:
 *
 * | runtime       | suite (32 KiB)        | noble   | node:crypto | WebCrypto |
 * | ------------- | --------------------- | ------- | ----------- | --------- |
 * | Deno 2.9.6    | chacha20-poly1305     | 75/62   | 122/117 (1) | —         |
 * | Deno 2.9.6    | aes128-gcm            | 25/23   | 99/112      | 435/330   |
 * | Deno 2.9.6    | aes256-gcm            | 29/29   | 101/116     | 340/567   |
 * | Deno 2.9.6    | aes128-ctr + sha2-256-etm | 51/48 | 222/172  | 513/303   |
 * | Deno 2.9.6    | aes128-ctr + sha2-256 | 47/44   | 150/162     | 395/143   |
 * | Node 20.20    | chacha20-poly1305     | 63/63   | 74/76 (1)   | —         |
 * | Node 20.20    | aes128-gcm            | 20/20   | 417/406     | 328/405   |
 * | Node 20.20    | aes256-gcm            | 18/18   | 536/481     | 472/394   |
 * | Node 20.20    | aes128-ctr + sha2-256-etm | 18/19 | 430/448  | 153/173   |
 * | Node 20.20    | aes128-ctr + sha2-256 | 24/23   | 669/451     | 378/306   |
 * | Bun 1.4.5     | chacha20-poly1305     | 51/60   | — (2)       | —         |
 * | Bun 1.4.5     | aes128-gcm            | 20/22   | 793/1490    | 492/1027  |
 * | Bun 1.4.5     | aes256-gcm            | 15/17   | 419/645     | 537/1259  |
 * | Bun 1.4.5     | aes128-ctr + sha2-256-etm | 27/26 | 262/399  | 340/356   |
 * | Bun 1.4.5     | aes128-ctr + sha2-256 | 30/30   | 312/327     | 235/116   |
 *
 * At 1 KiB the native paths' per-call cost shows: Deno aes128-ctr+etm node 26/10 against
 * WebCrypto 14/6, Bun 202/232 against 60/27, Node 61/82 against 14/10. WebCrypto still wins
 * on Deno where it matters (bulk data), `node:crypto` wins on Node and Bun at every size
 * except Bun's aes256-gcm at 32 KiB, where the two are within the noise.
 * (1) OpenSSL ChaCha20 with noble's Poly1305, which bounds it (no runtime has a native
 * Poly1305 that JavaScript can reach); noble below 2 KiB. (2) Bun has no `chacha20`.
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
 * Where WebCrypto is chosen and `node:crypto` is there too, packets under these sizes (payload
 * bytes when sealing, packet_length when opening) take the synchronous `node:crypto` path:
 * WebCrypto's per-call cost (a hop to a worker thread and a promise) loses to OpenSSL below
 * them. Both wire streams keep up to 16 packets in flight. Deno 2.9.6, MB/s node vs WebCrypto,
 * seal (bench/README.md): aes128-gcm 2 KiB 110/116, 4 KiB 143/151, 8 KiB 166/394;
 * aes128-ctr+sha2-256-etm 4 KiB 207/137, 8 KiB 248/327. Open, with opens in flight
 * (`CIPHER_BENCH_SIZES=2048,4096,8192,16384 CIPHER_BENCH_ONLY=open deno bench -A
 * bench/cipher_bench.ts`, two runs): aes128-gcm 2 KiB 103–110/121–126, 4 KiB 125–128/265–293,
 * 8 KiB 143–147/269–346; aes128-ctr+sha2-256-etm 4 KiB 141–182/108–135, 8 KiB 149–226/
 * 119–120, 16 KiB 175–218/262–310; aes256-ctr+sha2-256 8 KiB 172–174/140–167, 16 KiB 187–202/
 * 202–218.
 */
const SMALL_PACKET_BELOW: Partial<
  Record<Runtime, Record<SuiteFamily, { seal: number; open: number }>>
> = {
  deno: {
    "chacha20-poly1305": { seal: 0, open: 0 },
    "aes-gcm": { seal: 4096, open: 2048 },
    "aes-ctr-etm": { seal: 6144, open: 12288 },
    "aes-ctr": { seal: 6144, open: 16384 },
  },
};

/**
 * For an automatically chosen WebCrypto backend: the size under which packets go through
 * `node:crypto` instead (0 for none).
 */
export function smallPacketBelow(
  cipher: string,
  mac: string | undefined,
  direction: "seal" | "open",
  runtime: Runtime = detectRuntime(),
): number {
  if (!backendAvailable("node", cipher, mac)) return 0;
  return SMALL_PACKET_BELOW[runtime]?.[suiteFamily(cipher, mac)][direction] ?? 0;
}

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
