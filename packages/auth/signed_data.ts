/**
 * The bytes a publickey signature covers (RFC 4252 §7).
 * @module
 */
import { MessageNumber, SshWriter } from "@hush/wire";

/**
 * The data signed in a publickey request: the session identifier, then the request itself with
 * the "has signature" boolean TRUE and without the signature.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publickeySignedData } from "@hush/auth";
 * const data = publickeySignedData({
 *   sessionId: new Uint8Array(32),
 *   user: "alice",
 *   service: "ssh-connection",
 *   algorithm: "ssh-ed25519",
 *   publicKey: new Uint8Array([0, 0, 0, 0]),
 * });
 * assert.equal(data.length, 101);
 * ```
 */
export function publickeySignedData(fields: {
  sessionId: Uint8Array;
  user: string;
  service: string;
  algorithm: string;
  publicKey: Uint8Array;
}): Uint8Array {
  return new SshWriter(128 + fields.publicKey.length)
    .string(fields.sessionId)
    .byte(MessageNumber.USERAUTH_REQUEST)
    .string(fields.user)
    .string(fields.service)
    .string("publickey")
    .boolean(true)
    .string(fields.algorithm)
    .string(fields.publicKey)
    .finish();
}
