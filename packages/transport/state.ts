/**
 * The transport's state machine as data: each phase and the messages it accepts from the peer.
 * Anything else is a protocol error (DISCONNECT), never silently dropped.
 * @module
 */
import type { MessageType } from "@hush/wire";

/** Where a connection is in its life (RFC 4253 §7–10, RFC 4252 §4–5). */
export const Phase = {
  /** Versions exchanged; the first key exchange is running. */
  INITIAL_KEX: "initial-kex",
  /** Keys in place; waiting for SERVICE_REQUEST (server) or SERVICE_ACCEPT (client). */
  SERVICE: "service",
  /** The ssh-userauth service runs. */
  AUTH: "auth",
  /** Authenticated: the connection protocol runs. */
  CONNECTION: "connection",
  /** DISCONNECT sent or received, or the stream ended. */
  CLOSED: "closed",
} as const;

/** One of {@linkcode Phase}. */
export type PhaseName = (typeof Phase)[keyof typeof Phase];

/**
 * What moves a connection from one phase to the next.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PhaseEvent } from "@hush/transport";
 * assert.equal(PhaseEvent.SERVICE_ACCEPTED, "service-accepted");
 * ```
 */
export const PhaseEvent = {
  /** The peer's first NEWKEYS: keys are in place. */
  FIRST_NEWKEYS: "first-newkeys",
  /** Server: the client asked for `ssh-userauth` (and was answered). */
  SERVICE_REQUESTED: "service-requested",
  /** Client: the server accepted `ssh-userauth`. */
  SERVICE_ACCEPTED: "service-accepted",
  /** Authentication succeeded: USERAUTH_SUCCESS sent (server) or received (client). */
  AUTHENTICATED: "authenticated",
  /** DISCONNECT sent or received, an error, or the byte stream ended. */
  CLOSED: "closed",
} as const;

/** One of {@linkcode PhaseEvent}. */
export type PhaseEventName = (typeof PhaseEvent)[keyof typeof PhaseEvent];

/**
 * The transitions, as a table a test can read: from each phase, the events allowed and where
 * they lead. A transport moves only through it; an event missing here is a bug of ours or a
 * protocol error of the peer's, never a silent move.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PHASE_TRANSITIONS } from "./state.ts";
 * assert.deepEqual(
 *   PHASE_TRANSITIONS.service,
 *   { "service-requested": "auth", "service-accepted": "auth", closed: "closed" },
 * );
 * ```
 */
export const PHASE_TRANSITIONS: Readonly<
  Record<PhaseName, Readonly<Partial<Record<PhaseEventName, PhaseName>>>>
> = {
  [Phase.INITIAL_KEX]: {
    [PhaseEvent.FIRST_NEWKEYS]: Phase.SERVICE,
    [PhaseEvent.CLOSED]: Phase.CLOSED,
  },
  [Phase.SERVICE]: {
    [PhaseEvent.SERVICE_REQUESTED]: Phase.AUTH,
    [PhaseEvent.SERVICE_ACCEPTED]: Phase.AUTH,
    [PhaseEvent.CLOSED]: Phase.CLOSED,
  },
  [Phase.AUTH]: { [PhaseEvent.AUTHENTICATED]: Phase.CONNECTION, [PhaseEvent.CLOSED]: Phase.CLOSED },
  [Phase.CONNECTION]: { [PhaseEvent.CLOSED]: Phase.CLOSED },
  [Phase.CLOSED]: {},
};

/**
 * The phase `event` leads to from `phase`, or `undefined` when the table has no such move.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextPhase } from "./state.ts";
 * assert.equal(nextPhase("auth", "authenticated"), "connection");
 * assert.equal(nextPhase("service", "authenticated"), undefined);
 * ```
 */
export function nextPhase(phase: PhaseName, event: PhaseEventName): PhaseName | undefined {
  return PHASE_TRANSITIONS[phase][event];
}

/** Messages of the key exchange proper (numbers 30–49 decoded with the method's context). */
const KEX_METHOD: readonly MessageType[] = [
  "kexEcdhInit",
  "kexEcdhReply",
  "kexDhInit",
  "kexDhReply",
  "kexDhGexRequestOld",
  "kexDhGexRequest",
  "kexDhGexGroup",
  "kexDhGexInit",
  "kexDhGexReply",
];
const GENERIC: readonly MessageType[] = ["disconnect", "ignore", "debug", "unimplemented"];
/** Authentication messages a server receives (RFC 4252 §5). */
const AUTH_TO_SERVER: readonly MessageType[] = ["userauthRequest"];
/** Authentication messages a client receives (RFC 4252 §5.1, §5.4). */
const AUTH_TO_CLIENT: readonly MessageType[] = [
  "userauthFailure",
  "userauthSuccess",
  "userauthBanner",
];
const CONNECTION: readonly MessageType[] = [
  "globalRequest",
  "requestSuccess",
  "requestFailure",
  "channelOpen",
  "channelOpenConfirmation",
  "channelOpenFailure",
  "channelWindowAdjust",
  "channelData",
  "channelExtendedData",
  "channelEof",
  "channelClose",
  "channelRequest",
  "channelSuccess",
  "channelFailure",
];

const CONNECTION_SET: ReadonlySet<MessageType> = new Set(CONNECTION);

/** What the receiving side knows when it classifies a message. */
export interface ReceiveState {
  /** Where the connection is. */
  phase: PhaseName;
  /** Which end we are. */
  role: "client" | "server";
  /** The peer sent KEXINIT and not yet NEWKEYS. */
  peerInKex: boolean;
  /** Strict kex is on and the first key exchange has not finished. */
  strictInitial: boolean;
  /** No packet has been received yet. */
  firstPacket: boolean;
  /** The previous packet from the peer was its first NEWKEYS (EXT_INFO may come now). */
  justAfterFirstNewKeys: boolean;
  /**
   * Client: the previous packet was an EXT_INFO during authentication, so this one must be
   * USERAUTH_SUCCESS (RFC 8308 §2.4).
   */
  afterAuthExtInfo?: boolean;
}

/**
 * Decides whether a message from the peer is allowed now. Returns `undefined` when it is, or
 * the reason it is not. The rules, in order:
 *
 * - strict kex (OpenSSH PROTOCOL §1.9) during the first exchange: KEXINIT first, then only the
 *   method's messages, NEWKEYS and DISCONNECT — not even IGNORE or DEBUG;
 * - DISCONNECT, IGNORE, DEBUG and UNIMPLEMENTED otherwise at any time (RFC 4253 §11);
 * - KEXINIT only when the peer is not already in a key exchange; method messages and NEWKEYS
 *   only inside one; nothing else while the peer is in one (RFC 4253 §7.1), except connection
 *   messages during a re-exchange after authentication, which OpenSSH tolerates too;
 * - EXT_INFO (RFC 8308 §2.4) only as the packet right after the peer's first NEWKEYS, and from a
 *   server also right before USERAUTH_SUCCESS (which must then follow);
 * - SERVICE_REQUEST to a server and SERVICE_ACCEPT to a client, once, before authentication;
 * - authentication messages in their direction while it runs; connection messages after it.
 *
 * A USERAUTH_REQUEST after USERAUTH_SUCCESS is allowed here: the transport drops it (RFC 4252
 * §5.1 says to ignore it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allowedMessage } from "./state.ts";
 * const state = {
 *   role: "client", peerInKex: true, strictInitial: false,
 *   firstPacket: false, justAfterFirstNewKeys: false,
 * } as const;
 * assert.equal(
 *   allowedMessage("channelData", { ...state, phase: "initial-kex" }),
 *   "channelData is not allowed during key exchange",
 * );
 * // a peer's re-exchange, as OpenSSH allows
 * assert.equal(allowedMessage("channelData", { ...state, phase: "connection" }), undefined);
 * ```
 */
export function allowedMessage(type: MessageType, s: ReceiveState): string | undefined {
  // The hot path: channel traffic after authentication. Also during the peer's re-exchange:
  // RFC 4253 §7.1 says a peer should not send it between its KEXINIT and NEWKEYS, but some
  // do, and OpenSSH takes it (never during the first exchange, which strict kex guards).
  if (s.phase === "connection" && CONNECTION_SET.has(type)) return undefined;
  if (s.phase === "closed") return `${type} after the connection closed`;
  if (s.afterAuthExtInfo && type !== "userauthSuccess" && type !== "disconnect") {
    return `${type} after EXT_INFO, where only USERAUTH_SUCCESS may follow`;
  }
  if (s.strictInitial) {
    if (s.firstPacket && type !== "kexInit" && type !== "disconnect") {
      return `strict kex: ${type} before KEXINIT`;
    }
    if (type === "kexInit") return s.peerInKex ? "second KEXINIT during key exchange" : undefined;
    if (type === "disconnect") return undefined;
    if (KEX_METHOD.includes(type) || type === "newKeys") {
      return s.peerInKex ? undefined : `${type} outside key exchange`;
    }
    return `strict kex: ${type} is not allowed during the initial key exchange`;
  }
  if (GENERIC.includes(type)) return undefined;
  if (type === "unknown") return undefined; // UNIMPLEMENTED at any time (RFC 4253 §11.4)
  if (type === "kexInit") return s.peerInKex ? "second KEXINIT during key exchange" : undefined;
  if (KEX_METHOD.includes(type) || type === "newKeys") {
    return s.peerInKex ? undefined : `${type} outside key exchange`;
  }
  if (s.peerInKex || s.phase === "initial-kex") return `${type} is not allowed during key exchange`;
  if (type === "extInfo") {
    if (s.justAfterFirstNewKeys) return undefined;
    if (s.role === "client" && s.phase === "auth") return undefined; // must precede USERAUTH_SUCCESS
    return "EXT_INFO is only allowed right after the first NEWKEYS or before USERAUTH_SUCCESS";
  }
  if (type === "ping" || type === "pong") return undefined;
  if (type === "serviceRequest") {
    return s.role === "server" && s.phase === "service" ? undefined : "unexpected SERVICE_REQUEST";
  }
  if (type === "serviceAccept") {
    return s.role === "client" && s.phase === "service" ? undefined : "unexpected SERVICE_ACCEPT";
  }
  if (type === "userauthRequest" && s.role === "server" && s.phase === "connection") {
    return undefined; // ignored after success
  }
  const auth = s.role === "server" ? AUTH_TO_SERVER : AUTH_TO_CLIENT;
  if (auth.includes(type)) return s.phase === "auth" ? undefined : `${type} outside authentication`;
  if (AUTH_TO_SERVER.includes(type) || AUTH_TO_CLIENT.includes(type)) {
    return `${type} sent to the ${s.role}`;
  }
  if (CONNECTION.includes(type)) {
    return s.phase === "connection" ? undefined : `${type} before authentication completed`;
  }
  return `unexpected ${type}`;
}
