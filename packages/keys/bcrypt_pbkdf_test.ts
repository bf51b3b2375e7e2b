import { test } from "node:test";
import assert from "node:assert/strict";
import { bcryptPbkdf, MAX_BCRYPT_ROUNDS } from "./bcrypt_pbkdf.ts";
import { readFileSync } from "node:fs";
import { KeyError } from "./errors.ts";
import { decodePem } from "./pem.ts";
import { parsePrivateKey } from "./private_key_file.ts";
import { readOpenSshKeyHeader } from "./private_key_openssh.ts";

const pass = new TextEncoder().encode("password");
const salt = new TextEncoder().encode("salt");

/** Key derivations in a loop: generous for loaded machines and Bun's 5 s default. */
const SLOW = { timeout: 60_000 };
const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
const testdata = (name: string) =>
  readFileSync(new URL(`./testdata/bcrypt_pbkdf/${name}`, import.meta.url), "utf8");

// Every encrypted fixture made by ssh-keygen (here and in private_key_openssh_test.ts) only
// decrypts if bcrypt_pbkdf matches OpenSSH byte for byte: the derived bytes are its cipher's key
// and IV, and a wrong one fails the check-ints or the AEAD tag.
test(
  "decrypts keys ssh-keygen encrypted at 1 to 64 rounds (testdata/bcrypt_pbkdf/keys.tsv)",
  SLOW,
  async () => {
    const publicKey = testdata("key.pub").split(" ").slice(0, 2).join(" ");
    const rows = testdata("keys.tsv").split("\n").filter((line) => line !== "");
    assert.equal(rows.length, 8);
    for (const row of rows) {
      const [file, rounds, cipher, passphrase] = row.split("\t");
      const header = readOpenSshKeyHeader(decodePem(testdata(file)).bytes);
      assert.deepEqual([header.rounds, header.cipher?.name], [Number(rounds), cipher], row);
      const key = await parsePrivateKey(testdata(file), { passphrase });
      assert.equal(key.publicKey.toString(), publicKey, row);
    }
  },
);

test("matches the npm bcrypt-pbkdf package (testdata/bcrypt_pbkdf/npm_vectors.json)", SLOW, () => {
  const vectors: { passphrase: string; salt: string; rounds: number; key: string }[] = JSON.parse(
    testdata("npm_vectors.json"),
  );
  assert.equal(vectors.length, 40);
  for (const v of vectors) {
    const key = fromHex(v.key);
    assert.deepEqual(
      bcryptPbkdf(fromHex(v.passphrase), fromHex(v.salt), key.length, v.rounds),
      key,
      `${v.key.length / 2} bytes, ${v.rounds} rounds`,
    );
  }
});

test("is deterministic and depends on passphrase, salt and rounds", () => {
  const a = bcryptPbkdf(pass, salt, 48, 2);
  assert.deepEqual(bcryptPbkdf(pass, salt, 48, 2), a);
  assert.notDeepEqual(bcryptPbkdf(pass, salt, 48, 3), a);
  assert.notDeepEqual(bcryptPbkdf(pass, new TextEncoder().encode("salu"), 48, 2), a);
  assert.notDeepEqual(bcryptPbkdf(new TextEncoder().encode("passwore"), salt, 48, 2), a);
  // Output bytes are interleaved across 32-byte blocks: a shorter output is not a prefix.
  assert.notDeepEqual(bcryptPbkdf(pass, salt, 16, 2), a.subarray(0, 16));
});

test(`rounds outside 1..${MAX_BCRYPT_ROUNDS} and empty inputs are KeyErrors`, () => {
  for (const rounds of [0, -1, 1.5, MAX_BCRYPT_ROUNDS + 1, 0xffffffff]) {
    assert.throws(() => bcryptPbkdf(pass, salt, 32, rounds), KeyError, `rounds ${rounds}`);
  }
  assert.throws(() => bcryptPbkdf(pass, new Uint8Array(0), 32, 1), KeyError);
  assert.throws(() => bcryptPbkdf(new Uint8Array(0), salt, 32, 1), KeyError);
  assert.throws(() => bcryptPbkdf(pass, new Uint8Array((1 << 20) + 1), 32, 1), KeyError);
  assert.throws(() => bcryptPbkdf(pass, salt, 1025, 1), RangeError);
});
