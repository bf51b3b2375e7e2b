/**
 * The exchange hash H (RFC 4253 §8 and the methods' own RFCs): the common prefix V_C, V_S,
 * I_C, I_S, K_S as strings, then the method's own fields, then K as encoded.
 * @module
 */
import { SshWriter } from "@hush/wire";
import type { ExchangeInputs } from "./exchange.ts";
import { digest, type KexHash } from "./hash.ts";

/**
 * H = HASH(string V_C || string V_S || string I_C || string I_S || string K_S || fields || K).
 * `fields` writes the method's own values; `sharedSecret` is K with its length prefix.
 */
export function exchangeHash(
  hash: KexHash,
  inputs: ExchangeInputs,
  hostKey: Uint8Array,
  fields: (w: SshWriter) => void,
  sharedSecret: Uint8Array,
): Uint8Array {
  const w = new SshWriter(2048 + inputs.clientKexInit.length + inputs.serverKexInit.length);
  w.string(inputs.clientVersion).string(inputs.serverVersion);
  w.string(inputs.clientKexInit).string(inputs.serverKexInit);
  w.string(hostKey);
  fields(w);
  w.raw(sharedSecret);
  const data = w.finish();
  const h = digest(hash, data);
  data.fill(0);
  return h;
}

/** K as an mpint (with its length), from an unsigned big-endian secret. */
export function encodeMpintSecret(raw: Uint8Array): Uint8Array {
  return new SshWriter(raw.length + 8).mpintFromUnsigned(raw).finish();
}

/** K as an mpint (with its length), from a bigint. */
export function encodeBigIntSecret(k: bigint): Uint8Array {
  return new SshWriter(1100).mpint(k).finish();
}

/** K as a string (with its length). */
export function encodeStringSecret(raw: Uint8Array): Uint8Array {
  return new SshWriter(raw.length + 4).string(raw).finish();
}
