/**
 * ECDH over the NIST curves as SSH uses it (RFC 5656): uncompressed points only, checked to
 * lie on the curve; the shared secret is the x coordinate.
 * @module
 */
import { p256, p384, p521 } from "@noble/curves/nist.js";
import type { RandomSource } from "@hush/wire";
import { kexFailed } from "./errors.ts";

interface Curve {
  getPublicKey(secretKey: Uint8Array, isCompressed?: boolean): Uint8Array;
  getSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array, isCompressed?: boolean): Uint8Array;
  Point: { Fn: { ORDER: bigint; BYTES: number }; Fp: { BYTES: number } };
}

/** The NIST curves by SSH curve name. */
export const NIST_CURVES: Record<"nistp256" | "nistp384" | "nistp521", Curve> = {
  nistp256: p256 as unknown as Curve,
  nistp384: p384 as unknown as Curve,
  nistp521: p521 as unknown as Curve,
};

/** An ephemeral ECDH key pair. */
export interface EcdhKeyPair {
  /** The private scalar, big-endian, field-length bytes. */
  privateKey: Uint8Array;
  /** Q, the uncompressed public point (0x04 || x || y). */
  publicKey: Uint8Array;
}

/**
 * Makes an ephemeral key pair: field-length random bytes (the top byte masked to the order's
 * bit length), drawn again until the scalar is in [1, n−1].
 */
export function ecdhKeyPair(
  curveName: keyof typeof NIST_CURVES,
  random: RandomSource,
): EcdhKeyPair {
  const curve = NIST_CURVES[curveName];
  const n = curve.Point.Fn.ORDER;
  const len = curve.Point.Fn.BYTES;
  const topBits = n.toString(2).length - (len - 1) * 8;
  for (let tries = 0; tries < 1000; tries++) {
    const d = random(len).slice();
    if (d.length !== len) throw new TypeError("Random source returned too few bytes");
    d[0] &= (1 << topBits) - 1;
    let v = 0n;
    for (const b of d) v = (v << 8n) | BigInt(b);
    if (v === 0n || v >= n) continue;
    return { privateKey: d, publicKey: curve.getPublicKey(d, false) };
  }
  throw new TypeError("Random source does not look random");
}

/**
 * The x coordinate of d·Q for the peer's point Q, field-length big-endian bytes. A point that
 * is not uncompressed, not on the curve, or the point at infinity is a KEY_EXCHANGE_FAILED
 * {@linkcode KexError}.
 */
export function ecdhSharedSecret(
  curveName: keyof typeof NIST_CURVES,
  privateKey: Uint8Array,
  peer: Uint8Array,
): Uint8Array {
  const curve = NIST_CURVES[curveName];
  const fieldLen = curve.Point.Fp.BYTES;
  if (peer.length !== 1 + 2 * fieldLen || peer[0] !== 0x04) {
    throw kexFailed(
      `ECDH ${curveName} public value must be an uncompressed point of ${1 + 2 * fieldLen} bytes`,
    );
  }
  let shared: Uint8Array;
  try {
    shared = curve.getSharedSecret(privateKey, peer, true);
  } catch (e) {
    throw kexFailed(`ECDH ${curveName} public value is not a point on the curve`, e);
  }
  return shared.subarray(1);
}
