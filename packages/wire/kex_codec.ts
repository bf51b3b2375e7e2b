/**
 * Encode and decode of the method-specific key exchange messages (numbers 30–49: RFC 4253 §8,
 * RFC 4419, RFC 5656). A number here means a different message under each method, so decoding
 * needs the method from the `DecodeContext`.
 * @module
 */
import type { KexMessage } from "./kex_messages.ts";
import { type DecodeContext, type Message, MessageNumber as N } from "./messages.ts";
import type { SshReader } from "./reader.ts";
import type { SshWriter } from "./writer.ts";

/** Writes a method-specific key exchange message, message number first. */
export function writeKexMessage(w: SshWriter, msg: KexMessage): void {
  switch (msg.type) {
    case "kexEcdhInit":
      w.byte(N.KEX_ECDH_INIT).string(msg.publicKey);
      return;
    case "kexEcdhReply":
      w.byte(N.KEX_ECDH_REPLY).string(msg.hostKey).string(msg.publicKey).string(msg.signature);
      return;
    case "kexDhInit":
      w.byte(N.KEXDH_INIT).mpint(msg.e);
      return;
    case "kexDhReply":
      w.byte(N.KEXDH_REPLY).string(msg.hostKey).mpint(msg.f).string(msg.signature);
      return;
    case "kexDhGexRequestOld":
      w.byte(N.KEX_DH_GEX_REQUEST_OLD).uint32(msg.n);
      return;
    case "kexDhGexRequest":
      w.byte(N.KEX_DH_GEX_REQUEST).uint32(msg.min).uint32(msg.n).uint32(msg.max);
      return;
    case "kexDhGexGroup":
      w.byte(N.KEX_DH_GEX_GROUP).mpint(msg.p).mpint(msg.g);
      return;
    case "kexDhGexInit":
      w.byte(N.KEX_DH_GEX_INIT).mpint(msg.e);
      return;
    case "kexDhGexReply":
      w.byte(N.KEX_DH_GEX_REPLY).string(msg.hostKey).mpint(msg.f).string(msg.signature);
      return;
  }
}

/**
 * Reads a method-specific key exchange message after its number `n`, as `ctx.kex` gives it
 * meaning; `undefined` when the method has no message with that number (or none is named).
 */
export function readKexMessage(n: number, r: SshReader, ctx: DecodeContext): Message | undefined {
  let m: Message;
  if (ctx.kex === "ecdh" && n === N.KEX_ECDH_INIT) {
    m = { type: "kexEcdhInit", publicKey: r.string() };
  } else if (ctx.kex === "ecdh" && n === N.KEX_ECDH_REPLY) {
    m = { type: "kexEcdhReply", hostKey: r.string(), publicKey: r.string(), signature: r.string() };
  } else if (ctx.kex === "dh" && n === N.KEXDH_INIT) {
    m = { type: "kexDhInit", e: r.mpint() };
  } else if (ctx.kex === "dh" && n === N.KEXDH_REPLY) {
    m = { type: "kexDhReply", hostKey: r.string(), f: r.mpint(), signature: r.string() };
  } else if (ctx.kex === "gex" && n === N.KEX_DH_GEX_REQUEST_OLD) {
    m = { type: "kexDhGexRequestOld", n: r.uint32() };
  } else if (ctx.kex === "gex" && n === N.KEX_DH_GEX_REQUEST) {
    m = { type: "kexDhGexRequest", min: r.uint32(), n: r.uint32(), max: r.uint32() };
  } else if (ctx.kex === "gex" && n === N.KEX_DH_GEX_GROUP) {
    m = { type: "kexDhGexGroup", p: r.mpint(), g: r.mpint() };
  } else if (ctx.kex === "gex" && n === N.KEX_DH_GEX_INIT) {
    m = { type: "kexDhGexInit", e: r.mpint() };
  } else if (ctx.kex === "gex" && n === N.KEX_DH_GEX_REPLY) {
    m = { type: "kexDhGexReply", hostKey: r.string(), f: r.mpint(), signature: r.string() };
  } else {
    return undefined;
  }
  r.end();
  return m;
}
