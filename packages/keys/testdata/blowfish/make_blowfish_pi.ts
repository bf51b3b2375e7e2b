/**
 * Writes `packages/keys/blowfish_pi.ts`, Blowfish's initial state as the hex digits of pi.
 * Run from the repository root: deno run -W packages/keys/testdata/blowfish/make_blowfish_pi.ts
 * @module
 */
import { piHexDigits } from "./pi_hex.ts";

const WORDS = 18 + 4 * 256;
const WORDS_PER_LINE = 11;
const hex = piHexDigits(WORDS * 8);
const lines: string[] = [];
for (let i = 0; i < hex.length; i += WORDS_PER_LINE * 8) {
  lines.push(`  "${hex.slice(i, i + WORDS_PER_LINE * 8)}"`);
}
const source = `/**
 * Blowfish's initial state: the 18-word P-array then the four 256-word S-boxes, which Schneier
 * defined as the hexadecimal digits of pi's fractional part (${WORDS} words, ${WORDS * 8} digits).
 * Written by \`deno run -W packages/keys/testdata/blowfish/make_blowfish_pi.ts\`; \`blowfish_test.ts\`
 * recomputes the digits and compares.
 * @module
 */

/** ${WORDS} big-endian 32-bit words as ${WORDS * 8} hex digits: P[0..17], S0, S1, S2, S3. */
export const BLOWFISH_PI_HEX: string = ${lines.join(" +\n")};
`;
await Deno.writeTextFile(new URL("../../blowfish_pi.ts", import.meta.url), source);
