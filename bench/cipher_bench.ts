// Seal/open throughput of @hush/cipher against the raw primitives underneath, per suite, packet
// size and backend:  deno bench -A bench/cipher_bench.ts
//
// Each iteration moves a batch of 16 packets, as the wire streams do: seals and opens are issued
// together (PacketWriter and PacketReader each keep up to 16 in flight), opens in order (each
// packet's length is read from the opener before the next one starts). The baseline of every group is the raw primitive of the backend selected on
// this runtime, over the same bytes with the same concurrency; the other backends' raw
// primitives and suites run beside it. "auto" is what connect() and serve() pick on this
// runtime (defaultCipherBackends: on Deno WebCrypto for AES, with small packets through
// node:crypto, and the WebAssembly construction for chacha20-poly1305).
// CIPHER_BENCH_LIBSODIUM=1 adds libsodium's WebAssembly ChaCha20 and Poly1305 (npm
// libsodium-wrappers-sumo) as a raw primitive beside ours, for the choice of backend.
import {
  type Backend,
  backendAvailable,
  BACKENDS,
  createOpener,
  createSealer,
  keyLengths,
  type PacketOpener,
  selectBackend,
} from "@hush/cipher";
import { defaultCipherBackends } from "@hush/ssh/adapters";
import { ctr, gcm } from "@noble/ciphers/aes.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import * as nodeCrypto from "node:crypto";

const BATCH = 16;
// CIPHER_BENCH_SIZES="2048,4096" measures other payload sizes (e.g. to place the crossovers).
const SIZES = Deno.env.get("CIPHER_BENCH_SIZES")?.split(",").map(Number) ?? [64, 1024, 32768];
const SUITES: [string, string | undefined][] = [
  ["chacha20-poly1305@openssh.com", undefined],
  ["aes128-gcm@openssh.com", undefined],
  ["aes256-gcm@openssh.com", undefined],
  ["aes128-ctr", "hmac-sha2-256-etm@openssh.com"],
  ["aes256-ctr", "hmac-sha2-256"],
];
const only = Deno.env.get("CIPHER_BENCH_ONLY"); // e.g. "gcm" or "32768" to narrow a dev run

const random = (n: number): Uint8Array<ArrayBuffer> => crypto.getRandomValues(new Uint8Array(n));
const backendsHere = await defaultCipherBackends();
const providers = backendsHere.providers;
const withLibsodium = Deno.env.get("CIPHER_BENCH_LIBSODIUM") === "1";

/** The raw primitive(s) a suite runs per packet body, for a backend: [seal, open]. */
type Raw = (body: Uint8Array<ArrayBuffer>) => unknown;
async function rawPrimitives(
  family: string,
  backend: Backend,
  keyLength: number,
): Promise<[Raw, Raw] | undefined> {
  const key = random(keyLength === 64 ? 32 : keyLength);
  const macKey = random(32);
  const iv12 = random(12);
  const iv16 = random(16);
  const aad = random(4);
  const bits = keyLength * 8;
  if (family === "chacha") {
    const nonce = random(8);
    const polyKey = random(32);
    if (backend === "noble") {
      const f = (b: Uint8Array<ArrayBuffer>) => {
        chacha20orig(key, nonce, b, new Uint8Array(b.length), 1);
        return poly1305(b, polyKey);
      };
      return [f, f];
    }
    if (backend === "node") {
      const iv = new Uint8Array(16);
      const f = (b: Uint8Array<ArrayBuffer>) => {
        nodeCrypto.createCipheriv("chacha20", key, iv).update(b);
        return poly1305(b, polyKey);
      };
      return [f, f];
    }
    if (backend === "wasm") {
      // The module's primitives one at a time (each copies in and out), against its one call.
      const wasm = providers.wasm!;
      const f = (b: Uint8Array<ArrayBuffer>) => {
        wasm.chacha20(key, nonce, 1, b);
        return wasm.poly1305(polyKey, b);
      };
      return [f, f];
    }
    return undefined;
  }
  if (family === "gcm") {
    // Open baselines decrypt a valid ciphertext of the same size (tag checked).
    const sealedFor = (b: Uint8Array<ArrayBuffer>) => gcm(key, iv12, aad).encrypt(b);
    const sealedCache = new Map<Uint8Array, Uint8Array<ArrayBuffer>>();
    const sealed = (b: Uint8Array<ArrayBuffer>) => {
      let c = sealedCache.get(b);
      if (!c) sealedCache.set(b, c = sealedFor(b) as Uint8Array<ArrayBuffer>);
      return c;
    };
    if (backend === "noble") {
      return [
        (b) => gcm(key, iv12, aad).encrypt(b),
        (b) => gcm(key, iv12, aad).decrypt(sealed(b)),
      ];
    }
    if (backend === "node") {
      const alg = `aes-${bits}-gcm` as "aes-128-gcm";
      return [
        (b) => {
          const c = nodeCrypto.createCipheriv(alg, key, iv12);
          c.setAAD(aad);
          c.update(b);
          c.final();
          return c.getAuthTag();
        },
        (b) => {
          const ct = sealed(b);
          const d = nodeCrypto.createDecipheriv(alg, key, iv12);
          d.setAAD(aad);
          d.setAuthTag(ct.subarray(b.length));
          d.update(ct.subarray(0, b.length));
          return d.final();
        },
      ];
    }
    const k = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt", "decrypt"]);
    return [
      (b) => crypto.subtle.encrypt({ name: "AES-GCM", iv: iv12, additionalData: aad }, k, b),
      (b) =>
        crypto.subtle.decrypt({ name: "AES-GCM", iv: iv12, additionalData: aad }, k, sealed(b)),
    ];
  }
  // AES-CTR + HMAC-SHA-256
  if (backend === "noble") {
    const f = (b: Uint8Array<ArrayBuffer>) => {
      ctr(key, iv16).encrypt(b, new Uint8Array(b.length));
      return hmac(sha256, macKey, b);
    };
    return [f, f];
  }
  if (backend === "node") {
    const stream = nodeCrypto.createCipheriv(`aes-${bits}-ctr`, key, iv16);
    const f = (b: Uint8Array<ArrayBuffer>) => {
      stream.update(b);
      return nodeCrypto.createHmac("sha256", macKey).update(b).digest();
    };
    return [f, f];
  }
  const k = await crypto.subtle.importKey("raw", key, "AES-CTR", false, ["encrypt", "decrypt"]);
  const h = await crypto.subtle.importKey(
    "raw",
    macKey,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  const tag = new Uint8Array(32);
  return [
    async (b) => {
      await crypto.subtle.encrypt({ name: "AES-CTR", counter: iv16, length: 128 }, k, b);
      return crypto.subtle.sign("HMAC", h, b);
    },
    async (b) => {
      await crypto.subtle.verify("HMAC", h, tag, b); // false, but the work is the same
      return crypto.subtle.decrypt({ name: "AES-CTR", counter: iv16, length: 128 }, k, b);
    },
  ];
}

for (const [cipher, mac] of SUITES) {
  const label = mac ? `${cipher}+${mac}` : cipher;
  const family = cipher.startsWith("chacha") ? "chacha" : cipher.includes("gcm") ? "gcm" : "ctr";
  const l = keyLengths(cipher, mac);
  const keys = { iv: random(l.ivLength), key: random(l.keyLength), macKey: random(l.macKeyLength) };
  const backends = BACKENDS.filter((b) => backendAvailable(b, cipher, mac, providers));
  const raws = new Map<Backend | "libsodium", [Raw, Raw]>();
  for (const b of backends) {
    const r = await rawPrimitives(family, b, l.keyLength);
    if (r) raws.set(b, r);
  }
  if (family === "chacha" && withLibsodium) raws.set("libsodium", await libsodiumPrimitives());
  for (const size of SIZES) {
    if (only && !`${label} ${size}`.includes(only)) continue;
    const payloads = Array.from({ length: BATCH }, () => random(size));
    // The bytes a suite encrypts per payload (padding_length, payload, padding): as many
    // distinct buffers as the suite side touches, so that both work on equally cold memory.
    const bodyLength = size + 1 + 15 - ((size + 1 + 15) % 16) + 16;
    const ringSize = Math.max(BATCH, Math.min(1024, Math.floor((8 << 20) / size)));
    const sealBodies = Array.from({ length: BATCH }, () => random(bodyLength));
    const openBodies = Array.from({ length: ringSize }, () => random(bodyLength));
    let bodyAt = 0;
    for (const op of ["seal", "open"] as const) {
      const group = `${label} ${size}B ${op}`;
      const selected = selectBackend(cipher, mac, op, backendsHere).backend;
      for (
        const b of [
          ...backends,
          ...(raws.has("libsodium") ? ["libsodium" as const] : []),
          "auto" as const,
        ]
      ) {
        const raw = b === "auto" ? undefined : raws.get(b)?.[op === "seal" ? 0 : 1];
        if (raw && op === "open" && family === "gcm") {
          for (const body of openBodies) await raw(body); // seals each body's ciphertext once
        }
        if (raw) {
          Deno.bench(`${b} raw primitive`, { group, baseline: b === selected, n: 64 }, async () => {
            if (op === "seal") await Promise.all(sealBodies.map((body) => raw(body)));
            else {
              const opening: Promise<unknown>[] = [];
              for (let i = 0; i < BATCH; i++) {
                opening.push(Promise.resolve(raw(openBodies[bodyAt])));
                bodyAt = (bodyAt + 1) % openBodies.length;
              }
              await Promise.all(opening);
            }
          });
        }
        if (b === "libsodium") continue;
        const options = { backend: b, backends: backendsHere };
        if (op === "seal") {
          const sealer = createSealer(cipher, mac, keys, options);
          Deno.bench(
            b === "auto" ? `auto seal (${selected} selected)` : `${b} seal`,
            { group, n: 64 },
            async () => {
              await Promise.all(payloads.map((p) => sealer.seal(p)));
            },
          );
        } else {
          // A ring of packets sealed in order; a fresh opener each time round.
          const sealer = createSealer(cipher, mac, keys, { backend: "noble" });
          const ring: Uint8Array[] = [];
          for (let i = 0; i < ringSize; i++) ring.push(await sealer.seal(payloads[i % BATCH]));
          let opener: PacketOpener = createOpener(cipher, mac, keys, options);
          let at = 0;
          Deno.bench(
            b === "auto" ? `auto open (${selected} selected)` : `${b} open`,
            { group, n: 64 },
            async () => {
              const opening: Promise<unknown>[] = [];
              for (let i = 0; i < BATCH; i++) {
                if (at === ring.length) {
                  await Promise.all(opening.splice(0)); // the old opener's packets first
                  opener = createOpener(cipher, mac, keys, options);
                  at = 0;
                }
                // A copy, as PacketReader gives each packet it opens ahead (openers may
                // decrypt in place, and the ring is reused).
                const packet = ring[at++].slice();
                opener.packetLength(packet.subarray(0, opener.headerLength));
                opening.push(Promise.resolve(opener.open(packet)));
              }
              await Promise.all(opening);
            },
          );
        }
      }
    }
  }
}

/** libsodium's WebAssembly ChaCha20 and Poly1305 (npm, bench only: fetched only when asked for). */
async function libsodiumPrimitives(): Promise<[Raw, Raw]> {
  const sodium = (await import("libsodium-wrappers-sumo")).default;
  await sodium.ready;
  const key = random(32);
  const nonce = random(8);
  const polyKey = random(32);
  const f = (b: Uint8Array<ArrayBuffer>) => {
    sodium.crypto_stream_chacha20_xor_ic(b, nonce, 1, key);
    return sodium.crypto_onetimeauth(b, polyKey);
  };
  return [f, f];
}
