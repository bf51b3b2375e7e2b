import { test } from "node:test";
import assert from "node:assert/strict";
import {
  encodeMessage,
  NoneOpener,
  NoneSealer,
  type PacketSealer,
  PacketWriter,
  WRITE_BATCH_LIMIT,
} from "./mod.ts";

const zeros = (n: number) => new Uint8Array(n);
const ignore = (size: number, fill = 7) =>
  encodeMessage({ type: "ignore", data: new Uint8Array(size).fill(fill) });

/** A sealer with only `seal` (as the WebCrypto suites): every packet is a buffer of its own. */
class SealOnly implements PacketSealer {
  protected inner: NoneSealer = new NoneSealer(zeros);
  get sequence(): number {
    return this.inner.sequence;
  }
  set sequence(n: number) {
    this.inner.sequence = n;
  }
  seal(payload: Uint8Array): Uint8Array {
    return this.inner.seal(payload);
  }
}

test("NoneSealer: sealInto writes what seal returns, at the offset given", () => {
  const payload = ignore(40);
  const whole = new NoneSealer(zeros).seal(payload);
  const sealer = new NoneSealer(zeros);
  assert.equal(sealer.sealedLength(payload.length), whole.length);
  const out = new Uint8Array(whole.length + 10).fill(0xee);
  assert.equal(sealer.sealInto(payload, out, 3), whole.length);
  assert.deepEqual(out.subarray(3, 3 + whole.length), whole);
  assert.deepEqual(out.subarray(0, 3), new Uint8Array(3).fill(0xee));
  assert.equal(out[3 + whole.length], 0xee);
  assert.equal(sealer.sequence, 1);
});

test("packets sealed while the output is busy go out in one chunk, sealed in place", async () => {
  const writer = new PacketWriter({ random: zeros });
  const reader = writer.readable.getReader();
  await writer.write(ignore(10, 1));
  writer.writeReply(ignore(20, 2));
  await writer.write(ignore(30, 3));
  assert.equal(writer.replyBacklog, 20 + 5 + 5 + 10); // a 25-byte payload framed to 40
  const { value } = await reader.read();
  assert.equal(writer.replyBacklog, 0);
  assert.equal(writer.queuedBytes, 0);
  // The three packets back to back, as the none opener reads them.
  const opener = new NoneOpener();
  const sizes: number[] = [];
  for (let at = 0; at < value!.length;) {
    const n = opener.packetLength(value!.subarray(at));
    sizes.push(opener.open(value!.subarray(at, at + n))[5]);
    at += n;
  }
  assert.deepEqual(sizes, [1, 2, 3]);
  assert.equal(writer.bytesOut, value!.length);
});

test("a chunk handed back once written is sealed into again; other chunks are ignored", async () => {
  const writer = new PacketWriter({ random: zeros });
  const reader = writer.readable.getReader();
  await writer.write(ignore(100));
  const first = (await reader.read()).value!;
  writer.recycle(new Uint8Array(first.length)); // not the writer's: ignored
  writer.recycle(first);
  await writer.write(ignore(200, 9));
  const second = (await reader.read()).value!;
  assert.equal(second.buffer, first.buffer);
  assert.equal(second[5 + 5], 9); // the new packet, not the old bytes
  // Not handed back: the next batch gets a buffer of its own.
  await writer.write(ignore(100));
  const third = (await reader.read()).value!;
  assert.notEqual(third.buffer, second.buffer);
});

test("batches grow with the traffic: a bulk write fills a large buffer, reused in turn", async () => {
  const writer = new PacketWriter({ random: zeros });
  const reader = writer.readable.getReader();
  const seen = new Set<ArrayBufferLike>();
  let largest = 0;
  for (let round = 0; round < 12; round++) {
    // Writes of 32 KiB until the queue is full, then the output takes them (one socket write).
    let pending: Promise<void> = Promise.resolve();
    for (let i = 0; i < 8; i++) pending = writer.write(ignore(32 * 1024));
    const { value } = await reader.read();
    largest = Math.max(largest, value!.length);
    seen.add(value!.buffer);
    writer.recycle(value!);
    await pending;
    while (writer.queuedBytes > 0) writer.recycle((await reader.read()).value!);
  }
  assert.ok(largest > 4 * 32 * 1024, `largest chunk ${largest}`);
  assert.ok(largest <= WRITE_BATCH_LIMIT);
  assert.ok(seen.size <= 6, `${seen.size} buffers for 96 packets`);
});

test("batches joined into one write are sealed into again, not dropped", async () => {
  const writer = new PacketWriter({ random: zeros });
  const reader = writer.readable.getReader();
  let writes: Promise<void> = Promise.resolve();
  // An output that takes what is ready at uneven moments, as a socket does under load: some
  // reads find one batch, some several (joined into one chunk).
  const pattern = [1, 3, 1, 1, 12, 2, 1, 7, 1, 2, 16, 1];
  for (let round = 0; round < 120; round++) {
    for (let i = 0; i < pattern[round % pattern.length]; i++) {
      writes = writer.write(ignore(32 * 1024, round & 0xff));
    }
    const { value } = await reader.read();
    writer.recycle(value!);
  }
  await writes;
  // Every batch joined from comes back for later ones: 16 buffers serve the whole run (52
  // when the joined batches' buffers were dropped).
  assert.ok(writer.buffersAllocated <= 20, `${writer.buffersAllocated} buffers for 120 rounds`);
});

test("a sealer without sealInto: packets are the sealer's, joined when several wait", async () => {
  const writer = new PacketWriter({ random: zeros });
  assert.equal(writer.takesPayloadAtOnce, true); // the none sealer seals in place
  writer.nextSealer(new SealOnly());
  writer.writeReply(encodeMessage({ type: "newKeys" }));
  assert.equal(writer.takesPayloadAtOnce, false);
  const reader = writer.readable.getReader();
  const first = (await reader.read()).value!;
  assert.equal(first.length, 16);
  await writer.write(ignore(10));
  await writer.write(ignore(10));
  const joined = (await reader.read()).value!;
  assert.equal(joined.length, 2 * 24); // 15-byte payloads framed to 24
  // Its own join is the writer's to reuse; the next batch of seal() results is not sealed into.
  writer.recycle(joined);
  await writer.write(ignore(10));
  const single = (await reader.read()).value!;
  assert.notEqual(single.buffer, joined.buffer);
  assert.equal(single.length, 24);
});

test("a sealer without sealInto: the joins of its packets cycle through handed-back buffers", async () => {
  const writer = new PacketWriter({ random: zeros });
  writer.nextSealer(new SealOnly());
  writer.writeReply(encodeMessage({ type: "newKeys" }));
  const reader = writer.readable.getReader();
  await reader.read();
  const seen = new Set<ArrayBufferLike>();
  for (let round = 0; round < 6; round++) {
    await writer.write(ignore(1000, round));
    await writer.write(ignore(1000, round));
    const joined = (await reader.read()).value!;
    assert.equal(joined.length, 2 * 1016);
    assert.equal(joined[5 + 5], round, "this round's packets, not an earlier round's bytes");
    assert.equal(joined[1016 + 5 + 5], round);
    seen.add(joined.buffer);
    writer.recycle(joined);
  }
  assert.equal(seen.size, 1);
});

test("a packet sealed after a batch switched keys still follows it in order", async () => {
  const writer = new PacketWriter({ random: zeros });
  writer.nextSealer(new SealOnly(), { resetSequence: true });
  const reader = writer.readable.getReader();
  await writer.write(ignore(1, 1));
  writer.writeReply(encodeMessage({ type: "newKeys" }));
  await writer.write(ignore(1, 2));
  const chunk = (await reader.read()).value!;
  const opener = new NoneOpener();
  const firsts: number[] = [];
  for (let at = 0; at < chunk.length;) {
    const n = opener.packetLength(chunk.subarray(at));
    firsts.push(opener.open(chunk.subarray(at, at + n))[0]);
    at += n;
  }
  assert.deepEqual(firsts, [2, 21, 2]);
  assert.equal(writer.sealer.sequence, 1); // reset at NEWKEYS, one packet since
});

/**
 * A sealer with `sealIntoLater` (as WebCrypto's AES-GCM): it lays the packet out at once and
 * "encrypts" (adds 1 to every byte after the length) when the test settles it.
 */
class SealLater extends SealOnly {
  settle: (() => void)[] = [];
  fail: ((e: Error) => void)[] = [];
  sealedLength(n: number): number {
    return this.inner.sealedLength(n);
  }
  sealIntoLater(payload: Uint8Array, out: Uint8Array, at: number): Promise<void> {
    const n = this.inner.sealInto(payload, out, at);
    return new Promise<void>((resolve, reject) => {
      this.settle.push(() => {
        for (let i = at + 4; i < at + n; i++) out[i]++;
        resolve();
      });
      this.fail.push(reject);
    });
  }
}

/** The first payload byte of each packet in `chunk` (undoing SealLater's +1). */
function laterFirsts(chunk: Uint8Array): number[] {
  const firsts: number[] = [];
  for (let at = 0; at < chunk.length;) {
    const n = 4 +
      ((chunk[at] << 24 | chunk[at + 1] << 16 | chunk[at + 2] << 8 | chunk[at + 3]) >>> 0);
    firsts.push(chunk[at + 5] - 1);
    at += n;
  }
  return firsts;
}

/** A writer past its NEWKEYS onto a SealLater, the NEWKEYS packet read off its output. */
async function switchedToSealLater(maxInFlight?: number) {
  const writer = new PacketWriter({ random: zeros, maxInFlight });
  const sealer = new SealLater();
  writer.nextSealer(sealer);
  writer.writeReply(encodeMessage({ type: "newKeys" }));
  const reader = writer.readable.getReader();
  await reader.read();
  return { writer, sealer, reader };
}

test("sealIntoLater: a batch goes out only once each of its packets is sealed, in order", async () => {
  const { writer, sealer, reader } = await switchedToSealLater();
  assert.equal(writer.takesPayloadAtOnce, true); // the payload is laid out when write returns
  await writer.write(ignore(10, 1));
  await writer.write(ignore(10, 2));
  let got: Uint8Array | undefined;
  const read = reader.read().then((r) => (got = r.value));
  sealer.settle[1](); // the second first: still nothing out
  await new Promise((r) => setTimeout(r, 1));
  assert.equal(got, undefined);
  sealer.settle[0]();
  await read;
  assert.equal(got!.length, 2 * 24);
  assert.deepEqual(laterFirsts(got!), [2, 2]); // both IGNOREs, each encrypted once
  assert.equal(got![24 + 10], 2 + 1, "the second packet's data, sealed");
});

test("sealIntoLater: packets written while the output waits go into the next batch", async () => {
  const { writer, sealer, reader } = await switchedToSealLater();
  await writer.write(ignore(10, 1));
  const first = reader.read();
  await new Promise((r) => setTimeout(r, 1)); // the output is waiting for the first batch now
  await writer.write(ignore(10, 2));
  sealer.settle[0]();
  assert.equal((await first).value!.length, 24, "the waited-for batch took no more packets");
  sealer.settle[1]();
  assert.equal((await reader.read()).value!.length, 24);
});

test("sealIntoLater: a failed seal fails the writer and sends nothing of it", async () => {
  const { writer, sealer, reader } = await switchedToSealLater();
  await writer.write(ignore(10, 1));
  sealer.fail[0](new Error("encrypt failed"));
  await assert.rejects(reader.read(), /encrypt failed/);
  await assert.rejects(writer.write(ignore(10, 2)), /encrypt failed/);
});

test("sealIntoLater: at most maxInFlight seals wait at once", async () => {
  const { writer, sealer, reader } = await switchedToSealLater(2);
  await writer.write(ignore(10, 1));
  let third = false;
  const blocked = writer.write(ignore(10, 2)).then(() => (third = true));
  await new Promise((r) => setTimeout(r, 1));
  assert.equal(third, false, "two in flight: the writer waits");
  sealer.settle[0]();
  await blocked;
  sealer.settle[1]();
  assert.deepEqual(laterFirsts((await reader.read()).value!), [2, 2]);
});
