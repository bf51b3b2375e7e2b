/**
 * Issuing OpenSSH certificates (`PROTOCOL.certkeys`), as `ssh-keygen -s` does.
 * @module
 */
import { SshWriter } from "@hush/wire";
import type { Signer } from "./private_key.ts";
import type { PublicKey } from "./public_key.ts";
import { parsePublicKey } from "./parse_public_key.ts";
import { CERT_MAX_PRINCIPALS, CertType } from "./certificate.ts";

/**
 * What a new certificate says.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CertificateOptions, generateKey, signCertificate } from "@hush/keys";
 * const options: CertificateOptions = {
 *   type: "host",
 *   keyId: "web1",
 *   principals: ["web1.example.com"],
 *   validBefore: BigInt(Math.floor(Date.now() / 1000) + 86400),
 * };
 * const ca = await generateKey("ssh-ed25519");
 * const host = await generateKey("ssh-ed25519");
 * assert.equal((await signCertificate(ca, host.publicKey, options)).certificate?.certType, 2);
 * ```
 */
export interface CertificateOptions {
  /** `"user"` (default) or `"host"`. */
  type?: "user" | "host";
  /** The key identifier servers log. */
  keyId: string;
  /** The user or host names it is valid for (empty: any). */
  principals?: string[];
  /** Start of validity, seconds since the epoch (default 0: always). */
  validAfter?: bigint;
  /** End of validity (exclusive), seconds since the epoch (default forever). */
  validBefore?: bigint;
  /** Serial number (default 0). */
  serial?: bigint;
  /** Critical options by name, values as strings (`""` for a flag). */
  criticalOptions?: Record<string, string>;
  /**
   * Extensions by name (`""` for a flag). Default for user certificates, as ssh-keygen:
   * permit-X11-forwarding, permit-agent-forwarding, permit-port-forwarding, permit-pty,
   * permit-user-rc; none for host certificates.
   */
  extensions?: Record<string, string>;
  /** The CA's signature algorithm (default its first, e.g. rsa-sha2-512). */
  algorithm?: string;
  /** The 32-byte nonce (default random). */
  nonce?: Uint8Array;
}

/**
 * The extensions ssh-keygen puts in user certificates by default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_USER_EXTENSIONS } from "@hush/keys";
 * assert.equal(DEFAULT_USER_EXTENSIONS.includes("permit-pty"), true);
 * ```
 */
export const DEFAULT_USER_EXTENSIONS: readonly string[] = [
  "permit-X11-forwarding",
  "permit-agent-forwarding",
  "permit-port-forwarding",
  "permit-pty",
  "permit-user-rc",
];

const CERT_TYPE_OF: Record<string, string> = {
  "ssh-ed25519": "ssh-ed25519-cert-v01@openssh.com",
  "ecdsa-sha2-nistp256": "ecdsa-sha2-nistp256-cert-v01@openssh.com",
  "ecdsa-sha2-nistp384": "ecdsa-sha2-nistp384-cert-v01@openssh.com",
  "ecdsa-sha2-nistp521": "ecdsa-sha2-nistp521-cert-v01@openssh.com",
  "ssh-rsa": "ssh-rsa-cert-v01@openssh.com",
};

function writeOptions(options: Record<string, string>): Uint8Array {
  const w = new SshWriter();
  // PROTOCOL.certkeys: options are sorted by name; a flag has empty data.
  for (const name of Object.keys(options).sort()) {
    const value = options[name];
    w.string(name).string(
      value === "" ? new Uint8Array(0) : new SshWriter().string(value).finish(),
    );
  }
  return w.finish();
}

/**
 * Issues a certificate for `key`, signed by the CA `ca` (any {@linkcode Signer}: an in-memory
 * key, a WebCrypto key, an agent identity). Returns the certificate as a public key, parsed
 * back (so its signature has been checked). Bad arguments (a certificate as `key`, too many
 * principals) are a TypeError or RangeError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkCertificate, generateKey, signCertificate } from "@hush/keys";
 * const ca = await generateKey("ssh-ed25519");
 * const user = await generateKey("ecdsa-sha2-nistp256");
 * const cert = await signCertificate(ca, user.publicKey, { keyId: "alice", principals: ["alice"] });
 * checkCertificate(cert.certificate!, { type: "user", principal: "alice" });
 * assert.equal(cert.type, "ecdsa-sha2-nistp256-cert-v01@openssh.com");
 * ```
 */
export async function signCertificate(
  ca: Signer,
  key: PublicKey,
  options: CertificateOptions,
): Promise<PublicKey> {
  const certKeyType = CERT_TYPE_OF[key.type];
  if (!certKeyType) throw new TypeError(`Cannot certify a ${key.type} key`);
  if (ca.publicKey.certificate) throw new TypeError("A certificate cannot sign certificates");
  const principals = options.principals ?? [];
  if (principals.length > CERT_MAX_PRINCIPALS) {
    throw new RangeError(`A certificate lists at most ${CERT_MAX_PRINCIPALS} principals`);
  }
  const host = options.type === "host";
  const extensions = options.extensions ??
    (host ? {} : Object.fromEntries(DEFAULT_USER_EXTENSIONS.map((e) => [e, ""])));
  const nonce = options.nonce ?? crypto.getRandomValues(new Uint8Array(32));
  const w = new SshWriter(1024).string(certKeyType).string(nonce);
  w.raw(key.blob.subarray(4 + key.type.length)); // the key's own fields, after its type name
  w.uint64(options.serial ?? 0n).uint32(host ? CertType.HOST : CertType.USER);
  w.string(options.keyId);
  const p = new SshWriter();
  for (const name of principals) p.string(name);
  w.string(p.finish());
  w.uint64(options.validAfter ?? 0n).uint64(options.validBefore ?? 0xffffffffffffffffn);
  w.string(writeOptions(options.criticalOptions ?? {}));
  w.string(writeOptions(extensions));
  w.string(new Uint8Array(0)); // reserved
  w.string(ca.publicKey.blob);
  const signed = w.finish();
  const signature = await ca.sign(signed, options.algorithm);
  return parsePublicKey(
    new SshWriter(signed.length + signature.length + 4)
      .raw(signed)
      .string(signature)
      .finish(),
  );
}
