// Property tests with a small seeded PRNG: deterministic, bounded, fast.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ChannelOpenBody,
  type ChannelRequestBody,
  type DecodeContext,
  decodeMessage,
  decodeTerminalModes,
  encodeMessage,
  type GlobalRequestBody,
  type Message,
  NoneOpener,
  NoneSealer,
  type Packet,
  PacketReader,
  readVersionLine,
  SshReader,
  SshWriter,
  WireError,
} from "./mod.ts";

/** mulberry32: a tiny deterministic PRNG, good enough to drive tests. */
function prng(seed: number) {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const bytes = (n: number): Uint8Array<ArrayBuffer> => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = int(256);
    return b;
  };
  return { next, int, bytes };
}
type Prng = ReturnType<typeof prng>;

const contexts: DecodeContext[] = [
  {},
  { kex: "ecdh" },
  { kex: "dh" },
  { kex: "gex" },
  { auth: "publickey" },
  { auth: "password" },
  { auth: "keyboard-interactive" },
];

/** Runs `f` and fails unless it returns or throws a WireError. */
function onlyWireError(f: () => unknown, what: () => string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof WireError)) {
      assert.fail(`${what()} threw ${e instanceof Error ? e.name + ": " + e.message : e}`);
    }
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Valid payloads of many shapes, to truncate and mutate. */
function seedPayloads(): { payload: Uint8Array; context: DecodeContext }[] {
  const w = () => new SshWriter();
  const list = [
    w().byte(1).uint32(2).string("bye").string("").finish(),
    w().byte(7).uint32(2).string("server-sig-algs").string("ssh-ed25519").string("a").string("b")
      .finish(),
    w().byte(20).raw(new Uint8Array(16)).string("curve25519-sha256,ext-info-c").string(
      "ssh-ed25519",
    )
      .string("aes128-ctr").string("aes128-ctr").string("hmac-sha2-256").string("hmac-sha2-256")
      .string("none").string("none").string("").string("").byte(0).uint32(0).finish(),
    w().byte(50).string("u").string("ssh-connection").string("publickey").byte(1).string(
      "ssh-ed25519",
    )
      .string("key").string("sig").finish(),
    w().byte(50).string("u").string("ssh-connection").string("password").byte(1).string("a").string(
      "b",
    )
      .finish(),
    w().byte(80).string("tcpip-forward").byte(1).string("0.0.0.0").uint32(22).finish(),
    w().byte(90).string("direct-tcpip").uint32(0).uint32(1).uint32(2).string("h").uint32(1)
      .string("o").uint32(2).finish(),
    w().byte(98).uint32(0).string("pty-req").byte(1).string("xterm").uint32(80).uint32(24).uint32(0)
      .uint32(0).string(new Uint8Array([53, 0, 0, 0, 1, 128, 0, 0, 150, 0, 0])).finish(),
    w().byte(98).uint32(0).string("exit-signal").byte(0).string("KILL").byte(1).string("m").string(
      "",
    )
      .finish(),
    w().byte(98).uint32(0).string("window-change").byte(0).uint32(1).uint32(2).uint32(3).uint32(4)
      .finish(),
    w().byte(94).uint32(0).string("data").finish(),
  ];
  const out = list.map((payload) => ({ payload, context: {} as DecodeContext }));
  out.push({
    payload: w().byte(31).string("K").string("Q").string("S").finish(),
    context: { kex: "ecdh" },
  });
  out.push({ payload: w().byte(31).mpint(1n << 100n).mpint(2n).finish(), context: { kex: "gex" } });
  out.push({
    payload: w().byte(31).string("K").mpint(-5n).string("S").finish(),
    context: { kex: "dh" },
  });
  out.push({
    payload: w().byte(60).string("n").string("i").string("").uint32(2).string("p1").byte(0).string(
      "p2",
    )
      .byte(1).finish(),
    context: { auth: "keyboard-interactive" },
  });
  out.push({
    payload: w().byte(61).uint32(1).string("r").finish(),
    context: { auth: "keyboard-interactive" },
  });
  return out;
}

test("every truncation of valid payloads decodes or throws WireError", () => {
  for (const { payload, context } of seedPayloads()) {
    assert.ok(decodeMessage(payload, context).type !== "unknown", hex(payload));
    for (let n = 0; n < payload.length; n++) {
      for (const ctx of [context, {}]) {
        onlyWireError(
          () => decodeMessage(payload.subarray(0, n), ctx),
          () => hex(payload.subarray(0, n)),
        );
      }
    }
  }
});

test("random mutations of valid payloads decode or throw WireError", () => {
  const r = prng(1);
  for (const { payload, context } of seedPayloads()) {
    for (let i = 0; i < 300; i++) {
      const m = payload.slice();
      const flips = 1 + r.int(4);
      for (let j = 0; j < flips; j++) m[r.int(m.length)] = r.int(3) === 0 ? 0xff : r.int(256);
      for (const ctx of contexts) onlyWireError(() => decodeMessage(m, ctx), () => hex(m));
      // Whatever decodes, encodes again (maybe not to the same bytes: booleans, free tails).
      let decoded;
      try {
        decoded = decodeMessage(m, context);
      } catch {
        continue;
      }
      const again = decodeMessage(encodeMessage(decoded), context);
      assert.deepEqual(again, decoded, hex(m));
    }
  }
});

test("random bytes never throw anything but WireError from decodeMessage", () => {
  const r = prng(2);
  for (let i = 0; i < 3000; i++) {
    const b = r.bytes(r.int(64));
    // Bias the first byte towards numbers the codec knows.
    if (b.length > 0 && r.int(2) === 0) {
      b[0] = [1, 2, 5, 7, 20, 30, 31, 32, 33, 34, 50, 60, 61, 80, 90, 98][r.int(16)];
    }
    for (const ctx of contexts) onlyWireError(() => decodeMessage(b, ctx), () => hex(b));
  }
});

test("random bytes through SshReader: only WireError", () => {
  const r = prng(3);
  const reads: ((x: SshReader) => unknown)[] = [
    (x) => x.byte(),
    (x) => x.boolean(),
    (x) => x.uint32(),
    (x) => x.uint64(),
    (x) => x.string(),
    (x) => x.utf8(),
    (x) => x.ascii(),
    (x) => x.mpint(),
    (x) => x.nameList(),
    (x) => x.raw(r.int(8)),
    (x) => x.end(),
    (x) => x.rest(),
  ];
  for (let i = 0; i < 3000; i++) {
    const b = r.bytes(r.int(40));
    // Small lengths so that strings often fit.
    if (b.length >= 4 && r.int(2) === 0) b[0] = b[1] = b[2] = 0;
    const reader = new SshReader(b);
    onlyWireError(() => {
      for (let k = 0; k < 6; k++) reads[r.int(reads.length)](reader);
    }, () => hex(b));
  }
});

test("name-lists, mpints and terminal modes from random bytes: only WireError", () => {
  const r = prng(4);
  const alphabet = [0x61, 0x62, 0x2c, 0x2c, 0x40, 0x2d, 0x20, 0x7f, 0x00, 0xc3, 0xa9];
  for (let i = 0; i < 3000; i++) {
    const s = new Uint8Array(r.int(12)).map(() => alphabet[r.int(alphabet.length)]);
    const wire = new SshWriter().string(s).finish();
    onlyWireError(() => {
      const names = new SshReader(wire).nameList();
      for (const n of names) assert.ok(n.length > 0 && !n.includes(","));
    }, () => hex(s));
    const m = r.bytes(r.int(12));
    onlyWireError(() => {
      const v = new SshReader(new SshWriter().string(m).finish()).mpint();
      // A value that decodes is minimal: it encodes back to the same bytes.
      assert.deepEqual(new SshWriter().mpint(v).finish(), new SshWriter().string(m).finish());
    }, () => hex(m));
    const modes = r.bytes(r.int(30));
    onlyWireError(() => decodeTerminalModes(modes), () => hex(modes));
  }
});

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

/** Feeds `chunks` to a fresh PacketReader; returns the packets or the error. */
async function readPackets(chunks: Uint8Array[]): Promise<{ packets: Packet[]; error?: unknown }> {
  const reader = new PacketReader();
  const packets: Packet[] = [];
  const writing = (async () => {
    const w = reader.writable.getWriter();
    for (const c of chunks) await w.write(c);
    await w.close();
  })();
  let error: unknown;
  try {
    for await (const p of reader.readable) {
      packets.push(p);
      // Keep going past a NEWKEYS that random bytes may produce.
      if (p.payload[0] === 21) reader.nextOpener(new NoneOpener());
    }
  } catch (e) {
    error = e;
  }
  try {
    await writing;
  } catch (e) {
    error ??= e;
  }
  return { packets, error };
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

test("lengths of 2^32-1 fail at once, before any allocation", async () => {
  const ten = new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6]);
  for (const read of ["string", "utf8", "ascii", "mpint", "nameList"] as const) {
    assert.throws(() => new SshReader(ten)[read](), WireError, read);
  }
  const huge = (n: number, ...fields: number[]) =>
    new Uint8Array([n, ...fields, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
  assert.throws(() => decodeMessage(huge(2)), WireError); // IGNORE data
  assert.throws(() => decodeMessage(huge(7)), /Too many extensions/); // EXT_INFO count
  assert.throws(() => decodeMessage(huge(94, 0, 0, 0, 0)), WireError); // CHANNEL_DATA
  assert.throws(() => decodeMessage(huge(61), { auth: "keyboard-interactive" }), /Too many/);
  assert.throws(() => decodeMessage(huge(30), { kex: "dh" }), WireError); // mpint e
  // A packet_length of 2^32-1 is refused from its 4 header bytes alone.
  const reader = new PacketReader();
  const w = reader.writable.getWriter();
  const wrote = w.write(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
  await assert.rejects(wrote, (e) => e instanceof WireError && /exceeds the limit/.test(e.message));
  await assert.rejects(reader.readable.getReader().read(), WireError);
});

/** Time in ms of `reps` sequential calls of `f`. */
async function time(f: () => unknown, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let k = 0; k < reps; k++) {
    const result = f();
    if (result instanceof Promise) await result;
  }
  return performance.now() - t0;
}

/**
 * Checks that 8x the input costs at most 20x the time (linear is about 8x, quadratic 64x).
 * Not a benchmark: the 1x input runs 8 times as often as the 8x input, so both measurements
 * take about as long and see the same load from other processes; each is the fastest of several
 * interleaved tries, and a failing comparison is measured again (twice) before it counts, so
 * only a cost that really grows faster than the input fails.
 */
async function assertLinear(
  name: string,
  make: (scale: number) => () => unknown,
  attempts = 3,
): Promise<void> {
  const one = make(1), eight = make(8);
  await time(one, 8);
  await time(eight, 1);
  let reps = 1;
  while (await time(one, 8 * reps) < 10 && reps < 4096) reps *= 2;
  for (let attempt = 1;; attempt++) {
    let t1 = Infinity, t8 = Infinity;
    for (let i = 0; i < 5; i++) {
      t1 = Math.min(t1, await time(one, 8 * reps));
      t8 = Math.min(t8, await time(eight, reps));
    }
    // Time of one run on the 8x input over one run on the 1x input.
    const ratio = (t8 / reps) / (t1 / (8 * reps));
    if (ratio <= 20) return;
    if (attempt >= attempts) {
      assert.fail(`${name}: 8x the input took ${ratio.toFixed(1)}x the time (limit 20x)`);
    }
  }
}

test("the linear-time check catches a quadratic decoder", async () => {
  await assert.rejects(
    assertLinear("quadratic", (scale) => {
      const b = new Uint8Array(300 * scale).fill(1);
      return () => {
        let sum = 0;
        for (let i = 0; i < b.length; i++) for (let j = 0; j < b.length; j++) sum += b[j];
        return sum;
      };
    }, 1),
    /quadratic: 8x the input took/,
  );
});

test("decoding takes linear time: name-lists, mpints, strings, chunked packets", async () => {
  await assertLinear("KEXINIT name-lists", (scale) => {
    const names = Array.from({ length: 150 * scale }, (_, i) => `alg-${i}@example.com`).join(",");
    const w = new SshWriter().byte(20).raw(new Uint8Array(16)).string(names);
    for (let i = 0; i < 9; i++) w.string("a");
    const p = w.byte(0).uint32(0).finish();
    return () => decodeMessage(p);
  });
  await assertLinear("mpint", (scale) => {
    const b = new Uint8Array(3000 * scale).fill(0x5a);
    const p = new SshWriter().string(b).finish();
    return () => new SshReader(p).mpint();
  });
  await assertLinear("bad UTF-8 at the end of a long string", (scale) => {
    const b = new Uint8Array(3000 * scale).fill(0x61);
    b[b.length - 1] = 0xff;
    const p = new SshWriter().byte(1).uint32(0).string(b).string("").finish();
    return () => {
      try {
        decodeMessage(p);
      } catch { /* expected */ }
    };
  });
  await assertLinear("terminal modes", (scale) => {
    const b = new Uint8Array(5 * 30 * scale).fill(1);
    return () => decodeTerminalModes(b);
  });
  await assertLinear("a packet in 1-byte chunks", (scale) => {
    const sealed = new NoneSealer((n) => new Uint8Array(n)).seal(
      new Uint8Array(2048 * scale).fill(2),
    );
    const chunks = Array.from({ length: sealed.length }, (_, i) => sealed.subarray(i, i + 1));
    return async () => {
      const { error } = await readPackets(chunks);
      assert.equal(error, undefined);
    };
  });
});

/** A random valid message of every shape the codec has, with the context it decodes under. */
function randomMessage(r: Prng): { message: Message; context: DecodeContext } {
  const u32 = () => [0, 1, 0x7fffffff, 0xffffffff][r.int(4)] ?? r.int(2 ** 32);
  const anyU32 = () => (r.int(3) === 0 ? u32() : r.int(2 ** 32));
  const ascii = (min = 0) => {
    let s = "";
    for (let i = 0, n = min + r.int(12); i < n; i++) s += String.fromCharCode(0x21 + r.int(94));
    return s;
  };
  const name = () => ascii(1).replaceAll(",", "_");
  const text = () => ["", "hé", "日本", "\u{1f600}", "a\r\nb", "\0"][r.int(6)] + ascii();
  const data = () => r.bytes(r.int(20));
  const big = () => {
    let v = 0n;
    for (let i = 0, n = r.int(40); i < n; i++) v = (v << 8n) | BigInt(r.int(256));
    return r.int(4) === 0 ? -v : v;
  };
  const names = () => Array.from({ length: r.int(4) }, name);
  const other = (known: string[]) => {
    let n = name();
    while (known.includes(n)) n += "x";
    return n;
  };
  const none: DecodeContext = {};
  const forms: (() => { message: Message; context: DecodeContext })[] = [
    () => ({
      message: { type: "disconnect", reason: anyU32(), description: text(), language: ascii() },
      context: none,
    }),
    () => ({ message: { type: "ignore", data: data() }, context: none }),
    () => ({ message: { type: "unimplemented", sequence: anyU32() }, context: none }),
    () => ({
      message: { type: "debug", alwaysDisplay: r.int(2) === 0, message: text(), language: ascii() },
      context: none,
    }),
    () => ({ message: { type: "serviceRequest", service: ascii() }, context: none }),
    () => ({ message: { type: "serviceAccept", service: ascii() }, context: none }),
    () => ({
      message: {
        type: "extInfo",
        extensions: Array.from({ length: r.int(5) }, () => ({ name: ascii(), value: data() })),
      },
      context: none,
    }),
    () => ({
      message: {
        type: "kexInit",
        cookie: r.bytes(16),
        kexAlgorithms: names(),
        serverHostKeyAlgorithms: names(),
        encryptionClientToServer: names(),
        encryptionServerToClient: names(),
        macClientToServer: names(),
        macServerToClient: names(),
        compressionClientToServer: names(),
        compressionServerToClient: names(),
        languagesClientToServer: names(),
        languagesServerToClient: names(),
        firstKexPacketFollows: r.int(2) === 0,
        reserved: anyU32(),
      },
      context: none,
    }),
    () => ({ message: { type: "newKeys" }, context: none }),
    () => ({ message: { type: "kexEcdhInit", publicKey: data() }, context: { kex: "ecdh" } }),
    () => ({
      message: { type: "kexEcdhReply", hostKey: data(), publicKey: data(), signature: data() },
      context: { kex: "ecdh" },
    }),
    () => ({ message: { type: "kexDhInit", e: big() }, context: { kex: "dh" } }),
    () => ({
      message: { type: "kexDhReply", hostKey: data(), f: big(), signature: data() },
      context: { kex: "dh" },
    }),
    () => ({ message: { type: "kexDhGexRequestOld", n: anyU32() }, context: { kex: "gex" } }),
    () => ({
      message: { type: "kexDhGexRequest", min: anyU32(), n: anyU32(), max: anyU32() },
      context: { kex: "gex" },
    }),
    () => ({ message: { type: "kexDhGexGroup", p: big(), g: big() }, context: { kex: "gex" } }),
    () => ({ message: { type: "kexDhGexInit", e: big() }, context: { kex: "gex" } }),
    () => ({
      message: { type: "kexDhGexReply", hostKey: data(), f: big(), signature: data() },
      context: { kex: "gex" },
    }),
    () => {
      const head = { type: "userauthRequest", user: text(), service: ascii() } as const;
      const methods: Message[] = [
        { ...head, method: "none" },
        { ...head, method: "publickey", algorithm: ascii(), publicKey: data() },
        { ...head, method: "publickey", algorithm: ascii(), publicKey: data(), signature: data() },
        { ...head, method: "password", password: text() },
        { ...head, method: "password", password: text(), newPassword: text() },
        { ...head, method: "keyboard-interactive", language: ascii(), submethods: text() },
        {
          ...head,
          method: "other",
          name: other(["none", "publickey", "password", "keyboard-interactive"]),
          data: data(),
        },
      ];
      return { message: methods[r.int(methods.length)], context: none };
    },
    () => ({
      message: { type: "userauthFailure", methods: names(), partialSuccess: r.int(2) === 0 },
      context: none,
    }),
    () => ({ message: { type: "userauthSuccess" }, context: none }),
    () => ({
      message: { type: "userauthBanner", message: text(), language: ascii() },
      context: none,
    }),
    () => ({
      message: { type: "userauthPkOk", algorithm: ascii(), publicKey: data() },
      context: { auth: "publickey" },
    }),
    () => ({
      message: { type: "userauthPasswdChangereq", prompt: text(), language: text() },
      context: { auth: "password" },
    }),
    () => ({
      message: {
        type: "userauthInfoRequest",
        name: text(),
        instruction: text(),
        language: text(),
        prompts: Array.from({ length: r.int(4) }, () => ({ prompt: text(), echo: r.int(2) === 0 })),
      },
      context: { auth: "keyboard-interactive" },
    }),
    () => ({
      message: { type: "userauthInfoResponse", responses: Array.from({ length: r.int(4) }, text) },
      context: { auth: "keyboard-interactive" },
    }),
    () => {
      const bodies: GlobalRequestBody[] = [
        { request: "tcpip-forward", address: text(), port: anyU32() },
        { request: "cancel-tcpip-forward", address: text(), port: anyU32() },
        { request: "other", name: other(["tcpip-forward", "cancel-tcpip-forward"]), data: data() },
      ];
      return {
        message: { type: "globalRequest", wantReply: r.int(2) === 0, ...bodies[r.int(3)] },
        context: none,
      };
    },
    () => ({ message: { type: "requestSuccess", data: data() }, context: none }),
    () => ({ message: { type: "requestFailure" }, context: none }),
    () => {
      const bodies: ChannelOpenBody[] = [
        { channelType: "session" },
        {
          channelType: "direct-tcpip",
          host: text(),
          port: anyU32(),
          originatorAddress: text(),
          originatorPort: anyU32(),
        },
        {
          channelType: "forwarded-tcpip",
          address: text(),
          port: anyU32(),
          originatorAddress: text(),
          originatorPort: anyU32(),
        },
        {
          channelType: "other",
          name: other(["session", "direct-tcpip", "forwarded-tcpip"]),
          data: data(),
        },
      ];
      return {
        message: {
          type: "channelOpen",
          sender: anyU32(),
          initialWindow: anyU32(),
          maxPacket: anyU32(),
          ...bodies[r.int(4)],
        },
        context: none,
      };
    },
    () => ({
      message: {
        type: "channelOpenConfirmation",
        recipient: anyU32(),
        sender: anyU32(),
        initialWindow: anyU32(),
        maxPacket: anyU32(),
        data: data(),
      },
      context: none,
    }),
    () => ({
      message: {
        type: "channelOpenFailure",
        recipient: anyU32(),
        reason: anyU32(),
        description: text(),
        language: ascii(),
      },
      context: none,
    }),
    () => ({
      message: { type: "channelWindowAdjust", recipient: anyU32(), bytes: anyU32() },
      context: none,
    }),
    () => ({ message: { type: "channelData", recipient: anyU32(), data: data() }, context: none }),
    () => ({
      message: {
        type: "channelExtendedData",
        recipient: anyU32(),
        dataType: anyU32(),
        data: data(),
      },
      context: none,
    }),
    () => ({ message: { type: "channelEof", recipient: anyU32() }, context: none }),
    () => ({ message: { type: "channelClose", recipient: anyU32() }, context: none }),
    () => {
      const known = [
        "pty-req",
        "x11-req",
        "env",
        "shell",
        "exec",
        "subsystem",
        "window-change",
        "xon-xoff",
        "signal",
        "exit-status",
        "exit-signal",
        "break",
        "eow@openssh.com",
      ];
      const modes = Array.from({ length: r.int(6) }, () => ({
        opcode: 1 + r.int(159),
        value: anyU32(),
      }));
      const bodies: ChannelRequestBody[] = [
        {
          request: "pty-req",
          term: text(),
          cols: anyU32(),
          rows: anyU32(),
          widthPx: anyU32(),
          heightPx: anyU32(),
          modes,
        },
        {
          request: "x11-req",
          singleConnection: r.int(2) === 0,
          authProtocol: text(),
          authCookie: text(),
          screen: anyU32(),
        },
        { request: "env", name: text(), value: text() },
        { request: "shell" },
        { request: "exec", command: text() },
        { request: "subsystem", name: text() },
        {
          request: "window-change",
          cols: anyU32(),
          rows: anyU32(),
          widthPx: anyU32(),
          heightPx: anyU32(),
        },
        { request: "xon-xoff", clientCanDo: r.int(2) === 0 },
        { request: "signal", signal: text() },
        { request: "exit-status", status: anyU32() },
        {
          request: "exit-signal",
          signal: text(),
          coreDumped: r.int(2) === 0,
          message: text(),
          language: text(),
        },
        { request: "break", length: anyU32() },
        { request: "eow@openssh.com" },
        { request: "other", name: other(known), data: data() },
      ];
      return {
        message: {
          type: "channelRequest",
          recipient: anyU32(),
          wantReply: r.int(2) === 0,
          ...bodies[r.int(bodies.length)],
        },
        context: none,
      };
    },
    () => ({ message: { type: "channelSuccess", recipient: anyU32() }, context: none }),
    () => ({ message: { type: "channelFailure", recipient: anyU32() }, context: none }),
    () => ({ message: { type: "ping", data: data() }, context: none }),
    () => ({ message: { type: "pong", data: data() }, context: none }),
    () => {
      const known = new Set([1, 2, 3, 4, 5, 6, 7, 20, 21, 50, 51, 52, 53, 80, 81, 82, 192, 193]);
      for (let n = 90; n <= 100; n++) known.add(n);
      let n = r.int(256);
      while (known.has(n)) n = (n + 1) % 256;
      const payload = r.bytes(1 + r.int(10));
      payload[0] = n;
      return { message: { type: "unknown", number: n, payload }, context: none };
    },
  ];
  return forms[r.int(forms.length)]();
}

test("random valid messages round-trip: decode(encode(m)) = m and encode(decode(b)) = b", () => {
  const r = prng(8);
  for (let i = 0; i < 4000; i++) {
    const { message, context } = randomMessage(r);
    const encoded = encodeMessage(message);
    const decoded = decodeMessage(encoded, context);
    assert.deepEqual(
      decoded,
      message,
      JSON.stringify(message, (_, v) => typeof v === "bigint" ? `${v}n` : v),
    );
    assert.deepEqual(encodeMessage(decoded), encoded);
  }
});
