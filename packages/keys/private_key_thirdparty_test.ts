/**
 * Key files written by other tools (testdata/thirdparty, made by make_thirdparty.sh): PuTTY's
 * puttygen (.ppk v2/v3 and both OpenSSH exports), Dropbear's dropbearconvert, Python's
 * cryptography and paramiko, and openssl's legacy encrypted PEM. Each loads to the key
 * `ssh-keygen -l` (and for PuTTY keys `puttygen -l`) fingerprints.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { KeyError } from "./errors.ts";
import { parsePrivateKey } from "./private_key_file.ts";

/** Argon2 and bcrypt in pure JS: generous for loaded machines and Bun's 5 s default. */
const SLOW = { timeout: 120_000 };

function read(name: string): string {
  return readFileSync(new URL(`./testdata/thirdparty/${name}`, import.meta.url), "utf8");
}

interface Entry {
  file: string;
  key: string;
  passphrase: string | undefined;
  expect: "ok" | "3des";
}

const entries: Entry[] = read("keys.tsv").trim().split("\n").slice(1).map((line) => {
  const [file, key, pass, expect] = line.split("\t");
  return {
    file,
    key,
    passphrase: pass === "-" ? undefined : pass,
    expect: expect as Entry["expect"],
  };
});

const tools = [...new Set(entries.map((e) => e.file.split("/")[0]))];

test("the third-party key list covers every tool and many files", () => {
  assert.deepEqual(tools, ["putty", "dropbear", "python", "openssl"]);
  assert.ok(entries.length >= 100, `${entries.length} files`);
});

for (const tool of tools) {
  test(`${tool}: every key file loads, with ssh-keygen -l's fingerprint`, SLOW, async () => {
    for (const { file, key, passphrase, expect } of entries) {
      if (!file.startsWith(`${tool}/`) || expect !== "ok") continue;
      const loaded = await parsePrivateKey(read(file), { passphrase });
      const pub = read(`${key}.pub`).trim().split(" ");
      assert.equal(loaded.publicKey.toString(), `${pub[0]} ${pub[1]}`, file);
      // `256 SHA256:… comment (ED25519)`
      const fp = read(`${key}.fp`).split(" ")[1];
      assert.equal(loaded.publicKey.fingerprint(), fp, file);
      if (tool === "putty") {
        // `ssh-ed25519 255 SHA256:…`
        const putty = read(`${key}.fp-puttygen`).trim().split(" ")[2];
        assert.equal(loaded.publicKey.fingerprint(), putty, file);
      }
      const data = new TextEncoder().encode(file);
      const alg = loaded.publicKey.signatureAlgorithms[0];
      assert.ok(await loaded.publicKey.verify(alg, await loaded.sign(data), data), file);
      loaded.dispose();
    }
  });
}

test("PuTTY keys keep their comments; OpenSSH exports carry them too", SLOW, async () => {
  for (
    const file of ["putty/ed25519.v2.ppk", "putty/ed25519.v3.ppk", "putty/ed25519.openssh-new"]
  ) {
    assert.equal((await parsePrivateKey(read(file))).comment, "ed25519-key-20250101", file);
  }
  for (let n = 0; n < 16; n++) {
    const key = await parsePrivateKey(read(`putty/ed25519.comment${n}.openssh-new`));
    assert.equal(key.comment, "c".repeat(n));
  }
});

test("3DES keys (PuTTY's encrypted PEM export, openssl -des3) name the conversion command", async () => {
  const des = entries.filter((e) => e.expect === "3des");
  assert.ok(des.length >= 5);
  for (const { file, passphrase } of des) {
    await assert.rejects(parsePrivateKey(read(file), { passphrase }), (e: unknown) => {
      assert.ok(e instanceof KeyError, file);
      assert.match(e.message, /DES-EDE3-CBC.*"ssh-keygen -p -f FILE"/, file);
      return true;
    });
  }
});
