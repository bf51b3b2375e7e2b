import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { KeyError } from "./errors.ts";
import { parsePrivateKey } from "./private_key_file.ts";
import { PPK_LIMITS, readPpk } from "./ppk.ts";

const PASS = "hush passphrase";
const SLOW = { timeout: 120_000 };

function putty(name: string): string {
  return readFileSync(new URL(`./testdata/thirdparty/putty/${name}`, import.meta.url), "utf8");
}

async function failure(text: string, passphrase?: string): Promise<KeyError> {
  try {
    const key = await parsePrivateKey(text, { passphrase });
    assert.fail(`loaded a ${key.publicKey.type} key`);
  } catch (e) {
    assert.ok(e instanceof KeyError, `expected KeyError, got ${String(e)}`);
    return e;
  }
}

/** A file with header `name`'s value replaced. */
function withHeader(text: string, name: string, value: string): string {
  const re = new RegExp(`^${name}: .*$`, "m");
  assert.match(text, re);
  return text.replace(re, `${name}: ${value}`);
}

test("readPpk: the structure of v2 and v3 files, without the passphrase", () => {
  const v3 = readPpk(putty("ed25519.v3enc-argon2i.ppk"));
  assert.equal(v3.version, 3);
  assert.equal(v3.algorithm, "ssh-ed25519");
  assert.equal(v3.encryption, "aes256-cbc");
  assert.equal(v3.comment, "ed25519-key-20250101");
  assert.deepEqual(
    { ...v3.argon2, salt: v3.argon2?.salt.length },
    { flavour: "Argon2i", memory: 1024, passes: 3, parallelism: 2, salt: 16 },
  );
  const v2 = readPpk(putty("rsa2048.v2.ppk"));
  assert.equal(v2.version, 2);
  assert.equal(v2.encryption, "none");
  assert.equal(v2.argon2, undefined);
  assert.equal(v2.mac.length, 20);
});

test(
  "encrypted .ppk: a missing or wrong passphrase says so (v2 SHA-1, v3 Argon2)",
  SLOW,
  async () => {
    for (const file of ["ecdsa384.v2enc.ppk", "ecdsa384.v3enc.ppk", "ed25519.v3enc-argon2d.ppk"]) {
      const text = putty(file);
      assert.equal((await failure(text)).passphrase, "required", file);
      const wrong = await failure(text, "not it");
      assert.equal(wrong.passphrase, "wrong", file);
      assert.match(wrong.message, /^Wrong passphrase/);
    }
    // unencrypted files ignore a passphrase, as for the other formats
    const key = await parsePrivateKey(putty("ecdsa384.v3.ppk"), { passphrase: PASS });
    assert.equal(key.publicKey.type, "ecdsa-sha2-nistp384");
  },
);

test("unencrypted .ppk: any change under the MAC is a corrupt file", async () => {
  for (const file of ["ed25519.v3.ppk", "ed25519.v2.ppk"]) {
    const text = putty(file);
    const changed = [
      withHeader(text, "Comment", "another comment"),
      text.replace(/^Private-MAC: (.)/m, (_, c) => `Private-MAC: ${c === "0" ? "1" : "0"}`),
    ];
    for (const bad of changed) {
      const e = await failure(bad);
      assert.match(e.message, /MAC does not match: the file is corrupt/, file);
      assert.equal(e.passphrase, undefined);
    }
  }
});

test("every single-character change to a .ppk is a KeyError or the same key", SLOW, async () => {
  for (const file of ["ecdsa256.v3.ppk", "rsa2048.v2enc.ppk"]) {
    const text = putty(file);
    const passphrase = file.includes("enc") ? PASS : undefined;
    const good = (await parsePrivateKey(text, { passphrase })).publicKey.toString();
    for (let i = 0; i < text.length; i += file.startsWith("rsa") ? 7 : 1) {
      for (const c of ["A", "-", "\n", ":"]) {
        if (text[i] === c) continue;
        const bad = text.slice(0, i) + c + text.slice(i + 1);
        try {
          const key = await parsePrivateKey(bad, { passphrase });
          // the only harmless changes: line breaks inside base64 the line counts still cover
          assert.equal(key.publicKey.toString(), good, `${file} char ${i} -> ${JSON.stringify(c)}`);
        } catch (e) {
          assert.ok(e instanceof KeyError, `${file} char ${i}: ${String(e)}`);
        }
      }
    }
  }
});

test(".ppk truncated at any line is a KeyError", async () => {
  const lines = putty("ed25519.v3enc.ppk").split("\n");
  for (let n = 0; n < lines.length - 1; n++) {
    await failure(lines.slice(0, n).join("\n") + "\n", PASS);
  }
});

test(".ppk versions, encryptions, KDFs and key types Hush does not read are named", async () => {
  const v3 = putty("ed25519.v3enc.ppk");
  const cases: [string, RegExp][] = [
    [v3.replace("PuTTY-User-Key-File-3", "PuTTY-User-Key-File-1"), /version 1 are not supported/],
    [v3.replace("PuTTY-User-Key-File-3", "PuTTY-User-Key-File-4"), /version 4 is too new/],
    [withHeader(v3, "Encryption", "3des-cbc"), /Unsupported PuTTY key file encryption "3des-cbc"/],
    [withHeader(v3, "Key-Derivation", "scrypt"), /Unsupported PuTTY key derivation "scrypt"/],
    [putty("dsa1024.v3.ppk"), /Unsupported PuTTY key type "ssh-dss"/],
  ];
  for (const [text, message] of cases) assert.match((await failure(text, PASS)).message, message);
});

test(`.ppk bounds: lines, Argon2 memory, cost and lanes are checked before any work`, async () => {
  const v3 = putty("ed25519.v3enc.ppk");
  const cases: [string, RegExp][] = [
    [withHeader(v3, "Public-Lines", "5462"), /Public-Lines "5462" is outside 1..5461/],
    [withHeader(v3, "Private-Lines", "99999999999"), /Private-Lines "99999999999" is outside/],
    [withHeader(v3, "Private-Lines", "40"), /Truncated PuTTY key file: Private-Lines/],
    [
      withHeader(v3, "Argon2-Memory", String(PPK_LIMITS.maxArgon2MemoryKiB + 1)),
      /Argon2-Memory "1048577" is outside 8..1048576/,
    ],
    [withHeader(v3, "Argon2-Passes", "0"), /Argon2-Passes "0" is outside/],
    [
      withHeader(withHeader(v3, "Argon2-Memory", "1048576"), "Argon2-Passes", "3"),
      /cost 1048576 KiB × 3 passes exceeds the limit of 2097152 KiB/,
    ],
    [withHeader(v3, "Argon2-Parallelism", "256"), /Argon2-Parallelism "256" is outside 1..255/],
    [
      withHeader(withHeader(v3, "Argon2-Memory", "1024"), "Argon2-Parallelism", "255"),
      /below 8 KiB per lane/,
    ],
    [withHeader(v3, "Argon2-Salt", "00"), /shorter than 8 bytes/],
    [withHeader(v3, "Argon2-Salt", "xyz0"), /Argon2-Salt is not hex/],
    [withHeader(v3, "Private-MAC", "00"), /Private-MAC length/],
    [v3 + "Extra: line\n", /unexpected Extra after Private-MAC/],
    [v3 + "x".repeat(1 << 20), /Key file too large/],
  ];
  for (const [text, message] of cases) {
    const e = await failure(text, PASS);
    assert.match(e.message, message);
    assert.equal(e.passphrase, undefined);
  }
});

test("a .ppk whose line count is off is refused without quoting its private lines", async () => {
  const text = putty("rsa2048.v3.ppk");
  const lines = text.split("\n");
  const count = Number(/^Private-Lines: (\d+)$/m.exec(text)![1]);
  const last = lines[lines.findIndex((l) => l.startsWith("Private-Lines: ")) + count];
  const e = await failure(withHeader(text, "Private-Lines", String(count - 1)));
  assert.equal(e.message, "Malformed PuTTY key file: no Private-MAC line");
  assert.ok(!e.message.includes(last.slice(0, 8)));
});
