import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import zlib from "node:zlib";
import { ZlibCompressor, ZlibDecompressor } from "./mod.ts";

interface Vector {
  kind: "text" | "zeros" | "noise";
  length: number;
  compressedLength: number;
  sha256: string;
  hex?: string;
}

const vectors: { zlib: string; payloads: Vector[] } = JSON.parse(
  readFileSync(new URL("./testdata/zlib_vectors.json", import.meta.url), "utf8"),
);

/** The payloads of make_zlib_vectors.py, made the same way. */
function vectorPayloads(): Uint8Array[] {
  const textSizes = vectors.payloads.filter((v) => v.kind === "text").map((v) => v.length);
  const total = textSizes.reduce((a, b) => a + b, 0);
  let s = "";
  for (let i = 0; s.length < total; i++) {
    s += `${String(i).padStart(6, "0")} the quick brown fox jumps over the lazy dog ${
      i * 7919 % 1000
    }\n`;
  }
  const source = new TextEncoder().encode(s).subarray(0, total);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const v of vectors.payloads) {
    if (v.kind === "text") {
      out.push(source.subarray(at, at + v.length));
      at += v.length;
    } else if (v.kind === "zeros") out.push(new Uint8Array(v.length));
    else out.push(noise(v.length, 7));
  }
  return out;
}

function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test("compresses byte for byte as zlib itself with Z_PARTIAL_FLUSH per payload (OpenSSH's libz)", () => {
  const stage = new ZlibCompressor();
  const payloads = vectorPayloads();
  for (const [i, v] of vectors.payloads.entries()) {
    const out = stage.compress(payloads[i]);
    if (v.hex) assert.equal(hex(out), v.hex, `payload ${i} (${v.kind}, ${v.length} bytes)`);
    assert.equal(out.length, v.compressedLength, `payload ${i} length`);
    assert.equal(sha256(out), v.sha256, `payload ${i} (${v.kind}, ${v.length} bytes)`);
  }
});

test("partial flush: each payload inflates whole from the bytes sent so far, and nothing more", () => {
  const out = new ZlibCompressor();
  const back = new ZlibDecompressor();
  const payloads = vectorPayloads();
  for (const p of payloads) {
    const packed = out.compress(p);
    // the same bytes, not byte-aligned (no 00 00 ff ff of a sync flush): partial flush
    assert.notDeepEqual(packed.subarray(-4), new Uint8Array([0, 0, 0xff, 0xff]));
    assert.deepEqual(back.decompress(packed), p);
  }
  // a payload of one byte after a large one still comes through alone
  assert.deepEqual(back.decompress(out.compress(new Uint8Array([94]))), new Uint8Array([94]));
});

test("round trips: sizes from 1 byte to 256 KiB in one stream, text, zeros and noise", () => {
  const out = new ZlibCompressor();
  const back = new ZlibDecompressor();
  const sizes = [1, 2, 7, 255, 256, 4095, 16384, 16385, 32768, 65536, 100_000, 256 * 1024];
  let seed = 1;
  for (const n of sizes) {
    for (const p of [new Uint8Array(n), noise(n, seed++), vectorPayloads()[4].subarray(0, n)]) {
      assert.deepEqual(back.decompress(out.compress(p)), p, `${n} bytes`);
    }
  }
});

test("a fresh array each time: the caller may keep what it got", () => {
  const out = new ZlibCompressor();
  const a = out.compress(new TextEncoder().encode("first payload"));
  const kept = a.slice();
  out.compress(new TextEncoder().encode("second payload, longer than the first"));
  assert.deepEqual(a, kept);
  out.dispose();
  assert.throws(() => out.compress(new Uint8Array(1)), /disposed/);
});

test("this runtime's node:zlib inflates our stream to the same payloads", () => {
  const out = new ZlibCompressor();
  const payloads = vectorPayloads();
  const stream = concat(payloads.map((p) => out.compress(p)));
  const inflated = zlib.inflateSync(stream, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  assert.equal(sha256(inflated), sha256(concat(payloads)));
});

test("we inflate this runtime's node:zlib stream, Z_PARTIAL_FLUSH per payload, to the same payloads", async () => {
  const deflate = zlib.createDeflate({ level: 6 });
  let chunks: Uint8Array[] = [];
  deflate.on("data", (c: Uint8Array) => chunks.push(c));
  const back = new ZlibDecompressor();
  for (const p of vectorPayloads()) {
    deflate.write(p);
    await new Promise<void>((r) => deflate.flush(zlib.constants.Z_PARTIAL_FLUSH, () => r()));
    const packet = concat(chunks);
    chunks = [];
    assert.deepEqual(back.decompress(packet), p);
  }
  deflate.close();
});
