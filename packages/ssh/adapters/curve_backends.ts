/**
 * Which X25519 and Ed25519 Hush uses by default: the runtime's WebCrypto where it has them (Deno,
 * Node 20, Bun, Chromium 137 and later), else `@noble/curves`. Measured in fresh processes on
 * our 2-core machine: noble's first X25519 key pair and shared secret take ≈ 70 ms before the JIT
 * warms up, its first Ed25519 public-key derivation ≈ 90 ms and verification ≈ 35 ms; WebCrypto's
 * take 1–5 ms each. That is most of a one-shot client's handshake (see `bench/README.md`).
 * sntrup761's arithmetic likewise runs on `@hush/kex`'s WebAssembly build where it compiles: the
 * TypeScript ring's first key pair in a fresh process takes 58–76 ms on Deno, the WebAssembly one
 * 17–22 with its compilation (which overlaps connecting).
 * @module
 */
import {
  jsSntrup761,
  loadSntrup761Wasm,
  nobleX25519,
  type Sntrup761Backend,
  webCryptoX25519,
  type X25519Backend,
} from "@hush/kex";
import { useEd25519, webCryptoEd25519 } from "@hush/keys";
import { bytesEqual } from "@hush/wire";

let chosen: Promise<X25519Backend> | undefined;

/**
 * The X25519 backend `connect()` and `serve()` use unless given one: WebCrypto when two of its
 * key pairs agree here, noble otherwise. Decided once per process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultX25519 } from "@hush/ssh/adapters";
 * assert.equal((await defaultX25519()).name, "webcrypto"); // on Deno, Node 20 and Bun
 * ```
 */
export function defaultX25519(): Promise<X25519Backend> {
  return chosen ??= (async () => {
    const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
    if (!subtle) return nobleX25519;
    try {
      // two WebCrypto key pairs that agree (noble is not asked: its cold start is the cost)
      const web = webCryptoX25519(subtle);
      const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
      const [a, b] = await Promise.all([web.ephemeral(random), web.ephemeral(random)]);
      const [ab, ba] = await Promise.all([
        a.sharedSecret(b.publicKey),
        b.sharedSecret(a.publicKey),
      ]);
      return ab.length === 32 && bytesEqual(ab, ba) ? web : nobleX25519;
    } catch {
      return nobleX25519;
    }
  })();
}

let sntrup: Promise<Sntrup761Backend> | undefined;

/**
 * The sntrup761 arithmetic `connect()` and `serve()` use unless given one: `@hush/kex`'s
 * WebAssembly build where the runtime compiles it (a fresh process's first key pair in 8–18 ms
 * after 7–14 ms of compiling, against 32–76 ms for the TypeScript ring before V8's JIT has warmed
 * up), else TypeScript.
 * Decided once per process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultSntrup761 } from "@hush/ssh/adapters";
 * assert.equal((await defaultSntrup761()).name, "wasm"); // on Deno, Node 20 and Bun
 * ```
 */
export function defaultSntrup761(): Promise<Sntrup761Backend> {
  return sntrup ??= loadSntrup761Wasm().catch(() => jsSntrup761);
}

// RFC 8032 §7.1, test 1: a seed, its public key, and its signature of the empty message.
const RFC8032_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC8032_SIGNATURE = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065" +
  "224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const bytes = (h: string) => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));

let ed25519Installed: Promise<void> | undefined;

/**
 * Installs the runtime's WebCrypto Ed25519 for `ssh-ed25519` keys (`useEd25519` with
 * `ifUnset`: an application's own choice stands) when it gives RFC 8032's answers here; noble
 * stays otherwise. `connect()`, `serve()` and `loadIdentityFile()` call it; once per process.
 *
 * @example
 * ```ts
 * import { installDefaultEd25519 } from "@hush/ssh/adapters";
 * await installDefaultEd25519();
 * ```
 */
export function installDefaultEd25519(): Promise<void> {
  return ed25519Installed ??= (async () => {
    const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
    if (!subtle) return;
    try {
      const web = webCryptoEd25519(subtle);
      const seed = bytes(RFC8032_SEED);
      const [a, sig] = await Promise.all([web.publicKey(seed), web.sign(seed, new Uint8Array(0))]);
      if (hex(a) === RFC8032_PUBLIC && hex(sig) === RFC8032_SIGNATURE) {
        useEd25519(web, { ifUnset: true });
      }
    } catch { /* noble stays */ }
  })();
}
