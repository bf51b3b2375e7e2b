/**
 * Hashed host names (`HashKnownHosts`): `|1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>`.
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { bytesEqual, decodeBase64, encodeBase64 } from "@hush/wire";

/**
 * The prefix of a hashed host field (hash type 1, HMAC-SHA1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HASHED_HOST_PREFIX, hashHostName } from "@hush/hostkeys";
 * assert.equal(hashHostName("example.org").startsWith(HASHED_HOST_PREFIX), true);
 * ```
 */
export const HASHED_HOST_PREFIX = "|1|";
/** Length in bytes of the salt and of the HMAC-SHA1 output. */
const SHA1_LENGTH = 20;

/**
 * A hashed host field taken apart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type HashedHost, matchHashedHost, parseHashedHost } from "@hush/hostkeys";
 * const h: HashedHost | undefined = parseHashedHost("|1|CwsLCwsLCwsLCwsLCwsLCwsLCws=|thcxhlUFcmTii8C2+zeMjvFGvgA=");
 * assert.equal(h !== undefined && matchHashedHost("Hi There", h), true);
 * ```
 */
export interface HashedHost {
  /** The 20-byte HMAC key. */
  readonly salt: Uint8Array;
  /** The 20-byte HMAC-SHA1 of the host name under `salt`. */
  readonly hash: Uint8Array;
}

/**
 * Takes apart a hashed host field `|1|salt|hash`. Returns `undefined` when the field is not
 * exactly that shape with a 20-byte salt and a 20-byte hash.
 *
 * @param field The host field of a known_hosts line.
 * @returns The salt and hash, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHashedHost } from "@hush/hostkeys";
 * const h = parseHashedHost("|1|JfKTdBh7rNbXkVAQCRp4OQoPfmI=|USECr3SWf1JUPsms5AqfD5QfxkM=");
 * assert.equal(h?.salt.length, 20);
 * assert.equal(h?.hash.length, 20);
 * ```
 */
export function parseHashedHost(field: string): HashedHost | undefined {
  if (!field.startsWith(HASHED_HOST_PREFIX)) return undefined;
  const rest = field.slice(HASHED_HOST_PREFIX.length);
  const bar = rest.indexOf("|");
  if (bar === -1 || rest.indexOf("|", bar + 1) !== -1) return undefined;
  const salt = decodeBase64(rest.slice(0, bar));
  const hash = decodeBase64(rest.slice(bar + 1));
  if (salt?.length !== SHA1_LENGTH || hash?.length !== SHA1_LENGTH) return undefined;
  return { salt, hash };
}

/**
 * Hashes a host name for known_hosts, as `ssh-keygen -H` and `HashKnownHosts yes` do.
 *
 * @param name The known_hosts name (see {@linkcode knownHostsName}), e.g. `"[host]:2222"`.
 * @param salt 20 bytes of salt; fresh random bytes when omitted.
 * @returns The hashed field `|1|salt|hash`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashHostName, matchHashedHost } from "@hush/hostkeys";
 * const field = hashHostName("example.org");
 * assert.equal(field.startsWith("|1|"), true);
 * assert.equal(matchHashedHost("example.org", field), true);
 * ```
 */
export function hashHostName(name: string, salt?: Uint8Array): string {
  const key = salt ?? crypto.getRandomValues(new Uint8Array(SHA1_LENGTH));
  if (key.length !== SHA1_LENGTH) throw new RangeError("Salt must be 20 bytes");
  const mac = hmac(sha1, key, new TextEncoder().encode(name));
  return `${HASHED_HOST_PREFIX}${encodeBase64(key)}|${encodeBase64(mac)}`;
}

/**
 * Whether a name hashes to a hashed host field (a parsed one or its text).
 *
 * @param name The known_hosts name to test.
 * @param hashed The field text or the result of {@linkcode parseHashedHost}.
 * @returns Whether the field was made from this name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashHostName, matchHashedHost } from "@hush/hostkeys";
 * const field = hashHostName("[10.0.0.1]:2222");
 * assert.equal(matchHashedHost("[10.0.0.1]:2222", field), true);
 * assert.equal(matchHashedHost("10.0.0.1", field), false);
 * ```
 */
export function matchHashedHost(name: string, hashed: string | HashedHost): boolean {
  const h = typeof hashed === "string" ? parseHashedHost(hashed) : hashed;
  if (!h) return false;
  const mac = hmac(sha1, h.salt, new TextEncoder().encode(name));
  return bytesEqual(mac, h.hash);
}
