/**
 * Building and parsing SSH_MSG_KEXINIT (RFC 4253 §7.1), our default key exchange list, and the
 * pseudo-algorithms that ride in the kex name-list.
 * @module
 */
import {
  decodeMessage,
  type KexInit,
  MessageNumber,
  randomBytes,
  type RandomSource,
  WireError,
} from "@hush/wire";
import { protocolError } from "./errors.ts";

/**
 * Key exchange methods in OpenSSH 10's order of preference (its default `KexAlgorithms`),
 * leaving out the SHA-1 groups: the post-quantum hybrids first (ML-KEM-768, then Streamlined
 * NTRU Prime under both its names), then curve25519, NIST ECDH and finite-field DH.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_KEX } from "@hush/kex";
 * assert.equal(DEFAULT_KEX[0], "mlkem768x25519-sha256");
 * ```
 */
export const DEFAULT_KEX: readonly string[] = Object.freeze([
  "mlkem768x25519-sha256",
  "sntrup761x25519-sha512",
  "sntrup761x25519-sha512@openssh.com",
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
  "diffie-hellman-group-exchange-sha256",
  "diffie-hellman-group16-sha512",
  "diffie-hellman-group18-sha512",
  "diffie-hellman-group14-sha256",
]);

/**
 * Names that appear in the kex name-list to signal a feature, never chosen as a method:
 * RFC 8308 extension negotiation and OpenSSH's strict key exchange (`PROTOCOL` §1.9).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PseudoAlgorithm } from "@hush/kex";
 * assert.equal(PseudoAlgorithm.STRICT_KEX_CLIENT, "kex-strict-c-v00@openssh.com");
 * ```
 */
export const PseudoAlgorithm = {
  EXT_INFO_CLIENT: "ext-info-c",
  EXT_INFO_SERVER: "ext-info-s",
  STRICT_KEX_CLIENT: "kex-strict-c-v00@openssh.com",
  STRICT_KEX_SERVER: "kex-strict-s-v00@openssh.com",
} as const;

const PSEUDO: ReadonlySet<string> = new Set(Object.values(PseudoAlgorithm));

/**
 * Whether a kex name is a pseudo-algorithm (a feature flag), which negotiation never picks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPseudoAlgorithm } from "@hush/kex";
 * assert.equal(isPseudoAlgorithm("ext-info-c"), true);
 * assert.equal(isPseudoAlgorithm("curve25519-sha256"), false);
 * ```
 */
export function isPseudoAlgorithm(name: string): boolean {
  return PSEUDO.has(name) || name.startsWith("kex-strict-") || name.startsWith("ext-info-");
}

/**
 * Our algorithm lists, best first. `ciphers`, `macs` and `compression` apply to both
 * directions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AlgorithmPreferences, DEFAULT_KEX } from "@hush/kex";
 * const prefs: AlgorithmPreferences = {
 *   kex: [...DEFAULT_KEX],
 *   hostKey: ["ssh-ed25519", "rsa-sha2-512"],
 *   ciphers: ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com"],
 *   macs: ["hmac-sha2-256-etm@openssh.com"],
 *   compression: ["none"],
 * };
 * assert.equal(prefs.kex.length, 12);
 * ```
 */
export interface AlgorithmPreferences {
  /** Key exchange methods (no pseudo-algorithms; {@linkcode createKexInit} adds those). */
  kex: string[];
  /** Host key (signature) algorithms; a server lists only those it has a key for. */
  hostKey: string[];
  /** Ciphers, both directions. */
  ciphers: string[];
  /** MACs, both directions (ignored for AEAD ciphers). */
  macs: string[];
  /** Compression methods, both directions (`none`). */
  compression: string[];
}

/**
 * Options of {@linkcode createKexInit}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KexInitOptions } from "@hush/kex";
 * const rekey: KexInitOptions = { role: "server", first: false };
 * assert.equal(rekey.first, false);
 * ```
 */
export interface KexInitOptions {
  /** Which end sends this KEXINIT. */
  role: "client" | "server";
  /** Whether this is the connection's first key exchange (pseudo-algorithms go only there). */
  first: boolean;
  /** Source of the 16-byte cookie. */
  random?: RandomSource;
}

/**
 * Builds our KEXINIT. In the first key exchange, the kex list gets `ext-info-c` (client) or
 * `ext-info-s` (server), and `kex-strict-c-v00@openssh.com` / `kex-strict-s-v00@openssh.com`,
 * appended after the real methods. We never send a guessed first packet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createKexInit, DEFAULT_KEX } from "@hush/kex";
 * const init = createKexInit({
 *   kex: [...DEFAULT_KEX],
 *   hostKey: ["ssh-ed25519"],
 *   ciphers: ["chacha20-poly1305@openssh.com"],
 *   macs: ["hmac-sha2-256-etm@openssh.com"],
 *   compression: ["none"],
 * }, { role: "client", first: true });
 * assert.equal(init.kexAlgorithms.at(-1), "kex-strict-c-v00@openssh.com");
 * ```
 */
export function createKexInit(prefs: AlgorithmPreferences, options: KexInitOptions): KexInit {
  const { role, first } = options;
  if (role !== "client" && role !== "server") throw new TypeError(`Unknown role: ${role}`);
  for (
    const [what, list] of [
      ["kex", prefs.kex],
      ["hostKey", prefs.hostKey],
      ["ciphers", prefs.ciphers],
      ["compression", prefs.compression],
    ] as const
  ) {
    if (!Array.isArray(list) || list.length === 0) {
      throw new TypeError(`Algorithm preferences: ${what} must not be empty`);
    }
  }
  const kex = prefs.kex.filter((n) => !isPseudoAlgorithm(n));
  if (kex.length === 0) throw new TypeError("Algorithm preferences: kex has no real method");
  if (first) {
    if (role === "client") {
      kex.push(PseudoAlgorithm.EXT_INFO_CLIENT, PseudoAlgorithm.STRICT_KEX_CLIENT);
    } else {
      kex.push(PseudoAlgorithm.EXT_INFO_SERVER, PseudoAlgorithm.STRICT_KEX_SERVER);
    }
  }
  const cookie = (options.random ?? randomBytes)(16);
  if (!(cookie instanceof Uint8Array) || cookie.length !== 16) {
    throw new TypeError("Random source must return the 16 bytes asked for");
  }
  return {
    type: "kexInit",
    cookie: cookie.slice(),
    kexAlgorithms: kex,
    serverHostKeyAlgorithms: [...prefs.hostKey],
    encryptionClientToServer: [...prefs.ciphers],
    encryptionServerToClient: [...prefs.ciphers],
    macClientToServer: [...prefs.macs],
    macServerToClient: [...prefs.macs],
    compressionClientToServer: [...prefs.compression],
    compressionServerToClient: [...prefs.compression],
    languagesClientToServer: [],
    languagesServerToClient: [],
    firstKexPacketFollows: false,
    reserved: 0,
  };
}

/**
 * Decodes a KEXINIT payload (message number 20 included), throwing {@linkcode KexError} with
 * PROTOCOL_ERROR for anything malformed: a truncated cookie or name-list, an empty name in a
 * list, trailing bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createKexInit, parseKexInit } from "@hush/kex";
 * import { encodeMessage } from "@hush/wire";
 * const prefs = { kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"], ciphers: ["aes128-ctr"], macs: ["hmac-sha2-256"], compression: ["none"] };
 * const payload = encodeMessage(createKexInit(prefs, { role: "server", first: false }));
 * assert.deepEqual(parseKexInit(payload).kexAlgorithms, ["curve25519-sha256"]);
 * ```
 */
export function parseKexInit(payload: Uint8Array): KexInit {
  if (payload.length === 0 || payload[0] !== MessageNumber.KEXINIT) {
    throw protocolError("Not a KEXINIT message");
  }
  try {
    const m = decodeMessage(payload);
    if (m.type !== "kexInit") throw protocolError("Not a KEXINIT message");
    return m;
  } catch (e) {
    if (e instanceof WireError) throw protocolError(`Malformed KEXINIT: ${e.message}`, e);
    throw e;
  }
}
