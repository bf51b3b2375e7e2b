/**
 * Compression methods (RFC 4253 §6.2, OpenSSH PROTOCOL §2.1) as data: each name, and when its
 * stream starts in a direction. The transport installs the stage at that moment.
 * @module
 */
import type { PayloadCompressor, PayloadDecompressor } from "@hush/wire";
import { ZlibCompressor } from "./zlib_compressor.ts";
import { ZlibDecompressor } from "./zlib_decompressor.ts";

/**
 * When a method's stream starts in a direction:
 * - `never`: no compression;
 * - `newkeys`: with the keys, at NEWKEYS (`zlib`);
 * - `authenticated`: with the keys once authentication has succeeded, else right after
 *   USERAUTH_SUCCESS, sent by a server or received by a client (`zlib@openssh.com`).
 *
 * Each start is a fresh stream: a re-exchange starts a new one, as RFC 4253 §6.2 says ("the
 * compression context is initialized after each key exchange") and OpenSSH does (packet.c
 * `ssh_set_newkeys` runs `deflateInit`/`inflateInit` again for the new keys).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CompressionStart } from "@hush/transport";
 * assert.equal(CompressionStart.AUTHENTICATED, "authenticated");
 * ```
 */
export const CompressionStart = {
  NEVER: "never",
  NEWKEYS: "newkeys",
  AUTHENTICATED: "authenticated",
} as const;

/** One of {@linkcode CompressionStart}. */
export type CompressionStartName = (typeof CompressionStart)[keyof typeof CompressionStart];

/** A compression method: when it starts, and its stages (none for `none`). */
export interface CompressionMethod {
  /** When its stream starts in a direction. */
  readonly start: CompressionStartName;
  /** A fresh compressing stream. */
  compressor?(): PayloadCompressor;
  /** A fresh decompressing stream, bounded by the packet limit. */
  decompressor?(): PayloadDecompressor;
}

const ZLIB = {
  compressor: (): PayloadCompressor => new ZlibCompressor(),
  decompressor: (): PayloadDecompressor => new ZlibDecompressor(),
};

/**
 * Every compression method Hush speaks, by SSH name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COMPRESSION_METHODS } from "@hush/transport";
 * assert.deepEqual(Object.keys(COMPRESSION_METHODS), ["none", "zlib", "zlib@openssh.com"]);
 * ```
 */
export const COMPRESSION_METHODS: Readonly<Record<string, CompressionMethod>> = {
  none: { start: CompressionStart.NEVER },
  zlib: { start: CompressionStart.NEWKEYS, ...ZLIB },
  "zlib@openssh.com": { start: CompressionStart.AUTHENTICATED, ...ZLIB },
};

/**
 * What a client offers by default: OpenSSH's `Compression no` list, `none` first (so the
 * connection is uncompressed unless the server knows nothing else).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CLIENT_COMPRESSION } from "@hush/transport";
 * assert.deepEqual(DEFAULT_CLIENT_COMPRESSION, ["none", "zlib@openssh.com", "zlib"]);
 * ```
 */
export const DEFAULT_CLIENT_COMPRESSION: readonly string[] = ["none", "zlib@openssh.com", "zlib"];

/**
 * What a client offers when compression is asked for (`ssh -C`, `Compression yes`): OpenSSH's
 * list, delayed zlib first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COMPRESSION_PREFERRED } from "@hush/transport";
 * assert.equal(COMPRESSION_PREFERRED[0], "zlib@openssh.com");
 * ```
 */
export const COMPRESSION_PREFERRED: readonly string[] = ["zlib@openssh.com", "zlib", "none"];

/**
 * What a server offers by default: OpenSSH sshd's `Compression yes` (also called `delayed`),
 * the delayed method only, after `none`; the client's order decides.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SERVER_COMPRESSION } from "@hush/transport";
 * assert.deepEqual(DEFAULT_SERVER_COMPRESSION, ["none", "zlib@openssh.com"]);
 * ```
 */
export const DEFAULT_SERVER_COMPRESSION: readonly string[] = ["none", "zlib@openssh.com"];

/**
 * The method named `name`; a name Hush does not speak is the caller's error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compressionMethod } from "@hush/transport";
 * assert.equal(compressionMethod("zlib").start, "newkeys");
 * ```
 */
export function compressionMethod(name: string): CompressionMethod {
  const method = Object.hasOwn(COMPRESSION_METHODS, name) ? COMPRESSION_METHODS[name] : undefined;
  if (!method) throw new TypeError(`Unknown compression method: ${name}`);
  return method;
}

/**
 * Whether `name`'s stream runs with new keys from their NEWKEYS on, given whether
 * authentication has succeeded by then.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startsAtNewKeys } from "./compression.ts";
 * assert.equal(startsAtNewKeys("zlib@openssh.com", false), false);
 * assert.equal(startsAtNewKeys("zlib@openssh.com", true), true);
 * ```
 */
export function startsAtNewKeys(name: string, authenticated: boolean): boolean {
  const { start } = compressionMethod(name);
  return start === CompressionStart.NEWKEYS ||
    (start === CompressionStart.AUTHENTICATED && authenticated);
}
