/**
 * A channel's life (RFC 4254 §5.1, §5.3) as one value: opening, open (with EOF noted in each
 * direction), closing (our CLOSE sent, the peer's awaited) and closed; and the table of what
 * moves it. Anything the table lacks is a protocol error of the peer's (a second EOF, data
 * after its EOF, a confirmation for an open channel) or a bug of ours — never a silent move.
 * @module
 */
import { ChannelError } from "./errors.ts";

/**
 * Where a channel is in its life.
 *
 * @example
 * ```ts
 * import type { ChannelLife } from "@hush/channels";
 * const halfClosed: ChannelLife = { phase: "open", eofSent: true, eofReceived: false };
 * ```
 */
export type ChannelLife =
  | { readonly phase: "opening" }
  | { readonly phase: "open"; readonly eofSent: boolean; readonly eofReceived: boolean }
  /** Our CLOSE is sent; the peer's is awaited (its data is still accounted, then dropped). */
  | { readonly phase: "closing"; readonly eofReceived: boolean }
  /** Both CLOSEs, a refused open, or the connection ended. */
  | { readonly phase: "closed" };

/**
 * What happens to a channel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChannelEvent } from "@hush/channels";
 * assert.equal(ChannelEvent.EOF_RECEIVED, "eof-received");
 * ```
 */
export const ChannelEvent = {
  /** The open was confirmed (by the peer, or by us for the peer's open). */
  CONFIRMED: "confirmed",
  /** We sent EOF. */
  EOF_SENT: "eof-sent",
  /** The peer sent EOF. */
  EOF_RECEIVED: "eof-received",
  /** We sent CLOSE. */
  CLOSE_SENT: "close-sent",
  /** The peer sent CLOSE (we answer with ours if not sent yet). */
  CLOSE_RECEIVED: "close-received",
  /** The open was refused, or the connection ended. */
  TORN_DOWN: "torn-down",
} as const;

/** One of {@linkcode ChannelEvent}. */
export type ChannelEventName = (typeof ChannelEvent)[keyof typeof ChannelEvent];

/** The life a channel starts with. */
export const OPENING: ChannelLife = { phase: "opening" };
const CLOSED: ChannelLife = { phase: "closed" };

/**
 * The next life after `event`, or `undefined` when the table has no such move.
 *
 * | from \ event | confirmed | eof-sent | eof-received | close-sent | close-received | torn-down |
 * |---|---|---|---|---|---|---|
 * | opening | open | — | — | — | — | closed |
 * | open | — | open (eofSent, once) | open (eofReceived, once) | closing | closed | closed |
 * | closing | — | — | closing (eofReceived, once) | — | closed | closed |
 * | closed | — | — | — | — | — | closed |
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextChannelLife } from "./channel_life.ts";
 * const open = nextChannelLife({ phase: "opening" }, "confirmed");
 * assert.deepEqual(open, { phase: "open", eofSent: false, eofReceived: false });
 * assert.equal(nextChannelLife({ phase: "opening" }, "eof-received"), undefined);
 * ```
 */
export function nextChannelLife(
  life: ChannelLife,
  event: ChannelEventName,
): ChannelLife | undefined {
  if (event === ChannelEvent.TORN_DOWN) return CLOSED;
  switch (life.phase) {
    case "opening":
      return event === ChannelEvent.CONFIRMED
        ? { phase: "open", eofSent: false, eofReceived: false }
        : undefined;
    case "open":
      switch (event) {
        case ChannelEvent.EOF_SENT:
          return life.eofSent ? undefined : { ...life, eofSent: true };
        case ChannelEvent.EOF_RECEIVED:
          return life.eofReceived ? undefined : { ...life, eofReceived: true };
        case ChannelEvent.CLOSE_SENT:
          return { phase: "closing", eofReceived: life.eofReceived };
        case ChannelEvent.CLOSE_RECEIVED:
          return CLOSED;
        default:
          return undefined;
      }
    case "closing":
      if (event === ChannelEvent.EOF_RECEIVED) {
        return life.eofReceived ? undefined : { phase: "closing", eofReceived: true };
      }
      return event === ChannelEvent.CLOSE_RECEIVED ? CLOSED : undefined;
    case "closed":
      return undefined;
  }
}

/**
 * {@linkcode nextChannelLife}, throwing a {@linkcode ChannelError} (PROTOCOL_ERROR) for a move
 * the table lacks; `what` says what the peer did.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { moveChannelLife } from "./channel_life.ts";
 * const life = moveChannelLife({ phase: "opening" }, "confirmed", "channel 0");
 * assert.equal(life.phase, "open");
 * ```
 */
export function moveChannelLife(
  life: ChannelLife,
  event: ChannelEventName,
  what: string,
): ChannelLife {
  const next = nextChannelLife(life, event);
  if (next === undefined) {
    throw new ChannelError(`Unexpected ${event} on ${what}, which is ${describeLife(life)}`);
  }
  return next;
}

/** A channel's life in words, for errors and traces. */
export function describeLife(life: ChannelLife): string {
  if (life.phase !== "open" && life.phase !== "closing") return life.phase;
  const eofs = [
    life.phase === "open" && life.eofSent ? "EOF sent" : "",
    life.eofReceived ? "EOF received" : "",
  ].filter(Boolean);
  return eofs.length ? `${life.phase} (${eofs.join(", ")})` : life.phase;
}
