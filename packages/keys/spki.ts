/**
 * Public keys as PEM: the X.509 SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`, what
 * `ssh-keygen -e -m PKCS8` and `openssl pkey -pubout` write) and PKCS#1 `RSA PUBLIC KEY`.
 * @module
 */
import { derSequence, DerTag } from "./asn1.ts";
import { decodePem, encodePem } from "./pem.ts";
import { asKeyError, KeyError } from "./errors.ts";
import { bytesFromBigint } from "./encoding.ts";
import { checkEcdsaPoint, ECDSA_CURVES } from "./ecdsa.ts";
import { checkEd25519PublicKey } from "./ed25519.ts";
import { checkRsaPublicKey } from "./rsa.ts";
import { type KeyMaterial, PlainPublicKey, type PublicKey } from "./public_key.ts";
import { parsePublicKey } from "./parse_public_key.ts";

const OID_RSA = "1.2.840.113549.1.1.1";
const OID_EC = "1.2.840.10045.2.1";
const OID_ED25519 = "1.3.101.112";

function rsaFromPkcs1(der: Uint8Array): KeyMaterial {
  const seq = derSequence(der, "RSAPublicKey");
  const n = seq.integer("modulus");
  const e = seq.integer("publicExponent");
  seq.end("RSAPublicKey");
  checkRsaPublicKey(n, e);
  return { kind: "rsa", type: "ssh-rsa", n, e };
}

function materialFromSpki(der: Uint8Array): KeyMaterial {
  const spki = derSequence(der, "SubjectPublicKeyInfo");
  const alg = spki.sequence("AlgorithmIdentifier");
  const oid = alg.oid("algorithm");
  const bits = spki.bitString("subjectPublicKey");
  spki.end("SubjectPublicKeyInfo");
  switch (oid) {
    case OID_RSA: {
      if (!alg.done) alg.null("RSA parameters");
      alg.end("AlgorithmIdentifier");
      return rsaFromPkcs1(bits);
    }
    case OID_EC: {
      const curveOid = alg.oid("namedCurve");
      alg.end("AlgorithmIdentifier");
      const curve = Object.values(ECDSA_CURVES).find((c) => c.oid === curveOid);
      if (!curve) throw new KeyError(`Unsupported EC curve ${curveOid}`);
      const q = bits.slice();
      checkEcdsaPoint(curve, q);
      return { kind: "ecdsa", type: curve.keyType, curve, q };
    }
    case OID_ED25519: {
      alg.end("AlgorithmIdentifier");
      const a = bits.slice();
      checkEd25519PublicKey(a);
      return { kind: "ed25519", type: "ssh-ed25519", a };
    }
    default:
      throw new KeyError(`Unsupported public key algorithm ${oid}`);
  }
}

/**
 * Reads a PEM public key: SubjectPublicKeyInfo (`PUBLIC KEY`: RSA, EC P-256/384/521, Ed25519)
 * or PKCS#1 `RSA PUBLIC KEY`. Anything else, or malformed DER or base64, is a
 * {@linkcode KeyError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, parsePublicKeyPem, publicKeyToPem } from "@hush/keys";
 * const key = (await generateKey("ecdsa-sha2-nistp256")).publicKey;
 * const pem = publicKeyToPem(key);
 * assert.equal(pem.split("\n")[0], "-----BEGIN PUBLIC KEY-----");
 * assert.ok(parsePublicKeyPem(pem).equals(key));
 * ```
 */
export function parsePublicKeyPem(text: string): PublicKey {
  return asKeyError("Invalid PEM public key", () => {
    const block = decodePem(text, ["PUBLIC KEY", "RSA PUBLIC KEY"]);
    const m = block.label === "RSA PUBLIC KEY"
      ? rsaFromPkcs1(block.bytes)
      : materialFromSpki(block.bytes);
    return new PlainPublicKey(m);
  });
}

// --- a minimal DER writer: only what SubjectPublicKeyInfo needs ---

function derElement(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length;
  let head: number[];
  if (len < 0x80) head = [tag, len];
  else {
    const bytes: number[] = [];
    for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    head = [tag, 0x80 | bytes.length, ...bytes];
  }
  const out = new Uint8Array(head.length + len);
  out.set(head);
  out.set(content, head.length);
  return out;
}

function derConcat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const body: number[] = [];
  const push = (v: number): void => {
    const groups = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    body.push(...groups);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return derElement(DerTag.OID, new Uint8Array(body));
}

function derInteger(v: bigint): Uint8Array {
  let b = bytesFromBigint(v);
  if (b.length === 0 || b[0] & 0x80) b = derConcat(new Uint8Array([0]), b);
  return derElement(DerTag.INTEGER, b);
}

function derBitString(bytes: Uint8Array): Uint8Array {
  return derElement(DerTag.BIT_STRING, derConcat(new Uint8Array([0]), bytes));
}

function spkiOf(m: KeyMaterial): Uint8Array {
  let alg: Uint8Array;
  let key: Uint8Array;
  switch (m.kind) {
    case "rsa":
      alg = derConcat(derOid(OID_RSA), derElement(DerTag.NULL, new Uint8Array(0)));
      key = derElement(DerTag.SEQUENCE, derConcat(derInteger(m.n), derInteger(m.e)));
      break;
    case "ecdsa":
      alg = derConcat(derOid(OID_EC), derOid(m.curve.oid));
      key = m.q;
      break;
    case "ed25519":
      alg = derOid(OID_ED25519);
      key = m.a;
      break;
  }
  return derElement(
    DerTag.SEQUENCE,
    derConcat(derElement(DerTag.SEQUENCE, alg), derBitString(key)),
  );
}

/**
 * Writes a public key as a PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`), as
 * `ssh-keygen -e -m PKCS8` does; a certificate writes its certified key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, publicKeyToPem } from "@hush/keys";
 * const pem = publicKeyToPem((await generateKey("ssh-ed25519")).publicKey);
 * assert.equal(pem.startsWith("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"), true);
 * ```
 */
export function publicKeyToPem(key: PublicKey): string {
  const plain = key.certificate ? key.certificate.key : key;
  const parsed = plain instanceof PlainPublicKey ? plain : parsePublicKey(plain.blob);
  return encodePem("PUBLIC KEY", spkiOf((parsed as PlainPublicKey).material));
}
