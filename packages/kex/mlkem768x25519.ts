/**
 * The ML-KEM-768 + X25519 hybrid (draft-ietf-sshm-mlkem-hybrid-kex, `mlkem768x25519-sha256`).
 * The client sends C_INIT = C_PK2 || C_PK1 (its ML-KEM-768 encapsulation key, then its X25519
 * public value); the server answers S_REPLY = S_CT2 || S_PK1 (the ML-KEM ciphertext, then its
 * X25519 public value). Both compute K = SHA-256(K_PQ || K_CL), which goes into H and key
 * derivation as a string, not an mpint.
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { RandomSource } from "@hush/wire";
import { kexFailed } from "./errors.ts";
import { X25519_LENGTH, x25519Agreement } from "./curve25519.ts";
import type { X25519Backend } from "./x25519_backend.ts";

/**
 * noble's ML-KEM-768, imported on the first exchange that uses it: its tables (and SHA-3's)
 * are built at import, which every `ssh` start would pay for a method most servers never pick.
 */
const mlKem768 = async () => (await import("@noble/post-quantum/ml-kem.js")).ml_kem768;

/** Length of an ML-KEM-768 encapsulation (public) key. */
export const MLKEM768_PUBLIC_KEY_LENGTH = 1184;
/** Length of an ML-KEM-768 ciphertext. */
export const MLKEM768_CIPHERTEXT_LENGTH = 1088;
/** Length of C_INIT. */
export const HYBRID_CLIENT_LENGTH = MLKEM768_PUBLIC_KEY_LENGTH + X25519_LENGTH;
/** Length of S_REPLY. */
export const HYBRID_SERVER_LENGTH = MLKEM768_CIPHERTEXT_LENGTH + X25519_LENGTH;

/** The client's ephemeral keys and C_INIT. */
export interface HybridClientKeys {
  /** C_INIT = C_PK2 || C_PK1. */
  init: Uint8Array;
  /** Computes the raw 32-byte K from S_REPLY. */
  finish(reply: Uint8Array): Promise<Uint8Array>;
}

/**
 * Client side: an ML-KEM-768 key pair from a 64-byte seed (random(64), FIPS 203 d || z), then an
 * X25519 key pair (random(32)).
 */
export async function hybridClient(
  random: RandomSource,
  x25519: X25519Backend,
): Promise<HybridClientKeys> {
  const mlKem = await mlKem768();
  const seed = random(64).slice();
  if (seed.length !== 64) throw new TypeError("Random source returned too few bytes");
  const kem = mlKem.keygen(seed);
  seed.fill(0);
  const ecdh = await x25519Agreement(x25519, random);
  const init = new Uint8Array(HYBRID_CLIENT_LENGTH);
  init.set(kem.publicKey, 0);
  init.set(ecdh.publicKey, MLKEM768_PUBLIC_KEY_LENGTH);
  return {
    init,
    async finish(reply: Uint8Array): Promise<Uint8Array> {
      if (reply.length !== HYBRID_SERVER_LENGTH) {
        throw kexFailed(`S_REPLY must be ${HYBRID_SERVER_LENGTH} bytes, got ${reply.length}`);
      }
      const ct = reply.subarray(0, MLKEM768_CIPHERTEXT_LENGTH);
      const kCl = await ecdh.sharedSecret(reply.subarray(MLKEM768_CIPHERTEXT_LENGTH));
      let kPq: Uint8Array;
      try {
        kPq = mlKem.decapsulate(ct, kem.secretKey);
      } catch (e) {
        throw kexFailed("ML-KEM-768 ciphertext is invalid", e);
      }
      const k = combine(kPq, kCl);
      kem.secretKey.fill(0);
      return k;
    },
  };
}

/**
 * Server side: checks C_INIT's length, draws an X25519 key pair (random(32)) and the
 * encapsulation message m (random(32)), and returns S_REPLY and the raw 32-byte K.
 */
export async function hybridServer(
  init: Uint8Array,
  random: RandomSource,
  x25519: X25519Backend,
): Promise<{ reply: Uint8Array; secret: Uint8Array }> {
  if (init.length !== HYBRID_CLIENT_LENGTH) {
    throw kexFailed(`C_INIT must be ${HYBRID_CLIENT_LENGTH} bytes, got ${init.length}`);
  }
  const pk = init.subarray(0, MLKEM768_PUBLIC_KEY_LENGTH);
  const mlKem = await mlKem768();
  const ecdh = await x25519Agreement(x25519, random);
  const kCl = await ecdh.sharedSecret(init.subarray(MLKEM768_PUBLIC_KEY_LENGTH));
  const m = random(32).slice();
  if (m.length !== 32) throw new TypeError("Random source returned too few bytes");
  let kem: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    kem = mlKem.encapsulate(pk, m);
  } catch (e) {
    throw kexFailed("ML-KEM-768 encapsulation key is invalid", e);
  } finally {
    m.fill(0);
  }
  const reply = new Uint8Array(HYBRID_SERVER_LENGTH);
  reply.set(kem.cipherText, 0);
  reply.set(ecdh.publicKey, MLKEM768_CIPHERTEXT_LENGTH);
  return { reply, secret: combine(kem.sharedSecret, kCl) };
}

function combine(kPq: Uint8Array, kCl: Uint8Array): Uint8Array {
  const both = new Uint8Array(kPq.length + kCl.length);
  both.set(kPq, 0);
  both.set(kCl, kPq.length);
  const k = sha256(both);
  both.fill(0);
  kPq.fill(0);
  kCl.fill(0);
  return k;
}
