/**
 * Building a direction's sealer or opener from negotiated names and derived keys.
 * @module
 */
import type { PacketOpener, PacketSealer, RandomSource } from "@hush/wire";
import {
  CtrHmacOpener,
  CtrHmacSealer,
  nobleCtr,
  nobleMac,
  nodeCtr,
  nodeCtrHmac,
  nodeMac,
} from "./aes_ctr_hmac.ts";
import { SubtleCtrHmacOpener, SubtleCtrHmacSealer } from "./aes_ctr_hmac_webcrypto.ts";
import { GcmOpener, GcmSealer, nobleGcm, nodeGcm } from "./aes_gcm.ts";
import { type SmallPackets, SubtleGcmOpener, SubtleGcmSealer } from "./aes_gcm_webcrypto.ts";
import {
  ChaChaPolyOpener,
  ChaChaPolySealer,
  nobleChaCha20,
  nodeChaCha20,
} from "./chacha20_poly1305.ts";
import { WasmChaChaPolyOpener, WasmChaChaPolySealer } from "./chacha20_poly1305_wasm.ts";
import {
  type Backend,
  backendAvailable,
  type CipherBackends,
  type CipherProviders,
  selectBackend,
  suiteFamily,
} from "./providers.ts";
import { cipherSpec, macSpec } from "./registry.ts";

/**
 * The key material of one direction (RFC 4253 §7.2), as derived by key exchange.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DirectionKeys, keyLengths } from "@hush/cipher";
 * const l = keyLengths("aes256-ctr", "hmac-sha2-512-etm@openssh.com");
 * const keys: DirectionKeys = {
 *   iv: new Uint8Array(l.ivLength),
 *   key: new Uint8Array(l.keyLength),
 *   macKey: new Uint8Array(l.macKeyLength),
 * };
 * assert.equal(keys.macKey.length, 64);
 * ```
 */
export interface DirectionKeys {
  /** Initial IV (at least the cipher's `ivLength` bytes; extra bytes are ignored). */
  iv: Uint8Array;
  /** Cipher key (at least `keyLength` bytes). */
  key: Uint8Array;
  /** MAC key (at least the MAC's `keyLength` bytes; empty for AEAD ciphers). */
  macKey: Uint8Array;
}

/**
 * Options for {@linkcode createSealer}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSealer, type SealerOptions } from "@hush/cipher";
 * const options: SealerOptions = { backend: "noble", random: (n) => new Uint8Array(n) };
 * const keys = { iv: new Uint8Array(12), key: new Uint8Array(16), macKey: new Uint8Array(0) };
 * const sealer = createSealer("aes128-gcm@openssh.com", undefined, keys, options);
 * assert.equal((await sealer.seal(new Uint8Array([2]))).length, 36);
 * ```
 */
export interface SealerOptions {
  /** Padding source (random by default). */
  random?: RandomSource;
  /** The implementations handed in and their order (default: noble alone). */
  backends?: CipherBackends;
  /** Force an implementation (it must be among the providers); default: the preferences'. */
  backend?: Backend | "auto";
}

/**
 * Options for {@linkcode createOpener}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createOpener, type OpenerOptions } from "@hush/cipher";
 * const options: OpenerOptions = { backends: { providers: { subtle: crypto.subtle } } };
 * const keys = { iv: new Uint8Array(0), key: new Uint8Array(64), macKey: new Uint8Array(0) };
 * const opener = createOpener("chacha20-poly1305@openssh.com", undefined, keys, options);
 * assert.equal(opener.headerLength, 4);
 * ```
 */
export interface OpenerOptions {
  /** The implementations handed in and their order (default: noble alone). */
  backends?: CipherBackends;
  /** Force an implementation (it must be among the providers); default: the preferences'. */
  backend?: Backend | "auto";
}

interface Resolved {
  backend: Backend;
  providers: CipherProviders;
  /** WebCrypto chosen automatically: packets under this size go through node:crypto. */
  smallBelow: number;
  family: ReturnType<typeof suiteFamily>;
  iv: Uint8Array;
  key: Uint8Array;
  macKey: Uint8Array;
  mac?: ReturnType<typeof macSpec>;
}

const NOBLE_ONLY: CipherBackends = { providers: {} };

function resolve(
  cipher: string,
  mac: string | undefined,
  keys: DirectionKeys,
  options: SealerOptions | OpenerOptions,
  direction: "seal" | "open",
): Resolved {
  const c = cipherSpec(cipher);
  const m = c.aead ? undefined : mac === undefined ? undefined : macSpec(mac);
  const family = suiteFamily(cipher, c.aead ? undefined : mac);
  if (keys.key.length < c.keyLength) {
    throw new RangeError(`${cipher} needs ${c.keyLength} bytes of key`);
  }
  if (keys.iv.length < c.ivLength) {
    throw new RangeError(`${cipher} needs ${c.ivLength} bytes of IV`);
  }
  if (m && keys.macKey.length < m.keyLength) {
    throw new RangeError(`${m.name} needs ${m.keyLength} bytes of key`);
  }
  const backends = options.backends ?? NOBLE_ONLY;
  const suiteMac = c.aead ? undefined : mac;
  const forced = options.backend === undefined || options.backend === "auto"
    ? undefined
    : options.backend;
  const chosen = forced
    ? { backend: forced, smallPacketBelow: 0 }
    : selectBackend(cipher, suiteMac, direction, backends);
  if (!backendAvailable(chosen.backend, cipher, suiteMac, backends.providers)) {
    throw new TypeError(`Backend ${chosen.backend} cannot run ${cipher} with these providers`);
  }
  // Views only: every constructor below copies what it keeps.
  return {
    backend: chosen.backend,
    providers: backends.providers,
    smallBelow: chosen.smallPacketBelow,
    family,
    iv: keys.iv.subarray(0, c.ivLength),
    key: keys.key.subarray(0, c.keyLength),
    macKey: m ? keys.macKey.subarray(0, m.keyLength) : keys.macKey.subarray(0, 0),
    mac: m,
  };
}

function small<P>(r: Resolved, make: () => P): SmallPackets<P> | undefined {
  return r.smallBelow > 0 ? { primitive: make(), below: r.smallBelow } : undefined;
}

/**
 * A sealer for one direction: frames, pads, encrypts and authenticates each payload with the
 * negotiated suite, owning copies of the keys and the sequence number. `mac` is `undefined`
 * for AEAD ciphers. WebCrypto sealers return promises; `PacketWriter` keeps their order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createOpener, createSealer } from "@hush/cipher";
 * const keys = { iv: new Uint8Array(12), key: new Uint8Array(16).fill(7), macKey: new Uint8Array(0) };
 * const sealer = createSealer("aes128-gcm@openssh.com", undefined, keys);
 * const opener = createOpener("aes128-gcm@openssh.com", undefined, keys);
 * const packet = await sealer.seal(new Uint8Array([94, 1, 2, 3]));
 * assert.equal(
 *   opener.packetLength(packet.subarray(0, opener.headerLength)) === packet.length,
 *   true,
 * );
 * assert.deepEqual(await opener.open(packet), new Uint8Array([94, 1, 2, 3]));
 * ```
 */
export function createSealer(
  cipher: string,
  mac: string | undefined,
  keys: DirectionKeys,
  options: SealerOptions = {},
): PacketSealer {
  const r = resolve(cipher, mac, keys, options, "seal");
  const random = options.random;
  // each read where it is used: a provider may be loaded on first use (node:crypto on Deno)
  const providers = r.providers;
  switch (r.family) {
    case "chacha20-poly1305":
      if (r.backend === "wasm") return new WasmChaChaPolySealer(providers.wasm!, r.key, random);
      return new ChaChaPolySealer(
        r.key,
        r.backend === "node" ? nodeChaCha20(providers.node!) : nobleChaCha20,
        random,
      );
    case "aes-gcm":
      if (r.backend === "webcrypto") {
        const p = small(r, () => nodeGcm(providers.node!, r.key));
        return new SubtleGcmSealer(providers.subtle!, r.key, r.iv, random, p);
      }
      return new GcmSealer(
        r.backend === "node" ? nodeGcm(providers.node!, r.key) : nobleGcm(r.key),
        r.iv,
        random,
      );
    default: {
      const m = r.mac!;
      if (r.backend === "webcrypto") {
        const p = small(r, () => nodeCtrHmac(providers.node!, r.key, m, r.macKey));
        return new SubtleCtrHmacSealer(providers.subtle!, r.key, r.iv, m, r.macKey, random, p);
      }
      return r.backend === "node"
        ? new CtrHmacSealer(
          nodeCtr(providers.node!, r.key, r.iv),
          nodeMac(providers.node!, m, r.macKey),
          m.etm,
          random,
        )
        : new CtrHmacSealer(nobleCtr(r.key, r.iv), nobleMac(m, r.macKey), m.etm, random);
    }
  }
}

/**
 * An opener for one direction: checks each packet's length before it is buffered, verifies
 * the MAC or tag in constant time, and only then returns the payload; anything wrong is a
 * `CipherError` (MAC_ERROR for a MAC or tag that does not verify, PROTOCOL_ERROR for a bad
 * length or padding). `mac` is `undefined` for AEAD ciphers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CipherError, createOpener, createSealer } from "@hush/cipher";
 * const keys = { iv: new Uint8Array(16), key: new Uint8Array(16), macKey: new Uint8Array(32) };
 * const mac = "hmac-sha2-256-etm@openssh.com";
 * const packet = await createSealer("aes128-ctr", mac, keys).seal(new Uint8Array([2]));
 * packet[10] ^= 1;
 * try {
 *   await createOpener("aes128-ctr", mac, keys).open(packet);
 * } catch (e) {
 *   assert.equal((e as CipherError).reason, 5); // (MAC_ERROR)
 * }
 * ```
 */
export function createOpener(
  cipher: string,
  mac: string | undefined,
  keys: DirectionKeys,
  options: OpenerOptions = {},
): PacketOpener {
  const r = resolve(cipher, mac, keys, options, "open");
  // each read where it is used: a provider may be loaded on first use (node:crypto on Deno)
  const providers = r.providers;
  switch (r.family) {
    case "chacha20-poly1305":
      if (r.backend === "wasm") return new WasmChaChaPolyOpener(providers.wasm!, r.key);
      return new ChaChaPolyOpener(
        r.key,
        r.backend === "node" ? nodeChaCha20(providers.node!) : nobleChaCha20,
      );
    case "aes-gcm":
      if (r.backend === "webcrypto") {
        return new SubtleGcmOpener(
          providers.subtle!,
          r.key,
          r.iv,
          small(r, () => nodeGcm(providers.node!, r.key)),
        );
      }
      return new GcmOpener(
        r.backend === "node" ? nodeGcm(providers.node!, r.key) : nobleGcm(r.key),
        r.iv,
      );
    default: {
      const m = r.mac!;
      if (r.backend === "webcrypto") {
        const p = small(r, () => nodeCtrHmac(providers.node!, r.key, m, r.macKey));
        return new SubtleCtrHmacOpener(providers.subtle!, r.key, r.iv, m, r.macKey, p);
      }
      return r.backend === "node"
        ? new CtrHmacOpener(
          nodeCtr(providers.node!, r.key, r.iv),
          nodeMac(providers.node!, m, r.macKey),
          m.etm,
        )
        : new CtrHmacOpener(nobleCtr(r.key, r.iv), nobleMac(m, r.macKey), m.etm);
    }
  }
}
