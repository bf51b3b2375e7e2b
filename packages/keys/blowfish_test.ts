import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  blowfishEncrypt,
  blowfishExpand0State,
  blowfishExpandState,
  blowfishInitialState,
} from "./blowfish.ts";
import { BLOWFISH_PI_HEX } from "./blowfish_pi.ts";
import { piHexDigits } from "./testdata/blowfish/pi_hex.ts";

const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Plain Blowfish: its key schedule is Eksblowfish's unsalted step on a fresh state. */
function encryptBlock(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const state = blowfishInitialState();
  blowfishExpand0State(state, key);
  const view = new DataView(plaintext.buffer, plaintext.byteOffset, 8);
  const block = Int32Array.of(view.getInt32(0), view.getInt32(4));
  blowfishEncrypt(state, block, 0);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setInt32(0, block[0]);
  new DataView(out.buffer).setInt32(4, block[1]);
  return out;
}

test("the initial state is the hex digits of pi, P-array first", () => {
  assert.equal(BLOWFISH_PI_HEX, piHexDigits(1042 * 8));
  const state = blowfishInitialState();
  assert.equal(state.length, 1042);
  assert.equal(state[0] >>> 0, 0x243f6a88); // P[0]
  assert.equal(state[18] >>> 0, 0xd1310ba6); // S0[0]
  assert.equal(state[1041] >>> 0, 0x3ac372e6); // S3[255]
  state[0] = 0;
  assert.equal(blowfishInitialState()[0] >>> 0, 0x243f6a88, "each state is a fresh copy");
});

test("encrypts OpenSSL's Blowfish known answers (testdata/blowfish/vectors.tsv)", () => {
  const lines = readFileSync(new URL("./testdata/blowfish/vectors.tsv", import.meta.url), "utf8")
    .trim().split("\n");
  assert.equal(lines.length, 12);
  for (const line of lines) {
    const [key, plaintext, ciphertext] = line.split("\t");
    assert.equal(toHex(encryptBlock(fromHex(key), fromHex(plaintext))), ciphertext, line);
  }
});

test("a key wraps around the P-array: an 8-byte key equals itself written twice", () => {
  const key = fromHex("0123456789abcdef");
  const plaintext = fromHex("1111111111111111");
  assert.equal(toHex(encryptBlock(key, plaintext)), "61f9c3802281b096"); // Eric Young's set
  assert.deepEqual(
    encryptBlock(key, plaintext),
    encryptBlock(fromHex("0123456789abcdef".repeat(2)), plaintext),
  );
});

test("the salted schedule mixes the salt in; an all-zero salt is the unsalted one", () => {
  const key = new TextEncoder().encode("key");
  const salted = blowfishInitialState();
  blowfishExpandState(salted, new Uint8Array(8), key);
  const unsalted = blowfishInitialState();
  blowfishExpand0State(unsalted, key);
  assert.deepEqual(salted, unsalted);
  const other = blowfishInitialState();
  blowfishExpandState(other, Uint8Array.of(1), key);
  assert.notDeepEqual(other, unsalted);
});
