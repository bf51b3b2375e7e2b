/**
 * The shapes every key exchange method shares: its inputs, its result, and the two-sided
 * message machine the transport drives.
 * @module
 */
import type { DecodeContext, Message, RandomSource } from "@hush/wire";
import type { KexHash } from "./hash.ts";
import type { X25519Backend } from "./x25519_backend.ts";
import type { Sntrup761Backend } from "./sntrup761_backend.ts";

/**
 * What a key exchange needs from the transport.
 *
 * @example
 * ```ts
 * import type { ExchangeInputs } from "@hush/kex";
 * const inputs: ExchangeInputs = {
 *   clientVersion: "SSH-2.0-Hush_0.1.0",
 *   serverVersion: "SSH-2.0-OpenSSH_9.2",
 *   clientKexInit: new Uint8Array([20]), // the whole KEXINIT payloads, as sent
 *   serverKexInit: new Uint8Array([20]),
 *   hostKeyAlgorithm: "ssh-ed25519",
 * };
 * ```
 */
export interface ExchangeInputs {
  /** V_C: the client's identification line without CR LF. */
  clientVersion: string;
  /** V_S: the server's identification line without CR LF. */
  serverVersion: string;
  /** I_C: the payload of the client's KEXINIT (message number included). */
  clientKexInit: Uint8Array;
  /** I_S: the payload of the server's KEXINIT (message number included). */
  serverKexInit: Uint8Array;
  /** The negotiated host key algorithm the server signs H with. */
  hostKeyAlgorithm: string;
  /** Source of ephemeral private keys; `crypto.getRandomValues` unless given. */
  random?: RandomSource;
  /** Where X25519 runs (curve25519 and the hybrids); `nobleX25519` unless given. */
  x25519?: X25519Backend;
  /** Where sntrup761's ring arithmetic runs; `jsSntrup761` unless given. */
  sntrup761?: Sntrup761Backend;
}

/**
 * What a finished key exchange yields.
 *
 * @example
 * ```ts
 * import type { KexResult } from "@hush/kex";
 * function sessionIdOf(first: KexResult): Uint8Array {
 *   return first.exchangeHash.slice(); // the first H is the session id for good
 * }
 * ```
 */
export interface KexResult {
  /** H, the exchange hash (the session id, if this was the first exchange). */
  exchangeHash: Uint8Array;
  /**
   * K exactly as it went into H: an mpint or (ML-KEM hybrid) a string, with its 4-byte length.
   * Secret; zero it when done.
   */
  sharedSecret: Uint8Array;
  /** The method's hash function, which key derivation uses too. */
  hash: KexHash;
  /** K_S, the server's host key blob. */
  hostKey: Uint8Array;
}

/**
 * One side of one key exchange. The transport calls `start()` once, sends what it returns,
 * then hands each kex-method message (numbers 30–49, decoded with `decodeContext`) to
 * `receive`, sending the replies, until a `result` appears. Any message the method does not
 * expect now is a `KexError` with PROTOCOL_ERROR.
 *
 * @example
 * ```ts
 * import type { KexExchange, KexResult, Message } from "@hush/kex";
 * async function drive(
 *   exchange: KexExchange,
 *   send: (m: Message) => Promise<void>,
 *   next: () => Promise<Message>,
 * ): Promise<KexResult> {
 *   for (const m of await exchange.start()) await send(m);
 *   for (;;) {
 *     const { reply, result } = await exchange.receive(await next());
 *     for (const m of reply) await send(m);
 *     if (result) return result;
 *   }
 * }
 * ```
 */
export interface KexExchange {
  /** How the transport decodes messages 30–49 for this method. */
  readonly decodeContext: DecodeContext;
  /** Messages to send first (client: the INIT or GEX_REQUEST; server: none). */
  start(): Promise<Message[]>;
  /**
   * Takes the peer's next kex message. The client verifies the server's signature over H
   * before it returns `result`; the server returns its REPLY together with `result`.
   */
  receive(msg: Message): Promise<{ reply: Message[]; result?: KexResult }>;
}
