// Property tests with a small seeded PRNG: packet streams split into random chunks, truncated
// or corrupted, and random bytes to readVersionLine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NoneSealer, readVersionLine, WireError } from "./mod.ts";
import { type Prng, prng } from "./testdata/prng.ts";
import { readPackets } from "./testdata/read_packets.ts";

/** Builds a byte stream of `count` random packets sealed by the none sealer. */
function packetStream(
  r: Prng,
  count: number,
): { stream: Uint8Array; payloads: Uint8Array[]; ends: number[] } {
  const sealer = new NoneSealer((n) => r.bytes(n));
  const payloads: Uint8Array[] = [];
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const p = r.bytes(1 + r.int(r.int(4) === 0 ? 3000 : 40));
    if (p[0] === 21) p[0] = 2; // no NEWKEYS here: it would wait for keys
    payloads.push(p);
    parts.push(sealer.seal(p));
  }
  const ends: number[] = [];
  for (const p of parts) ends.push((ends.at(-1) ?? 0) + p.length);
  return { stream: concat(parts), payloads, ends };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Splits `bytes` at random points (sometimes into many 1-byte pieces). */
function randomSplit(r: Prng, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let off = 0;
  const small = r.int(4) === 0;
  while (off < bytes.length) {
    const n = small ? 1 + r.int(3) : 1 + r.int(r.int(2) === 0 ? 16 : 5000);
    chunks.push(bytes.slice(off, off + n));
    off += n;
  }
  return chunks;
}

test("random chunk splits of a packet stream give the same packets", async () => {
  const r = prng(5);
  for (let round = 0; round < 40; round++) {
    const { stream, payloads } = packetStream(r, 1 + r.int(12));
    const { packets, error } = await readPackets(randomSplit(r, stream));
    assert.equal(error, undefined);
    assert.deepEqual(packets.map((p) => p.payload), payloads);
    assert.deepEqual(packets.map((p) => p.sequence), payloads.map((_, i) => i));
  }
});

test("truncated and corrupted packet streams end in a WireError, never another error", async () => {
  const r = prng(6);
  for (let round = 0; round < 60; round++) {
    const { stream, payloads, ends } = packetStream(r, 1 + r.int(5));
    // Cut anywhere, packet boundaries included (half the time exactly on one).
    const cut = r.int(2) === 0 ? [0, ...ends][r.int(ends.length + 1)] : r.int(stream.length);
    const truncated = await readPackets(randomSplit(r, stream.subarray(0, cut)));
    const whole = ends.filter((e) => e <= cut).length;
    assert.deepEqual(truncated.packets.map((p) => p.payload), payloads.slice(0, whole));
    if (cut === 0 || ends.includes(cut)) {
      assert.equal(truncated.error, undefined, `cut at the boundary ${cut}`);
    } else {
      assert.ok(truncated.error instanceof WireError, `truncated at ${cut}: ${truncated.error}`);
      assert.match(truncated.error.message, /middle of a packet/);
    }
    const corrupted = stream.slice();
    for (let k = 0; k < 1 + r.int(3); k++) corrupted[r.int(corrupted.length)] = r.int(256);
    const bad = await readPackets(randomSplit(r, corrupted));
    if (bad.error !== undefined) assert.ok(bad.error instanceof WireError, String(bad.error));
  }
  for (let round = 0; round < 200; round++) {
    const noise = await readPackets([r.bytes(1 + r.int(600))]);
    if (noise.error !== undefined) assert.ok(noise.error instanceof WireError, String(noise.error));
  }
});

test("random bytes to readVersionLine: only WireError", async () => {
  const r = prng(7);
  for (let i = 0; i < 300; i++) {
    const b = r.bytes(r.int(300));
    if (b.length >= 8 && r.int(2) === 0) b.set(new TextEncoder().encode("SSH-2.0-"), 0);
    for (let j = 0; j < b.length; j++) if (r.int(20) === 0) b[j] = 0x0a;
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of randomSplit(r, b)) controller.enqueue(c);
        controller.close();
      },
    });
    for (const role of ["client", "server"] as const) {
      try {
        await readVersionLine(role === "client" ? source : new Blob([b]).stream(), { role });
      } catch (e) {
        assert.ok(e instanceof WireError, String(e));
      }
    }
  }
});
