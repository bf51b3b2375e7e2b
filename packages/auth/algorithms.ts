/**
 * Choosing and checking public key signature algorithms for user authentication.
 * @module
 */
import type { PublicKey } from "@hush/keys";

const CERT_SUFFIX = "-cert-v01@openssh.com";

/** Key types whose signature algorithm is negotiated through `server-sig-algs` (RFC 8332). */
const RSA_TYPES: ReadonlySet<string> = new Set(["ssh-rsa", "ssh-rsa" + CERT_SUFFIX]);

/**
 * The algorithm a client signs with for `key`: the key's best algorithm, except that for RSA
 * keys the server's `server-sig-algs` (RFC 8308) decides between rsa-sha2-512 and -256. For a
 * certificate the plain algorithm in `server-sig-algs` also counts. `undefined` when the server
 * accepts none of the key's algorithms.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseSignatureAlgorithm } from "@hush/auth";
 * import { generateKey } from "@hush/keys";
 * const rsa = await generateKey("ssh-rsa", { bits: 2048 });
 * assert.equal(
 *   chooseSignatureAlgorithm(rsa.publicKey, ["ssh-ed25519", "rsa-sha2-256"]),
 *   "rsa-sha2-256",
 * );
 * assert.equal(chooseSignatureAlgorithm(rsa.publicKey), "rsa-sha2-512");
 * ```
 */
export function chooseSignatureAlgorithm(
  key: PublicKey,
  serverSigAlgs?: readonly string[],
): string | undefined {
  const algorithms = key.signatureAlgorithms;
  if (algorithms.length === 0) return undefined;
  if (serverSigAlgs === undefined || !RSA_TYPES.has(key.type)) return algorithms[0];
  return algorithms.find((a) => serverSigAlgs.includes(a) || serverSigAlgs.includes(plain(a)));
}

/** The algorithm with a certificate suffix removed: `rsa-sha2-512-cert-v01@…` → `rsa-sha2-512`. */
export function plain(algorithm: string): string {
  return algorithm.endsWith(CERT_SUFFIX) ? algorithm.slice(0, -CERT_SUFFIX.length) : algorithm;
}
