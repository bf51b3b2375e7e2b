/**
 * Key fingerprints as `ssh-keygen -l` prints them.
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { md5 } from "@noble/hashes/legacy.js";
import { encodeBase64 } from "@hush/wire";

/** The raw digest of a key blob. Internal (randomart draws it). */
export function fingerprintDigest(blob: Uint8Array, hash: "sha256" | "md5"): Uint8Array {
  if (hash === "md5") return md5(blob);
  if (hash === "sha256") return sha256(blob);
  throw new TypeError(`Unsupported fingerprint hash: ${hash}`);
}

/**
 * The fingerprint of a key blob: `SHA256:` and unpadded base64, or `MD5:` and colon-separated
 * hex, exactly as `ssh-keygen -l -E sha256|md5` prints it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fingerprintOf } from "@hush/keys";
 * assert.equal(
 *   fingerprintOf(new Uint8Array(0), "md5"),
 *   "MD5:d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e",
 * );
 * ```
 */
export function fingerprintOf(blob: Uint8Array, hash: "sha256" | "md5" = "sha256"): string {
  const d = fingerprintDigest(blob, hash);
  if (hash === "md5") {
    const parts: string[] = [];
    for (const b of d) parts.push(b.toString(16).padStart(2, "0"));
    return "MD5:" + parts.join(":");
  }
  return "SHA256:" + encodeBase64(d).replace(/=+$/, "");
}
