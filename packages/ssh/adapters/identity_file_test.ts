import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePublicKeyLine } from "@hush/keys";
import { loadIdentityFile } from "./identity_file.ts";

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
