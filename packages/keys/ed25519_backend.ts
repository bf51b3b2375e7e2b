/**
 * Where Ed25519 signing, verification and public-key derivation run: `@noble/curves` by default
 * (pure JavaScript: in a fresh process its first operations build tables before the JIT warms
 * up, ≈ 90 ms to derive one public key and ≈ 35 ms for one verification on our 2-core machine),
 * or the runtime's WebCrypto (`webCryptoEd25519`, ≈ 1–5 ms for the same), which `@hush/ssh`
 * installs where it works. Signatures are the same bytes either way (Ed25519 is deterministic).
 * Certificates are verified while they parse, synchronously, on noble whichever is installed.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { decodeBase64Url } from "./encoding.ts";

/**
 * An Ed25519 implementation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nobleEd25519, webCryptoEd25519 } from "@hush/keys";
 * const seed = crypto.getRandomValues(new Uint8Array(32));
 * const web = webCryptoEd25519(crypto.subtle);
 * const data = new TextEncoder().encode("hello");
 * const signature = await web.sign(seed, data); // the same bytes noble makes
 * assert.equal(await nobleEd25519.verify(await web.publicKey(seed), signature, data), true);
 * ```
 */
export interface Ed25519Backend {
  /** A name for traces and benches. */
  readonly name: string;
  /** The 32-byte public key of a 32-byte seed. */
  publicKey(seed: Uint8Array): Promise<Uint8Array>;
  /** The raw 64-byte signature of `data`. */
  sign(seed: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  /** Whether `signature` (64 bytes) is `publicKey`'s over `data`; false for anything malformed. */
  verify(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

/**
 * Ed25519 on `@noble/curves`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nobleEd25519 } from "@hush/keys";
 * assert.equal((await nobleEd25519.publicKey(new Uint8Array(32))).length, 32);
 * ```
 */
export const nobleEd25519: Ed25519Backend = {
  name: "noble",
  publicKey: (seed) => Promise.resolve(ed25519.getPublicKey(seed)),
  sign: (seed, data) => Promise.resolve(ed25519.sign(data, seed)),
  verify(publicKey, signature, data) {
    if (signature.length !== 64 || publicKey.length !== 32) return Promise.resolve(false);
    try {
      return Promise.resolve(ed25519.verify(signature, data, publicKey));
    } catch {
      return Promise.resolve(false);
    }
  },
};

// PKCS#8 PrivateKeyInfo for an Ed25519 seed (RFC 8410): this prefix, then the 32 bytes.
const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
const PKCS8_SEED = [0x04, 0x22, 0x04, 0x20];

/**
 * Ed25519 on a WebCrypto implementation (`crypto.subtle`: Deno, Node 20, Bun, current
 * browsers). The seed goes in as PKCS#8 (the copy zeroed at once); the key stays inside.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { webCryptoEd25519 } from "@hush/keys";
 * const web = webCryptoEd25519(crypto.subtle);
 * assert.equal((await web.sign(new Uint8Array(32), new Uint8Array(0))).length, 64);
 * ```
 */
export function webCryptoEd25519(subtle: SubtleCrypto): Ed25519Backend {
  const privateKey = async (seed: Uint8Array, extractable: boolean): Promise<CryptoKey> => {
    const der = new Uint8Array(PKCS8_PREFIX.length + PKCS8_SEED.length + 32);
    der.set(PKCS8_PREFIX);
    der.set(PKCS8_SEED, PKCS8_PREFIX.length);
    der.set(seed, PKCS8_PREFIX.length + PKCS8_SEED.length);
    try {
      return await subtle.importKey("pkcs8", der, { name: "Ed25519" }, extractable, ["sign"]);
    } finally {
      der.fill(0);
    }
  };
  return {
    name: "webcrypto",
    async publicKey(seed) {
      const jwk = await subtle.exportKey("jwk", await privateKey(seed, true));
      const a = decodeBase64Url(jwk.x ?? "");
      if (jwk.d) jwk.d = ""; // the seed's copy in the JWK object
      return a;
    },
    async sign(seed, data) {
      const key = await privateKey(seed, false);
      return new Uint8Array(await subtle.sign("Ed25519", key, data.slice()));
    },
    async verify(publicKey, signature, data) {
      if (signature.length !== 64 || publicKey.length !== 32) return false;
      try {
        const key = await subtle.importKey("raw", publicKey.slice(), { name: "Ed25519" }, false, [
          "verify",
        ]);
        return await subtle.verify("Ed25519", key, signature.slice(), data.slice());
      } catch {
        return false;
      }
    },
  };
}

let installed: Ed25519Backend = nobleEd25519;
let chosen = false;

/**
 * Installs the Ed25519 implementation that `ssh-ed25519` keys in this process sign, verify and
 * load with (noble until one is installed). `@hush/ssh`'s `connect()`, `serve()` and
 * `loadIdentityFile()` install the runtime's WebCrypto when it works there, with `ifUnset`, so
 * that an application's own choice stands.
 *
 * @example
 * ```ts
 * import { nobleEd25519, useEd25519 } from "@hush/keys";
 * useEd25519(nobleEd25519); // pure JavaScript, whatever the facade would pick
 * ```
 */
export function useEd25519(backend: Ed25519Backend, options: { ifUnset?: boolean } = {}): void {
  if (options.ifUnset && chosen) return;
  installed = backend;
  chosen = true;
}

/** The installed implementation. */
export function ed25519Backend(): Ed25519Backend {
  return installed;
}
