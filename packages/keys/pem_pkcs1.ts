/**
 * PKCS#1 RSAPrivateKey (RFC 8017 appendix A.1.2), the body of `RSA PRIVATE KEY` PEM files and
 * of PKCS#8 rsaEncryption keys.
 * @module
 */
import { derSequence } from "./asn1.ts";
import { KeyError } from "./errors.ts";
import type { KeyParts } from "./key_parts.ts";

/** Decodes a DER RSAPrivateKey (two-prime, version 0) into key parts. */
export function decodePkcs1PrivateKey(der: Uint8Array): KeyParts {
  const r = derSequence(der, "RSAPrivateKey");
  const version = r.integer("RSAPrivateKey version");
  if (version !== 0n) throw new KeyError("Multi-prime RSA keys are not supported");
  const n = r.integer("modulus");
  const e = r.integer("publicExponent");
  const d = r.integer("privateExponent");
  const p = r.integer("prime1");
  const q = r.integer("prime2");
  const dp = r.integer("exponent1");
  const dq = r.integer("exponent2");
  const iqmp = r.integer("coefficient");
  r.end("RSAPrivateKey");
  if (p <= 1n || q <= 1n || dp !== d % (p - 1n) || dq !== d % (q - 1n)) {
    throw new KeyError("Invalid ssh-rsa private key: CRT exponents do not match");
  }
  return { type: "ssh-rsa", n, e, d, p, q, iqmp };
}
