import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkPacketLength,
  framePacket,
  MIN_PADDING,
  NoneOpener,
  NoneSealer,
  PACKET_LENGTH_LIMIT,
  paddingBytes,
  paddingLength,
  randomBytes,
  unframePacket,
  WireError,
} from "./mod.ts";

const u32 = (n: number) =>
  new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);

test("padding: at least 4 bytes, aligned to the block size or 8, and no longer than needed", () => {
  for (const blockSize of [0, 1, 8, 16, 32]) {
    const bs = Math.max(blockSize, 8);
    for (const lengthInClear of [false, true]) {
      for (let len = 0; len <= 300; len++) {
        const pad = paddingLength(len, blockSize, lengthInClear);
        assert.ok(pad >= MIN_PADDING, `${len}/${blockSize}: ${pad}`);
        assert.ok(pad < MIN_PADDING + bs, `${len}/${blockSize}: ${pad} is longer than needed`);
        assert.ok(pad <= 255);
        const aligned = (lengthInClear ? 0 : 4) + 1 + len + pad;
        assert.equal(aligned % bs, 0, `${len}/${blockSize}/${lengthInClear}`);
      }
    }
  }
  assert.equal(MIN_PADDING, 4);
  // RFC 4253 §6 worked by hand: 4 + 1 + 10 + 9 = 24.
  assert.equal(paddingLength(10, 8, false), 9);
  // 4 + 1 + 3 = 8 would leave no room: a whole extra block.
  assert.equal(paddingLength(3, 8, false), 8);
  assert.equal(paddingLength(3, 16, true), 12);
});

test("framePacket lays out length, padding length, payload, padding and MAC room", () => {
  const payload = new Uint8Array([94, 1, 2, 3]);
  const p = framePacket(payload, {
    blockSize: 16,
    lengthInClear: false,
    macLength: 32,
    random: (n) => new Uint8Array(n).fill(0xaa),
  });
  const pad = paddingLength(4, 16, false);
  assert.deepEqual(p.subarray(0, 4), u32(1 + 4 + pad));
  assert.equal(p[4], pad);
  assert.deepEqual(p.subarray(5, 9), payload);
  assert.deepEqual(p.subarray(9, 9 + pad), new Uint8Array(pad).fill(0xaa));
  assert.deepEqual(p.subarray(9 + pad), new Uint8Array(32));
  assert.equal((p.length - 32) % 16, 0);
  assert.deepEqual(unframePacket(p.subarray(0, p.length - 32)), payload);
});

test("framePacket leaves prefix bytes free before the length field", () => {
  const p = framePacket(new Uint8Array([7]), {
    blockSize: 16,
    lengthInClear: true,
    prefix: 4,
    macLength: 16,
    random: (n) => new Uint8Array(n).fill(0xaa),
  });
  const pad = paddingLength(1, 16, true);
  assert.deepEqual(p.subarray(0, 4), new Uint8Array(4));
  assert.deepEqual(p.subarray(4, 8), u32(1 + 1 + pad));
  assert.deepEqual(unframePacket(p.subarray(4, p.length - 16)), new Uint8Array([7]));
  assert.equal(p.length, 4 + 4 + 1 + 1 + pad + 16);
});

test("paddingBytes serves fresh random views, past its 4 KiB pool too", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 600; i++) {
    const b = paddingBytes(16); // 9600 bytes: the pool refills twice
    assert.equal(b.length, 16);
    seen.add(b.join());
  }
  assert.equal(seen.size, 600);
  assert.equal(paddingBytes(300).length, 300); // past the pool's take: randomBytes
});

test("padding is random by default", () => {
  const a = framePacket(new Uint8Array([2]), { blockSize: 8, lengthInClear: false, macLength: 0 });
  const b = framePacket(new Uint8Array([2]), { blockSize: 8, lengthInClear: false, macLength: 0 });
  assert.notDeepEqual(a.subarray(6), b.subarray(6)); // 10 random bytes each: equal 1 in 2^80
  assert.equal(randomBytes(70000).length, 70000);
  assert.ok(randomBytes(70000).subarray(65536).some((x) => x !== 0));
});

test("unframePacket refuses bad lengths and padding", () => {
  const good = new NoneSealer((n) => new Uint8Array(n)).seal(new Uint8Array([2, 0, 0, 0, 0]));
  assert.deepEqual(unframePacket(good), new Uint8Array([2, 0, 0, 0, 0]));
  assert.throws(() => unframePacket(good.subarray(0, 4)), /too short/);
  assert.throws(() => unframePacket(good.subarray(0, good.length - 1)), /does not match/);
  const low = good.slice();
  low[4] = 3;
  assert.throws(() => unframePacket(low), /under the minimum of 4/);
  const over = good.slice();
  over[4] = 200;
  assert.throws(() => unframePacket(over), /longer than the packet/);
  // Padding filling the whole packet leaves an empty payload: returned as such here, refused by
  // the packet reader.
  const empty = new Uint8Array([0, 0, 0, 12, 11, ...new Uint8Array(11)]);
  assert.equal(unframePacket(empty).length, 0);
});

test("packet_length limit of 256 KiB: at the bound and one past", () => {
  assert.equal(PACKET_LENGTH_LIMIT, 262144);
  assert.equal(checkPacketLength(u32(PACKET_LENGTH_LIMIT), 8, 0), PACKET_LENGTH_LIMIT);
  assert.throws(
    () => checkPacketLength(u32(PACKET_LENGTH_LIMIT + 1), 1, 0),
    (e) => e instanceof WireError && /exceeds the limit of 262144/.test(e.message),
  );
  // With the length inside the alignment (no cipher yet) the largest is 262140.
  const opener = new NoneOpener();
  assert.equal(opener.packetLength(u32(PACKET_LENGTH_LIMIT - 4)), PACKET_LENGTH_LIMIT);
  assert.throws(() => opener.packetLength(u32(PACKET_LENGTH_LIMIT + 4)), /exceeds the limit/);
  assert.throws(() => opener.packetLength(u32(0xffffffff)), /exceeds the limit/);
  assert.throws(() => opener.packetLength(u32(PACKET_LENGTH_LIMIT)), /multiple of the block size/);
  assert.throws(() => opener.packetLength(u32(4)), /too small/);
  assert.throws(() => opener.packetLength(u32(13)), /multiple of the block size/);
  assert.equal(opener.packetLength(u32(12)), 16);
});

test("none sealer and opener: sequence numbers advance and wrap at 2^32", () => {
  const s = new NoneSealer();
  const o = new NoneOpener();
  s.sequence = o.sequence = 0xffffffff;
  const packet = s.seal(new Uint8Array([2, 0, 0, 0, 0]));
  assert.equal(s.sequence, 0);
  assert.equal(o.packetLength(packet), packet.length);
  assert.deepEqual(o.open(packet), new Uint8Array([2, 0, 0, 0, 0]));
  assert.equal(o.sequence, 0);
});

test("the opener's payload is a copy the caller owns", () => {
  const packet = new NoneSealer().seal(new Uint8Array([94, 7]));
  const payload = new NoneOpener().open(packet);
  packet.fill(0);
  assert.deepEqual(payload, new Uint8Array([94, 7]));
});
