/**
 * Refusing a channel open (RFC 4254 §5.1): the names of CHANNEL_OPEN_FAILURE reason codes and
 * the refusal we send when the application says no.
 * @module
 */
import { ChannelOpenFailureReason } from "@hush/wire";
import type { ChannelOpenRefusal } from "./connection_options.ts";

const OPEN_FAILURE_NAMES: Record<number, string> = {
  1: "administratively prohibited",
  2: "connect failed",
  3: "unknown channel type",
  4: "resource shortage",
};

/** Channel types we know, refused as prohibited rather than unknown. */
const KNOWN_CHANNEL_TYPES = new Set([
  "session",
  "direct-tcpip",
  "forwarded-tcpip",
  "x11",
  "auth-agent@openssh.com",
]);

/**
 * The name of a CHANNEL_OPEN_FAILURE reason code, or `undefined` for a code RFC 4254 does not
 * define. Internal to the package.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openFailureName } from "./open_refusal.ts";
 * assert.equal(openFailureName(2), "connect failed");
 * assert.equal(openFailureName(99), undefined);
 * ```
 */
export function openFailureName(reason: number): string | undefined {
  return OPEN_FAILURE_NAMES[reason];
}

/**
 * What to send for an open of `channelType` the application refused: a plain `false` refuses a
 * known type as ADMINISTRATIVELY_PROHIBITED and any other as UNKNOWN_CHANNEL_TYPE; a refusal
 * keeps its reason, with the reason's name as the description if it has none. Internal to the
 * package.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openRefusal } from "./open_refusal.ts";
 * assert.deepEqual(openRefusal("session", false), { reason: 1, description: "Refused" });
 * assert.equal(openRefusal("tun@openssh.com", false).description, "Unknown channel type");
 * assert.equal(openRefusal("session", { reason: 4 }).description, "resource shortage");
 * ```
 */
export function openRefusal(
  channelType: string,
  decision: false | ChannelOpenRefusal,
): Required<ChannelOpenRefusal> {
  const refusal = decision === false
    ? KNOWN_CHANNEL_TYPES.has(channelType)
      ? {
        reason: ChannelOpenFailureReason.ADMINISTRATIVELY_PROHIBITED,
        description: "Refused",
      }
      : {
        reason: ChannelOpenFailureReason.UNKNOWN_CHANNEL_TYPE,
        description: "Unknown channel type",
      }
    : decision;
  return {
    reason: refusal.reason,
    description: refusal.description ?? OPEN_FAILURE_NAMES[refusal.reason] ?? "Refused",
  };
}
