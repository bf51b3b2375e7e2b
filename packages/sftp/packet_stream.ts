/**
 * SFTP's framing over a byte stream: each packet is a uint32 length and that many bytes.
 * @module
 */
import { SftpError } from "./errors.ts";
import { SFTP_PACKET_LIMIT } from "./limits.ts";
import { StatusCode } from "./status.ts";

/**
 * A transform from the bytes of an SFTP session to its packets' bodies (type byte onward, each
 * its own copy). A length of 0 or past `limit` errors the stream with an `SftpError`
 * (BAD_MESSAGE) before anything is allocated for it, as does a stream that ends inside a packet.
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
): TransformStream<Uint8Array, Uint8Array> {
  const header = new Uint8Array(4);
  let headerFill = 0;
  let body: Uint8Array | undefined;
  let bodyFill = 0;
  const length = () => ((header[0] << 24) | (header[1] << 16) | (header[2] << 8) | header[3]) >>> 0;
  return new TransformStream({
    transform(chunk, controller) {
      let off = 0;
      while (off < chunk.length) {
        if (body === undefined) {
          while (headerFill < 4 && off < chunk.length) header[headerFill++] = chunk[off++];
          if (headerFill < 4) return;
          const n = length();
          if (n === 0 || n > limit) {
            throw new SftpError(`Bad message: packet length ${n} (limit ${limit})`, {
              statusCode: StatusCode.BAD_MESSAGE,
            });
          }
          if (chunk.length - off >= n) {
            controller.enqueue(chunk.slice(off, off + n));
            off += n;
            headerFill = 0;
            continue;
          }
          body = new Uint8Array(n);
          bodyFill = 0;
        }
        const take = Math.min(body.length - bodyFill, chunk.length - off);
        body.set(chunk.subarray(off, off + take), bodyFill);
        bodyFill += take;
        off += take;
        if (bodyFill === body.length) {
          controller.enqueue(body);
          body = undefined;
          headerFill = 0;
        }
      }
    },
    flush() {
      if (body !== undefined || headerFill > 0) {
        throw new SftpError("Connection lost: the stream ended inside a packet", {
          statusCode: StatusCode.CONNECTION_LOST,
        });
      }
    },
  });
}
