/**
 * One encode and one decode for every SSH message: the dispatch to the codec of each protocol
 * layer (`transport_codec.ts`, `kex_codec.ts`, `auth_codec.ts`, `connection_codec.ts`), by
 * message type when encoding and by the number ranges of RFC 4250 §4.1.2 when decoding.
 * @module
 */
import { readAuthMessage, writeAuthMessage } from "./auth_codec.ts";
import { readConnectionMessage, writeConnectionMessage } from "./connection_codec.ts";
import { WireError } from "./errors.ts";
import { readKexMessage, writeKexMessage } from "./kex_codec.ts";
import type { DecodeContext, Message } from "./messages.ts";
import { SshReader } from "./reader.ts";
import { readTransportMessage, writeTransportMessage } from "./transport_codec.ts";
import { SshWriter } from "./writer.ts";

/**
 * Encodes a message into a payload (message number first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeMessage } from "@hush/wire";
 * const payload = encodeMessage({ type: "serviceRequest", service: "ssh-userauth" });
 * assert.equal(payload[0], 5); // SSH_MSG_SERVICE_REQUEST
 * assert.equal(payload.length, 1 + 4 + "ssh-userauth".length);
 * ```
 */
export function encodeMessage(msg: Message): Uint8Array {
  // Channel data, the bulk of the traffic, gets a buffer of exactly its size: one copy of the
  // data and no resizing. (byte, uint32 recipient[, uint32 type], string data.)
  const size = msg.type === "channelData"
    ? 9 + msg.data.length
    : msg.type === "channelExtendedData"
    ? 13 + msg.data.length
    : 64;
  const w = new SshWriter(size);
  writeMessage(w, msg);
  return w.take();
}

/**
 * Writes a message into a writer (for callers that reuse one writer).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SshWriter, writeMessage } from "@hush/wire";
 * const w = new SshWriter();
 * writeMessage(w, { type: "newKeys" });
 * assert.deepEqual(w.finish(), new Uint8Array([21]));
 * ```
 */
export function writeMessage(w: SshWriter, msg: Message): void {
  switch (msg.type) {
    case "disconnect":
    case "ignore":
    case "unimplemented":
    case "debug":
    case "serviceRequest":
    case "serviceAccept":
    case "extInfo":
    case "kexInit":
    case "newKeys":
    case "ping":
    case "pong":
      writeTransportMessage(w, msg);
      return;
    case "kexEcdhInit":
    case "kexEcdhReply":
    case "kexDhInit":
    case "kexDhReply":
    case "kexDhGexRequestOld":
    case "kexDhGexRequest":
    case "kexDhGexGroup":
    case "kexDhGexInit":
    case "kexDhGexReply":
      writeKexMessage(w, msg);
      return;
    case "userauthRequest":
    case "userauthFailure":
    case "userauthSuccess":
    case "userauthBanner":
    case "userauthPkOk":
    case "userauthPasswdChangereq":
    case "userauthInfoRequest":
    case "userauthInfoResponse":
      writeAuthMessage(w, msg);
      return;
    case "globalRequest":
    case "requestSuccess":
    case "requestFailure":
    case "channelOpen":
    case "channelOpenConfirmation":
    case "channelOpenFailure":
    case "channelWindowAdjust":
    case "channelData":
    case "channelExtendedData":
    case "channelEof":
    case "channelClose":
    case "channelRequest":
    case "channelSuccess":
    case "channelFailure":
      writeConnectionMessage(w, msg);
      return;
    case "unknown":
      w.raw(msg.payload);
      return;
  }
}

/**
 * Decodes a payload into a message. Never throws anything but {@linkcode WireError}; unknown
 * numbers, and the reused numbers 30–49 / 60–79 without a `context`, give an `Unknown` value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMessage } from "@hush/wire";
 * const m = decodeMessage(new Uint8Array([52]));
 * assert.equal(m.type, "userauthSuccess");
 * ```
 */
export function decodeMessage(payload: Uint8Array, context: DecodeContext = {}): Message {
  try {
    return decode(payload, context);
  } catch (e) {
    if (e instanceof WireError) throw e;
    throw new WireError(`Malformed message ${payload[0]}`, undefined, { cause: e });
  }
}

function decode(payload: Uint8Array, context: DecodeContext): Message {
  const r = new SshReader(payload);
  const number = r.byte();
  const msg = decodeBody(number, r, context);
  if (msg === undefined) return { type: "unknown", number, payload };
  return msg;
}

/** Hands the body to its layer's codec by number range (RFC 4250 §4.1.2). */
function decodeBody(n: number, r: SshReader, ctx: DecodeContext): Message | undefined {
  if (n >= 30 && n <= 49) return readKexMessage(n, r, ctx);
  if (n >= 50 && n <= 79) return readAuthMessage(n, r, ctx);
  if (n >= 80 && n <= 127) return readConnectionMessage(n, r);
  return readTransportMessage(n, r);
}
