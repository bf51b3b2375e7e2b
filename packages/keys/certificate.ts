/**
 * OpenSSH certificates (`PROTOCOL.certkeys`): parsing with the CA signature checked, and the
 * certified public key they stand for.
 * @module
 */
import { bytesEqual, encodeBase64, SshReader } from "@hush/wire";
import { asKeyError, KeyError } from "./errors.ts";
import {
  type KeyMaterial,
  PlainPublicKey,
  type PublicKey,
  readKeyMaterial,
  type VerifyOptions,
} from "./public_key.ts";
import {
  CERTIFICATE_ALGORITHMS,
  CERTIFICATE_KEY_ALGORITHMS,
  CERTIFIED_KEY_TYPE,
  SIGNATURE_ALGORITHMS,
} from "./signature_algorithms.ts";
import { decodeSignatureBlob } from "./signature_blob.ts";

/**
 * The certificate types of `PROTOCOL.certkeys`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CertType } from "@hush/keys";
 * assert.equal(CertType.USER, 1);
 * assert.equal(CertType.HOST, 2);
 * ```
 */
export const CertType = { USER: 1, HOST: 2 } as const;

/**
 * Most principals a certificate may list (as OpenSSH).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CERT_MAX_PRINCIPALS } from "@hush/keys";
 * assert.equal(CERT_MAX_PRINCIPALS, 256);
 * ```
 */
export const CERT_MAX_PRINCIPALS = 256;

/**
 * A parsed OpenSSH certificate. Its CA signature has been verified when it was parsed; use
 * {@linkcode checkCertificate} for validity, type, principals and critical options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, parsePublicKeyLine, signCertificate } from "@hush/keys";
 * const ca = await generateKey("ssh-ed25519");
 * const user = await generateKey("ssh-ed25519");
 * const cert = await signCertificate(ca, user.publicKey, {
 *   type: "user",
 *   keyId: "alice@laptop",
 *   principals: ["alice"],
 * });
 * // the text of an id_ed25519-cert.pub file, however it was read
 * const { key } = parsePublicKeyLine(cert.toString("alice"));
 * assert.equal(key.certificate?.keyId, "alice@laptop");
 * assert.deepEqual(key.certificate?.principals, ["alice"]);
 * ```
 */
export interface Certificate {
  /** The certificate key type (`ssh-ed25519-cert-v01@openssh.com`, …). */
  readonly type: string;
  /** The CA-chosen random nonce. */
  readonly nonce: Uint8Array;
  /** The certified plain public key. */
  readonly key: PublicKey;
  /** The CA-assigned serial number. */
  readonly serial: bigint;
  /** 1 for a user certificate, 2 for a host certificate ({@linkcode CertType}). */
  readonly certType: 1 | 2;
  /** The free-form key identifier (logged by servers). */
  readonly keyId: string;
  /** The principals (user names or host names) it is valid for; empty means any. */
  readonly principals: string[];
  /** Start of validity, seconds since the epoch. */
  readonly validAfter: bigint;
  /** End of validity (exclusive), seconds since the epoch; 2⁶⁴−1 means forever. */
  readonly validBefore: bigint;
  /** Critical options by name; values are the option's string (empty for flags). */
  readonly criticalOptions: Map<string, string>;
  /** Extensions by name; values are the extension's string (empty for flags). */
  readonly extensions: Map<string, string>;
  /** The `force-command` critical option, if present. */
  readonly forceCommand?: string;
  /** The `source-address` critical option split on commas (CIDR list), if present. */
  readonly sourceAddress?: string[];
  /** The CA key that signed it (never itself a certificate). */
  readonly signatureKey: PublicKey;
  /** The signature algorithm the CA used (`ssh-ed25519`, `rsa-sha2-512`, …). */
  readonly signatureAlgorithm: string;
  /** The CA's signature blob. */
  readonly signature: Uint8Array;
}

function readOptions(bytes: Uint8Array, what: string): Map<string, string> {
  const r = new SshReader(bytes);
  const out = new Map<string, string>();
  while (r.remaining > 0) {
    const name = r.ascii();
    const data = r.string();
    if (out.has(name)) throw new KeyError(`Invalid certificate: duplicate ${what} ${name}`);
    let value = "";
    if (data.length > 0) {
      try {
        const inner = new SshReader(data);
        value = inner.utf8();
        inner.end();
      } catch (e) {
        throw new KeyError(`Invalid certificate: malformed ${what} ${name}`, undefined, {
          cause: e,
        });
      }
    }
    out.set(name, value);
  }
  return out;
}

function readPrincipals(bytes: Uint8Array): string[] {
  const r = new SshReader(bytes);
  const out: string[] = [];
  while (r.remaining > 0) {
    if (out.length >= CERT_MAX_PRINCIPALS) {
      throw new KeyError(`Invalid certificate: more than ${CERT_MAX_PRINCIPALS} principals`);
    }
    out.push(r.utf8());
  }
  return out;
}

/** A certificate public key. Internal: obtained through `parsePublicKey`. */
export class CertificateKey implements PublicKey {
  readonly type: string;
  readonly blob: Uint8Array;
  readonly signatureAlgorithms: readonly string[];
  readonly certificate: Certificate;
  readonly #plain: PlainPublicKey;

  constructor(blob: Uint8Array, certificate: Certificate, plain: PlainPublicKey) {
    this.type = certificate.type;
    this.blob = blob;
    this.signatureAlgorithms = CERTIFICATE_KEY_ALGORITHMS[certificate.type];
    this.certificate = certificate;
    this.#plain = plain;
  }

  /** Key size in bits (of the certified key). */
  get bits(): number {
    return this.#plain.bits;
  }

  /** Key type label (`ED25519-CERT`). */
  get label(): string {
    return this.#plain.label + "-CERT";
  }

  verify(
    algorithm: string,
    signature: Uint8Array,
    data: Uint8Array,
    options?: VerifyOptions,
  ): Promise<boolean> {
    const plainAlg = plainAlgorithmFor(this.type, algorithm, options);
    if (!plainAlg) return Promise.resolve(false);
    return this.#plain.verify(plainAlg, signature, data, { allowSha1: options?.allowSha1 });
  }

  equals(other: PublicKey): boolean {
    return bytesEqual(this.blob, other.blob);
  }

  /** As `ssh-keygen -l`: the fingerprint of the certified key. */
  fingerprint(hash: "sha256" | "md5" = "sha256"): string {
    return this.#plain.fingerprint(hash);
  }

  toString(comment?: string): string {
    const line = `${this.type} ${encodeBase64(this.blob)}`;
    return comment ? `${line} ${comment}` : line;
  }
}

/**
 * The plain signature algorithm a certificate key's signature carries for `algorithm` (a
 * certificate algorithm name, or the plain name itself), or undefined if it does not fit.
 */
function plainAlgorithmFor(
  certType: string,
  algorithm: string,
  options?: VerifyOptions,
): string | undefined {
  const cert = CERTIFICATE_ALGORITHMS[algorithm];
  if (cert) {
    if (cert.keyType !== certType || (cert.legacy && !options?.allowSha1)) return undefined;
    return cert.signature;
  }
  const plain = SIGNATURE_ALGORITHMS[algorithm];
  if (plain && plain.keyType === CERTIFIED_KEY_TYPE[certType]) return algorithm;
  return undefined;
}

/** Parses a certificate blob and verifies its CA signature. Throws only KeyError. */
export function parseCertificateKey(blob: Uint8Array): CertificateKey {
  return asKeyError("Invalid certificate", () => {
    const r = new SshReader(blob);
    const type = r.ascii();
    const plainType = CERTIFIED_KEY_TYPE[type];
    if (!plainType) throw new KeyError(`Unsupported certificate type: ${JSON.stringify(type)}`);
    const nonce = r.string().slice();
    const material: KeyMaterial = readKeyMaterial(plainType, r);
    const serial = r.uint64();
    const certType = r.uint32();
    if (certType !== CertType.USER && certType !== CertType.HOST) {
      throw new KeyError(`Invalid certificate: unknown certificate type ${certType}`);
    }
    const keyId = r.utf8();
    const principals = readPrincipals(r.string());
    const validAfter = r.uint64();
    const validBefore = r.uint64();
    const criticalOptions = readOptions(r.string(), "critical option");
    const extensions = readOptions(r.string(), "extension");
    r.string(); // reserved
    const signatureKeyBlob = r.string();
    const signedLength = r.offset;
    const signature = r.string().slice();
    r.end();

    const signatureKey = asKeyError("Invalid certificate signature key", () => {
      const sr = new SshReader(signatureKeyBlob);
      const sType = sr.ascii();
      if (CERTIFIED_KEY_TYPE[sType]) {
        throw new KeyError("Invalid certificate: the signature key is itself a certificate");
      }
      const m = readKeyMaterial(sType, sr);
      sr.end();
      return new PlainPublicKey(m, signatureKeyBlob.slice());
    });
    const { algorithm } = decodeSignatureBlob(signature);
    const spec = SIGNATURE_ALGORITHMS[algorithm];
    if (!spec || spec.keyType !== signatureKey.type) {
      throw new KeyError(
        `Invalid certificate: signature algorithm ${algorithm} does not fit the CA key`,
      );
    }
    if (
      !signatureKey.verifySync(algorithm, signature, blob.subarray(0, signedLength), {
        allowSha1: true,
      })
    ) {
      throw new KeyError("Invalid certificate: the CA signature does not verify");
    }
    const plain = new PlainPublicKey(material);
    const forceCommand = criticalOptions.get("force-command");
    const source = criticalOptions.get("source-address");
    const certificate: Certificate = {
      type,
      nonce,
      key: plain,
      serial,
      certType,
      keyId,
      principals,
      validAfter,
      validBefore,
      criticalOptions,
      extensions,
      ...(forceCommand !== undefined ? { forceCommand } : {}),
      ...(source !== undefined ? { sourceAddress: source.split(",") } : {}),
      signatureKey,
      signatureAlgorithm: algorithm,
      signature,
    };
    return new CertificateKey(blob.slice(), certificate, plain);
  });
}
