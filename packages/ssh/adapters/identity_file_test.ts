import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyError, parsePublicKeyLine } from "@hush/keys";
import { loadIdentityFile, tooOpenKeyFileMode } from "./identity_file.ts";

function haveKeygen(): string | undefined {
  if (spawnSync("ssh-keygen", ["-?"]).error === undefined) return undefined;
  if (process.env.CI === "true") throw new Error("ssh-keygen not installed; under CI a failure");
  return "ssh-keygen not installed";
}

test("loadIdentityFile: ssh-keygen keys, encrypted and plain, passphrase string or callback", async (t) => {
  const why = haveKeygen();
  if (why) return t.skip(why);
  const dir = mkdtempSync(join(tmpdir(), "hush-id-"));
  try {
    for (const [type, bits] of [["ed25519", ""], ["ecdsa", "384"], ["rsa", "2048"]]) {
      const file = join(dir, `id_${type}`);
      const args = ["-q", "-t", type, "-N", "s3cret", "-C", `me-${type}`, "-a", "2", "-f", file];
      if (bits) args.push("-b", bits);
      execFileSync("ssh-keygen", args);
      const pub = parsePublicKeyLine(readFileSync(`${file}.pub`, "utf8")).key;
      const key = await loadIdentityFile(file, { passphrase: "s3cret" });
      assert.ok(key.publicKey.equals(pub));
      assert.equal(key.comment, `me-${type}`);
      let asked = 0;
      const again = await loadIdentityFile(file, { passphrase: () => (asked++, "s3cret") });
      assert.ok(again.publicKey.equals(pub));
      assert.equal(asked, 1);
      await assert.rejects(loadIdentityFile(file, { passphrase: "wrong" }));
      await assert.rejects(loadIdentityFile(file));
      key.dispose();
      again.dispose();
    }
    const plain = join(dir, "plain");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", plain]);
    let asked = 0;
    await loadIdentityFile(plain, { passphrase: () => (asked++, "x") });
    assert.equal(asked, 0);
    await assert.rejects(loadIdentityFile(join(dir, "missing")), /does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const THIRD_PARTY = new URL("../../keys/testdata/thirdparty/", import.meta.url);

test("loadIdentityFile: PuTTY .ppk files and legacy encrypted PEM load like any identity file", async () => {
  const pub = (name: string) =>
    parsePublicKeyLine(readFileSync(new URL(`${name}.pub`, THIRD_PARTY), "utf8")).key;
  const ppk = await loadIdentityFile(new URL("putty/rsa2048.v2enc.ppk", THIRD_PARTY).pathname, {
    passphrase: () => "hush passphrase",
  });
  assert.ok(ppk.publicKey.equals(pub("putty/rsa2048")));
  assert.equal(ppk.comment, "rsa-key-20250101");
  const pem = await loadIdentityFile(new URL("openssl/ecdsa384.aes128.pem", THIRD_PARTY).pathname, {
    passphrase: "hush passphrase",
  });
  assert.ok(pem.publicKey.equals(pub("openssl/ecdsa384")));
});

test("loadIdentityFile: the passphrase callback is asked only when a passphrase can help", async () => {
  let asked = 0;
  const ask = () => (asked++, "hush passphrase");
  for (const file of ["openssl/rsa2048.des3.pem", "putty/dsa1024.v3.ppk", "keys.tsv"]) {
    await assert.rejects(
      loadIdentityFile(new URL(file, THIRD_PARTY).pathname, { passphrase: ask }),
    );
  }
  assert.equal(asked, 0);
});

test("loadIdentityFile: checkPermissions refuses a key file others can read, as OpenSSH", async (t) => {
  const why = haveKeygen();
  if (why) return t.skip(why);
  const dir = mkdtempSync(join(tmpdir(), "hush-id-"));
  try {
    const file = join(dir, "id_ed25519");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
    chmodSync(file, 0o640);
    await assert.rejects(
      loadIdentityFile(file, { checkPermissions: true }),
      (e: unknown) => {
        assert.ok(e instanceof KeyError);
        assert.equal(
          e.message,
          `Permissions 0640 for '${file}' are too open: private key files must not be accessible by others`,
        );
        return true;
      },
    );
    assert.equal(await tooOpenKeyFileMode(file), 0o640);
    // off by default; 0600 and 0400 pass
    (await loadIdentityFile(file)).dispose();
    for (const mode of [0o600, 0o400]) {
      chmodSync(file, mode);
      assert.equal(await tooOpenKeyFileMode(file), undefined);
      (await loadIdentityFile(file, { checkPermissions: true })).dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
