/**
 * Our algorithm preferences: OpenSSH 10's defaults, narrowed by the caller's lists, and the
 * server's host key algorithms derived from the keys it has.
 * @module
 */
import { DEFAULT_CIPHERS, DEFAULT_MACS } from "@hush/cipher";
import { type AlgorithmPreferences, DEFAULT_KEX } from "@hush/kex";
import type { Signer } from "@hush/keys";
import {
  compressionMethod,
  DEFAULT_CLIENT_COMPRESSION,
  DEFAULT_SERVER_COMPRESSION,
} from "./compression.ts";
import type { TransportOptions } from "./options.ts";

/**
 * Host key (signature) algorithms in OpenSSH 10's order. `ssh-rsa` (SHA-1) is left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_HOST_KEY_ALGORITHMS } from "@hush/transport";
 * assert.equal(DEFAULT_HOST_KEY_ALGORITHMS[0], "ssh-ed25519-cert-v01@openssh.com");
 * ```
 */
export const DEFAULT_HOST_KEY_ALGORITHMS: readonly string[] = [
  "ssh-ed25519-cert-v01@openssh.com",
  "ecdsa-sha2-nistp256-cert-v01@openssh.com",
  "ecdsa-sha2-nistp384-cert-v01@openssh.com",
  "ecdsa-sha2-nistp521-cert-v01@openssh.com",
  "rsa-sha2-512-cert-v01@openssh.com",
  "rsa-sha2-256-cert-v01@openssh.com",
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
];

/** Public key algorithms a Hush server accepts for user authentication (server-sig-algs). */
export const DEFAULT_SERVER_SIG_ALGS: readonly string[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
];

/** Resolved preferences plus, on a server, the signer for each host key algorithm. */
export interface ResolvedPreferences extends AlgorithmPreferences {
  /** Server: the signer behind a host key algorithm we offered. */
  hostKeyFor(algorithm: string): Signer;
  /** Server: what EXT_INFO `server-sig-algs` announces. */
  serverSigAlgs: string[];
}

/**
 * Fills in defaults (compression: OpenSSH's, `none` first for a client, `none` and the delayed
 * `zlib@openssh.com` for a server) and narrows host key algorithms to the keys a server has.
 */
export function resolvePreferences(options: TransportOptions): ResolvedPreferences {
  const a = options.algorithms ?? {};
  const byAlgorithm = new Map<string, Signer>();
  let hostKey = [...(a.hostKey ?? DEFAULT_HOST_KEY_ALGORITHMS)];
  if (options.role === "server") {
    const keys = options.hostKeys ?? [];
    if (keys.length === 0) throw new TypeError("A server needs at least one host key");
    for (const k of keys) {
      for (const alg of k.publicKey.signatureAlgorithms) {
        if (!byAlgorithm.has(alg)) byAlgorithm.set(alg, k);
      }
    }
    hostKey = hostKey.filter((alg) => byAlgorithm.has(alg));
    if (hostKey.length === 0) {
      throw new TypeError("No host key fits the host key algorithms asked for");
    }
  }
  const compression = [
    ...(a.compression ??
      (options.role === "server" ? DEFAULT_SERVER_COMPRESSION : DEFAULT_CLIENT_COMPRESSION)),
  ];
  for (const name of compression) compressionMethod(name); // an unknown name is a TypeError
  return {
    kex: [...(a.kex ?? DEFAULT_KEX)],
    hostKey,
    ciphers: [...(a.ciphers ?? DEFAULT_CIPHERS)],
    macs: [...(a.macs ?? DEFAULT_MACS)],
    compression,
    serverSigAlgs: [...(options.serverSigAlgs ?? DEFAULT_SERVER_SIG_ALGS)],
    hostKeyFor(algorithm: string): Signer {
      const s = byAlgorithm.get(algorithm);
      if (!s) throw new TypeError(`No host key for ${algorithm}`);
      return s;
    },
  };
}
