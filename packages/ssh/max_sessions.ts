/**
 * MaxSessions, as OpenSSH's sshd has it: how many `session` channels one connection may have
 * open at once. Each session may run a command, a shell and a pty; the bound keeps one
 * connection from taking the server's processes and descriptors by the thousand. Forwarding
 * channels do not count.
 * @module
 */
import type { ChannelOpenRefusal } from "@hush/channels";
import { ChannelOpenFailureReason } from "@hush/wire";

/**
 * OpenSSH's default MaxSessions: 10 sessions open at once per connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_MAX_SESSIONS } from "./max_sessions.ts";
 * assert.equal(DEFAULT_MAX_SESSIONS, 10);
 * ```
 */
export const DEFAULT_MAX_SESSIONS = 10;

/**
 * What a session open past MaxSessions gets: OpenSSH's sshd (9.2, 10.0) answers CONNECT_FAILED
 * with "open failed", which its `ssh` prints as "open failed: connect failed: open failed"
 * (a multiplexing client: "Session open refused by peer").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_SESSIONS_REFUSAL } from "./max_sessions.ts";
 * assert.deepEqual(MAX_SESSIONS_REFUSAL, { reason: 2, description: "open failed" });
 * ```
 */
export const MAX_SESSIONS_REFUSAL: Readonly<Required<ChannelOpenRefusal>> = Object.freeze({
  reason: ChannelOpenFailureReason.CONNECT_FAILED,
  description: "open failed",
});
