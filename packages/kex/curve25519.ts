/**
 * X25519 (RFC 7748) as SSH uses it (RFC 8731): 32-byte public values, and a shared secret
 * that must not be all zero (a low-order peer value makes it so).
 * @module
 */
import { x25519 } from "@noble/curves/ed25519.js";
import type { RandomSource } from "@hush/wire";
import { kexFailed } from "./errors.ts";
import type { X25519Backend } from "./x25519_backend.ts";

/** Length of an X25519 public value, private key and shared secret. */
export const X25519_LENGTH = 32;

/** An ephemeral X25519 key pair. */
export interface X25519KeyPair {
  /** The 32-byte private scalar (clamped by X25519 itself). */
  privateKey: Uint8Array;
  /** The 32-byte public value. */
  publicKey: Uint8Array;
}

/** Makes an ephemeral key pair from 32 random bytes. */
export function x25519KeyPair(random: RandomSource): X25519KeyPair {
  const privateKey = random(X25519_LENGTH).slice();
  if (privateKey.length !== X25519_LENGTH) {
    throw new TypeError("Random source returned too few bytes");
  }
  return { privateKey, publicKey: x25519.getPublicKey(privateKey) };
}

/**
 * The raw 32-byte X25519 shared secret with the peer's public value. A value of the wrong
 * length, or one giving the all-zero secret, is a KEY_EXCHANGE_FAILED {@linkcode KexError}.
 */
export function x25519SharedSecret(privateKey: Uint8Array, peer: Uint8Array): Uint8Array {
  if (peer.length !== X25519_LENGTH) {
    throw kexFailed(`X25519 public value must be ${X25519_LENGTH} bytes, got ${peer.length}`);
  }
  let secret: Uint8Array;
  try {
    secret = x25519.getSharedSecret(privateKey, peer);
  } catch (e) {
    throw kexFailed("X25519 public value is invalid (low order)", e);
  }
  let acc = 0;
  for (let i = 0; i < secret.length; i++) acc |= secret[i];
  if (acc === 0) throw kexFailed("X25519 shared secret is all zero (low-order public value)");
  return secret;
}

/**
 * One side's X25519 on `backend`: the ephemeral key pair, then the raw shared secret with the
 * peer's value. A value of the wrong length, one the backend refuses, or one giving the all-zero
 * secret is a KEY_EXCHANGE_FAILED {@linkcode KexError}.
 */
export async function x25519Agreement(
  backend: X25519Backend,
  random: RandomSource,
): Promise<{ publicKey: Uint8Array; sharedSecret(peer: Uint8Array): Promise<Uint8Array> }> {
  const e = await backend.ephemeral(random);
  return {
    publicKey: e.publicKey,
    async sharedSecret(peer) {
      if (peer.length !== X25519_LENGTH) {
        throw kexFailed(`X25519 public value must be ${X25519_LENGTH} bytes, got ${peer.length}`);
      }
      let secret: Uint8Array;
      try {
        secret = await e.sharedSecret(peer);
      } catch (err) {
        throw kexFailed("X25519 public value is invalid (low order)", err);
      }
      let acc = 0;
      for (let i = 0; i < secret.length; i++) acc |= secret[i];
      if (acc === 0) throw kexFailed("X25519 shared secret is all zero (low-order public value)");
      return secret;
    },
  };
}
