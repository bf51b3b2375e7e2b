import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type Backend,
  backendAvailable,
  BACKENDS,
  CipherError,
  CIPHERS,
  createOpener,
  createSealer,
  DisconnectReason,
  keyLengths,
  MACS,
  type PacketOpener,
} from "./mod.ts";
import { ALL_BACKENDS, ALL_PROVIDERS } from "./testdata/providers.ts";
import { SshError } from "@hush/wire";

/** Every cipher × MAC combination the registry supports. */
const SUITES: [string, string | undefined][] = Object.values(CIPHERS).flatMap((
  c,
): [string, string | undefined][] =>
  c.aead ? [[c.name, undefined]] : Object.keys(MACS).map((m): [string, string] => [c.name, m])
);

function name(cipher: string, mac?: string): string {
  return mac ? `${cipher} + ${mac}` : cipher;
}

/** Every backend that can run the suite here, and "auto" (WebCrypto with small packets
 * through node:crypto on Deno). */
function backendsFor(cipher: string, mac?: string): (Backend | "auto")[] {
  return [...BACKENDS.filter((b) => backendAvailable(b, cipher, mac, ALL_PROVIDERS)), "auto"];
}

function randomKeys(cipher: string, mac?: string) {
  const l = keyLengths(cipher, mac);
  const r = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  return { iv: r(l.ivLength), key: r(l.keyLength), macKey: r(l.macKeyLength) };
}

/** Deterministic padding so that every backend must produce the same bytes. */
function fixedPadding(seed: number) {
  let x = seed;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = x = (x * 1103515245 + 12345) & 0xff;
    return out;
  };
}

function randomLength(): number {
  const r = Math.random();
  if (r < 0.4) return 1 + Math.floor(Math.random() * 64);
  if (r < 0.8) return 1 + Math.floor(Math.random() * 4096);
  return 1 + Math.floor(Math.random() * 40000);
}

function randomPayload(n: number): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(p.subarray(i, Math.min(n, i + 65536)));
  return p;
}

/** A sealer on `backend` whose padding comes from {@linkcode fixedPadding}(seed). */
function paddedSealer(
  cipher: string,
  mac: string | undefined,
  keys: ReturnType<typeof randomKeys>,
  backend: Backend | "auto",
  seed: number,
) {
  return createSealer(cipher, mac, keys, {
    backend,
    backends: ALL_BACKENDS,
    random: fixedPadding(seed),
  });
}

/** The packets noble seals the payloads into, one by one, with padding from `seed`. */
async function sealedByNoble(
  cipher: string,
  mac: string | undefined,
  keys: ReturnType<typeof randomKeys>,
  payloads: Uint8Array[],
  seed: number,
): Promise<Uint8Array[]> {
  const noble = paddedSealer(cipher, mac, keys, "noble", seed);
  const out: Uint8Array[] = [];
  for (const p of payloads) out.push(await noble.seal(p));
  return out;
}

/** `bytes` as a Node Buffer (a Uint8Array subclass) where the runtime has one. */
function asBuffer(bytes: Uint8Array): Uint8Array {
  const B = (globalThis as { Buffer?: { from(b: ArrayBuffer): Uint8Array } }).Buffer;
  return B ? B.from(bytes.buffer as ArrayBuffer) : bytes;
}

async function openWhole(opener: PacketOpener, packet: Uint8Array): Promise<Uint8Array> {
  const size = opener.packetLength(packet.subarray(0, opener.headerLength));
  assert.equal(size, packet.length);
  return await opener.open(packet);
}

for (const [cipher, mac] of SUITES) {
  test(`${name(cipher, mac)}: every backend seals the same bytes and opens every other's`, async () => {
    const keys = randomKeys(cipher, mac);
    const lengths = Array.from({ length: 24 }, randomLength);
    lengths.push(1, 16, 32768);
    const payloads = lengths.map(randomPayload);
    const backends = backendsFor(cipher, mac);
    assert.ok(backends.includes("noble"));
    const sealed = new Map<Backend | "auto", Uint8Array[]>();
    for (const b of backends) {
      const sealer = createSealer(cipher, mac, keys, {
        backend: b,
        backends: ALL_BACKENDS,
        random: fixedPadding(7),
      });
      const out: Uint8Array[] = [];
      for (const p of payloads) out.push(await sealer.seal(p));
      assert.equal(sealer.sequence, payloads.length);
      sealed.set(b, out);
    }
    const reference = sealed.get("noble")!;
    for (const b of backends) {
      assert.deepEqual(sealed.get(b), reference, `${b} differs from noble`);
    }
    for (const b of backends) {
      const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
      for (let i = 0; i < payloads.length; i++) {
        assert.deepEqual(await openWhole(opener, reference[i]), payloads[i], `${b} packet ${i}`);
      }
      assert.equal(opener.sequence, payloads.length);
    }
  });

  test(`${name(cipher, mac)}: sealInto, where a backend has it, writes seal's bytes in a used buffer`, async () => {
    const keys = randomKeys(cipher, mac);
    const payloads = [1, 15, 16, 100, 4096, 32768].map(randomPayload);
    const expected = await sealedByNoble(cipher, mac, keys, payloads, 5);
    for (const b of backendsFor(cipher, mac)) {
      const sealer = paddedSealer(cipher, mac, keys, b, 5);
      if (!sealer.sealInto || !sealer.sealedLength) continue;
      // Old bytes in the buffer (a batch written before) must not leak into the packets.
      const batch = new Uint8Array(64 * 1024).fill(0xa5);
      let at = 3;
      for (let i = 0; i < payloads.length; i++) {
        assert.equal(sealer.sealedLength(payloads[i].length), expected[i].length, b);
        if (at + expected[i].length > batch.length) at = 0;
        assert.equal(sealer.sealInto(payloads[i], batch, at), expected[i].length, b);
        assert.deepEqual(batch.subarray(at, at + expected[i].length), expected[i], `${b} ${i}`);
        at += expected[i].length;
      }
    }
  });

  test(`${name(cipher, mac)}: sealIntoLater, where a backend has it, puts seal's bytes in place`, async () => {
    const keys = randomKeys(cipher, mac);
    // small (a synchronous primitive on "auto") and large ones, all in flight together
    const payloads = [1, 15, 16, 100, 4096, 32768, 20000].map(randomPayload);
    const expected = await sealedByNoble(cipher, mac, keys, payloads, 5);
    for (const b of backendsFor(cipher, mac)) {
      const sealer = paddedSealer(cipher, mac, keys, b, 5);
      if (!sealer.sealIntoLater || !sealer.sealedLength) continue;
      const batch = new Uint8Array(128 * 1024).fill(0xa5);
      const spots: number[] = [];
      const later: Promise<void>[] = [];
      let at = 3;
      for (let i = 0; i < payloads.length; i++) {
        assert.equal(sealer.sealedLength(payloads[i].length), expected[i].length, b);
        const payload = new Uint8Array(payloads[i]);
        const pending = sealer.sealIntoLater(payload, batch, at);
        payload.fill(0); // done with it once the call returns
        if (pending) later.push(pending);
        spots.push(at);
        at += expected[i].length;
      }
      await Promise.all(later);
      for (let i = 0; i < payloads.length; i++) {
        const got = batch.subarray(spots[i], spots[i] + expected[i].length);
        assert.deepEqual(got, expected[i], `${b} ${i}`);
      }
      assert.equal(batch[2], 0xa5, "nothing before the first packet touched");
      assert.equal(batch[at], 0xa5, "nothing after the last one");
    }
  });

  test(`${name(cipher, mac)}: sequence numbers wrap at 2^32 and keep in step`, async () => {
    const keys = randomKeys(cipher, mac);
    for (const b of backendsFor(cipher, mac)) {
      const sealer = createSealer(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
      const opener = createOpener(cipher, mac, keys, { backend: "noble", backends: ALL_BACKENDS });
      sealer.sequence = opener.sequence = 0xfffffffe;
      for (let i = 0; i < 4; i++) {
        const p = randomPayload(1 + i * 100);
        assert.deepEqual(await openWhole(opener, await sealer.seal(p)), p);
      }
      assert.equal(sealer.sequence, 2);
      assert.equal(opener.sequence, 2);
    }
  });

  test(`${name(cipher, mac)}: many packets in flight come out as sealed one by one`, async () => {
    const keys = randomKeys(cipher, mac);
    const payloads = Array.from({ length: 40 }, () => randomPayload(randomLength()));
    const expected = await sealedByNoble(cipher, mac, keys, payloads, 3);
    for (const b of backendsFor(cipher, mac)) {
      const sealer = paddedSealer(cipher, mac, keys, b, 3);
      const all = await Promise.all(payloads.map((p) => sealer.seal(p)));
      assert.deepEqual(all, expected, b);
      const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
      const opened = await Promise.all(expected.map((pk) => opener.open(pk)));
      assert.deepEqual(opened, payloads, b);
    }
  });

  test(`${name(cipher, mac)}: keys are copied (the caller may zero its own)`, async () => {
    const keys = randomKeys(cipher, mac);
    const copy = { iv: keys.iv.slice(), key: keys.key.slice(), macKey: keys.macKey.slice() };
    for (const b of backendsFor(cipher, mac)) {
      const k = { iv: copy.iv.slice(), key: copy.key.slice(), macKey: copy.macKey.slice() };
      const sealer = createSealer(cipher, mac, k, { backend: b, backends: ALL_BACKENDS });
      const opener = createOpener(cipher, mac, k, { backend: b, backends: ALL_BACKENDS });
      k.iv.fill(0);
      k.key.fill(0);
      k.macKey.fill(0);
      const p = randomPayload(300);
      const packet = await sealer.seal(p);
      assert.deepEqual(await openWhole(createOpener(cipher, mac, copy), packet), p);
      assert.deepEqual(await openWhole(opener, packet), p);
    }
  });

  test(`${name(cipher, mac)}: openInPlace, where a backend has it, opens what open does, over the packet`, async () => {
    const keys = randomKeys(cipher, mac);
    const payloads = [1, 15, 16, 100, 4096, 32768, 20000].map(randomPayload);
    const sealed = await sealedByNoble(cipher, mac, keys, payloads, 9);
    const tried: (Backend | "auto")[] = [];
    for (const b of backendsFor(cipher, mac)) {
      const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
      const openInPlace = opener.openInPlace?.bind(opener);
      if (!openInPlace) continue;
      tried.push(b);
      // One chunk as a socket hands it over (a Node Buffer where there is one), the packets at
      // odd offsets in it.
      const size = sealed.reduce((n, p) => n + p.length, 3);
      const chunk = asBuffer(new Uint8Array(size).fill(0xa5));
      const spots: number[] = [];
      let at = 3;
      for (const p of sealed) {
        chunk.set(p, at);
        spots.push(at);
        at += p.length;
      }
      for (let i = 0; i < sealed.length; i++) {
        const packet = chunk.subarray(spots[i], spots[i] + sealed[i].length);
        assert.equal(opener.packetLength(packet.subarray(0, opener.headerLength)), packet.length);
        const payload: Uint8Array = openInPlace(packet);
        assert.deepEqual(payload, payloads[i], `${b} ${i}`);
        assert.equal(payload.buffer, chunk.buffer, `${b} ${i}: a view of the chunk`);
        assert.ok(payload.byteOffset > packet.byteOffset, `${b} ${i}: inside its packet`);
        assert.ok(payload.byteOffset + payload.length < packet.byteOffset + packet.length);
        assert.equal(Object.getPrototypeOf(payload), Uint8Array.prototype, `${b} ${i}`);
      }
      assert.equal(opener.sequence, sealed.length);
      assert.deepEqual([...chunk.subarray(0, 3)], [0xa5, 0xa5, 0xa5], "nothing before touched");
    }
    if (cipher === "chacha20-poly1305@openssh.com") {
      for (const b of ["noble", "wasm"] as const) {
        if (backendsFor(cipher).includes(b)) assert.ok(tried.includes(b), `${b} opens in place`);
      }
    }
  });

  test(`${name(cipher, mac)}: any single bit flipped is a CipherError and no plaintext`, async () => {
    const keys = randomKeys(cipher, mac);
    const payload = randomPayload(13);
    for (const b of backendsFor(cipher, mac)) {
      const sealer = createSealer(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
      sealer.sequence = 5;
      const packet = await sealer.seal(payload);
      for (let bit = 0; bit < packet.length * 8; bit++) {
        const bad = packet.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
        opener.sequence = 5;
        const where = `${b} bit ${bit} of ${packet.length * 8}`;
        let size: number;
        try {
          size = opener.packetLength(bad.subarray(0, opener.headerLength));
        } catch (e) {
          assert.ok(e instanceof CipherError, where);
          assert.ok(e instanceof SshError, where);
          assert.equal(e.code, "ERR_SSH_CIPHER", where);
          assert.equal(e.reason, DisconnectReason.PROTOCOL_ERROR, where);
          assert.ok(
            bit < opener.headerLength * 8,
            `${where}: only the length can be refused early`,
          );
          continue;
        }
        // A changed length makes the reader wait for other bytes: open what it would hand over.
        const bytes = size <= bad.length ? bad.subarray(0, size) : bad;
        if (opener.openInPlace) {
          const inPlace = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
          inPlace.sequence = 5;
          inPlace.packetLength(bad.subarray(0, inPlace.headerLength));
          const given = bytes.slice();
          assert.throws(() => inPlace.openInPlace!(given), (e) => {
            assert.ok(e instanceof CipherError, `${where} in place`);
            return true;
          });
          assert.deepEqual(given, bytes, `${where}: refused in place, the packet is untouched`);
        }
        await assert.rejects(async () => await opener.open(bytes), (e) => {
          assert.ok(e instanceof CipherError, where);
          assert.ok(e instanceof SshError, where);
          assert.equal(e.code, "ERR_SSH_CIPHER", where);
          assert.equal(
            e.reason,
            size <= bad.length ? DisconnectReason.MAC_ERROR : DisconnectReason.PROTOCOL_ERROR,
            where,
          );
          return true;
        });
      }
      // The untouched packet still opens.
      const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
      opener.sequence = 5;
      assert.deepEqual(await openWhole(opener, packet), payload);
    }
  });

  test(`${name(cipher, mac)}: bit flips in a 30 KB packet (the bulk paths) are CipherErrors`, async () => {
    const keys = randomKeys(cipher, mac);
    const payload = randomPayload(30000);
    for (const b of backendsFor(cipher, mac)) {
      const packet = await createSealer(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS })
        .seal(payload);
      const bits = [0, 7, 31, 40, 200, packet.length * 4, packet.length * 8 - 1];
      for (let i = 0; i < 8; i++) bits.push(Math.floor(Math.random() * packet.length * 8));
      for (const bit of bits) {
        const bad = packet.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
        let size: number;
        try {
          size = opener.packetLength(bad.subarray(0, opener.headerLength));
        } catch (e) {
          assert.ok(e instanceof CipherError && e.reason === DisconnectReason.PROTOCOL_ERROR);
          continue;
        }
        const bytes = size <= bad.length ? bad.subarray(0, size) : bad;
        await assert.rejects(
          async () => await opener.open(bytes),
          (e) =>
            e instanceof CipherError &&
            e.reason ===
              (size <= bad.length ? DisconnectReason.MAC_ERROR : DisconnectReason.PROTOCOL_ERROR),
          `${b} bit ${bit}`,
        );
      }
    }
  });

  test(`${name(cipher, mac)}: a packet out of order or under another key does not open`, async () => {
    const keys = randomKeys(cipher, mac);
    const other = randomKeys(cipher, mac);
    other.iv = keys.iv; // a wrong key, not only a wrong IV
    for (const b of backendsFor(cipher, mac)) {
      const sealer = createSealer(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
      await sealer.seal(randomPayload(50));
      const second = await sealer.seal(randomPayload(50));
      for (
        const opener of [
          createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS }), // expects packet 0: replay/reorder
          createOpener(cipher, mac, other, { backend: b, backends: ALL_BACKENDS }),
        ]
      ) {
        let size: number;
        try {
          size = opener.packetLength(second.subarray(0, opener.headerLength));
        } catch (e) {
          // an encrypted length decrypts to garbage under the wrong nonce or key
          assert.ok(e instanceof CipherError && e.reason === DisconnectReason.PROTOCOL_ERROR);
          continue;
        }
        await assert.rejects(
          async () => await opener.open(second.subarray(0, Math.min(size, second.length))),
          (e) =>
            e instanceof CipherError &&
            e.reason === (size <= second.length
                ? DisconnectReason.MAC_ERROR
                : DisconnectReason.PROTOCOL_ERROR),
          b,
        );
      }
    }
  });

  test(`${name(cipher, mac)}: truncated packets are CipherErrors`, async () => {
    const keys = randomKeys(cipher, mac);
    for (const b of backendsFor(cipher, mac)) {
      const packet = await createSealer(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS })
        .seal(randomPayload(100));
      for (const cut of [1, 15, 16, 17, packet.length - 5, packet.length - 4]) {
        const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
        await assert.rejects(
          async () => await opener.open(packet.subarray(0, packet.length - cut)),
          (e) => e instanceof CipherError && e.reason === DisconnectReason.PROTOCOL_ERROR,
          `${b} cut ${cut}`,
        );
      }
      // Too short to hold even the header.
      const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
      await assert.rejects(
        async () => await opener.open(packet.subarray(0, 3)),
        (e) => e instanceof CipherError,
      );
    }
  });

  test(`${name(cipher, mac)}: packet_length at the 256 KiB limit opens; one block past is refused`, async () => {
    const spec = CIPHERS[cipher];
    const clear = spec.aead || MACS[mac!].etm;
    const keys = randomKeys(cipher, mac);
    // The largest payload whose packet_length stays within the limit, and the next size up.
    const limit = 256 * 1024;
    const bs = spec.blockSize;
    const align = clear ? 0 : 4;
    const maxLength = limit - ((limit + align) % bs); // largest aligned packet_length <= limit
    const atLimit = maxLength - 1 - 4; // padding of 4 bytes keeps it aligned
    const sealer = createSealer(cipher, mac, keys, { backend: "noble", backends: ALL_BACKENDS });
    const ok = await sealer.seal(randomPayload(atLimit));
    const over = await sealer.seal(randomPayload(atLimit + bs));
    for (const b of backendsFor(cipher, mac)) {
      const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
      assert.equal(opener.packetLength(ok.subarray(0, opener.headerLength)), ok.length);
      assert.equal((await opener.open(ok)).length, atLimit);
      assert.throws(
        () => opener.packetLength(over.subarray(0, opener.headerLength)),
        (e) => e instanceof CipherError && e.reason === DisconnectReason.PROTOCOL_ERROR,
        b,
      );
    }
  });

  test(`${name(cipher, mac)}: a length not a multiple of the block size is refused before buffering`, async () => {
    const keys = randomKeys(cipher, mac);
    for (const b of backendsFor(cipher, mac)) {
      const packet = await createSealer(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS })
        .seal(randomPayload(40));
      for (const delta of [1, 2, 4]) {
        // Every suite's length is in the clear or under a stream cipher: XOR-ing the
        // ciphertext changes the plaintext length by the same bits.
        const bad = packet.slice();
        bad[3] ^= delta;
        const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
        assert.throws(
          () => opener.packetLength(bad.subarray(0, opener.headerLength)),
          (e) => e instanceof CipherError && e.reason === DisconnectReason.PROTOCOL_ERROR,
          `${b} delta ${delta}`,
        );
      }
      // A length of 2^32 - 1 is refused, not allocated.
      const huge = packet.slice();
      for (let i = 0; i < 4; i++) huge[i] ^= 0xff;
      const opener = createOpener(cipher, mac, keys, { backend: b, backends: ALL_BACKENDS });
      assert.throws(
        () => opener.packetLength(huge.subarray(0, opener.headerLength)),
        (e) => e instanceof CipherError && e.reason === DisconnectReason.PROTOCOL_ERROR,
      );
    }
  });
}

test("a backend that cannot run a suite is refused; wrong key sizes are RangeErrors", () => {
  const keys = randomKeys("aes128-gcm@openssh.com");
  assert.throws(
    () =>
      createSealer(
        "chacha20-poly1305@openssh.com",
        undefined,
        randomKeys("chacha20-poly1305@openssh.com"),
        {
          backend: "webcrypto",
        },
      ),
    TypeError,
  );
  assert.throws(
    () => createSealer("aes256-gcm@openssh.com", undefined, keys),
    RangeError,
  );
  assert.throws(
    () => createOpener("aes128-ctr", undefined, randomKeys("aes128-gcm@openssh.com")),
    TypeError,
  );
  assert.throws(
    () =>
      createOpener("aes128-ctr", "hmac-sha2-512", {
        ...randomKeys("aes128-ctr", "hmac-sha2-256"),
      }),
    RangeError,
  );
});

test("AES-CTR counters wrap at 2^128 the same on every backend", async () => {
  const ivs = [
    new Uint8Array(16), // WebCrypto's encrypt-then-MAC layout starts one block before: ff…ff
    new Uint8Array(16).fill(0xff),
    Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 0xf0 : 0xff)),
  ];
  for (
    const mac of ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512", "hmac-sha1-etm@openssh.com"]
  ) {
    for (const iv of ivs) {
      const keys = { ...randomKeys("aes128-ctr", mac), iv };
      const payloads = [randomPayload(300), randomPayload(5), randomPayload(70)];
      const expected: Uint8Array[] = [];
      const noble = createSealer("aes128-ctr", mac, keys, {
        backend: "noble",
        random: fixedPadding(1),
      });
      for (const p of payloads) expected.push(await noble.seal(p));
      for (const b of backendsFor("aes128-ctr", mac)) {
        const sealer = createSealer("aes128-ctr", mac, keys, {
          backend: b,
          backends: ALL_BACKENDS,
          random: fixedPadding(1),
        });
        const opener = createOpener("aes128-ctr", mac, keys, {
          backend: b,
          backends: ALL_BACKENDS,
        });
        for (let i = 0; i < payloads.length; i++) {
          assert.deepEqual(await sealer.seal(payloads[i]), expected[i], `${b} ${mac} packet ${i}`);
          assert.deepEqual(await openWhole(opener, expected[i]), payloads[i]);
        }
      }
    }
  }
});
