/**
 * The Blowfish block cipher core that bcrypt_pbkdf runs on: the state (P-array and S-boxes,
 * from the digits of pi), the encryption of one 64-bit block, and the two key-schedule steps of
 * bcrypt's "expensive key schedule" (Provos and Mazières' Eksblowfish, as in OpenBSD's
 * `blf.c`): `expandState` mixes a key and a salt in, `expand0State` a key alone. Plain
 * Blowfish's own key schedule is `expand0State` on a fresh state.
 *
 * Only what bcrypt_pbkdf needs: no modes, no decryption. Words are 32-bit, read big-endian
 * from byte strings that wrap around (Blowfish's `stream2word`).
 * @module
 */
import { BLOWFISH_PI_HEX } from "./blowfish_pi.ts";

/** Words in the P-array: 16 rounds plus the two output whitening words. */
const P_WORDS = 18;
/** Words in the whole state: the P-array then four 256-word S-boxes. */
const STATE_WORDS = P_WORDS + 4 * 256;
/** Offsets of the four S-boxes in the state. */
const S0 = P_WORDS, S1 = S0 + 256, S2 = S1 + 256, S3 = S2 + 256;

const INITIAL_STATE = new Int32Array(STATE_WORDS);
for (let i = 0; i < STATE_WORDS; i++) {
  INITIAL_STATE[i] = parseInt(BLOWFISH_PI_HEX.slice(i * 8, i * 8 + 8), 16);
}

/** A Blowfish state: P[0..17] then S0..S3, as signed 32-bit words (the bits are what count). */
export type BlowfishState = Int32Array;

/** A fresh state holding the digits of pi. */
export function blowfishInitialState(): BlowfishState {
  return INITIAL_STATE.slice();
}

/**
 * Encrypts the block `block[at]` (left half), `block[at + 1]` (right half) in place: 16
 * Feistel rounds with F(x) = ((S0[a] + S1[b]) ^ S2[c]) + S3[d] over x's bytes a..d.
 */
export function blowfishEncrypt(s: BlowfishState, block: Int32Array, at: number): void {
  encryptInto(s, block[at], block[at + 1], block, at);
}

/** Encrypts the block (`l`, `r`) and stores it at `out[at]`, `out[at + 1]`. */
function encryptInto(s: BlowfishState, l: number, r: number, out: Int32Array, at: number): void {
  l ^= s[0];
  for (let i = 1; i < 17; i += 2) {
    r ^= (((s[S0 + (l >>> 24)] + s[S1 + ((l >>> 16) & 0xff)]) ^ s[S2 + ((l >>> 8) & 0xff)]) +
      s[S3 + (l & 0xff)]) ^ s[i];
    l ^= (((s[S0 + (r >>> 24)] + s[S1 + ((r >>> 16) & 0xff)]) ^ s[S2 + ((r >>> 8) & 0xff)]) +
      s[S3 + (r & 0xff)]) ^ s[i + 1];
  }
  out[at] = r ^ s[17];
  out[at + 1] = l;
}

/** Reads bytes as big-endian 32-bit words, wrapping around at the end (`stream2word`). */
class WordStream {
  #pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  next(): number {
    const b = this.bytes;
    let word = 0;
    for (let i = 0; i < 4; i++) {
      word = (word << 8) | b[this.#pos];
      this.#pos = this.#pos + 1 === b.length ? 0 : this.#pos + 1;
    }
    return word;
  }
}

/** XORs the key, as a wrapping word stream, into the P-array. */
function mixKey(s: BlowfishState, key: Uint8Array): void {
  const words = new WordStream(key);
  for (let i = 0; i < P_WORDS; i++) s[i] ^= words.next();
}

/**
 * Eksblowfish's salted key schedule: XORs `key` into the P-array, then rewrites the whole state
 * pair by pair with the encryption of the previous pair XORed with the next 64 bits of `salt`.
 * Both byte strings must be non-empty.
 */
export function blowfishExpandState(s: BlowfishState, salt: Uint8Array, key: Uint8Array): void {
  mixKey(s, key);
  const data = new WordStream(salt);
  let l = 0, r = 0;
  for (let i = 0; i < STATE_WORDS; i += 2) {
    encryptInto(s, l ^ data.next(), r ^ data.next(), s, i);
    l = s[i];
    r = s[i + 1];
  }
}

/**
 * The key schedule without salt (Blowfish's own): XORs `key` into the P-array, then rewrites
 * the state pair by pair with the chained encryption of an all-zero block. `key` must be
 * non-empty.
 */
export function blowfishExpand0State(s: BlowfishState, key: Uint8Array): void {
  mixKey(s, key);
  encryptInto(s, 0, 0, s, 0);
  for (let i = 2; i < STATE_WORDS; i += 2) encryptInto(s, s[i - 2], s[i - 1], s, i);
}
