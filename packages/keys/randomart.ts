/**
 * The randomart picture of a key ("the drunken bishop"), as `ssh-keygen -lv` draws it.
 * @module
 */
import type { PublicKey } from "./public_key.ts";
import { fingerprintDigest } from "./fingerprint.ts";
import { keyBits, keyTypeLabel } from "./parse_public_key.ts";

const FIELD_WIDTH = 17;
const FIELD_HEIGHT = 9;
const SYMBOLS = " .o+=*BOX@%&#/^SE";

/**
 * Draws the randomart of a key's fingerprint digest: a 17×9 field walked by a bishop moving
 * diagonally two bits at a time, framed by `+---[ED25519 256]----+` above and
 * `+----[SHA256]-----+` below, exactly as `ssh-keygen -lv` prints it (lines joined with `\n`,
 * no trailing newline).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, randomart } from "@hush/keys";
 * const art = randomart((await generateKey("ssh-ed25519")).publicKey);
 * assert.equal(art.split("\n")[0], "+--[ED25519 256]--+");
 * ```
 */
export function randomart(key: PublicKey, hash: "sha256" | "md5" = "sha256"): string {
  const plainBlob = key.certificate ? key.certificate.key.blob : key.blob;
  const digest = fingerprintDigest(plainBlob, hash);
  const maxSymbol = SYMBOLS.length - 1;
  const field = new Uint8Array(FIELD_WIDTH * FIELD_HEIGHT);
  let x = FIELD_WIDTH >> 1;
  let y = FIELD_HEIGHT >> 1;
  for (const byte of digest) {
    let input = byte;
    for (let b = 0; b < 4; b++) {
      x += input & 1 ? 1 : -1;
      y += input & 2 ? 1 : -1;
      x = Math.min(Math.max(x, 0), FIELD_WIDTH - 1);
      y = Math.min(Math.max(y, 0), FIELD_HEIGHT - 1);
      const i = y * FIELD_WIDTH + x;
      if (field[i] < maxSymbol - 2) field[i]++;
      input >>= 2;
    }
  }
  field[(FIELD_HEIGHT >> 1) * FIELD_WIDTH + (FIELD_WIDTH >> 1)] = maxSymbol - 1;
  field[y * FIELD_WIDTH + x] = maxSymbol;

  const label = keyTypeLabel(key);
  let title = `[${label} ${keyBits(key)}]`;
  // ssh-keygen formats into a 17-byte buffer: a title of 18+ characters falls back to the
  // type alone, and one of exactly 17 loses its last character.
  if (title.length > FIELD_WIDTH) title = `[${label}]`;
  title = title.slice(0, FIELD_WIDTH - 1);
  const footer = `[${hash === "md5" ? "MD5" : "SHA256"}]`.slice(0, FIELD_WIDTH - 1);

  const lines = [border(title)];
  for (let row = 0; row < FIELD_HEIGHT; row++) {
    let line = "|";
    for (let col = 0; col < FIELD_WIDTH; col++) {
      line += SYMBOLS[Math.min(field[row * FIELD_WIDTH + col], maxSymbol)];
    }
    lines.push(line + "|");
  }
  lines.push(border(footer));
  return lines.join("\n");
}

function border(label: string): string {
  const left = (FIELD_WIDTH - label.length) >> 1;
  return "+" + "-".repeat(left) + label + "-".repeat(FIELD_WIDTH - left - label.length) + "+";
}
