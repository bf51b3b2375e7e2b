/**
 * Writes `npm_vectors.json`: bcrypt_pbkdf outputs of the npm package `bcrypt-pbkdf` 1.0.2 (the
 * pure-JS port of OpenBSD's bcrypt_pbkdf.c that Hush used before its own, and that sshpk and
 * ssh2 use) on seeded pseudo-random passphrases, salts, lengths and rounds, so
 * `bcrypt_pbkdf_test.ts` cross-checks Hush's implementation without depending on the package.
 * Run from the repository root (the lock file stays untouched):
 *   deno run --no-lock -W packages/keys/testdata/bcrypt_pbkdf/make_npm_vectors.ts
 * @module
 */

// Imported by a computed specifier so `deno check` of the tree never resolves it (nor locks it).
const PACKAGE = "npm:bcrypt-pbkdf@1.0.2";
const bcryptPbkdf: {
  pbkdf(
    pass: Uint8Array,
    passLength: number,
    salt: Uint8Array,
    saltLength: number,
    key: Uint8Array,
    keyLength: number,
    rounds: number,
  ): number;
} = (await import(PACKAGE)).default;

/** xorshift32: reproducible inputs without storing them twice. */
let seed = 0x48757368; // "Hush"
function next(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
const bytes = (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

// Output lengths at the interleaving's edges (one block, one byte past, every OpenSSH cipher's
// key + IV: 32, 40, 44, 48, 64) and the 1024-byte maximum; passphrases and salts from 1 byte
// to past SHA-512's 128-byte block.
const lengths = [1, 2, 16, 31, 32, 33, 40, 44, 48, 63, 64, 65, 100, 255, 512, 1023, 1024];
const vectors = [];
for (let i = 0; i < 40; i++) {
  const passphrase = bytes(1 + (next() % 200));
  const salt = bytes(1 + (next() % 200));
  const length = i < lengths.length ? lengths[i] : 1 + (next() % 128);
  const rounds = 1 + (next() % 3);
  const key = new Uint8Array(length);
  const rc = bcryptPbkdf.pbkdf(
    passphrase,
    passphrase.length,
    salt,
    salt.length,
    key,
    length,
    rounds,
  );
  if (rc !== 0) throw new Error(`bcrypt-pbkdf returned ${rc}`);
  vectors.push({ passphrase: hex(passphrase), salt: hex(salt), rounds, key: hex(key) });
}
await Deno.writeTextFile(
  new URL("./npm_vectors.json", import.meta.url),
  JSON.stringify(vectors, null, 1) + "\n",
);
