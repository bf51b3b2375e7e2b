/**
 * Key derivation from K and H (RFC 4253 §7.2).
 * @module
 */
import { digest, digestLength } from "./hash.ts";
import type { KexResult } from "./exchange.ts";

/**
 * How many bytes of each key the negotiated cipher suites need.
 *
 * @example
 * ```ts
 * import type { KeyLengths } from "@hush/kex";
 * // aes256-ctr + hmac-sha2-256 one way, chacha20-poly1305@openssh.com the other
 * const lengths: KeyLengths = {
 *   ivClientToServer: 16, keyClientToServer: 32, macKeyClientToServer: 32,
 *   ivServerToClient: 0, keyServerToClient: 64, macKeyServerToClient: 0,
 * };
 * ```
 */
export interface KeyLengths {
  /** IV length, client to server (letter A). */
  ivClientToServer: number;
  /** Cipher key length, client to server (letter C). */
  keyClientToServer: number;
  /** MAC key length, client to server (letter E); 0 for AEAD. */
  macKeyClientToServer: number;
  /** IV length, server to client (letter B). */
  ivServerToClient: number;
  /** Cipher key length, server to client (letter D). */
  keyServerToClient: number;
  /** MAC key length, server to client (letter F); 0 for AEAD. */
  macKeyServerToClient: number;
}

/**
 * The keys for one direction.
 *
 * @example
 * ```ts
 * import type { DirectionKeys } from "@hush/kex";
 * function wipe(k: DirectionKeys): void {
 *   k.iv.fill(0);
 *   k.key.fill(0);
 *   k.macKey.fill(0);
 * }
 * ```
 */
export interface DirectionKeys {
  /** Initial IV. */
  iv: Uint8Array;
  /** Encryption key. */
  key: Uint8Array;
  /** Integrity key. */
  macKey: Uint8Array;
}

/**
 * Both directions' keys.
 *
 * @example
 * ```ts
 * import type { DerivedKeys } from "@hush/kex";
 * function outgoing(keys: DerivedKeys, role: "client" | "server") {
 *   return role === "client" ? keys.clientToServer : keys.serverToClient;
 * }
 * ```
 */
export interface DerivedKeys {
  /** Keys for client-to-server packets. */
  clientToServer: DirectionKeys;
  /** Keys for server-to-client packets. */
  serverToClient: DirectionKeys;
}

/**
 * Derives IVs, cipher keys and MAC keys for both directions (RFC 4253 §7.2):
 * K1 = HASH(K || H || letter || session_id), then K(n+1) = HASH(K || H || K1 || … || Kn) until
 * there are enough bytes. K is used exactly as encoded into H (mpint or string). The caller
 * owns and should zero the returned keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deriveKeys, type KexResult } from "@hush/kex";
 * const result: KexResult = {
 *   exchangeHash: new Uint8Array(32).fill(1),
 *   sharedSecret: new Uint8Array([0, 0, 0, 1, 7]),
 *   hash: "sha256",
 *   hostKey: new Uint8Array(0),
 * };
 * const keys = deriveKeys(result, result.exchangeHash, {
 *   ivClientToServer: 12, keyClientToServer: 32, macKeyClientToServer: 0,
 *   ivServerToClient: 12, keyServerToClient: 32, macKeyServerToClient: 0,
 * });
 * assert.equal(keys.clientToServer.key.length, 32);
 * ```
 */
export function deriveKeys(
  result: KexResult,
  sessionId: Uint8Array,
  lengths: KeyLengths,
): DerivedKeys {
  const derive = (letter: string, length: number): Uint8Array =>
    deriveOne(result, sessionId, letter.charCodeAt(0), length);
  return {
    clientToServer: {
      iv: derive("A", lengths.ivClientToServer),
      key: derive("C", lengths.keyClientToServer),
      macKey: derive("E", lengths.macKeyClientToServer),
    },
    serverToClient: {
      iv: derive("B", lengths.ivServerToClient),
      key: derive("D", lengths.keyServerToClient),
      macKey: derive("F", lengths.macKeyServerToClient),
    },
  };
}

/** Longest key a caller may ask for (far above any cipher's needs). */
const KEY_LENGTH_LIMIT = 1024;

function deriveOne(
  result: KexResult,
  sessionId: Uint8Array,
  letter: number,
  length: number,
): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > KEY_LENGTH_LIMIT) {
    throw new RangeError(`Key length out of range: ${length}`);
  }
  const out = new Uint8Array(length);
  if (length === 0) return out;
  const k = result.sharedSecret;
  const h = result.exchangeHash;
  const hashLen = digestLength(result.hash);
  // K || H || X || session_id for K1, then K || H || K1..Kn; the buffer holds the longest input
  const buf = new Uint8Array(
    k.length + h.length + Math.max(1 + sessionId.length, length + hashLen),
  );
  buf.set(k, 0);
  buf.set(h, k.length);
  let off = k.length + h.length;
  buf[off] = letter;
  buf.set(sessionId, off + 1);
  let block = digest(result.hash, buf.subarray(0, off + 1 + sessionId.length));
  let filled = 0;
  for (;;) {
    const n = Math.min(block.length, length - filled);
    out.set(block.subarray(0, n), filled);
    filled += n;
    if (filled === length) break;
    buf.set(block, off);
    off += block.length;
    block.fill(0);
    block = digest(result.hash, buf.subarray(0, off));
  }
  block.fill(0);
  buf.fill(0);
  return out;
}
