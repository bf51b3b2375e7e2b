/**
 * `@hush/kex`: SSH key exchange. Algorithm negotiation over two KEXINITs (RFC 4253 §7.1,
 * with RFC 8308 ext-info and OpenSSH strict kex), the key exchange methods OpenSSH 10 offers
 * (ML-KEM-768 and Streamlined NTRU Prime 761 hybrids with X25519, curve25519, NIST ECDH, DH group
 * exchange and fixed groups), the exchange hash with the host key's signature over it, and key
 * derivation (RFC 4253 §7.2).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createKexInit, DEFAULT_KEX, negotiate } from "@hush/kex";
 * const prefs = {
 *   kex: [...DEFAULT_KEX],
 *   hostKey: ["ssh-ed25519"],
 *   ciphers: ["chacha20-poly1305@openssh.com"],
 *   macs: ["hmac-sha2-256-etm@openssh.com"],
 *   compression: ["none"],
 * };
 * const client = createKexInit(prefs, { role: "client", first: true });
 * const server = createKexInit(prefs, { role: "server", first: true });
 * const n = negotiate(client, server, { isAead: (c) => c.startsWith("chacha"), first: true });
 * assert.equal(n.kex, "mlkem768x25519-sha256");
 * assert.equal(n.strictKex, true);
 * ```
 * @module
 */
export { KexError } from "./errors.ts";
// The wire types this API carries (KexInit, Message, DecodeContext, RandomSource, …), re-exported
// as types only so that the documentation can resolve them.
export type * from "@hush/wire";
// The `@hush/keys` types the server side takes, re-exported likewise.
export type { Certificate, PublicKey, Signer, VerifyOptions } from "@hush/keys";
export {
  type AlgorithmPreferences,
  createKexInit,
  DEFAULT_KEX,
  isPseudoAlgorithm,
  type KexInitOptions,
  parseKexInit,
  PseudoAlgorithm,
} from "./kex_init.ts";
export { negotiate, type Negotiated, type NegotiateOptions } from "./negotiate.ts";
export type { ExchangeInputs, KexExchange, KexResult } from "./exchange.ts";
export type { KexHash } from "./hash.ts";
export {
  nobleX25519,
  webCryptoX25519,
  type X25519Backend,
  type X25519Ephemeral,
} from "./x25519_backend.ts";
export { jsSntrup761, type Sntrup761Backend } from "./sntrup761_backend.ts";
export { loadSntrup761Wasm } from "./sntrup761_wasm.ts";
export {
  createClientExchange,
  createServerExchange,
  KEX_METHODS,
  kexMethodInfo,
} from "./methods.ts";
export { GEX_BITS } from "./gex_exchange.ts";
export {
  type DerivedKeys,
  deriveKeys,
  type DirectionKeys,
  type KeyLengths,
} from "./derive_keys.ts";
