/**
 * The binary packet layout the suites share (RFC 4253 §6): reading and checking the
 * length field and taking the payload out of a decrypted packet, with CipherError. Framing
 * itself is @hush/wire's.
 * @module
 */
import { DisconnectReason, PACKET_LENGTH_LIMIT } from "@hush/wire";
import { CipherError } from "./errors.ts";

/** Reads a big-endian uint32. */
export function readUint32(buf: Uint8Array, offset: number): number {
  return (buf[offset] << 24 | buf[offset + 1] << 16 | buf[offset + 2] << 8 | buf[offset + 3]) >>>
    0;
}

/** Writes a big-endian uint32. */
export function writeUint32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 24;
  buf[offset + 1] = value >>> 16;
  buf[offset + 2] = value >>> 8;
  buf[offset + 3] = value;
}

/**
 * Checks a peer's `packet_length` before anything is buffered: at most
 * {@linkcode PACKET_LENGTH_LIMIT}, room for the padding length byte and 4 bytes of padding,
 * and aligned to the block size (the length field itself counted unless it is in the clear).
 */
export function checkPacketLength(n: number, blockSize: number, lengthInClear: boolean): void {
  if (n > PACKET_LENGTH_LIMIT) {
    throw new CipherError(`Bad packet length ${n}: over the limit of ${PACKET_LENGTH_LIMIT}`);
  }
  if (n < 5) throw new CipherError(`Bad packet length ${n}: too small`);
  if (((lengthInClear ? 0 : 4) + n) % blockSize !== 0) {
    throw new CipherError(`Bad packet length ${n}: not a multiple of the block size ${blockSize}`);
  }
}

/** The error for a packet whose size does not match its length field. */
export function sizeMismatch(): CipherError {
  return new CipherError("Packet size does not match its length field");
}

/** Throws unless `bytes` holds at least the `need` header bytes. */
export function needHeader(bytes: Uint8Array, need: number): void {
  if (bytes.length < need) throw new CipherError(`Packet of ${bytes.length} bytes is truncated`);
}

/** The error for a MAC or tag that does not verify. */
export function macError(): CipherError {
  return new CipherError("Corrupted MAC on input", DisconnectReason.MAC_ERROR);
}

/**
 * Takes the payload out of a decrypted `byte padding_length, payload, padding` region (the
 * packet after its length field) into a fresh array, checking the padding length.
 */
export function copyPayload(body: Uint8Array): Uint8Array {
  const pad = body[0];
  if (pad < 4) throw new CipherError(`Padding of ${pad} bytes is under the minimum of 4`);
  if (pad + 1 > body.length) throw new CipherError("Padding longer than the packet");
  return new Uint8Array(body.subarray(1, body.length - pad)); // a copy even from a Node Buffer
}

/**
 * Like {@linkcode copyPayload}, but returns a view: for bodies in a fresh buffer the caller
 * will own (WebCrypto results).
 */
export function payloadView(body: Uint8Array): Uint8Array {
  const pad = body[0];
  if (pad < 4) throw new CipherError(`Padding of ${pad} bytes is under the minimum of 4`);
  if (pad + 1 > body.length) throw new CipherError("Padding longer than the packet");
  // A plain Uint8Array even over a Node Buffer (node:crypto's output), as every payload is.
  return new Uint8Array(body.buffer, body.byteOffset + 1, body.length - pad - 1);
}

// Framing has one home, @hush/wire's framePacket (with its pooled padding source); the suites
// call them by these names.
export {
  framedLength,
  framePacket as frame,
  framePacketInto as frameInto,
  paddingBytes as poolRandom,
} from "@hush/wire";
