import assert from "node:assert/strict";
import { test } from "node:test";
import {
  encodeSftpPacket,
  SFTP_PACKET_LIMIT,
  SftpError,
  sftpPacketStream,
  StatusCode,
} from "./mod.ts";

async function packets(chunks: Uint8Array[], limit?: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const p of ReadableStream.from(chunks).pipeThrough(sftpPacketStream(limit))) {
    out.push(p);
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const a = encodeSftpPacket({ type: "stat", id: 1, path: "/etc" });
const b = encodeSftpPacket({ type: "data", id: 2, data: new Uint8Array(70_000).fill(7) });
const c = encodeSftpPacket({ type: "init", version: 3, extensions: [] });
const all = concat([a, b, c]);

test("packets come out whole wherever the chunks are cut", async () => {
  for (const cut of [1, 2, 3, 4, 5, 7, 13, 4096, 32768, all.length]) {
    const chunks: Uint8Array[] = [];
    for (let o = 0; o < all.length; o += cut) chunks.push(all.slice(o, o + cut));
    const got = await packets(chunks);
    assert.deepEqual(got, [a.subarray(4), b.subarray(4), c.subarray(4)], `cut ${cut}`);
  }
});

test("a packet of exactly the limit passes; one byte more errors the stream", async () => {
  const body = new Uint8Array(SFTP_PACKET_LIMIT).fill(1);
  const at = new Uint8Array(4 + SFTP_PACKET_LIMIT);
  new DataView(at.buffer).setUint32(0, SFTP_PACKET_LIMIT);
  at.set(body, 4);
  assert.equal((await packets([at]))[0].length, SFTP_PACKET_LIMIT);
  const past = new Uint8Array([0, 4, 0, 1, 1, 2, 3]);
  await assert.rejects(packets([past]), (e: unknown) => {
    assert.ok(e instanceof SftpError);
    assert.equal(e.statusCode, StatusCode.BAD_MESSAGE);
    assert.match(e.message, /packet length 262145/);
    return true;
  });
});

test("a zero length, or a stream that ends inside a packet, errors the stream", async () => {
  await assert.rejects(packets([new Uint8Array(4)]), SftpError);
  await assert.rejects(packets([a.subarray(0, 6)]), (e: unknown) => {
    assert.ok(e instanceof SftpError);
    assert.equal(e.statusCode, StatusCode.CONNECTION_LOST);
    return true;
  });
  await assert.rejects(packets([a.subarray(0, 2)]), SftpError);
});

test("each packet is its own copy", async () => {
  const chunk = concat([a, a]);
  const [p, q] = await packets([chunk]);
  chunk.fill(0);
  assert.deepEqual(p, a.subarray(4));
  assert.deepEqual(q, a.subarray(4));
});

test("the allocator is shown each body's type and id, and its buffer is the packet", async () => {
  const seen: [number, number[]][] = [];
  const arena = new Uint8Array(100_000);
  const tiny = new Uint8Array([0, 0, 0, 2, 101, 9]); // a 2-byte body: fewer than 5 to show
  const stream = ReadableStream.from([concat([a, b, tiny])]).pipeThrough(
    sftpPacketStream(SFTP_PACKET_LIMIT, (n, start) => {
      seen.push([n, [...start]]);
      return n > 1000 ? arena.subarray(5, 5 + n) : new Uint8Array(n);
    }),
  );
  const out: Uint8Array[] = [];
  for await (const p of stream) out.push(p);
  assert.deepEqual(out, [a.subarray(4), b.subarray(4), tiny.subarray(4)]);
  assert.equal(out[1].buffer, arena.buffer, "the big body is where the allocator put it");
  assert.deepEqual(seen, [
    [a.length - 4, [...a.subarray(4, 9)]],
    [b.length - 4, [...b.subarray(4, 9)]],
    [2, [101, 9]],
  ]);
  const wrong = ReadableStream.from([a]).pipeThrough(
    sftpPacketStream(SFTP_PACKET_LIMIT, (n) => new Uint8Array(n + 1)),
  );
  await assert.rejects(wrong.getReader().read(), RangeError);
});
