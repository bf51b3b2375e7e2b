/**
 * Reaching `node:crypto` where the runtime has it (Node, Deno, Bun) without a static `node:`
 * import, so that the core stays web-standard and loads in browsers too.
 * @module
 */

/** The part of a `node:crypto` Cipher/Decipher object the suites use. */
export interface NodeCipher {
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  setAAD(aad: Uint8Array): NodeCipher;
  setAuthTag(tag: Uint8Array): NodeCipher;
  getAuthTag(): Uint8Array;
}

/** The part of a `node:crypto` Hmac object the suites use. */
export interface NodeHmac {
  update(data: Uint8Array): NodeHmac;
  digest(): Uint8Array;
}

/** The part of `node:crypto` the suites use. */
export interface NodeCrypto {
  createCipheriv(
    algorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
    options?: { authTagLength?: number },
  ): NodeCipher;
  createDecipheriv(
    algorithm: string,
    key: Uint8Array,
    iv: Uint8Array,
    options?: { authTagLength?: number },
  ): NodeCipher;
  createHmac(algorithm: string, key: Uint8Array): NodeHmac;
  getCiphers(): string[];
}

let cached: NodeCrypto | null | undefined;
let cipherNames: Set<string> | undefined;

/**
 * `node:crypto` through `process.getBuiltinModule` (Node ≥ 20.16, Deno 2, Bun), or
 * `undefined` where the runtime has none (browsers, workers).
 */
export function nodeCrypto(): NodeCrypto | undefined {
  if (cached === undefined) {
    try {
      const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
        .process;
      cached = (proc?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined) ?? null;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

/**
 * Whether `node:crypto` is there and knows an OpenSSL cipher name (Bun has no `chacha20`).
 */
export function nodeHasCipher(name: string): boolean {
  const nc = nodeCrypto();
  if (!nc) return false;
  cipherNames ??= new Set(nc.getCiphers());
  return cipherNames.has(name);
}
