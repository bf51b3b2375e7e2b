import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkPacketLength,
  encodeMessage,
  framePacket,
  NoneOpener,
  NoneSealer,
  type Packet,
  PacketDeframer,
  type PacketOpener,
  PacketReader,
  type PacketSealer,
  PacketWriter,
  unframePacket,
  WireError,
} from "./mod.ts";

/**
 * A toy suite for tests: XOR "encryption" of the whole packet (length included) with a
 * 16-byte block, and a 4-byte check value over the sequence number and the packet. It hides the
 * length like a real cipher, so the reader must ask the opener for it, and a wrong sequence
 * number fails the check.
 */
const BLOCK = 16;
const TAG = 4;

function tag(sequence: number, bytes: Uint8Array, key: number): number {
  let h = (0x811c9dc5 ^ sequence ^ key) >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

class XorSealer implements PacketSealer {
  sequence = 0;
  disposed = false;
  constructor(readonly key: number) {}
  seal(payload: Uint8Array): Uint8Array {
    const p = framePacket(payload, {
      blockSize: BLOCK,
      lengthInClear: false,
      macLength: TAG,
      random: (n) => new Uint8Array(n).fill(0x5c),
    });
    const body = p.subarray(0, p.length - TAG);
    new DataView(p.buffer).setUint32(body.length, tag(this.sequence, body, this.key));
    for (let i = 0; i < body.length; i++) body[i] ^= this.key;
    this.sequence = (this.sequence + 1) >>> 0;
    return p;
  }
  dispose(): void {
    this.disposed = true;
  }
}

class XorOpener implements PacketOpener {
  sequence = 0;
  disposed = false;
  readonly headerLength = BLOCK;
  constructor(readonly key: number) {}
  packetLength(header: Uint8Array): number {
    const clear = header.subarray(0, 4).map((b) => b ^ this.key);
    return 4 + checkPacketLength(clear, BLOCK, 4) + TAG;
  }
  open(packet: Uint8Array): Uint8Array {
    const body = packet.subarray(0, packet.length - TAG);
    for (let i = 0; i < body.length; i++) body[i] ^= this.key;
    const expected = new DataView(packet.buffer, packet.byteOffset).getUint32(body.length);
    if (tag(this.sequence, body, this.key) !== expected) {
      throw new WireError("Bad check value", 5);
    }
    this.sequence = (this.sequence + 1) >>> 0;
    return unframePacket(body).slice();
  }
  dispose(): void {
    this.disposed = true;
  }
}

const ignore = (n: number) => encodeMessage({ type: "ignore", data: new Uint8Array([n]) });
const newKeys = encodeMessage({ type: "newKeys" });

async function collect<T>(readable: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of readable) out.push(x);
  return out;
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

/** Writes payloads through a PacketWriter that switches to `sealer` at NEWKEYS. */
async function writeAll(
  payloads: Uint8Array[],
  sealer: PacketSealer,
  resetSequence = false,
): Promise<{ bytes: Uint8Array; writer: PacketWriter }> {
  const writer = new PacketWriter({ random: (n) => new Uint8Array(n) });
  writer.nextSealer(sealer, { resetSequence });
  const out = collect(writer.readable);
  const w = writer.writable.getWriter();
  for (const p of payloads) await w.write(p);
  await w.close();
  return { bytes: concat(await out), writer };
}

/** Reads `chunks`; gives `opener` to the reader when a NEWKEYS arrives (or before, if `early`). */
async function readAll(
  chunks: Uint8Array[],
  opener: PacketOpener,
  options: { early?: boolean; resetSequence?: boolean } = {},
): Promise<{ packets: Packet[]; reader: PacketReader }> {
  const reader = new PacketReader();
  if (options.early) reader.nextOpener(opener, { resetSequence: options.resetSequence });
  const writing = (async () => {
    const w = reader.writable.getWriter();
    // Copies: a suite may decrypt in place, and callers here reuse their bytes.
    for (const c of chunks) await w.write(c.slice());
    await w.close();
  })();
  writing.catch(() => {}); // the same error also ends the readable
  const packets: Packet[] = [];
  for await (const p of reader.readable) {
    packets.push(p);
    if (p.payload[0] === 21 && !options.early) {
      reader.nextOpener(opener, { resetSequence: options.resetSequence });
    }
  }
  await writing;
  return { packets, reader };
}

const payloads = [ignore(1), ignore(2), newKeys, ignore(3), ignore(4), ignore(5)];

test("NEWKEYS switches both directions; later bytes are sealed by the new suite", async () => {
  const { bytes, writer } = await writeAll(payloads, new XorSealer(0x3c));
  // The first three packets are 16 bytes of clear framing each; the rest are not clear.
  assert.equal(bytes[3], 12);
  assert.equal(bytes[5], 2);
  assert.equal(bytes.length, 3 * 16 + 3 * (16 + TAG));
  assert.notEqual(bytes[48 + 5], 2);
  assert.equal(writer.packetsOut, 6);
  assert.equal(writer.bytesOut, bytes.length);
  const { packets, reader } = await readAll([bytes], new XorOpener(0x3c));
  assert.deepEqual(packets.map((p) => p.payload), payloads);
  assert.deepEqual(packets.map((p) => p.sequence), [0, 1, 2, 3, 4, 5]);
  assert.equal(reader.packetsIn, 6);
  assert.equal(reader.bytesIn, bytes.length);
  assert.equal(reader.opener.sequence, 6);
});

test("strict kex: the sequence number restarts at zero after NEWKEYS", async () => {
  const { bytes } = await writeAll(payloads, new XorSealer(0x3c), true);
  const { packets } = await readAll([bytes], new XorOpener(0x3c), { resetSequence: true });
  assert.deepEqual(packets.map((p) => p.sequence), [0, 1, 2, 0, 1, 2]);
  // Without the reset on the reading side the check values fail.
  await assert.rejects(readAll([bytes], new XorOpener(0x3c)), /Bad check value/);
});

test("the opener may be given before the NEWKEYS arrives, and in any chunking", async () => {
  const { bytes } = await writeAll(payloads, new XorSealer(0x77));
  for (const size of [1, 3, 15, 16, 17, 47, 48, 49, 1000]) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
    for (const early of [false, true]) {
      const { packets } = await readAll(chunks, new XorOpener(0x77), { early });
      assert.deepEqual(packets.map((p) => p.payload), payloads, `size ${size}, early ${early}`);
    }
  }
});

test("bytes after NEWKEYS in the same chunk wait for the next opener", async () => {
  const { bytes } = await writeAll(payloads, new XorSealer(0x11));
  const reader = new PacketReader();
  const w = reader.writable.getWriter();
  const wrote = w.write(bytes); // all of it in one chunk
  const r = reader.readable.getReader();
  for (let i = 0; i < 3; i++) assert.equal((await r.read()).value!.sequence, i);
  // Nothing past NEWKEYS comes out before the opener is given.
  const pending = r.read();
  const raced = await Promise.race([
    pending,
    new Promise((ok) => setTimeout(() => ok("waiting"), 20)),
  ]);
  assert.equal(raced, "waiting");
  const none = reader.opener;
  reader.nextOpener(new XorOpener(0x11));
  assert.deepEqual((await pending).value!.payload, ignore(3));
  assert.notEqual(reader.opener, none);
  await wrote;
  await w.close();
});

test("old suites are disposed at the switch", async () => {
  const first = new XorSealer(1);
  const second = new XorSealer(2);
  const writer = new PacketWriter();
  writer.nextSealer(first);
  const out = collect(writer.readable);
  const w = writer.writable.getWriter();
  await w.write(newKeys);
  assert.equal(writer.sealer, first);
  writer.nextSealer(second);
  await w.write(newKeys);
  await w.close();
  await out;
  assert.equal(writer.sealer, second);
  assert.equal(first.disposed, true);
  assert.equal(second.disposed, false);
  const { bytes } = await writeAll([newKeys, ignore(1)], new XorSealer(9));
  const opener = new XorOpener(9);
  const { reader } = await readAll([bytes], opener);
  assert.equal(reader.opener, opener);
  assert.equal(opener.disposed, false);
});

test("programming errors: NEWKEYS without a next sealer, a next suite set twice, empty payloads", async () => {
  const writer = new PacketWriter();
  const output = collect(writer.readable); // the writer seals only while its output is read
  const w = writer.writable.getWriter();
  await assert.rejects(w.write(newKeys), /before the next sealer was set/);
  await assert.rejects(output, /before the next sealer was set/);
  const twice = new PacketWriter();
  twice.nextSealer(new XorSealer(1));
  assert.throws(() => twice.nextSealer(new XorSealer(2)), /already waiting/);
  const reader = new PacketReader();
  reader.nextOpener(new XorOpener(1));
  assert.throws(() => reader.nextOpener(new XorOpener(2)), /already waiting/);
  const emptyWriter = new PacketWriter();
  collect(emptyWriter.readable).catch(() => {});
  await assert.rejects(emptyWriter.writable.getWriter().write(new Uint8Array(0)), TypeError);
});

test("a packet with an empty payload is a WireError", async () => {
  const packet = new Uint8Array([0, 0, 0, 12, 11, ...new Uint8Array(11)]);
  await assert.rejects(readAll([packet], new XorOpener(0)), /Empty packet payload/);
});

test("a packet over the limit fails from its header, before its body is sent", async () => {
  const reader = new PacketReader();
  const w = reader.writable.getWriter();
  // 262148 = 256 KiB + 4: aligned, one step past the limit.
  await assert.rejects(w.write(new Uint8Array([0, 4, 0, 4, 1])), /exceeds the limit/);
  // The largest allowed packet goes through.
  const big = new Uint8Array(262144 - 4 - 1 - 4 - 4).fill(2);
  big[0] = 94;
  const bytes = new NoneSealer((n) => new Uint8Array(n)).seal(big);
  assert.equal(bytes.length, 262144);
  const { packets } = await readAll([bytes], new XorOpener(0));
  assert.equal(packets[0].payload.length, big.length);
});

test("async sealers keep input order however their promises settle", async () => {
  let delay = 12;
  const slow: PacketSealer = {
    sequence: 0,
    seal(payload) {
      const sealed = new NoneSealer((n) => new Uint8Array(n)).seal(payload);
      this.sequence++;
      const wait = (delay = (delay * 7) % 13);
      return new Promise((ok) => setTimeout(() => ok(sealed), wait));
    },
  };
  const writer = new PacketWriter({ maxInFlight: 3 });
  writer.nextSealer(slow);
  const out = collect(writer.readable);
  const w = writer.writable.getWriter();
  const sent = [newKeys, ...Array.from({ length: 20 }, (_, i) => ignore(i))];
  for (const p of sent) await w.write(p);
  await w.close();
  // The slow sealer frames like `none`, so a NoneOpener reads what follows NEWKEYS.
  const { packets } = await readAll([concat(await out)], new NoneOpener());
  assert.deepEqual(packets.map((p) => p.payload), sent);
  assert.deepEqual(packets.map((p) => p.sequence), sent.map((_, i) => i));
});

test("the reader never modifies the chunks written to it, even when the opener decrypts in place", async () => {
  const { bytes } = await writeAll(payloads, new XorSealer(0x3c));
  const before = bytes.slice();
  const reader = new PacketReader();
  const [forReader, forTrace] = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes); // one chunk: the reader's fast path
      controller.close();
    },
  }).tee();
  const piped = forReader.pipeTo(reader.writable);
  const packets: Packet[] = [];
  for await (const p of reader.readable) {
    packets.push(p);
    if (p.payload[0] === 21) reader.nextOpener(new XorOpener(0x3c));
  }
  await piped;
  assert.deepEqual(packets.map((p) => p.payload), payloads);
  assert.deepEqual(bytes, before);
  // A tee of the same byte stream (a trace, a capture) still sees the bytes as sent.
  assert.deepEqual(concat(await collect(forTrace)), before);
});

/** An XorOpener that can also open in place; records which way each packet was opened. */
class XorInPlaceOpener extends XorOpener {
  readonly ways: ("copy" | "in place")[] = [];
  override open(packet: Uint8Array): Uint8Array {
    this.ways.push("copy");
    return super.open(packet.slice());
  }
  openInPlace(packet: Uint8Array): Uint8Array {
    this.ways.push("in place");
    const body = packet.subarray(0, packet.length - TAG);
    for (let i = 0; i < body.length; i++) body[i] ^= this.key;
    const expected = new DataView(packet.buffer, packet.byteOffset).getUint32(body.length);
    if (tag(this.sequence, body, this.key) !== expected) throw new WireError("Bad check value", 5);
    this.sequence = (this.sequence + 1) >>> 0;
    return unframePacket(body);
  }
}

/** Pushes fresh copies of `chunks` into a deframer (`owned` or not); the payloads come back. */
async function deframeOwned(chunks: Uint8Array[], opener: PacketOpener, owned: boolean) {
  const packets: Packet[] = [];
  const deframer = new PacketDeframer((p) => {
    packets.push(p);
    if (p.payload[0] === 21) deframer.nextOpener(opener);
  });
  const given = chunks.map((c) => c.slice());
  for (const c of given) await deframer.push(c, owned);
  await deframer.end();
  return { packets, given };
}

/** An IGNORE of 10 000 bytes: a packet large enough to be opened in place. */
const bigIgnore = (n: number) =>
  encodeMessage({ type: "ignore", data: new Uint8Array(10_000).fill(n) });

test("owned chunks: large whole packets open in place as views of the chunk; split or small ones from a copy", async () => {
  const sent = [ignore(1), newKeys, bigIgnore(2), bigIgnore(3), ignore(4)];
  const { bytes } = await writeAll(sent, new XorSealer(0x3c));
  // The first packet after NEWKEYS split across two chunks, the rest whole in the second.
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let clear = 0; // the packets before the switch have their lengths in the clear
  for (let i = 0; i < 2; i++) clear += 4 + view.getUint32(clear);
  const chunks = [bytes.subarray(0, clear + 10), bytes.subarray(clear + 10)];
  const opener = new XorInPlaceOpener(0x3c);
  const { packets, given } = await deframeOwned(chunks, opener, true);
  assert.deepEqual(packets.map((p) => p.payload), sent);
  assert.deepEqual(packets.map((p) => p.sequence), [0, 1, 2, 3, 4]);
  assert.deepEqual(opener.ways, ["copy", "in place", "copy"]);
  assert.equal(packets[3].payload.buffer, given[1].buffer);

  // Not owned: the same opener is never asked to open in place, and the chunks stay as sent.
  const other = new XorInPlaceOpener(0x3c);
  const read = await deframeOwned([bytes], other, false);
  assert.deepEqual(read.packets.map((p) => p.payload), sent);
  assert.deepEqual(other.ways, ["copy", "copy", "copy"]);
  assert.deepEqual(read.given[0], bytes);
});

test("owned chunks: a packet under 1/16 of its chunk is copied (a kept payload pins its chunk)", async () => {
  const sent = [newKeys, ...Array.from({ length: 20 }, (_, i) => bigIgnore(i))];
  const { bytes } = await writeAll(sent, new XorSealer(0x3c));
  const opener = new XorInPlaceOpener(0x3c);
  const { packets } = await deframeOwned([bytes], opener, true);
  assert.deepEqual(packets.map((p) => p.payload), sent);
  assert.deepEqual(opener.ways, Array(20).fill("copy"));
});

test("owned chunks: a packet that fails to open in place ends the reading after the ones before", async () => {
  const sent = [ignore(1), newKeys, bigIgnore(2), bigIgnore(3)];
  const { bytes } = await writeAll(sent, new XorSealer(0x3c));
  const bad = bytes.slice();
  bad[bad.length - 1] ^= 1; // the last packet's check value
  const packets: Packet[] = [];
  const opener = new XorInPlaceOpener(0x3c);
  const deframer = new PacketDeframer((p) => {
    packets.push(p);
    if (p.payload[0] === 21) deframer.nextOpener(opener);
  });
  await assert.rejects(deframer.push(bad, true), (e) => e instanceof WireError);
  assert.deepEqual(packets.map((p) => p.payload), sent.slice(0, 3));
  assert.deepEqual(opener.ways, ["in place", "in place"]);
});

// ---- openers that answer with promises: packets opened ahead, delivered in order ----

/** An XorOpener whose opens settle later, in a scrambled order; records how many overlap. */
class SlowOpener implements PacketOpener {
  readonly headerLength = BLOCK;
  readonly inner: XorOpener;
  /** Opens not yet settled. */
  pending = 0;
  /** The most that were pending at once. */
  maxPending = 0;
  /** For each sequence number opened: how many opens were pending when it started. */
  readonly pendingAtOpen = new Map<number, number>();
  #turn = 0;
  constructor(key: number, readonly failAt?: number) {
    this.inner = new XorOpener(key);
  }
  get sequence(): number {
    return this.inner.sequence;
  }
  set sequence(n: number) {
    this.inner.sequence = n;
  }
  packetLength(header: Uint8Array): number {
    return this.inner.packetLength(header);
  }
  open(packet: Uint8Array): Promise<Uint8Array> {
    const sequence = this.sequence;
    this.pendingAtOpen.set(sequence, this.pending);
    let payload: Uint8Array;
    try {
      payload = this.inner.open(packet);
    } catch (e) {
      return Promise.reject(e);
    }
    this.pending++;
    this.maxPending = Math.max(this.maxPending, this.pending);
    const wait = [3, 0, 5, 1, 4, 2][this.#turn++ % 6];
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        this.pending--;
        if (sequence === this.failAt) reject(new WireError(`Injected failure at ${sequence}`));
        else resolve(payload);
      }, wait)
    );
  }
}

const kexInit = encodeMessage({
  type: "kexInit",
  cookie: new Uint8Array(16),
  kexAlgorithms: ["curve25519-sha256"],
  serverHostKeyAlgorithms: ["ssh-ed25519"],
  encryptionClientToServer: ["aes128-ctr"],
  encryptionServerToClient: ["aes128-ctr"],
  macClientToServer: ["hmac-sha2-256"],
  macServerToClient: ["hmac-sha2-256"],
  compressionClientToServer: ["none"],
  compressionServerToClient: ["none"],
  languagesClientToServer: [],
  languagesServerToClient: [],
  firstKexPacketFollows: false,
  reserved: 0,
});

test("asynchronous opens overlap (at most 16), and packets come out in order in any chunking", async () => {
  const sent = [newKeys, ...Array.from({ length: 60 }, (_, i) => ignore(i))];
  const { bytes } = await writeAll(sent, new XorSealer(0x11));
  for (const size of [bytes.length, 1000, 61, 7]) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    const opener = new SlowOpener(0x11);
    const { packets } = await readAll(chunks, opener);
    assert.deepEqual(packets.map((p) => p.payload), sent, `chunks of ${size}`);
    assert.deepEqual(packets.map((p) => p.sequence), sent.map((_, i) => i));
    if (size >= 1000) assert.ok(opener.maxPending > 1, `overlapping opens: ${opener.maxPending}`);
    assert.ok(opener.maxPending <= 16, `overlapping opens: ${opener.maxPending}`);
  }
});

test("from the peer's KEXINIT to the switch, packets are opened one at a time", async () => {
  // As on the wire: what follows the peer's KEXINIT arrives only after the KEXINIT was read
  // (its NEWKEYS needs our answer to that KEXINIT first).
  const before = [newKeys, ignore(1), ignore(2), ignore(3), kexInit];
  const after = [ignore(4), ignore(5), newKeys, ...Array.from({ length: 30 }, (_, i) => ignore(i))];
  const writer = new PacketWriter({ random: (n) => new Uint8Array(n) });
  writer.nextSealer(new XorSealer(0x11));
  const out = collect(writer.readable);
  const w = writer.writable.getWriter();
  for (const p of before) await w.write(p);
  const cut = writer.bytesOut;
  writer.nextSealer(new XorSealer(0x22));
  for (const p of after) await w.write(p);
  await w.close();
  const bytes = concat(await out);

  const first = new SlowOpener(0x11), second = new SlowOpener(0x22);
  const reader = new PacketReader();
  const input = reader.writable.getWriter();
  void input.write(bytes.slice(0, cut));
  const packets: Packet[] = [];
  let newKeysSeen = 0;
  for await (const p of reader.readable) {
    packets.push(p);
    if (p.payload[0] === 20) void input.write(bytes.slice(cut)).then(() => input.close());
    if (p.payload[0] === 21) reader.nextOpener(newKeysSeen++ === 0 ? first : second);
  }
  assert.deepEqual(packets.map((p) => p.payload), [...before, ...after]);
  // Old keys, after the KEXINIT (sequence 4): each open starts with nothing else pending.
  assert.deepEqual([5, 6, 7].map((s) => first.pendingAtOpen.get(s)), [0, 0, 0]);
  // New keys: opened ahead again.
  assert.ok(second.maxPending > 1, `overlapping opens after the switch: ${second.maxPending}`);
});

test("a packet that fails to open ends the stream after the ones before it, without more bytes", async () => {
  const sent = [newKeys, ...Array.from({ length: 30 }, (_, i) => ignore(i))];
  const { bytes } = await writeAll(sent, new XorSealer(0x11));
  const reader = new PacketReader();
  const input = reader.writable.getWriter();
  input.write(bytes.slice()).catch(() => {}); // never closed: the peer waits for us
  const packets: Packet[] = [];
  await assert.rejects(
    (async () => {
      for await (const p of reader.readable) {
        packets.push(p);
        if (p.payload[0] === 21) reader.nextOpener(new SlowOpener(0x11, 12));
      }
    })(),
    /Injected failure at 12/,
  );
  assert.deepEqual(packets.map((p) => p.sequence), Array.from({ length: 12 }, (_, i) => i));
  await assert.rejects(input.write(new Uint8Array(1)));
});

test("packets opened ahead across a NEWKEYS that no key exchange led to end the stream", async () => {
  const sent = [newKeys, ignore(1), ignore(2), newKeys, ignore(3), ignore(4), ignore(5)];
  const writer = new PacketWriter({ random: (n) => new Uint8Array(n) });
  writer.nextSealer(new XorSealer(0x11));
  const out = collect(writer.readable);
  const w = writer.writable.getWriter();
  for (const [i, p] of sent.entries()) {
    if (i === 3) writer.nextSealer(new XorSealer(0x22));
    await w.write(p);
  }
  await w.close();
  const packets: Packet[] = [];
  await assert.rejects(
    readAllInto(packets, [concat(await out)], [new SlowOpener(0x11), new SlowOpener(0x22)]),
    (e: unknown) => e instanceof WireError,
  );
  // The unexpected NEWKEYS itself comes out (the transport refuses it); nothing after it does.
  assert.deepEqual(packets.map((p) => p.payload), sent.slice(0, 4));
});

/** Like readAll, with one opener per NEWKEYS, collecting into `packets` even when it fails. */
async function readAllInto(packets: Packet[], chunks: Uint8Array[], openers: PacketOpener[]) {
  const reader = new PacketReader();
  const writing = (async () => {
    const w = reader.writable.getWriter();
    for (const c of chunks) await w.write(c.slice());
    await w.close();
  })();
  writing.catch(() => {});
  for await (const p of reader.readable) {
    packets.push(p);
    if (p.payload[0] === 21) reader.nextOpener(openers.shift()!);
  }
  await writing;
}
