/**
 * SFTP packet type numbers (draft-ietf-secsh-filexfer-02 §3).
 * @module
 */

/**
 * The type byte of each SFTP packet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SftpPacketType } from "@hush/sftp";
 * assert.equal(SftpPacketType.READ, 5);
 * assert.equal(SftpPacketType.DATA, 103);
 * ```
 */
export const SftpPacketType = {
  INIT: 1,
  VERSION: 2,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  LSTAT: 7,
  FSTAT: 8,
  SETSTAT: 9,
  FSETSTAT: 10,
  OPENDIR: 11,
  READDIR: 12,
  REMOVE: 13,
  MKDIR: 14,
  RMDIR: 15,
  REALPATH: 16,
  STAT: 17,
  RENAME: 18,
  READLINK: 19,
  SYMLINK: 20,
  STATUS: 101,
  HANDLE: 102,
  DATA: 103,
  NAME: 104,
  ATTRS: 105,
  EXTENDED: 200,
  EXTENDED_REPLY: 201,
} as const;

/**
 * The protocol version Hush speaks (3, as OpenSSH).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SFTP_VERSION } from "@hush/sftp";
 * assert.equal(SFTP_VERSION, 3);
 * ```
 */
export const SFTP_VERSION = 3;
