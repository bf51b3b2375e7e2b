/**
 * SEC1 ECPrivateKey (RFC 5915), the body of `EC PRIVATE KEY` PEM files and of PKCS#8
 * id-ecPublicKey keys.
 * @module
 */
import { bytesEqual } from "@hush/wire";
import { derSequence } from "./asn1.ts";
import { KeyError } from "./errors.ts";
import { bigintFromBytes, bytesFromBigint, stripLeadingZeros } from "./encoding.ts";
import { ECDSA_CURVES, ecdsaPublicKey } from "./ecdsa.ts";
import type { KeyParts } from "./key_parts.ts";

type EcdsaType = "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521";

/** The SSH key type of a named-curve OID, or a KeyError. */
export function ecdsaTypeOfOid(oid: string): EcdsaType {
  for (const c of Object.values(ECDSA_CURVES)) if (c.oid === oid) return c.keyType;
  throw new KeyError(`Unsupported elliptic curve ${oid}`);
}

/**
 * Decodes a DER ECPrivateKey into key parts. The curve comes from the key's own parameters or,
 * inside PKCS#8, from `curveOid` (they must agree when both are present). The public point is
 * derived from the scalar and must equal an embedded uncompressed one.
 */
export function decodeSec1PrivateKey(der: Uint8Array, curveOid?: string): KeyParts {
  const r = derSequence(der, "ECPrivateKey");
  if (r.integer("ECPrivateKey version") !== 1n) throw new KeyError("Unsupported ECPrivateKey");
  const secret = r.octetString("privateKey");
  let oid = curveOid;
  const params = r.optionalExplicit(0);
  if (params) {
    const own = params.oid("namedCurve");
    params.end("ECParameters");
    if (oid !== undefined && oid !== own) throw new KeyError("EC key curve does not match");
    oid = own;
  }
  let embedded: Uint8Array | undefined;
  const pub = r.optionalExplicit(1);
  if (pub) {
    embedded = pub.bitString("publicKey");
    pub.end("publicKey");
  }
  r.end("ECPrivateKey");
  if (oid === undefined) throw new KeyError("EC private key without a curve");
  const type = ecdsaTypeOfOid(oid);
  const curve = ECDSA_CURVES[type];
  // RFC 5915 fixes the length at the curve's, but OpenSSL, OpenSSH and PuTTY's export accept
  // or write leading zero bytes (PuTTY: a P-256 scalar of 33 bytes when its top bit is set).
  const scalar = stripLeadingZeros(secret);
  if (scalar.length > curve.scalarLength) {
    throw new KeyError(
      `Invalid ${type} private key: scalar longer than ${curve.scalarLength} bytes`,
    );
  }
  const dv = bigintFromBytes(scalar);
  if (dv <= 0n || dv >= curve.curve.Point.Fn.ORDER) {
    throw new KeyError(`Invalid ${type} private key: scalar out of range`);
  }
  const d = bytesFromBigint(dv, curve.scalarLength);
  const q = ecdsaPublicKey(curve, d);
  if (embedded && embedded[0] === 4 && !bytesEqual(embedded, q)) {
    throw new KeyError(`Invalid ${type} private key: public point does not match`);
  }
  return { type, d, q };
}
