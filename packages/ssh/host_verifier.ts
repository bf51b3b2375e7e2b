/**
 * `hostVerifier`: the caller's own decision about a server's host key, in place of the
 * known_hosts check (ssh2's option of that name).
 * @module
 */
import { HostKeyError } from "@hush/hostkeys";
import { parsePublicKey, type PublicKey } from "@hush/keys";

/**
 * What a {@linkcode HostVerifier} is shown of the server's host key.
 *
 * @example
 * ```ts
 * import type { HostVerifierInfo } from "@hush/ssh";
 * const describe = (info: HostVerifierInfo) =>
 *   `${info.host}:${info.port} ${info.keyType} ${info.fingerprint}`;
 * ```
 */
export interface HostVerifierInfo {
  /** The host connected to, as given in the options (`hostname`, or a jump host's). */
  host: string;
  /** Its port. */
  port: number;
  /** The key type named in the blob: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, … */
  keyType: string;
  /** The SHA-256 fingerprint exactly as `ssh-keygen -l` prints it: `SHA256:` and base64. */
  fingerprint: string;
  /** The parsed key; `key.blob` is its SSH wire encoding, `key.toString()` its `.pub` line. */
  key: PublicKey;
}

/**
 * Decides whether to trust a server's host key: `true` goes on, `false` refuses it (the
 * connection ends with HOST_KEY_NOT_VERIFIABLE and `connect()` rejects with a `HostKeyError`).
 * A throw refuses too, and `connect()` rejects with what was thrown.
 *
 * @example
 * ```ts
 * import type { HostVerifier } from "@hush/ssh";
 * const pinned = "SHA256:o0lcqNd7p5MHvS3JxGmh1Hk2Mz4BDqYyVvXmqzQvQ6I";
 * const verifier: HostVerifier = ({ fingerprint }) => fingerprint === pinned;
 * ```
 */
export type HostVerifier = (info: HostVerifierInfo) => boolean | Promise<boolean>;

/**
 * Asks `verifier` about the host key blob `hostKey` of `host:port`; throws a `HostKeyError`
 * (HOST_KEY_NOT_VERIFIABLE) unless it answers `true`. A blob that is not a key Hush can parse
 * is refused without asking.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey } from "@hush/keys";
 * import { verifyHostKeyWith } from "./host_verifier.ts";
 * const { publicKey } = await generateKey("ssh-ed25519");
 * await verifyHostKeyWith(() => true, "example.org", 22, publicKey.blob); // accepted
 * const refused = await verifyHostKeyWith(() => false, "example.org", 22, publicKey.blob)
 *   .catch((e) => e.name);
 * assert.equal(refused, "HostKeyError");
 * ```
 */
export async function verifyHostKeyWith(
  verifier: HostVerifier,
  host: string,
  port: number,
  hostKey: Uint8Array,
): Promise<void> {
  let key: PublicKey;
  try {
    key = parsePublicKey(hostKey);
  } catch (e) {
    throw new HostKeyError("Host key verification failed: the host key is not a valid key", {
      cause: e,
    });
  }
  const fingerprint = key.fingerprint("sha256");
  const answer = await verifier({ host, port, keyType: key.type, fingerprint, key });
  if (answer !== true) {
    throw new HostKeyError(
      `Host key verification failed: hostVerifier refused the ${key.type} key ${fingerprint}` +
        ` of ${host} port ${port}`,
    );
  }
}
