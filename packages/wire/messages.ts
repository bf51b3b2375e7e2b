/**
 * What ties the SSH messages together: the message numbers, the `Message` union that
 * `encodeMessage` and `decodeMessage` speak, the `Unknown` value for a number not understood, and
 * the context that gives the reused numbers 30–49 and 60–79 their meaning (RFC 4253, 4252, 4254,
 * 4256, 4419, 5656, 8308, OpenSSH PROTOCOL §1.8/1.9). The messages themselves live with their
 * protocol layer and are re-exported from here. Field order follows the wire order. Byte fields
 * decoded from a payload are views into it.
 * @module
 */
import type { AuthMessage } from "./auth_messages.ts";
import type { ConnectionMessage } from "./connection_messages.ts";
import type { KexMessage } from "./kex_messages.ts";
import type { TransportMessage } from "./transport_messages.ts";

export * from "./transport_messages.ts";
export * from "./kex_messages.ts";
export * from "./auth_messages.ts";
export * from "./connection_messages.ts";

/**
 * SSH message numbers. Numbers 30–49 and 60–79 are reused by different key exchange and
 * authentication methods; their names here carry the method.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageNumber } from "@hush/wire";
 * assert.equal(MessageNumber.KEXINIT, 20);
 * ```
 */
export const MessageNumber = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  SERVICE_REQUEST: 5,
  SERVICE_ACCEPT: 6,
  EXT_INFO: 7,
  KEXINIT: 20,
  NEWKEYS: 21,
  KEXDH_INIT: 30,
  KEXDH_REPLY: 31,
  KEX_ECDH_INIT: 30,
  KEX_ECDH_REPLY: 31,
  KEX_DH_GEX_REQUEST_OLD: 30,
  KEX_DH_GEX_GROUP: 31,
  KEX_DH_GEX_INIT: 32,
  KEX_DH_GEX_REPLY: 33,
  KEX_DH_GEX_REQUEST: 34,
  USERAUTH_REQUEST: 50,
  USERAUTH_FAILURE: 51,
  USERAUTH_SUCCESS: 52,
  USERAUTH_BANNER: 53,
  USERAUTH_PK_OK: 60,
  USERAUTH_PASSWD_CHANGEREQ: 60,
  USERAUTH_INFO_REQUEST: 60,
  USERAUTH_INFO_RESPONSE: 61,
  GLOBAL_REQUEST: 80,
  REQUEST_SUCCESS: 81,
  REQUEST_FAILURE: 82,
  CHANNEL_OPEN: 90,
  CHANNEL_OPEN_CONFIRMATION: 91,
  CHANNEL_OPEN_FAILURE: 92,
  CHANNEL_WINDOW_ADJUST: 93,
  CHANNEL_DATA: 94,
  CHANNEL_EXTENDED_DATA: 95,
  CHANNEL_EOF: 96,
  CHANNEL_CLOSE: 97,
  CHANNEL_REQUEST: 98,
  CHANNEL_SUCCESS: 99,
  CHANNEL_FAILURE: 100,
  PING: 192,
  PONG: 193,
} as const;

/**
 * A message this codec does not know, or a method-specific number decoded without the context
 * that says which method. The transport answers with SSH_MSG_UNIMPLEMENTED.
 */
export interface Unknown {
  /** The message tag. */
  type: "unknown";
  /** The message number. */
  number: number;
  /** The whole payload, message number included. */
  payload: Uint8Array;
}

/** Every SSH message. Switch on `type`. */
export type Message =
  | TransportMessage
  | KexMessage
  | AuthMessage
  | ConnectionMessage
  | Unknown;

/** The `type` tag of a message. */
export type MessageType = Message["type"];

/**
 * Which method's meaning to give the reused numbers 30–49 and 60–79. Without it those numbers
 * decode as `Unknown`.
 */
export interface DecodeContext {
  /** `ecdh`: ECDH, curve25519 and ML-KEM hybrid (strings); `dh`: fixed groups; `gex`: RFC 4419. */
  kex?: "ecdh" | "dh" | "gex";
  /** The authentication method in progress. */
  auth?: "publickey" | "password" | "keyboard-interactive";
}
