/**
 * Key type names known to OpenSSH, their short labels, and reading the type out of a blob.
 * @module
 */

/**
 * The key type names OpenSSH writes in known_hosts, mapped to the short label ssh(1) prints
 * (`"ED25519"`, `"ECDSA"`, `"RSA"`, …). Lines with other names are kept but reported.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KEY_TYPE_LABELS } from "@hush/hostkeys";
 * assert.equal(KEY_TYPE_LABELS["ssh-ed25519"], "ED25519");
 * ```
 */
export const KEY_TYPE_LABELS: Readonly<Record<string, string>> = {
  "ssh-ed25519": "ED25519",
  "ecdsa-sha2-nistp256": "ECDSA",
  "ecdsa-sha2-nistp384": "ECDSA",
  "ecdsa-sha2-nistp521": "ECDSA",
  "ssh-rsa": "RSA",
  "ssh-dss": "DSA",
  "sk-ssh-ed25519@openssh.com": "ED25519-SK",
  "sk-ecdsa-sha2-nistp256@openssh.com": "ECDSA-SK",
  "ssh-ed25519-cert-v01@openssh.com": "ED25519-CERT",
  "ecdsa-sha2-nistp256-cert-v01@openssh.com": "ECDSA-CERT",
  "ecdsa-sha2-nistp384-cert-v01@openssh.com": "ECDSA-CERT",
  "ecdsa-sha2-nistp521-cert-v01@openssh.com": "ECDSA-CERT",
  "ssh-rsa-cert-v01@openssh.com": "RSA-CERT",
  "ssh-dss-cert-v01@openssh.com": "DSA-CERT",
  "sk-ssh-ed25519-cert-v01@openssh.com": "ED25519-SK-CERT",
  "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": "ECDSA-SK-CERT",
};

/**
 * The suffix of OpenSSH certificate key type names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CERT_SUFFIX } from "@hush/hostkeys";
 * assert.equal("ssh-ed25519-cert-v01@openssh.com".endsWith(CERT_SUFFIX), true);
 * ```
 */
export const CERT_SUFFIX = "-cert-v01@openssh.com";

/**
 * The short label ssh(1) uses in messages for a key type name: `"ED25519"` for
 * `"ssh-ed25519"`; an unknown name is returned unchanged.
 *
 * @param type The key type name.
 * @returns The label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelOfKeyType } from "@hush/hostkeys";
 * assert.equal(labelOfKeyType("ecdsa-sha2-nistp384"), "ECDSA");
 * ```
 */
export function labelOfKeyType(type: string): string {
  return Object.hasOwn(KEY_TYPE_LABELS, type) ? KEY_TYPE_LABELS[type] : type;
}

/** The most bytes of a key type name read out of a blob. */
const TYPE_NAME_LIMIT = 256;

/**
 * Reads the key type name at the start of an SSH public key blob (its first `string`), or
 * `undefined` when the blob is too short, the length runs past its end, the name is longer
 * than 256 bytes or not printable ASCII. Never throws.
 *
 * @param blob The public key blob (RFC 4253 §6.6).
 * @returns The key type name, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { blobKeyType } from "@hush/hostkeys";
 * assert.equal(blobKeyType(decodeBase64("AAAAC3NzaC1lZDI1NTE5")!), "ssh-ed25519");
 * ```
 */
export function blobKeyType(blob: Uint8Array): string | undefined {
  if (blob.length < 4) return undefined;
  const len = ((blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3]) >>> 0;
  if (len === 0 || len > TYPE_NAME_LIMIT || 4 + len > blob.length) return undefined;
  let name = "";
  for (let i = 4; i < 4 + len; i++) {
    const c = blob[i];
    if (c < 0x21 || c > 0x7e) return undefined;
    name += String.fromCharCode(c);
  }
  return name;
}
