/**
 * ECDSA over the NIST curves for `ecdsa-sha2-nistp256/384/521` (RFC 5656), with signatures in
 * SSH's form (mpint r, mpint s). Internal.
 * @module
 */
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { SshReader, SshWriter } from "@hush/wire";
import { KeyError } from "./errors.ts";
import { bigintFromBytes, bytesFromBigint } from "./encoding.ts";

type Curve = typeof p256;

/** One supported curve. */
export interface EcdsaCurve {
  /** The curve identifier inside the key blob (`nistp256`). */
  readonly name: "nistp256" | "nistp384" | "nistp521";
  /** The SSH key type (`ecdsa-sha2-nistp256`). */
  readonly keyType: "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521";
  /** The field size in bits (256, 384, 521). */
  readonly bits: number;
  /** Bytes of a scalar (32, 48, 66). */
  readonly scalarLength: number;
  /** The DER OID of the named curve (for SPKI). */
  readonly oid: string;
  /** The noble curve. */
  readonly curve: Curve;
}

/** The supported curves by SSH key type. */
export const ECDSA_CURVES: Readonly<Record<string, EcdsaCurve>> = {
  "ecdsa-sha2-nistp256": {
    name: "nistp256",
    keyType: "ecdsa-sha2-nistp256",
    bits: 256,
    scalarLength: 32,
    oid: "1.2.840.10045.3.1.7",
    curve: p256,
  },
  "ecdsa-sha2-nistp384": {
    name: "nistp384",
    keyType: "ecdsa-sha2-nistp384",
    bits: 384,
    scalarLength: 48,
    oid: "1.3.132.0.34",
    curve: p384 as unknown as Curve,
  },
  "ecdsa-sha2-nistp521": {
    name: "nistp521",
    keyType: "ecdsa-sha2-nistp521",
    bits: 521,
    scalarLength: 66,
    oid: "1.3.132.0.35",
    curve: p521 as unknown as Curve,
  },
};

/** Looks up a curve by SSH key type, or throws a KeyError. */
export function ecdsaCurve(keyType: string): EcdsaCurve {
  const c = ECDSA_CURVES[keyType];
  if (!c) throw new KeyError(`Unsupported ECDSA key type: ${keyType}`);
  return c;
}

/**
 * Checks that `q` is an uncompressed SEC1 point on the curve, not the identity, of the right
 * length. Throws a KeyError otherwise.
 */
export function checkEcdsaPoint(c: EcdsaCurve, q: Uint8Array): void {
  if (q.length !== 1 + 2 * c.scalarLength || q[0] !== 4) {
    throw new KeyError(`Invalid ${c.keyType} key: point is not an uncompressed ${c.name} point`);
  }
  try {
    c.curve.Point.fromBytes(q).assertValidity();
  } catch (e) {
    throw new KeyError(`Invalid ${c.keyType} key: point is not on the curve`, undefined, {
      cause: e,
    });
  }
}

/** Verifies an SSH ECDSA signature (the inner string: mpint r, mpint s); false if malformed. */
export function ecdsaVerify(
  c: EcdsaCurve,
  q: Uint8Array,
  sig: Uint8Array,
  data: Uint8Array,
): boolean {
  try {
    const r = new SshReader(sig);
    const rv = r.mpint();
    const sv = r.mpint();
    r.end();
    const n = c.curve.Point.Fn.ORDER;
    if (rv <= 0n || rv >= n || sv <= 0n || sv >= n) return false;
    const compact = new Uint8Array(2 * c.scalarLength);
    compact.set(bytesFromBigint(rv, c.scalarLength), 0);
    compact.set(bytesFromBigint(sv, c.scalarLength), c.scalarLength);
    return c.curve.verify(compact, data, q, { lowS: false, prehash: true });
  } catch {
    return false;
  }
}

/** Signs `data`, returning SSH's inner signature (mpint r, mpint s). */
export function ecdsaSign(c: EcdsaCurve, d: Uint8Array, data: Uint8Array): Uint8Array {
  const compact = c.curve.sign(data, d, { prehash: true });
  const r = bigintFromBytes(compact.subarray(0, c.scalarLength));
  const s = bigintFromBytes(compact.subarray(c.scalarLength));
  return new SshWriter(2 * c.scalarLength + 16).mpint(r).mpint(s).finish();
}

/** Derives the uncompressed public point of a scalar padded to the curve length. */
export function ecdsaPublicKey(c: EcdsaCurve, d: Uint8Array): Uint8Array {
  return c.curve.getPublicKey(d, false);
}
