/**
 * Ed25519 (RFC 8032) signing and verification for `ssh-ed25519` (RFC 8709). Internal.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { KeyError } from "./errors.ts";

/** Length of an Ed25519 public key, seed and signature half. */
export const ED25519_KEY_LENGTH = 32;

/** Checks an Ed25519 public key's length. */
export function checkEd25519PublicKey(a: Uint8Array): void {
  if (a.length !== ED25519_KEY_LENGTH) {
    throw new KeyError(`Invalid ssh-ed25519 key: public key is ${a.length} bytes, not 32`);
  }
}

/** Verifies a raw 64-byte Ed25519 signature; false for anything malformed. */
export function ed25519Verify(a: Uint8Array, sig: Uint8Array, data: Uint8Array): boolean {
  if (sig.length !== 64 || a.length !== 32) return false;
  try {
    return ed25519.verify(sig, data, a);
  } catch {
    return false;
  }
}

/** Signs with a 32-byte seed, returning the raw 64-byte signature. */
export function ed25519Sign(seed: Uint8Array, data: Uint8Array): Uint8Array {
  return ed25519.sign(data, seed);
}

/** Derives the public key of a 32-byte seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(seed);
}
