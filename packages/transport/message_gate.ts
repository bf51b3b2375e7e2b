/**
 * The receive side's check of every message from the peer: the state machine of `state.ts`
 * ({@linkcode allowedMessage}) plus the conditions that last one packet — the first packet,
 * the packet right after the peer's first NEWKEYS, and the one right after an EXT_INFO during
 * authentication.
 * @module
 */
import { DisconnectReason, type MessageType } from "@hush/wire";
import { DisconnectError } from "./errors.ts";
import { allowedMessage, type ReceiveState } from "./state.ts";

/** What the transport knows about the connection when a message arrives. */
export type GateState = Pick<ReceiveState, "phase" | "role" | "peerInKex" | "strictInitial">;

/**
 * Admits the peer's messages one at a time, or throws a PROTOCOL_ERROR
 * {@linkcode DisconnectError} for one out of place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageGate } from "./message_gate.ts";
 * const gate = new MessageGate();
 * const state = { phase: "initial-kex", role: "client", peerInKex: false, strictInitial: false } as const;
 * assert.throws(() => gate.admit("channelData", state), {
 *   reason: 2, // PROTOCOL_ERROR
 *   message: /Expected KEXINIT, got channelData/,
 * });
 * gate.admit("kexInit", state); // in place: no error
 * ```
 */
export class MessageGate {
  #firstPacket = true;
  #justAfterFirstNewKeys = false;
  #afterAuthExtInfo = false;

  /** The peer's first NEWKEYS arrived: its next packet may be EXT_INFO. */
  firstNewKeysReceived(): void {
    this.#justAfterFirstNewKeys = true;
  }

  /** An EXT_INFO arrived during authentication: only USERAUTH_SUCCESS may follow. */
  authExtInfoReceived(): void {
    this.#afterAuthExtInfo = true;
  }

  /** Checks the peer's next message against the state machine. */
  admit(type: MessageType, state: GateState): void {
    const firstPacket = this.#firstPacket;
    // The first packet must be KEXINIT: always under strict kex (which we always offer first;
    // whether the peer did shows in its KEXINIT, checked there by its sequence number), and
    // nothing but IGNORE or DEBUG may come before it without.
    if (firstPacket && type !== "kexInit" && type !== "disconnect") {
      if (type !== "ignore" && type !== "debug") {
        throw new DisconnectError(
          DisconnectReason.PROTOCOL_ERROR,
          `Expected KEXINIT, got ${type}`,
        );
      }
    }
    const verdict = allowedMessage(type, {
      phase: state.phase,
      role: state.role,
      peerInKex: state.peerInKex,
      strictInitial: state.strictInitial,
      firstPacket,
      justAfterFirstNewKeys: this.#justAfterFirstNewKeys,
      afterAuthExtInfo: this.#afterAuthExtInfo,
    });
    this.#firstPacket = false;
    this.#justAfterFirstNewKeys = false;
    this.#afterAuthExtInfo = false;
    if (verdict) {
      throw new DisconnectError(
        DisconnectReason.PROTOCOL_ERROR,
        verdict[0].toUpperCase() + verdict.slice(1),
      );
    }
  }
}
