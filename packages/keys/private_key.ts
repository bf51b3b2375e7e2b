/**
 * The {@linkcode Signer} and {@linkcode PrivateKey} interfaces and the in-memory private keys
 * behind them (Ed25519 and ECDSA through noble, RSA through WebCrypto).
 * @module
 */
import { KeyError } from "./errors.ts";
import { type KeyMaterial, PlainPublicKey, type PublicKey } from "./public_key.ts";
import { ed25519Backend } from "./ed25519_backend.ts";
import { type EcdsaCurve, ecdsaSign } from "./ecdsa.ts";
import { importRsaPrivate, type RsaHash, rsaSign } from "./rsa.ts";
import { SIGNATURE_ALGORITHMS } from "./signature_algorithms.ts";
import { encodeSignatureBlob } from "./signature_blob.ts";
import type { KeyParts } from "./key_parts.ts";

/**
 * Anything that can make SSH signatures for a public key: an in-memory key, a WebCrypto key,
 * an ssh-agent identity.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, type Signer } from "@hush/keys";
 * const signer: Signer = await generateKey("ecdsa-sha2-nistp256");
 * const data = new Uint8Array([1, 2, 3]);
 * const sig = await signer.sign(data);
 * assert.equal(await signer.publicKey.verify("ecdsa-sha2-nistp256", sig, data), true);
 * ```
 */
export interface Signer {
  /** The public half. */
  readonly publicKey: PublicKey;
  /**
   * Signs `data`, returning an SSH signature blob (`string algorithm, string signature`).
   * `algorithm` defaults to `publicKey.signatureAlgorithms[0]`; one the key cannot make is a
   * {@linkcode KeyError}.
   */
  sign(data: Uint8Array, algorithm?: string): Promise<Uint8Array>;
}

/**
 * A private key held in memory, with its comment. `dispose()` zeroes the secret bytes it
 * owns; signing afterwards throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey } from "@hush/keys";
 * const key = await generateKey("ssh-ed25519", { comment: "me@host" });
 * assert.equal(key.publicKey.toString(key.comment).startsWith("ssh-ed25519 "), true);
 * key.dispose();
 * ```
 */
export interface PrivateKey extends Signer {
  /** The key's comment (as in the `.pub` line and the OpenSSH private key file). */
  comment: string;
  /** Forgets the secret: zeroes owned secret bytes and drops WebCrypto handles. */
  dispose(): void;
}

/** The base of the in-memory private keys. Internal: `partsOfKey` reads its parts. */
export abstract class LocalPrivateKey implements PrivateKey {
  readonly publicKey: PlainPublicKey;
  comment: string;
  protected disposed = false;

  constructor(material: KeyMaterial, comment: string) {
    this.publicKey = new PlainPublicKey(material);
    this.comment = comment;
  }

  /** The secret fields, for serialization. */
  abstract parts(): KeyParts;
  protected abstract signRaw(data: Uint8Array, hash: string): Promise<Uint8Array>;
  abstract dispose(): void;

  async sign(data: Uint8Array, algorithm?: string): Promise<Uint8Array> {
    if (this.disposed) throw new TypeError("Cannot sign: the key has been disposed");
    const alg = algorithm ?? this.publicKey.signatureAlgorithms[0];
    const spec = SIGNATURE_ALGORITHMS[alg];
    if (!spec || spec.keyType !== this.publicKey.type || spec.legacy) {
      throw new KeyError(`Cannot sign with ${alg} using a ${this.publicKey.type} key`);
    }
    return encodeSignatureBlob(alg, await this.signRaw(data, spec.hash));
  }

  protected checkLive(): void {
    if (this.disposed) throw new TypeError("The key has been disposed");
  }
}

/** An Ed25519 private key. */
export class Ed25519PrivateKey extends LocalPrivateKey {
  #seed: Uint8Array;

  constructor(seed: Uint8Array, publicKey: Uint8Array, comment: string) {
    super({ kind: "ed25519", type: "ssh-ed25519", a: publicKey.slice() }, comment);
    this.#seed = seed.slice();
  }

  parts(): KeyParts {
    this.checkLive();
    const m = this.publicKey.material as { a: Uint8Array };
    return { type: "ssh-ed25519", seed: this.#seed.slice(), publicKey: m.a.slice() };
  }

  protected signRaw(data: Uint8Array): Promise<Uint8Array> {
    return ed25519Backend().sign(this.#seed, data);
  }

  dispose(): void {
    this.#seed.fill(0);
    this.disposed = true;
  }
}

/** An ECDSA private key. */
export class EcdsaPrivateKey extends LocalPrivateKey {
  #d: Uint8Array;
  #curve: EcdsaCurve;

  /** `d` must already be padded to the curve's scalar length. */
  constructor(curve: EcdsaCurve, d: Uint8Array, q: Uint8Array, comment: string) {
    super({ kind: "ecdsa", type: curve.keyType, curve, q: q.slice() }, comment);
    this.#curve = curve;
    this.#d = d.slice();
  }

  parts(): KeyParts {
    this.checkLive();
    const m = this.publicKey.material as { q: Uint8Array };
    return { type: this.#curve.keyType, d: this.#d.slice(), q: m.q.slice() };
  }

  protected signRaw(data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(ecdsaSign(this.#curve, this.#d, data));
  }

  dispose(): void {
    this.#d.fill(0);
    this.disposed = true;
  }
}

/** The secret fields of an RSA key (bigints cannot be zeroed; dispose drops them). */
interface RsaSecret {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  iqmp: bigint;
}

/** An RSA private key; signing goes through WebCrypto, one imported key per hash. */
export class RsaPrivateKey extends LocalPrivateKey {
  #secret: RsaSecret | undefined;
  #keys = new Map<RsaHash, Promise<CryptoKey>>();

  constructor(secret: RsaSecret, comment: string) {
    super({ kind: "rsa", type: "ssh-rsa", n: secret.n, e: secret.e }, comment);
    this.#secret = { ...secret };
  }

  parts(): KeyParts {
    this.checkLive();
    const s = this.#secret!;
    return { type: "ssh-rsa", n: s.n, e: s.e, d: s.d, p: s.p, q: s.q, iqmp: s.iqmp };
  }

  protected async signRaw(data: Uint8Array, hash: string): Promise<Uint8Array> {
    this.checkLive();
    const h = hash as RsaHash;
    let key = this.#keys.get(h);
    if (!key) {
      key = importRsaPrivate(this.#secret!, h);
      this.#keys.set(h, key);
    }
    return rsaSign(await key, data);
  }

  dispose(): void {
    this.#secret = undefined;
    this.#keys.clear();
    this.disposed = true;
  }
}
