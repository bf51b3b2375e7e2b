/**
 * The registry of SSH key types and signature algorithms: which key type each signature
 * algorithm belongs to, its hash, and which are legacy (off by default).
 * @module
 */

/**
 * The hash a signature algorithm applies to the signed data before signing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIGNATURE_ALGORITHMS, type SignatureHash } from "@hush/keys";
 * const hash: SignatureHash = SIGNATURE_ALGORITHMS["ecdsa-sha2-nistp384"].hash;
 * assert.equal(hash, "sha384");
 * ```
 */
export type SignatureHash = "none" | "sha1" | "sha256" | "sha384" | "sha512";

/**
 * One entry of {@linkcode SIGNATURE_ALGORITHMS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIGNATURE_ALGORITHMS, type SignatureAlgorithmSpec } from "@hush/keys";
 * const spec: SignatureAlgorithmSpec = SIGNATURE_ALGORITHMS["ssh-rsa"];
 * assert.equal(spec.hash, "sha1");
 * assert.equal(spec.legacy, true);
 * ```
 */
export interface SignatureAlgorithmSpec {
  /** The plain key type that signs with this algorithm. */
  readonly keyType: string;
  /** The hash of the signed data (`none` for Ed25519, which hashes internally). */
  readonly hash: SignatureHash;
  /** True for algorithms accepted only when the caller opts in (`ssh-rsa`, SHA-1). */
  readonly legacy: boolean;
}

/**
 * Every signature algorithm for plain keys, by SSH name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIGNATURE_ALGORITHMS } from "@hush/keys";
 * assert.equal(SIGNATURE_ALGORITHMS["rsa-sha2-256"].keyType, "ssh-rsa");
 * ```
 */
export const SIGNATURE_ALGORITHMS: Readonly<Record<string, SignatureAlgorithmSpec>> = {
  "ssh-ed25519": { keyType: "ssh-ed25519", hash: "none", legacy: false },
  "ecdsa-sha2-nistp256": { keyType: "ecdsa-sha2-nistp256", hash: "sha256", legacy: false },
  "ecdsa-sha2-nistp384": { keyType: "ecdsa-sha2-nistp384", hash: "sha384", legacy: false },
  "ecdsa-sha2-nistp521": { keyType: "ecdsa-sha2-nistp521", hash: "sha512", legacy: false },
  "rsa-sha2-512": { keyType: "ssh-rsa", hash: "sha512", legacy: false },
  "rsa-sha2-256": { keyType: "ssh-rsa", hash: "sha256", legacy: false },
  "ssh-rsa": { keyType: "ssh-rsa", hash: "sha1", legacy: true },
};

/**
 * One entry of {@linkcode CERTIFICATE_ALGORITHMS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CERTIFICATE_ALGORITHMS, type CertificateAlgorithmSpec } from "@hush/keys";
 * const spec: CertificateAlgorithmSpec = CERTIFICATE_ALGORITHMS["ssh-ed25519-cert-v01@openssh.com"];
 * assert.equal(spec.signature, "ssh-ed25519");
 * ```
 */
export interface CertificateAlgorithmSpec {
  /** The certificate key type in the blob (e.g. `ssh-rsa-cert-v01@openssh.com`). */
  readonly keyType: string;
  /** The plain signature algorithm that the certified key's signatures use. */
  readonly signature: string;
  /** True for algorithms accepted only when the caller opts in. */
  readonly legacy: boolean;
}

/**
 * Every certificate signature algorithm (the names negotiated as host key algorithms or sent in
 * publickey auth), by SSH name, with the plain algorithm the signature itself carries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CERTIFICATE_ALGORITHMS } from "@hush/keys";
 * assert.equal(
 *   CERTIFICATE_ALGORITHMS["rsa-sha2-512-cert-v01@openssh.com"].signature,
 *   "rsa-sha2-512",
 * );
 * ```
 */
export const CERTIFICATE_ALGORITHMS: Readonly<Record<string, CertificateAlgorithmSpec>> = {
  "ssh-ed25519-cert-v01@openssh.com": {
    keyType: "ssh-ed25519-cert-v01@openssh.com",
    signature: "ssh-ed25519",
    legacy: false,
  },
  "ecdsa-sha2-nistp256-cert-v01@openssh.com": {
    keyType: "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    signature: "ecdsa-sha2-nistp256",
    legacy: false,
  },
  "ecdsa-sha2-nistp384-cert-v01@openssh.com": {
    keyType: "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    signature: "ecdsa-sha2-nistp384",
    legacy: false,
  },
  "ecdsa-sha2-nistp521-cert-v01@openssh.com": {
    keyType: "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    signature: "ecdsa-sha2-nistp521",
    legacy: false,
  },
  "rsa-sha2-512-cert-v01@openssh.com": {
    keyType: "ssh-rsa-cert-v01@openssh.com",
    signature: "rsa-sha2-512",
    legacy: false,
  },
  "rsa-sha2-256-cert-v01@openssh.com": {
    keyType: "ssh-rsa-cert-v01@openssh.com",
    signature: "rsa-sha2-256",
    legacy: false,
  },
  "ssh-rsa-cert-v01@openssh.com": {
    keyType: "ssh-rsa-cert-v01@openssh.com",
    signature: "ssh-rsa",
    legacy: true,
  },
};

/** The signature algorithms of each plain key type, best first (legacy ones excluded). */
export const PLAIN_KEY_ALGORITHMS: Readonly<Record<string, readonly string[]>> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256"],
};

/** The signature algorithms of each certificate key type, best first (legacy ones excluded). */
export const CERTIFICATE_KEY_ALGORITHMS: Readonly<Record<string, readonly string[]>> = {
  "ssh-ed25519-cert-v01@openssh.com": ["ssh-ed25519-cert-v01@openssh.com"],
  "ecdsa-sha2-nistp256-cert-v01@openssh.com": ["ecdsa-sha2-nistp256-cert-v01@openssh.com"],
  "ecdsa-sha2-nistp384-cert-v01@openssh.com": ["ecdsa-sha2-nistp384-cert-v01@openssh.com"],
  "ecdsa-sha2-nistp521-cert-v01@openssh.com": ["ecdsa-sha2-nistp521-cert-v01@openssh.com"],
  "ssh-rsa-cert-v01@openssh.com": [
    "rsa-sha2-512-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
  ],
};

/** The plain key type a certificate key type certifies. */
export const CERTIFIED_KEY_TYPE: Readonly<Record<string, string>> = {
  "ssh-ed25519-cert-v01@openssh.com": "ssh-ed25519",
  "ecdsa-sha2-nistp256-cert-v01@openssh.com": "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384-cert-v01@openssh.com": "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521-cert-v01@openssh.com": "ecdsa-sha2-nistp521",
  "ssh-rsa-cert-v01@openssh.com": "ssh-rsa",
};
