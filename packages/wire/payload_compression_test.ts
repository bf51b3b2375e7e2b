import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DisconnectReason,
  encodeMessage,
  NoneOpener,
  NoneSealer,
  type Packet,
  PacketDeframer,
  PacketWriter,
  type PayloadCompressor,
  type PayloadDecompressor,
  WireError,
} from "./mod.ts";

/**
 * A toy stage that shows which stream handled each payload and in which order: it prepends
 * the stream's id and a running count, and XORs the rest with the id. Its decompressor checks
 * both, so a payload decompressed by the wrong stream, out of order, or not at all fails.
 */
class TagCompressor implements PayloadCompressor {
  count = 0;
  disposed = false;
  constructor(readonly id: number) {}
  compress(payload: Uint8Array): Uint8Array {
    const out = new Uint8Array(payload.length + 2);
    out[0] = this.id;
    out[1] = this.count++;
    for (let i = 0; i < payload.length; i++) out[i + 2] = payload[i] ^ this.id;
    return out;
  }
  dispose(): void {
    this.disposed = true;
  }
}

class TagDecompressor implements PayloadDecompressor {
  count = 0;
  disposed = false;
  constructor(readonly id: number) {}
  decompress(payload: Uint8Array): Uint8Array {
    if (payload[0] !== this.id || payload[1] !== this.count) {
      throw new WireError(
        `Stream ${this.id} got payload ${payload[1]} of stream ${payload[0]}`,
        DisconnectReason.COMPRESSION_ERROR,
      );
    }
    this.count++;
    return payload.subarray(2).map((b) => b ^ this.id);
  }
  dispose(): void {
    this.disposed = true;
  }
}

const ignore = (n: number) => encodeMessage({ type: "ignore", data: new Uint8Array([n]) });
const newKeys = encodeMessage({ type: "newKeys" });

async function drain(writer: PacketWriter): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const b of writer.readable) parts.push(b);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test("writer: compression starts with the next payload, and each NEWKEYS installs its keys' stage", async () => {
  const writer = new PacketWriter({ random: (n) => new Uint8Array(n) });
  const bytes = drain(writer);
  const first = new TagCompressor(7);
  const second = new TagCompressor(9);
  writer.writeReply(ignore(1)); // before: as it is
  writer.startCompression(first);
  assert.equal(writer.compressing, true);
  assert.throws(() => writer.startCompression(new TagCompressor(1)), /already started/);
  writer.writeReply(ignore(2));
  writer.nextSealer(new NoneSealer((n) => new Uint8Array(n)), { compressor: second });
  writer.writeReply(newKeys); // compressed by the stream in use, then the switch
  assert.equal(first.disposed, true, "the old stream is freed at the switch");
  writer.writeReply(ignore(3));
  writer.nextSealer(new NoneSealer((n) => new Uint8Array(n)), {}); // the next keys: no stage
  writer.writeReply(newKeys);
  writer.writeReply(ignore(4));
  assert.equal(writer.compressing, false);
  writer.close();

  // Read back with the matching stages installed at the same points.
  const payloads: Uint8Array[] = [];
  const deframer = new PacketDeframer((p: Packet) => {
    payloads.push(p.payload);
    if (p.payload[0] === 2 && p.payload[5] === 1) {
      deframer.startDecompression(new TagDecompressor(7));
    }
    if (p.payload[0] === 21) {
      deframer.nextOpener(new NoneOpener(), {
        decompressor: payloads.length === 3 ? new TagDecompressor(9) : undefined,
      });
    }
  });
  await deframer.push(await bytes);
  await deframer.end();
  assert.deepEqual(payloads, [ignore(1), ignore(2), newKeys, ignore(3), newKeys, ignore(4)]);
  assert.equal(first.count, 2); // IGNORE 2 and the first NEWKEYS
  assert.equal(second.count, 2); // IGNORE 3 and the second NEWKEYS
});

test("deframer: a stage started while a packet is handled applies from the very next one", async () => {
  const compressor = new TagCompressor(3);
  const sealer = new NoneSealer((n) => new Uint8Array(n));
  const plain = [ignore(1), encodeMessage({ type: "userauthSuccess" })];
  const bytes = [...plain.map((p) => sealer.seal(p)), sealer.seal(compressor.compress(ignore(2)))];
  const seen: Uint8Array[] = [];
  const deframer = new PacketDeframer((p) => {
    seen.push(p.payload);
    // as a client does on USERAUTH_SUCCESS (zlib@openssh.com)
    if (p.payload[0] === 52) deframer.startDecompression(new TagDecompressor(3));
  });
  // all three packets in one chunk: the third must still be decompressed
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    all.set(b, at);
    at += b.length;
  }
  await deframer.push(all);
  await deframer.end();
  assert.deepEqual(seen, [...plain, ignore(2)]);
  assert.equal(deframer.decompressing, true);
});

test("deframer: a payload the stage refuses ends the reading with its error", async () => {
  const sealer = new NoneSealer((n) => new Uint8Array(n));
  const wrongStream = new TagCompressor(4).compress(ignore(1));
  const seen: Uint8Array[] = [];
  const deframer = new PacketDeframer((p) => void seen.push(p.payload));
  deframer.startDecompression(new TagDecompressor(5));
  await assert.rejects(deframer.push(sealer.seal(wrongStream)), (e: unknown) => {
    assert.ok(e instanceof WireError);
    assert.equal(e.reason, DisconnectReason.COMPRESSION_ERROR);
    return true;
  });
  assert.deepEqual(seen, []);
});

test("deframer: a payload that decompresses to nothing is refused", async () => {
  const sealer = new NoneSealer((n) => new Uint8Array(n));
  const deframer = new PacketDeframer(() => {});
  deframer.startDecompression({ decompress: () => new Uint8Array(0) });
  await assert.rejects(deframer.push(sealer.seal(ignore(1))), /Empty packet payload/);
});
