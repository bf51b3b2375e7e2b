/**
 * `@hush/cipher`: SSH's symmetric cipher suites. A registry of cipher and MAC names with their
 * key lengths and OpenSSH 10's default order, and per-direction sealers and openers that
 * implement `@hush/wire`'s `PacketSealer`/`PacketOpener` for `chacha20-poly1305@openssh.com`,
 * `aes128-gcm@openssh.com`, `aes256-gcm@openssh.com` and `aes128/192/256-ctr` with
 * `hmac-sha2-256`, `hmac-sha2-512` (and `hmac-sha1`), classic or `-etm@openssh.com`, on noble
 * or on what the caller hands in (`node:crypto`, WebCrypto, the package's WebAssembly
 * chacha20-poly1305), in the order the caller measured fastest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createOpener, createSealer, DEFAULT_CIPHERS, keyLengths } from "@hush/cipher";
 * const cipher = DEFAULT_CIPHERS[0]; // chacha20-poly1305@openssh.com
 * const { keyLength, ivLength } = keyLengths(cipher);
 * const keys = { iv: new Uint8Array(ivLength), key: crypto.getRandomValues(new Uint8Array(keyLength)), macKey: new Uint8Array(0) };
 * const packet = await createSealer(cipher, undefined, keys).seal(new TextEncoder().encode("\x5ehi"));
 * const opener = createOpener(cipher, undefined, keys);
 * assert.equal(opener.packetLength(packet.subarray(0, 4)) === packet.length, true);
 * assert.deepEqual(await opener.open(packet), new Uint8Array([94, 104, 105]));
 * ```
 * @module
 */
export { CipherError } from "./errors.ts";
export {
  CIPHERS,
  type CipherSpec,
  cipherSpec,
  DEFAULT_CIPHERS,
  DEFAULT_MACS,
  isAead,
  keyLengths,
  MACS,
  type MacSpec,
  macSpec,
} from "./registry.ts";
export {
  createOpener,
  createSealer,
  type DirectionKeys,
  type OpenerOptions,
  type SealerOptions,
} from "./create.ts";
export {
  type Backend,
  backendAvailable,
  type BackendChoice,
  type BackendPreferences,
  BACKENDS,
  type CipherBackends,
  type CipherProviders,
  DEFAULT_BACKEND_CHOICES,
  selectBackend,
  type SuiteFamily,
  suiteFamily,
} from "./providers.ts";
export { ChaChaPolyWasm, loadChaChaPolyWasm } from "./chacha20_poly1305_wasm.ts";
export type { NodeCipher, NodeCrypto, NodeHmac } from "./node_crypto.ts";
export type { DisconnectReasonCode, PacketOpener, PacketSealer, RandomSource } from "@hush/wire";
export { DisconnectReason } from "@hush/wire";
