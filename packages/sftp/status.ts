/**
 * SFTP status codes (draft-ietf-secsh-filexfer-02 §7) and the words OpenSSH's sftp-server sends
 * with each.
 * @module
 */

/**
 * The status codes of SSH_FXP_STATUS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StatusCode } from "@hush/sftp";
 * assert.equal(StatusCode.NO_SUCH_FILE, 2);
 * ```
 */
export const StatusCode = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const;

/** One of the values of {@linkcode StatusCode} (a peer may send others). */
export type StatusCodeValue = (typeof StatusCode)[keyof typeof StatusCode];

const MESSAGES: readonly string[] = [
  "Success",
  "End of file",
  "No such file",
  "Permission denied",
  "Failure",
  "Bad message",
  "No connection",
  "Connection lost",
  "Operation unsupported",
];

/**
 * The text OpenSSH's sftp-server sends with a status code ("Unknown error" for codes past the
 * table).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusMessage, StatusCode } from "@hush/sftp";
 * assert.equal(statusMessage(StatusCode.PERMISSION_DENIED), "Permission denied");
 * ```
 */
export function statusMessage(code: number): string {
  return MESSAGES[code] ?? "Unknown error";
}
