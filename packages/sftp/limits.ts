/**
 * Every bound of the SFTP session, in one place. The packet and read bounds are OpenSSH's
 * (`SFTP_MAX_MSG_LENGTH`, `SFTP_MAX_READ_LENGTH`), so each side accepts what the other sends.
 * @module
 */

/**
 * Largest SFTP packet, its length field not counted (256 KiB, OpenSSH's). A longer length from
 * the peer ends the session before anything is allocated for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SFTP_PACKET_LIMIT } from "@hush/sftp";
 * assert.equal(SFTP_PACKET_LIMIT, 262144);
 * ```
 */
export const SFTP_PACKET_LIMIT = 256 * 1024;

/**
 * Most bytes one READ returns and one WRITE carries (the packet limit less 1 KiB of header, as
 * OpenSSH's sftp-server). A server clips a longer READ to this; `limits@openssh.com` says it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { READ_LENGTH_LIMIT, SFTP_PACKET_LIMIT } from "@hush/sftp";
 * assert.equal(SFTP_PACKET_LIMIT - READ_LENGTH_LIMIT, 1024);
 * ```
 */
export const READ_LENGTH_LIMIT = SFTP_PACKET_LIMIT - 1024;

/**
 * Most handles (files and directories) open at once in one server session, as OpenSSH's; an
 * OPEN or OPENDIR past it gets a FAILURE status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HANDLE_LIMIT } from "@hush/sftp";
 * assert.equal(HANDLE_LIMIT, 512);
 * ```
 */
export const HANDLE_LIMIT = 512;

/**
 * Longest handle string a peer may send (draft-ietf-secsh-filexfer-02 §6.2: 256 bytes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HANDLE_LENGTH_LIMIT } from "@hush/sftp";
 * assert.equal(HANDLE_LENGTH_LIMIT, 256);
 * ```
 */
export const HANDLE_LENGTH_LIMIT = 256;

/**
 * Names a server puts in one READDIR reply (OpenSSH's 100).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { READDIR_BATCH } from "@hush/sftp";
 * assert.equal(READDIR_BATCH, 100);
 * ```
 */
export const READDIR_BATCH = 100;

/**
 * Requests a transfer keeps in flight by default (OpenSSH's sftp: 64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_REQUESTS_IN_FLIGHT } from "@hush/sftp";
 * assert.equal(DEFAULT_REQUESTS_IN_FLIGHT, 64);
 * ```
 */
export const DEFAULT_REQUESTS_IN_FLIGHT = 64;

/**
 * Bytes per READ or WRITE of a transfer with a server that states no limits (OpenSSH's sftp:
 * 32 KiB). When the server answers `limits@openssh.com`, transfers use its lengths, as OpenSSH's
 * sftp does (255 KiB from OpenSSH's sftp-server).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CHUNK_SIZE } from "@hush/sftp";
 * assert.equal(DEFAULT_CHUNK_SIZE, 32768);
 * ```
 */
export const DEFAULT_CHUNK_SIZE = 32 * 1024;
