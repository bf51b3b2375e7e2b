/**
 * Checking a certificate against its use: type, validity window, principal, critical options
 * and the CA's signature algorithm.
 * @module
 */
import { DisconnectReason } from "@hush/wire";
import { type Certificate, CertType } from "./certificate.ts";
import { KeyError } from "./errors.ts";
import { matchSourceAddress } from "./source_address.ts";

/**
 * The critical options Hush understands (and enforces through its callers), by cert type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KNOWN_CRITICAL_OPTIONS } from "@hush/keys";
 * assert.deepEqual(KNOWN_CRITICAL_OPTIONS.user, ["force-command", "source-address"]);
 * ```
 */
export const KNOWN_CRITICAL_OPTIONS: Readonly<Record<"user" | "host", readonly string[]>> = {
  user: ["force-command", "source-address"],
  host: [],
};

/**
 * Options of {@linkcode checkCertificate}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CheckCertificateOptions } from "@hush/keys";
 * const options: CheckCertificateOptions = {
 *   type: "user",
 *   principal: "alice",
 *   remoteAddress: "10.0.0.5",
 * };
 * assert.equal(options.type, "user");
 * ```
 */
export interface CheckCertificateOptions {
  /** The use: a user certificate for user auth, a host certificate for a server. */
  type: "user" | "host";
  /** The user name or host name that must be among the principals. */
  principal?: string;
  /** The time to check against, in milliseconds since the epoch (default `Date.now()`). */
  now?: number;
  /** Accept a CA signature made with legacy `ssh-rsa` (SHA-1). Off by default, as OpenSSH. */
  allowSha1?: boolean;
  /**
   * The client's address (IP literal). When given, a user certificate's `source-address`
   * critical option is enforced against it.
   */
  remoteAddress?: string;
}

/**
 * Checks that a certificate (whose CA signature was verified when it was parsed) may be used
 * now: its type matches, `now` is within `[validAfter, validBefore)`, `principal` (when given)
 * is listed — a certificate without principals is refused when one is asked for — and every
 * critical option is one Hush knows (fail closed: unknown ones refuse the certificate); with
 * `remoteAddress`, `source-address` must list it. The caller still enforces `forceCommand`
 * (and `sourceAddress` when it gives no `remoteAddress`), and decides whether it trusts
 * `signatureKey` as a CA. Throws a {@linkcode KeyError} (HOST_KEY_NOT_VERIFIABLE for host
 * certificates) saying why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkCertificate, generateKey, signCertificate } from "@hush/keys";
 * const ca = await generateKey("ssh-ed25519");
 * const user = await generateKey("ssh-ed25519");
 * const cert = await signCertificate(ca, user.publicKey, { type: "user", keyId: "alice", principals: ["alice"] });
 * checkCertificate(cert.certificate!, { type: "user", principal: "alice" }); // passes
 * try {
 *   checkCertificate(cert.certificate!, { type: "user", principal: "mallory" });
 * } catch (e) {
 *   assert.equal((e as Error).name, "KeyError");
 * }
 * ```
 */
export function checkCertificate(cert: Certificate, options: CheckCertificateOptions): void {
  const reason = options.type === "host"
    ? DisconnectReason.HOST_KEY_NOT_VERIFIABLE
    : DisconnectReason.PROTOCOL_ERROR;
  const fail = (message: string): never => {
    throw new KeyError(message, reason);
  };
  const want = options.type === "host" ? CertType.HOST : CertType.USER;
  if (cert.certType !== want) {
    fail(`Certificate is a ${cert.certType === CertType.HOST ? "host" : "user"} certificate`);
  }
  if (cert.signatureAlgorithm === "ssh-rsa" && !options.allowSha1) {
    fail("Certificate is signed with ssh-rsa (SHA-1), which is not allowed");
  }
  const now = BigInt(Math.floor((options.now ?? Date.now()) / 1000));
  if (now < cert.validAfter) fail("Certificate is not yet valid");
  if (now >= cert.validBefore) fail("Certificate has expired");
  if (options.principal !== undefined) {
    if (cert.principals.length === 0) fail("Certificate lists no principals");
    if (!cert.principals.includes(options.principal)) {
      fail(`Certificate is not valid for principal ${JSON.stringify(options.principal)}`);
    }
  }
  const known = KNOWN_CRITICAL_OPTIONS[options.type];
  for (const name of cert.criticalOptions.keys()) {
    if (!known.includes(name)) fail(`Certificate has unsupported critical option ${name}`);
  }
  const source = cert.criticalOptions.get("source-address");
  if (source !== undefined && options.remoteAddress !== undefined) {
    let ok = false;
    try {
      ok = matchSourceAddress(source, options.remoteAddress);
    } catch (e) {
      throw new KeyError("Certificate has an invalid source-address", reason, { cause: e });
    }
    if (!ok) fail(`Certificate is not valid from address ${options.remoteAddress}`);
  }
}
