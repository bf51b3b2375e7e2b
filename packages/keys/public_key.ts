/**
 * The {@linkcode PublicKey} interface and the plain (non-certificate) public keys:
 * `ssh-ed25519`, `ecdsa-sha2-nistp256/384/521` and `ssh-rsa`.
 * @module
 */
import { bytesEqual, encodeBase64, type SshReader, SshWriter } from "@hush/wire";
import type { Certificate } from "./certificate.ts";
import { KeyError } from "./errors.ts";
import { bitLength } from "./encoding.ts";
import { checkEd25519PublicKey, ed25519Verify } from "./ed25519.ts";
import { ed25519Backend } from "./ed25519_backend.ts";
import { checkEcdsaPoint, ECDSA_CURVES, type EcdsaCurve, ecdsaVerify } from "./ecdsa.ts";
import {
  checkRsaPublicKey,
  importRsaPublic,
  type RsaHash,
  rsaVerify,
  rsaVerifySync,
} from "./rsa.ts";
import { PLAIN_KEY_ALGORITHMS, SIGNATURE_ALGORITHMS } from "./signature_algorithms.ts";
import { decodeSignatureBlob } from "./signature_blob.ts";
import { fingerprintOf } from "./fingerprint.ts";

/**
 * Options of {@linkcode PublicKey.verify}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type PublicKey, type VerifyOptions } from "@hush/keys";
 * // Only where a legacy peer leaves no choice:
 * const legacy: VerifyOptions = { allowSha1: true };
 * const check = (key: PublicKey, sig: Uint8Array, data: Uint8Array): Promise<boolean> =>
 *   key.verify("ssh-rsa", sig, data, legacy);
 * assert.equal(typeof check, "function");
 * ```
 */
export interface VerifyOptions {
  /** Accept the legacy `ssh-rsa` (SHA-1) algorithm. Off by default. */
  allowSha1?: boolean;
}

/**
 * An SSH public key (plain or certificate): its wire blob, the signature algorithms it
 * verifies, and fingerprints as `ssh-keygen -l` prints them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey } from "@hush/keys";
 * const key = await generateKey("ssh-ed25519");
 * const data = new TextEncoder().encode("hello");
 * const sig = await key.sign(data);
 * assert.equal(await key.publicKey.verify("ssh-ed25519", sig, data), true);
 * ```
 */
export interface PublicKey {
  /** The key type named in the blob: `ssh-ed25519`, `ssh-rsa`, `ssh-ed25519-cert-v01@openssh.com`, … */
  readonly type: string;
  /** The SSH wire encoding (RFC 4253 §6.6). */
  readonly blob: Uint8Array;
  /** The algorithms this key signs and verifies with, best first (legacy ones excluded). */
  readonly signatureAlgorithms: readonly string[];
  /** The parsed certificate, for `*-cert-v01@openssh.com` keys. */
  readonly certificate?: Certificate;
  /**
   * Verifies an SSH signature blob over `data`. Resolves false (never rejects) when the
   * signature does not verify, is malformed, or names another algorithm than `algorithm`;
   * `ssh-rsa` (SHA-1) only verifies with `{ allowSha1: true }`.
   */
  verify(
    algorithm: string,
    signature: Uint8Array,
    data: Uint8Array,
    options?: VerifyOptions,
  ): Promise<boolean>;
  /** True when both keys have the same blob. */
  equals(other: PublicKey): boolean;
  /** The fingerprint as `ssh-keygen -l` prints it: `SHA256:…` (default) or `MD5:aa:bb:…`. */
  fingerprint(hash?: "sha256" | "md5"): string;
  /** The `.pub` line: `type base64 [comment]`. */
  toString(comment?: string): string;
}

/** The public fields of a plain key, by family. Internal. */
export type KeyMaterial =
  | { kind: "ed25519"; type: "ssh-ed25519"; a: Uint8Array }
  | { kind: "ecdsa"; type: string; curve: EcdsaCurve; q: Uint8Array }
  | { kind: "rsa"; type: "ssh-rsa"; n: bigint; e: bigint };

/** Reads and validates the public fields of a plain key of `type` (after the type string). */
export function readKeyMaterial(type: string, r: SshReader): KeyMaterial {
  switch (type) {
    case "ssh-ed25519": {
      const a = r.string().slice();
      checkEd25519PublicKey(a);
      return { kind: "ed25519", type, a };
    }
    case "ecdsa-sha2-nistp256":
    case "ecdsa-sha2-nistp384":
    case "ecdsa-sha2-nistp521": {
      const curve = ECDSA_CURVES[type];
      const name = r.ascii();
      if (name !== curve.name) {
        throw new KeyError(`Invalid ${type} key: curve ${JSON.stringify(name)} does not match`);
      }
      const q = r.string().slice();
      checkEcdsaPoint(curve, q);
      return { kind: "ecdsa", type, curve, q };
    }
    case "ssh-rsa": {
      const e = r.mpint();
      const n = r.mpint();
      checkRsaPublicKey(n, e);
      return { kind: "rsa", type, n, e };
    }
    default:
      throw new KeyError(`Unsupported key type: ${JSON.stringify(type)}`);
  }
}

/** Writes the public fields of a plain key (without the type string). */
export function writeKeyMaterial(m: KeyMaterial, w: SshWriter): void {
  switch (m.kind) {
    case "ed25519":
      w.string(m.a);
      break;
    case "ecdsa":
      w.string(m.curve.name).string(m.q);
      break;
    case "rsa":
      w.mpint(m.e).mpint(m.n);
      break;
  }
}

/** Key size in bits as `ssh-keygen` reports it. */
export function materialBits(m: KeyMaterial): number {
  switch (m.kind) {
    case "ed25519":
      return 256;
    case "ecdsa":
      return m.curve.bits;
    case "rsa":
      return bitLength(m.n);
  }
}

/** Key type label as `ssh-keygen` prints it (`ED25519`, `ECDSA`, `RSA`). */
export function materialLabel(m: KeyMaterial): string {
  return m.kind === "ed25519" ? "ED25519" : m.kind === "ecdsa" ? "ECDSA" : "RSA";
}

/** A plain public key. Internal: obtained through `parsePublicKey` and private keys. */
export class PlainPublicKey implements PublicKey {
  readonly type: string;
  readonly blob: Uint8Array;
  readonly signatureAlgorithms: readonly string[];
  /** The validated public fields. */
  readonly material: KeyMaterial;
  #rsaKeys = new Map<RsaHash, Promise<CryptoKey>>();

  /**
   * @param material The validated public fields.
   * @param blob The wire blob, when already at hand (built from `material` otherwise).
   * @param signatureAlgorithms Narrower algorithms than the key type's (a WebCrypto RSA key
   *   bound to one hash).
   */
  constructor(
    material: KeyMaterial,
    blob?: Uint8Array,
    signatureAlgorithms?: readonly string[],
  ) {
    this.material = material;
    this.type = material.type;
    this.signatureAlgorithms = signatureAlgorithms ?? PLAIN_KEY_ALGORITHMS[material.type];
    if (!blob) {
      const w = new SshWriter(64).string(material.type);
      writeKeyMaterial(material, w);
      blob = w.finish();
    }
    this.blob = blob;
  }

  /** Key size in bits. */
  get bits(): number {
    return materialBits(this.material);
  }

  /** Key type label (`ED25519`). */
  get label(): string {
    return materialLabel(this.material);
  }

  #decode(
    algorithm: string,
    signature: Uint8Array,
    options?: VerifyOptions,
  ): { sig: Uint8Array; hash: string } | undefined {
    const spec = SIGNATURE_ALGORITHMS[algorithm];
    if (!spec || spec.keyType !== this.type) return undefined;
    if (spec.legacy && !options?.allowSha1) return undefined;
    let decoded;
    try {
      decoded = decodeSignatureBlob(signature);
    } catch {
      return undefined;
    }
    if (decoded.algorithm !== algorithm) return undefined;
    return { sig: decoded.signature, hash: spec.hash };
  }

  async verify(
    algorithm: string,
    signature: Uint8Array,
    data: Uint8Array,
    options?: VerifyOptions,
  ): Promise<boolean> {
    const d = this.#decode(algorithm, signature, options);
    if (!d) return false;
    const m = this.material;
    if (m.kind === "ed25519") return await ed25519Backend().verify(m.a, d.sig, data);
    if (m.kind !== "rsa") return this.#verifyCurve(d.sig, data);
    const hash = d.hash as RsaHash;
    let key = this.#rsaKeys.get(hash);
    if (!key) {
      key = importRsaPublic(m.n, m.e, hash);
      this.#rsaKeys.set(hash, key);
    }
    try {
      return await rsaVerify(await key, m.n, d.sig, data);
    } catch {
      return false;
    }
  }

  /**
   * Verifies synchronously (RSA through bigints). Used for certificate signatures, which are
   * checked while the certificate is parsed.
   */
  verifySync(
    algorithm: string,
    signature: Uint8Array,
    data: Uint8Array,
    options?: VerifyOptions,
  ): boolean {
    const d = this.#decode(algorithm, signature, options);
    if (!d) return false;
    const m = this.material;
    if (m.kind !== "rsa") return this.#verifyCurve(d.sig, data);
    return rsaVerifySync(m.n, m.e, d.hash as RsaHash, d.sig, data);
  }

  #verifyCurve(sig: Uint8Array, data: Uint8Array): boolean {
    const m = this.material;
    if (m.kind === "ed25519") return ed25519Verify(m.a, sig, data);
    if (m.kind === "ecdsa") return ecdsaVerify(m.curve, m.q, sig, data);
    return false;
  }

  equals(other: PublicKey): boolean {
    return bytesEqual(this.blob, other.blob);
  }

  fingerprint(hash: "sha256" | "md5" = "sha256"): string {
    return fingerprintOf(this.blob, hash);
  }

  toString(comment?: string): string {
    const line = `${this.type} ${encodeBase64(this.blob)}`;
    return comment ? `${line} ${comment}` : line;
  }
}
