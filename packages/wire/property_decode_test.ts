// Property tests with a small seeded PRNG: truncated, mutated and random input to the decoders
// returns a value or throws a WireError, never another error; huge lengths fail at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type DecodeContext,
  decodeMessage,
  decodeTerminalModes,
  encodeMessage,
  PacketReader,
  SshReader,
  SshWriter,
  WireError,
} from "./mod.ts";
import { prng } from "./testdata/prng.ts";

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
