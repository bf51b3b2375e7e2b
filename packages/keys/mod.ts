/**
 * `@hush/keys`: SSH public and private keys, signatures, certificates and fingerprints.
 * Ed25519 and ECDSA (nistp256/384/521) through noble, RSA (rsa-sha2-256/512) through
 * WebCrypto, OpenSSH certificates, `authorized_keys` lines, PEM SPKI, and fingerprints and
 * randomart exactly as `ssh-keygen` prints them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, parsePublicKeyLine } from "@hush/keys";
 * const key = await generateKey("ssh-ed25519", { comment: "me@host" });
 * const line = key.publicKey.toString(key.comment);
 * const { key: pub, comment } = parsePublicKeyLine(line);
 * const data = new TextEncoder().encode("data");
 * assert.equal(comment, "me@host");
 * assert.equal(await pub.verify("ssh-ed25519", await key.sign(data), data), true);
 * ```
 * @module
 */
export { KeyError } from "./errors.ts";
export { DisconnectReason, type DisconnectReasonCode } from "@hush/wire";
export type { PublicKey, VerifyOptions } from "./public_key.ts";
export type { PrivateKey, Signer } from "./private_key.ts";
export { keyFromParts, type KeyParts, partsOfKey } from "./key_parts.ts";
export { keyBits, keyTypeLabel, parsePublicKey } from "./parse_public_key.ts";
export {
  parsePublicKeyLine,
  PUBLIC_KEY_LINE_LIMIT,
  type PublicKeyLine,
} from "./public_key_line.ts";
export {
  generateKey,
  type GenerateKeyOptions,
  type GenerateKeyType,
  RSA_DEFAULT_BITS,
  RSA_GENERATE_MAX_BITS,
  RSA_GENERATE_MIN_BITS,
} from "./generate.ts";
export { fingerprintOf } from "./fingerprint.ts";
export { randomart } from "./randomart.ts";
export { decodeSignatureBlob, encodeSignatureBlob, type SignatureBlob } from "./signature_blob.ts";
export {
  CERTIFICATE_ALGORITHMS,
  type CertificateAlgorithmSpec,
  SIGNATURE_ALGORITHMS,
  type SignatureAlgorithmSpec,
  type SignatureHash,
} from "./signature_algorithms.ts";
export { CERT_MAX_PRINCIPALS, type Certificate, CertType } from "./certificate.ts";
export {
  checkCertificate,
  type CheckCertificateOptions,
  KNOWN_CRITICAL_OPTIONS,
} from "./check_certificate.ts";
export { RSA_MAX_BITS, RSA_MIN_BITS } from "./rsa.ts";
export { certificateSigner } from "./certificate_signer.ts";
export { webCryptoSigner } from "./webcrypto_signer.ts";
export {
  type Ed25519Backend,
  nobleEd25519,
  useEd25519,
  webCryptoEd25519,
} from "./ed25519_backend.ts";
export { parsePublicKeyPem, publicKeyToPem } from "./spki.ts";
export {
  parsePrivateKey,
  type ParsePrivateKeyOptions,
  serializePrivateKey,
  type SerializePrivateKeyOptions,
} from "./private_key_file.ts";
export { inspectPrivateKey, type PrivateKeyFileInfo } from "./private_key_info.ts";
export { MAX_BCRYPT_ROUNDS } from "./bcrypt_pbkdf.ts";
export { MAX_PBKDF2_ITERATIONS } from "./pem_pkcs8.ts";
export { PPK_LIMITS } from "./ppk.ts";
export {
  type CertificateOptions,
  DEFAULT_USER_EXTENSIONS,
  signCertificate,
} from "./sign_certificate.ts";
export {
  signSshsig,
  type SignSshsigOptions,
  type SshsigHash,
  type SshsigVerified,
  verifySshsig,
  type VerifySshsigOptions,
} from "./sshsig.ts";
export { matchSourceAddress } from "./source_address.ts";
