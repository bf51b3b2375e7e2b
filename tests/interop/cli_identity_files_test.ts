/**
 * Identity files as the Hush `ssh` and `keygen` commands meet them, next to OpenSSH's `ssh` and
 * `ssh-keygen` on the same files: a key others can read is refused with OpenSSH's warning, a
 * file that can never load is named once with what is wrong and no passphrase is asked for,
 * a wrong passphrase is asked three times as ssh does; PuTTY `.ppk` and legacy encrypted PEM
 * keys log in. Deno only (spawns `deno run -A …`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { findBinary, requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import { makeKey, publicLine, run, tempDir } from "./server_fixture.ts";

const SSH_CLI = fileURLToPath(new URL("../../packages/ssh/cli/ssh.ts", import.meta.url));
const KEYGEN_CLI = fileURLToPath(new URL("../../packages/ssh/cli/keygen.ts", import.meta.url));
const THIRD_PARTY = new URL("../../packages/keys/testdata/thirdparty/", import.meta.url);
const PASS = "hush passphrase";

/** Copies a third-party test key into `dir` as the user would keep it (0600). */
function keyFile(dir: string, name: string, as: string): string {
  const file = join(dir, as);
  copyFileSync(new URL(name, THIRD_PARTY), file);
  chmodSync(file, 0o600);
  return file;
}

test("cli identity files: what ssh and keygen say about keys they cannot use, as OpenSSH", {
  timeout: 180_000,
}, async (t) => {
  const why = requireOpenSsh("sshd", "ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-identity-");
  let sshd: Sshd | undefined;
  try {
    const good = makeKey(dir, "good", "ed25519");
    const encrypted = join(dir, "encrypted");
    execKeygen(["-q", "-t", "ed25519", "-N", "right", "-C", "enc", "-f", encrypted]);
    const ppk = keyFile(dir, "putty/ecdsa384.v3enc.ppk", "putty.ppk");
    const pem = keyFile(dir, "openssl/rsa2048.aes256.pem", "legacy.pem");
    const des = keyFile(dir, "openssl/ecdsa384.des3.pem", "des.pem");
    sshd = await startSshd({
      authorizedKeys: [
        publicLine(good),
        publicLine(encrypted),
        readFileSync(new URL("putty/ecdsa384.pub", THIRD_PARTY), "utf8").trim(),
        readFileSync(new URL("openssl/rsa2048.pub", THIRD_PARTY), "utf8").trim(),
        readFileSync(new URL("openssl/ecdsa384.pub", THIRD_PARTY), "utf8").trim(),
      ],
    });
    const port = String(sshd.port);
    const askpass = join(dir, "askpass.sh");
    const asked = join(dir, "asked");
    /** An SSH_ASKPASS that answers `answer` and counts the questions. */
    const answering = (answer: string) => {
      writeFileSync(askpass, `#!/bin/sh\necho x >> '${asked}'\necho '${answer}'\n`);
      chmodSync(askpass, 0o700);
      writeFileSync(asked, "");
      return { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: "none" };
    };
    const questions = () => readFileSync(asked, "utf8").split("\n").length - 1;
    const common = [
      "-F",
      "none",
      "-p",
      port,
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "LogLevel=ERROR",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "IdentityAgent=none",
    ];
    const hush = (args: string[], env: Record<string, string> = {}) =>
      run(process.execPath, ["run", "-A", "--quiet", SSH_CLI, ...common, ...args], {
        env: { HOME: dir, ...env },
      });
    const openssh = (args: string[], env: Record<string, string> = {}) =>
      run(findBinary("ssh")!, [...common, ...args], { env: { HOME: dir, ...env } });
    const keygen = (args: string[]) =>
      run(process.execPath, ["run", "-A", "--quiet", KEYGEN_CLI, ...args], { env: { HOME: dir } });
    const sshKeygen = (args: string[]) => run(findBinary("ssh-keygen")!, args);

    await t.test("a key others can read: OpenSSH's warning, word for word, then refused", async () => {
      const open = join(dir, "open");
      copyFileSync(good, open);
      chmodSync(open, 0o644);
      const args = ["-o", "BatchMode=yes", "-i", open, "root@127.0.0.1", "true"];
      const ours = await hush(args);
      const theirs = await openssh(args);
      assert.equal(ours.code, 255);
      assert.equal(ours.stderr, theirs.stderr);
      assert.match(ours.stderr, /WARNING: UNPROTECTED PRIVATE KEY FILE!/);
      assert.match(ours.stderr, new RegExp(`Permissions 0644 for '${open}' are too open\\.`));
      assert.match(ours.stderr, new RegExp(`Load key "${open}": bad permissions\\n`));

      const y = await keygen(["-y", "-f", open]);
      const sy = await sshKeygen(["-y", "-f", open]);
      assert.equal(y.code, 255);
      assert.equal(y.stderr, sy.stderr);
    });

    await t.test("a file no passphrase opens is named once, and nobody is asked", async () => {
      const env = answering(PASS);
      const r = await hush(["-i", des, "root@127.0.0.1", "true"], env);
      assert.equal(r.code, 255);
      assert.equal(questions(), 0);
      assert.equal(
        r.stderr,
        `Load key "${des}": the key is encrypted with DES-EDE3-CBC, which Hush does not read: ` +
          `convert it with "ssh-keygen -p -f ${des}" (rewrites it in the OpenSSH format) or ` +
          `"openssl pkcs8 -topk8 -v2 aes256"\nroot@127.0.0.1: Permission denied (publickey).\n`,
      );
      // the conversion the message names works, and the converted key logs in
      const converted = join(dir, "converted");
      copyFileSync(des, converted);
      chmodSync(converted, 0o600);
      const p = await sshKeygen(["-p", "-P", PASS, "-N", PASS, "-f", converted]);
      assert.equal(p.code, 0, p.stderr);
      const ok = await hush(["-i", converted, "root@127.0.0.1", "echo converted"], answering(PASS));
      assert.equal(ok.stdout.toString(), "converted\n", ok.stderr);

      // an unknown cipher: as ssh, said once without a prompt
      const bogus = join(dir, "bogus");
      writeFileSync(bogus, withCipher(readFileSync(encrypted, "utf8"), "aes256-xyz"), {
        mode: 0o600,
      });
      const b = await hush(["-i", bogus, "root@127.0.0.1", "true"], answering(PASS));
      const sb = await openssh(["-i", bogus, "root@127.0.0.1", "true"], answering(PASS));
      assert.equal(questions(), 0);
      assert.equal(
        b.stderr,
        `Load key "${bogus}": unsupported key file cipher "aes256-xyz"\n` +
          "root@127.0.0.1: Permission denied (publickey).\n",
      );
      assert.match(
        sb.stderr,
        new RegExp(`Load key "${bogus}": key encrypted using unsupported cipher\\n`),
      );

      // text that is no key at all
      const junk = join(dir, "junk");
      writeFileSync(junk, "not a key\n", { mode: 0o600 });
      const j = await hush(["-o", "BatchMode=yes", "-i", junk, "root@127.0.0.1", "true"]);
      assert.equal(
        j.stderr,
        `Load key "${junk}": invalid format\nroot@127.0.0.1: Permission denied (publickey).\n`,
      );
      const y = await keygen(["-y", "-f", junk]);
      assert.equal(y.stderr, `Load key "${junk}": invalid format\n`);
      const y3 = await keygen(["-y", "-P", PASS, "-f", des]);
      assert.match(
        y3.stderr,
        new RegExp(`^Load key "${des}": the key is encrypted with DES-EDE3-CBC`),
      );
    });

    await t.test("a wrong passphrase is asked three times, as ssh; keygen -y says so as ssh-keygen", async () => {
      const r = await hush(["-i", encrypted, "root@127.0.0.1", "true"], answering("wrong"));
      assert.equal(r.code, 255);
      const ours = questions();
      const theirs = await openssh(["-i", encrypted, "root@127.0.0.1", "true"], answering("wrong"));
      assert.equal(ours, questions());
      assert.equal(ours, 3);
      assert.equal(r.stderr, theirs.stderr);
      const y = await keygen(["-y", "-P", "wrong", "-f", encrypted]);
      const sy = await sshKeygen(["-y", "-P", "wrong", "-f", encrypted]);
      assert.equal(y.stderr, sy.stderr);
      assert.equal(y.code, sy.code);
    });

    await t.test("PuTTY .ppk and legacy encrypted PEM identities log in", async () => {
      for (const file of [ppk, pem]) {
        const r = await hush(["-i", file, "root@127.0.0.1", "echo in"], answering(PASS));
        assert.equal(r.stdout.toString(), "in\n", `${file}: ${r.stderr}`);
        assert.equal(questions(), 1, file);
      }
    });

    await t.test("keygen -i and -p turn a .ppk into an OpenSSH key that ssh-keygen reads", async () => {
      const i = await keygen(["-i", "-P", PASS, "-N", "", "-f", ppk]);
      assert.equal(i.code, 0, i.stderr);
      const plain = join(dir, "from_ppk");
      writeFileSync(plain, i.stdout, { mode: 0o600 });
      const pub = readFileSync(new URL("putty/ecdsa384.pub", THIRD_PARTY), "utf8").split(" ");
      const sy = await sshKeygen(["-y", "-f", plain]);
      assert.equal(sy.stdout.toString().split(" ").slice(0, 2).join(" "), `${pub[0]} ${pub[1]}`);

      const kept = await keygen(["-i", "-P", PASS, "-f", ppk]);
      const keptFile = join(dir, "from_ppk_enc");
      writeFileSync(keptFile, kept.stdout, { mode: 0o600 });
      const se = await sshKeygen(["-y", "-P", PASS, "-f", keptFile]);
      assert.equal(se.code, 0, se.stderr);
      assert.match(se.stdout.toString(), /ecdsa-key-20250101\n$/);

      const rewritten = keyFile(dir, "putty/ed25519.v2enc.ppk", "rewrite.ppk");
      const p = await keygen(["-p", "-P", PASS, "-N", "new one", "-f", rewritten]);
      assert.equal(p.code, 0, p.stderr);
      assert.equal(
        p.stdout.toString(),
        "Key has comment 'ed25519-key-20250101'\nYour identification has been saved with the new passphrase.\n",
      );
      assert.match(readFileSync(rewritten, "utf8"), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
      const sp = await sshKeygen(["-y", "-P", "new one", "-f", rewritten]);
      assert.equal(sp.code, 0, sp.stderr);
    });
  } finally {
    await sshd?.stop();
    remove();
  }
});

function execKeygen(args: string[]): void {
  execFileSync(findBinary("ssh-keygen")!, args);
}

/** An OpenSSH key file text with its cipher name replaced (same length). */
function withCipher(text: string, cipher: string): string {
  const lines = text.trim().split("\n");
  const bin = atob(lines.slice(1, -1).join(""));
  const at = bin.indexOf("aes256-ctr");
  const changed = bin.slice(0, at) + cipher + bin.slice(at + cipher.length);
  return `${lines[0]}\n${btoa(changed)}\n${lines.at(-1)}\n`;
}
