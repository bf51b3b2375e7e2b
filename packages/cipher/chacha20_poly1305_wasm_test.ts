import { test } from "node:test";
import assert from "node:assert/strict";
import * as nodeCrypto from "node:crypto";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { Poly1305 } from "@noble/ciphers/_poly1305.js";
import { createOpener, createSealer, loadChaChaPolyWasm } from "./mod.ts";

const wasm = await loadChaChaPolyWasm();
const CIPHER = "chacha20-poly1305@openssh.com";
const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16));

function random(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

test("wasm Poly1305: RFC 8439 §2.5.2, and noble's tag on random keys and lengths", () => {
  const key = hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
  const message = new TextEncoder().encode("Cryptographic Forum Research Group");
  assert.deepEqual(wasm.poly1305(key, message), hex("a8061dc1305136c6c22b8baf0c0127a9"));
  for (const n of [0, 1, 15, 16, 17, 63, 64, 65, 1000, 32768, 100_003]) {
    const k = random(32);
    const m = random(n);
    assert.deepEqual(wasm.poly1305(k, m), new Poly1305(k).update(m).digest(), `length ${n}`);
  }
  // Values near 2^130 - 5: an all-ones key part and message exercise the final reduction.
  const ones = new Uint8Array(32).fill(0xff);
  const m = new Uint8Array(48).fill(0xff);
  assert.deepEqual(wasm.poly1305(ones, m), new Poly1305(ones).update(m).digest());
});

test("wasm Poly1305: four-block steps agree with noble at every length and limb extreme", () => {
  // From 128 bytes on, the module takes four blocks per step (times r^4) and ends with the
  // scalar step: every length to 200, both sides of 64-byte multiples, the largest message the
  // I/O area takes; keys with r at its clamped maximum (all 0xff) or minimum, random keys;
  // messages of all 0xff (the largest limbs), zeros and random bytes.
  const rMax = new Uint8Array(32).fill(0xff);
  const rMin = new Uint8Array(32);
  rMin[0] = 1;
  rMin.fill(0xff, 16);
  const keys = [rMax, rMin, random(32)];
  const lengths = Array.from({ length: 201 }, (_, i) => i);
  for (const k of [4, 5, 8, 16, 17, 64, 65, 511, 512, 2048]) {
    for (const d of [-17, -16, -15, -1, 0, 1, 15, 16, 17]) lengths.push(64 * k + d);
  }
  lengths.push(32768, 256 * 1024, 256 * 1024 + 17, wasm.ioSize - 32);
  for (const n of lengths) {
    const messages = [new Uint8Array(n).fill(0xff), random(n)];
    if (n <= 1024) messages.push(new Uint8Array(n));
    for (const key of keys) {
      for (const m of messages) {
        assert.deepEqual(
          wasm.poly1305(key, m),
          new Poly1305(key).update(m).digest(),
          `length ${n}, key ${key[0]}, message ${m[0]}`,
        );
      }
    }
  }
});

/** DJB's ChaCha20 block for a 64-bit counter (hi, lo), written plainly as the reference. */
function referenceBlock(key: Uint8Array, nonce: Uint8Array, hi: number, lo: number): Uint8Array {
  const k = new DataView(key.buffer, key.byteOffset, 32);
  const n = new DataView(nonce.buffer, nonce.byteOffset, 8);
  const s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];
  for (let i = 0; i < 8; i++) s.push(k.getUint32(4 * i, true));
  s.push(lo, hi, n.getUint32(0, true), n.getUint32(4, true));
  const x = s.slice();
  const q = (a: number, b: number, c: number, d: number) => {
    const rot = (v: number, r: number) => ((v << r) | (v >>> (32 - r))) >>> 0;
    x[a] = (x[a] + x[b]) >>> 0, x[d] = rot(x[d] ^ x[a], 16);
    x[c] = (x[c] + x[d]) >>> 0, x[b] = rot(x[b] ^ x[c], 12);
    x[a] = (x[a] + x[b]) >>> 0, x[d] = rot(x[d] ^ x[a], 8);
    x[c] = (x[c] + x[d]) >>> 0, x[b] = rot(x[b] ^ x[c], 7);
  };
  for (let r = 0; r < 10; r++) {
    q(0, 4, 8, 12), q(1, 5, 9, 13), q(2, 6, 10, 14), q(3, 7, 11, 15);
    q(0, 5, 10, 15), q(1, 6, 11, 12), q(2, 7, 8, 13), q(3, 4, 9, 14);
  }
  const out = new Uint8Array(64);
  const v = new DataView(out.buffer);
  for (let i = 0; i < 16; i++) v.setUint32(4 * i, (x[i] + s[i]) >>> 0, true);
  return out;
}

test("wasm ChaCha20 (64-bit nonce and counter) equals noble's and OpenSSL's", () => {
  for (const n of [1, 63, 64, 65, 255, 256, 257, 1000, 4096, 65_537]) {
    const key = random(32);
    const nonce = random(8);
    const data = random(n);
    const ours = wasm.chacha20(key, nonce, 1, data);
    assert.deepEqual(ours, chacha20orig(key, nonce, data, undefined, 1), `length ${n}`);
    // OpenSSL's 16-byte IV is the 32-bit block counter, then the rest of the state (Bun's
    // node:crypto has no chacha20: there noble alone is the reference).
    if (!nodeCrypto.getCiphers().includes("chacha20")) continue;
    const iv = new Uint8Array(16);
    iv[0] = 1;
    iv.set(nonce, 8);
    const openssl = nodeCrypto.createCipheriv("chacha20", key, iv).update(data);
    assert.deepEqual(ours, new Uint8Array(openssl), `OpenSSL, length ${n}`);
  }
});

test("wasm ChaCha20 carries the block counter into its high word (4-block and 1-block paths)", () => {
  const key = random(32);
  const nonce = random(8);
  const data = new Uint8Array(64 * 9);
  const ours = wasm.chacha20(key, nonce, 0xffff_fffd, data);
  for (let b = 0; b < 9; b++) {
    const c = 0xffff_fffd + b;
    const expected = referenceBlock(key, nonce, Math.floor(c / 2 ** 32), c >>> 0);
    assert.deepEqual(ours.subarray(64 * b, 64 * b + 64), expected, `block ${b}`);
  }
});

test("wasm sealer and opener match the noble construction byte for byte", async () => {
  const backends = { providers: { wasm } };
  for (const length of [1, 7, 8, 100, 4096, 32768, 200_000]) {
    const keys = { iv: new Uint8Array(0), key: random(64), macKey: new Uint8Array(0) };
    const padding = (n: number) => new Uint8Array(n).fill(length & 0xff);
    const ours = createSealer(CIPHER, undefined, keys, { backends, random: padding });
    const noble = createSealer(CIPHER, undefined, keys, { backend: "noble", random: padding });
    ours.sequence = noble.sequence = 0xffff_fffe;
    const opener = createOpener(CIPHER, undefined, keys, { backends });
    opener.sequence = 0xffff_fffe;
    for (let i = 0; i < 3; i++) {
      const payload = random(length);
      const packet = ours.seal(payload) as Uint8Array;
      assert.deepEqual(packet, await noble.seal(payload));
      assert.equal(opener.packetLength(packet.subarray(0, 4)), packet.length);
      assert.deepEqual(opener.open(packet), payload);
    }
    assert.equal(opener.sequence, 1);
  }
});

test("wasm sealer: sealInto writes the packet seal returns, at the offset given", async () => {
  const keys = { iv: new Uint8Array(0), key: random(64), macKey: new Uint8Array(0) };
  const padding = (n: number) => new Uint8Array(n).fill(0xa5);
  const backends = { providers: { wasm } };
  const whole = createSealer(CIPHER, undefined, keys, { backends, random: padding });
  const into = createSealer(CIPHER, undefined, keys, { backends, random: padding });
  assert.ok(into.sealInto && into.sealedLength);
  const out = new Uint8Array(300_000);
  let at = 11;
  for (const length of [1, 8, 100, 32768, 200_000]) {
    const payload = random(length);
    const packet = await whole.seal(payload);
    assert.equal(into.sealedLength(length), packet.length);
    assert.equal(into.sealInto(payload, out, at), packet.length);
    assert.deepEqual(out.subarray(at, at + packet.length), packet, `length ${length}`);
    at = (at + packet.length) % 50_000;
  }
  assert.equal(into.sequence, 5);
});

test("wasm opener: every single-bit flip is a MAC error and nothing is returned", () => {
  const backends = { providers: { wasm } };
  const keys = { iv: new Uint8Array(0), key: random(64), macKey: new Uint8Array(0) };
  const packet = createSealer(CIPHER, undefined, keys, { backends }).seal(random(40)) as Uint8Array;
  for (let bit = 0; bit < packet.length * 8; bit++) {
    const bad = packet.slice();
    bad[bit >> 3] ^= 1 << (bit & 7);
    const opener = createOpener(CIPHER, undefined, keys, { backends });
    assert.throws(() => opener.open(bad), (e: Error & { reason?: number }) => {
      // A flip in the length field makes it disagree with the packet's size: a protocol error;
      // anywhere else the tag fails (MAC_ERROR, 5).
      assert.ok(e.reason === 5 || (bit < 32 && e.reason === 2), `bit ${bit}: ${e.message}`);
      return true;
    });
    assert.equal(opener.sequence, 0);
  }
  // The module's I/O area holds no plaintext after a call.
  assert.ok(wasm.io.subarray(0, packet.length).every((b) => b === 0));
});
