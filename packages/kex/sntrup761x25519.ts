/**
 * The Streamlined NTRU Prime 761 + X25519 hybrid, `sntrup761x25519-sha512` (and its older name
 * `sntrup761x25519-sha512@openssh.com`), as OpenSSH defines it (`PROTOCOL`,
 * `kexsntrup761x25519.c`; draft-josefsson-ntruprime-ssh). The client sends its sntrup761 public
 * key then its X25519 public value; the server answers with the sntrup761 ciphertext then its
 * X25519 public value. Both compute K = SHA-512(sntrup761 key || X25519 secret), which goes
 * into H and key derivation as a string, not an mpint; H is SHA-512.
 * @module
 */
import { sha512 } from "@noble/hashes/sha2.js";
import type { RandomSource } from "@hush/wire";
import { kexFailed } from "./errors.ts";
import { X25519_LENGTH, x25519Agreement } from "./curve25519.ts";
import type { X25519Backend } from "./x25519_backend.ts";
import { jsSntrup761, type Sntrup761Backend } from "./sntrup761_backend.ts";
import {
  SNTRUP761_CIPHERTEXT_LENGTH,
  SNTRUP761_PUBLIC_KEY_LENGTH,
  sntrup761Decapsulate,
  sntrup761Encapsulate,
  sntrup761KeyPair,
} from "./sntrup761.ts";

/** Length of the client's value: sntrup761 public key || X25519 public value. */
export const SNTRUP_HYBRID_CLIENT_LENGTH = SNTRUP761_PUBLIC_KEY_LENGTH + X25519_LENGTH;
/** Length of the server's value: sntrup761 ciphertext || X25519 public value. */
export const SNTRUP_HYBRID_SERVER_LENGTH = SNTRUP761_CIPHERTEXT_LENGTH + X25519_LENGTH;

/** The client's ephemeral keys and its value for KEX_ECDH_INIT. */
export interface SntrupHybridClientKeys {
  /** sntrup761 public key || X25519 public value (1190 bytes). */
  init: Uint8Array;
  /** Computes the raw 64-byte K from the server's value. */
  finish(reply: Uint8Array): Promise<Uint8Array>;
}

/**
 * Client side, in OpenSSH's order: an sntrup761 key pair (random(3044) for g, again in the
 * rare case it has no inverse, random(3044) for f, random(191) for ρ), then an X25519 key pair
 * (random(32)). `ring` runs the sntrup761 arithmetic.
 */
export async function sntrupHybridClient(
  random: RandomSource,
  x25519: X25519Backend,
  ring: Sntrup761Backend = jsSntrup761,
): Promise<SntrupHybridClientKeys> {
  const kem = sntrup761KeyPair(random, ring);
  const ecdh = await x25519Agreement(x25519, random);
  const init = new Uint8Array(SNTRUP_HYBRID_CLIENT_LENGTH);
  init.set(kem.publicKey, 0);
  init.set(ecdh.publicKey, SNTRUP761_PUBLIC_KEY_LENGTH);
  return {
    init,
    async finish(reply: Uint8Array): Promise<Uint8Array> {
      try {
        if (reply.length !== SNTRUP_HYBRID_SERVER_LENGTH) {
          throw kexFailed(
            `sntrup761x25519 server value must be ${SNTRUP_HYBRID_SERVER_LENGTH} bytes, got ${reply.length}`,
          );
        }
        const ct = reply.subarray(0, SNTRUP761_CIPHERTEXT_LENGTH);
        const kEcdh = await ecdh.sharedSecret(reply.subarray(ct.length));
        return combine(sntrup761Decapsulate(ct, kem.secretKey, ring), kEcdh);
      } finally {
        kem.secretKey.fill(0);
      }
    },
  };
}

/**
 * Server side, in OpenSSH's order: checks the client's value's length, encapsulates to its
 * sntrup761 key (random(3044)), then draws an X25519 key pair (random(32)). Returns its value
 * for KEX_ECDH_REPLY and the raw 64-byte K.
 */
export async function sntrupHybridServer(
  init: Uint8Array,
  random: RandomSource,
  x25519: X25519Backend,
  ring: Sntrup761Backend = jsSntrup761,
): Promise<{ reply: Uint8Array; secret: Uint8Array }> {
  if (init.length !== SNTRUP_HYBRID_CLIENT_LENGTH) {
    throw kexFailed(
      `sntrup761x25519 client value must be ${SNTRUP_HYBRID_CLIENT_LENGTH} bytes, got ${init.length}`,
    );
  }
  const kem = sntrup761Encapsulate(
    init.subarray(0, SNTRUP761_PUBLIC_KEY_LENGTH),
    random,
    ring,
  );
  let kEcdh: Uint8Array;
  let ecdh;
  try {
    ecdh = await x25519Agreement(x25519, random);
    kEcdh = await ecdh.sharedSecret(init.subarray(SNTRUP761_PUBLIC_KEY_LENGTH));
  } catch (e) {
    kem.sharedSecret.fill(0);
    throw e;
  }
  const reply = new Uint8Array(SNTRUP_HYBRID_SERVER_LENGTH);
  reply.set(kem.cipherText, 0);
  reply.set(ecdh.publicKey, SNTRUP761_CIPHERTEXT_LENGTH);
  return { reply, secret: combine(kem.sharedSecret, kEcdh) };
}

function combine(kKem: Uint8Array, kEcdh: Uint8Array): Uint8Array {
  const both = new Uint8Array(kKem.length + kEcdh.length);
  both.set(kKem, 0);
  both.set(kEcdh, kKem.length);
  const k = sha512(both);
  both.fill(0);
  kKem.fill(0);
  kEcdh.fill(0);
  return k;
}
