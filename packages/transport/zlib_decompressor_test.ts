import { test } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { DisconnectReason, PACKET_LENGTH_LIMIT, WireError } from "@hush/wire";
import { ZlibCompressor, ZlibDecompressor } from "./mod.ts";

function isCompressionError(pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof WireError, String(e));
    assert.equal(e.reason, DisconnectReason.COMPRESSION_ERROR);
    assert.match(e.message, pattern);
    return true;
  };
}

test("a payload of exactly the packet limit inflates; one byte more is a COMPRESSION_ERROR", () => {
  const at = new ZlibCompressor().compress(new Uint8Array(PACKET_LENGTH_LIMIT).fill(0x61));
  assert.equal(new ZlibDecompressor().decompress(at).length, PACKET_LENGTH_LIMIT);

  const past = new ZlibCompressor().compress(new Uint8Array(PACKET_LENGTH_LIMIT + 1).fill(0x61));
  assert.throws(
    () => new ZlibDecompressor().decompress(past),
    isCompressionError(/over the limit of 262144 bytes/),
  );
});

test("the bound holds within a stream: earlier payloads do not count, each one does", () => {
  const out = new ZlibCompressor();
  const back = new ZlibDecompressor();
  for (let i = 0; i < 3; i++) {
    const p = new Uint8Array(PACKET_LENGTH_LIMIT).fill(i);
    assert.equal(back.decompress(out.compress(p)).length, PACKET_LENGTH_LIMIT);
  }
  assert.throws(
    () => back.decompress(out.compress(new Uint8Array(PACKET_LENGTH_LIMIT + 1))),
    isCompressionError(/over the limit/),
  );
});

test("a bomb (64 MiB of zeros in 64 KiB) is refused", () => {
  // 64 MiB in one deflate stream, as node:zlib makes it (ours would refuse so large a payload
  // only by memory; the peer chooses what it sends)
  const bomb = zlib.deflateSync(new Uint8Array(64 * 1024 * 1024), {
    level: 9,
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
  });
  assert.ok(bomb.length < 100 * 1024, `${bomb.length} bytes`);
  assert.throws(
    () => new ZlibDecompressor().decompress(bomb),
    isCompressionError(/over the limit/),
  );
});

test("a smaller limit is kept the same way, at the bound and one past", () => {
  const out = new ZlibCompressor();
  const back = new ZlibDecompressor(1000);
  assert.equal(back.decompress(out.compress(new Uint8Array(1000))).length, 1000);
  assert.throws(
    () => back.decompress(out.compress(new Uint8Array(1001))),
    isCompressionError(/over the limit of 1000 bytes/),
  );
  assert.throws(() => new ZlibDecompressor(0), RangeError);
});

test("corrupt data, a stream the peer ended, and a preset dictionary are COMPRESSION_ERRORs", () => {
  const back = new ZlibDecompressor();
  back.decompress(new ZlibCompressor().compress(new Uint8Array([1, 2, 3])));
  assert.throws(
    () => back.decompress(new Uint8Array([0xff, 0xff, 0xff, 0xff])),
    isCompressionError(/Cannot decompress/),
  );

  const finished = zlib.deflateSync(new Uint8Array([5, 6, 7])); // Z_FINISH: the stream ends
  assert.throws(
    () => new ZlibDecompressor().decompress(finished),
    isCompressionError(/ended its zlib stream/),
  );

  assert.throws(
    () => new ZlibDecompressor().decompress(new Uint8Array([0x78, 0xbb, 0, 0, 0, 1])),
    isCompressionError(/Cannot decompress/),
  );

  assert.throws(
    () => new ZlibDecompressor().decompress(new Uint8Array([0x12, 0x34])),
    isCompressionError(/Cannot decompress/),
  );
});

test("disposed: unusable", () => {
  const back = new ZlibDecompressor();
  back.dispose();
  back.dispose();
  assert.throws(() => back.decompress(new Uint8Array([0x78, 0x9c])), /disposed/);
});
