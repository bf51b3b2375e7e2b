/**
 * SFTP's framing over a byte stream: each packet is a uint32 length and that many bytes.
 * @module
 */
import { SftpError } from "./errors.ts";
import { SFTP_PACKET_LIMIT } from "./limits.ts";
import { StatusCode } from "./status.ts";

/**
 * Where a packet's body goes: `length` bytes, given its first bytes (`start`, up to five: the
 * type and, in a request or reply, its id). The default allocates a new buffer.
 */
export type SftpBodyAllocator = (length: number, start: Uint8Array) => Uint8Array;

/**
 * A transform from the bytes of an SFTP session to its packets' bodies (type byte onward, each
 * its own copy, in memory from `allocate`). A length of 0 or past `limit` errors the stream with
 * an `SftpError` (BAD_MESSAGE) before anything is allocated for it, as does a stream that ends
 * inside a packet.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSftpPacket, sftpPacketStream } from "@hush/sftp";
 * const bytes = encodeSftpPacket({ type: "init", version: 3, extensions: [] });
 * const packets = ReadableStream.from([bytes.subarray(0, 2), bytes.subarray(2)])
 *   .pipeThrough(sftpPacketStream());
 * const bodies: Uint8Array[] = [];
 * for await (const body of packets) bodies.push(body);
 * assert.deepEqual(bodies, [new Uint8Array([1, 0, 0, 0, 3])]);
 * ```
 */
export function sftpPacketStream(
  limit: number = SFTP_PACKET_LIMIT,
  allocate: SftpBodyAllocator = (length) => new Uint8Array(length),
): TransformStream<Uint8Array, Uint8Array> {
  // the length, then the body's first bytes: the allocator sees the type and id
  const head = new Uint8Array(4 + BODY_START);
  let headFill = 0;
  let headWant = 4;
  let length = 0;
  let body: Uint8Array | undefined;
  let bodyFill = 0;
  return new TransformStream({
    transform(chunk, controller) {
      let off = 0;
      while (off < chunk.length) {
        if (body === undefined) {
          while (headFill < headWant && off < chunk.length) head[headFill++] = chunk[off++];
          if (headFill < headWant) return;
          if (headWant === 4) {
            length = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
            if (length === 0 || length > limit) {
              throw new SftpError(`Bad message: packet length ${length} (limit ${limit})`, {
                statusCode: StatusCode.BAD_MESSAGE,
              });
            }
            headWant = 4 + Math.min(length, BODY_START);
            continue;
          }
          const start = head.subarray(4, headWant);
          body = allocate(length, start);
          if (body.length !== length) {
            throw new RangeError(`The allocator gave ${body.length} bytes for ${length}`);
          }
          body.set(start);
          bodyFill = start.length;
        }
        const take = Math.min(body.length - bodyFill, chunk.length - off);
        body.set(chunk.subarray(off, off + take), bodyFill);
        bodyFill += take;
        off += take;
        if (bodyFill === body.length) {
          controller.enqueue(body);
          body = undefined;
          headFill = 0;
          headWant = 4;
        }
      }
    },
    flush() {
      if (body !== undefined || headFill > 0) {
        throw new SftpError("Connection lost: the stream ended inside a packet", {
          statusCode: StatusCode.CONNECTION_LOST,
        });
      }
    },
  });
}

/** Body bytes the allocator is shown: the type byte and a request id. */
const BODY_START = 5;
