/**
 * Signing with a certificate: a {@linkcode Signer} whose public key is the certificate and
 * whose signatures are made by the certified key.
 * @module
 */
import { KeyError } from "./errors.ts";
import type { PublicKey } from "./public_key.ts";
import type { Signer } from "./private_key.ts";
import { CERTIFICATE_ALGORITHMS } from "./signature_algorithms.ts";

/**
 * Pairs a signer with a certificate of its key (e.g. `id_ed25519` with `id_ed25519-cert.pub`),
 * so that user authentication and host keys offer the certificate. `sign` accepts the
 * certificate algorithm names (`rsa-sha2-512-cert-v01@openssh.com`) and makes the plain
 * signature they carry. A certificate of another key is a {@linkcode KeyError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { certificateSigner, generateKey, signCertificate } from "@hush/keys";
 * const ca = await generateKey("ssh-ed25519");
 * const key = await generateKey("ssh-ed25519"); // or parsePrivateKey(text of id_ed25519)
 * const cert = await signCertificate(ca, key.publicKey, { type: "user", keyId: "alice", principals: ["alice"] });
 * const signer = certificateSigner(key, cert);
 * assert.equal(signer.publicKey.type, "ssh-ed25519-cert-v01@openssh.com");
 * ```
 */
export function certificateSigner(signer: Signer, certificate: PublicKey): Signer {
  const cert = certificate.certificate;
  if (!cert) throw new KeyError("Not a certificate");
  if (!cert.key.equals(signer.publicKey)) {
    throw new KeyError("The certificate does not certify this key");
  }
  return {
    publicKey: certificate,
    sign(data: Uint8Array, algorithm?: string): Promise<Uint8Array> {
      const alg = algorithm ?? certificate.signatureAlgorithms[0];
      const spec = CERTIFICATE_ALGORITHMS[alg];
      if (spec) {
        if (spec.keyType !== certificate.type || spec.legacy) {
          return Promise.reject(
            new KeyError(`Cannot sign with ${alg} using a ${certificate.type} key`),
          );
        }
        return signer.sign(data, spec.signature);
      }
      return signer.sign(data, alg);
    },
  };
}
