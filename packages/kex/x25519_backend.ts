/**
 * Where X25519 runs. `@noble/curves` by default (pure JavaScript: its first scalar
 * multiplications in a fresh process run before the JIT has warmed up, tens of milliseconds
 * each), or the runtime's WebCrypto (`webCryptoX25519`), which the facade hands in where it is
 * measured faster. The key exchange checks the peer's value and the all-zero secret the same way
 * whichever runs.
 * @module
 */
import { x25519 } from "@noble/curves/ed25519.js";
import type { RandomSource } from "@hush/wire";

/** One ephemeral X25519 key pair, used once. */
export interface X25519Ephemeral {
  /** The 32-byte public value. */
  readonly publicKey: Uint8Array;
  /**
   * The raw 32-byte shared secret with a 32-byte peer value (checked by the caller); the
   * private key is forgotten afterwards. Rejects on a value the backend refuses.
   */
  sharedSecret(peer: Uint8Array): Promise<Uint8Array>;
}

/**
 * An X25519 implementation for the key exchange.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nobleX25519, webCryptoX25519 } from "@hush/kex";
 * const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
 * const a = await nobleX25519.ephemeral(random);
 * const b = await webCryptoX25519(crypto.subtle).ephemeral(random);
 * const [ab, ba] = [await a.sharedSecret(b.publicKey), await b.sharedSecret(a.publicKey)];
 * assert.equal(ab.every((x, i) => x === ba[i]), true);
 * ```
 */
export interface X25519Backend {
  /** A name for traces and benches. */
  readonly name: string;
  /** A fresh key pair; backends that draw their own keys ignore `random`. */
  ephemeral(random: RandomSource): Promise<X25519Ephemeral>;
}

/**
 * X25519 on `@noble/curves`: the private key is `random(32)`, so a fixed random source gives
 * fixed keys (the known-answer tests rely on it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nobleX25519 } from "@hush/kex";
 * const e = await nobleX25519.ephemeral((n) => new Uint8Array(n).fill(7));
 * assert.equal(e.publicKey.length, 32);
 * ```
 */
export const nobleX25519: X25519Backend = {
  name: "noble",
  ephemeral(random) {
    const privateKey = random(32).slice();
    if (privateKey.length !== 32) {
      return Promise.reject(new TypeError("Random source returned too few bytes"));
    }
    const publicKey = x25519.getPublicKey(privateKey);
    return Promise.resolve({
      publicKey,
      sharedSecret(peer) {
        try {
          return Promise.resolve(x25519.getSharedSecret(privateKey, peer));
        } catch (e) {
          return Promise.reject(e);
        } finally {
          privateKey.fill(0);
        }
      },
    });
  },
};

/**
 * X25519 on a WebCrypto implementation (`crypto.subtle` on Deno, Node 20, Bun and current
 * browsers): the private key is made, and stays, inside it (non-extractable), so `random` is
 * not used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { webCryptoX25519 } from "@hush/kex";
 * const x25519 = webCryptoX25519(crypto.subtle);
 * const e = await x25519.ephemeral((n) => crypto.getRandomValues(new Uint8Array(n)));
 * assert.equal(e.publicKey.length, 32);
 * ```
 */
export function webCryptoX25519(subtle: SubtleCrypto): X25519Backend {
  return {
    name: "webcrypto",
    async ephemeral() {
      const pair = await subtle.generateKey({ name: "X25519" }, false, [
        "deriveBits",
      ]) as CryptoKeyPair;
      const publicKey = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
      let privateKey: CryptoKey | undefined = pair.privateKey;
      return {
        publicKey,
        async sharedSecret(peer) {
          const key = privateKey;
          privateKey = undefined;
          if (!key) throw new TypeError("X25519 key already used");
          // a copy in a plain ArrayBuffer: what WebCrypto takes (and never over shared memory)
          const peerKey = await subtle.importKey(
            "raw",
            peer.slice().buffer,
            { name: "X25519" },
            true,
            [],
          );
          const bits = await subtle.deriveBits({ name: "X25519", public: peerKey }, key, 256);
          return new Uint8Array(bits);
        },
      };
    },
  };
}
