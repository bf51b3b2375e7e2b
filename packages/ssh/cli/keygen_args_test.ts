import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePrivateKey, parsePublicKeyLine } from "@hush/keys";
import { keyTypeName, parseKeygenArgs } from "./keygen_args.ts";
import { fingerprintLine, type KeygenIo, keygenMain } from "./keygen.ts";
import { UsageError } from "./ssh_args.ts";

function io(answers: (string | undefined)[] = []): KeygenIo & { stdout: string; stderr: string } {
  const r = {
    stdout: "",
    stderr: "",
    out: (t: string) => void (r.stdout += t),
    err: (t: string) => void (r.stderr += t),
    ask: () => Promise.resolve(answers.shift()),
  };
  return r;
}

test("keygen args: ssh-keygen flags, grouped and attached values", () => {
  const a = parseKeygenArgs(["-qt", "ecdsa", "-b384", "-N", "", "-C", "a b", "-f", "/tmp/k"]);
  assert.equal(a.mode, "generate");
  assert.equal(a.quiet, true);
  assert.equal(a.type, "ecdsa");
  assert.equal(a.bits, 384);
  assert.equal(a.passphrase, "");
  assert.equal(a.comment, "a b");
  assert.equal(a.file, "/tmp/k");
  assert.equal(parseKeygenArgs(["-lv", "-E", "md5", "-f", "x"]).hash, "md5");
  assert.equal(parseKeygenArgs(["-y", "-P", "pw", "-f", "x"]).oldPassphrase, "pw");
  assert.equal(parseKeygenArgs(["--password", "alice"]).user, "alice");
  const p = parseKeygenArgs(["-p", "-P", "old", "-N", "new", "-f", "k.ppk"]);
  assert.deepEqual([p.mode, p.oldPassphrase, p.passphrase, p.file], [
    "change-passphrase",
    "old",
    "new",
    "k.ppk",
  ]);
  assert.equal(parseKeygenArgs(["-i", "-f", "k.ppk"]).mode, "convert");
  assert.equal(keyTypeName("rsa"), "ssh-rsa");
  assert.equal(keyTypeName("ecdsa", 521), "ecdsa-sha2-nistp521");
});

test("keygen args: bad input is a UsageError", () => {
  assert.throws(() => parseKeygenArgs(["-t", "dsa"]), UsageError);
  assert.throws(() => parseKeygenArgs(["-t", "ecdsa", "-b", "255"]), UsageError);
  assert.throws(() => parseKeygenArgs(["-b", "x"]), UsageError);
  assert.throws(() => parseKeygenArgs(["-l"]), UsageError);
  assert.throws(() => parseKeygenArgs(["-p"]), /-p needs -f file/);
  assert.throws(() => parseKeygenArgs(["-i"]), /-i needs -f file/);
  assert.throws(() => parseKeygenArgs(["-Z"]), UsageError);
  assert.throws(() => parseKeygenArgs(["-f", "k", "extra"]), UsageError);
});

test("keygen: writes an encrypted key 0600 and .pub 0644; -l and -y read them back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hush-keygen-"));
  try {
    const file = join(dir, "id");
    const g = io();
    assert.equal(await keygenMain(["-t", "ed25519", "-N", "pw", "-C", "me@h", "-f", file], g), 0);
    assert.match(g.stdout, /^Generating public\/private ed25519 key pair\.\n/);
    assert.match(g.stdout, /The key's randomart image is:\n\+--\[ED25519 256\]--\+\n/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(file + ".pub").mode & 0o777, 0o644);
    const pub = parsePublicKeyLine(readFileSync(file + ".pub", "utf8").trim());
    assert.equal(pub.comment, "me@h");
    const key = await parsePrivateKey(readFileSync(file, "utf8"), { passphrase: "pw" });
    assert.ok(key.publicKey.equals(pub.key));

    const l = io();
    assert.equal(await keygenMain(["-l", "-f", file], l), 0);
    assert.equal(l.stdout, fingerprintLine(pub.key, "me@h") + "\n");
    assert.match(l.stdout, /^256 SHA256:[A-Za-z0-9+/]{43} me@h \(ED25519\)\n$/);

    const y = io(["pw"]);
    assert.equal(await keygenMain(["-y", "-f", file], y), 0);
    assert.equal(y.stdout, pub.key.toString("me@h") + "\n");

    const bad = io();
    assert.equal(await keygenMain(["-y", "-P", "nope", "-f", file], bad), 255);
    assert.match(bad.stderr, /incorrect passphrase/);

    // an existing file is only overwritten when the user says so
    const no = io(["n"]);
    assert.equal(await keygenMain(["-q", "-N", "", "-f", file], no), 1);
    assert.match(no.stdout, /already exists/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("keygen: -l on a missing file and on a non-key file fail with 255", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hush-keygen-"));
  try {
    const r = io();
    assert.equal(await keygenMain(["-l", "-f", join(dir, "none")], r), 255);
    assert.match(r.stderr, /No such file or directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const THIRD_PARTY = new URL("../../keys/testdata/thirdparty/", import.meta.url);

test("keygen -i: a PuTTY key in the OpenSSH format, its passphrase kept unless -N says", async () => {
  // A private copy: git checks files out 0644, and keygen refuses a key others can read.
  const dir = mkdtempSync(join(tmpdir(), "hush-keygen-ppk-"));
  const ppk = join(dir, "ed25519.v3enc.ppk");
  copyFileSync(new URL("putty/ed25519.v3enc.ppk", THIRD_PARTY), ppk);
  chmodSync(ppk, 0o600);
  const expected = readFileSync(new URL("putty/ed25519.pub", THIRD_PARTY), "utf8").trim();
  const kept = io(["hush passphrase"]);
  assert.equal(await keygenMain(["-i", "-f", ppk], kept), 0, kept.stderr);
  assert.match(kept.stdout, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
  const again = await parsePrivateKey(kept.stdout, { passphrase: "hush passphrase" });
  assert.equal(again.publicKey.toString(again.comment), expected);
  const plain = io();
  assert.equal(await keygenMain(["-i", "-P", "hush passphrase", "-N", "", "-f", ppk], plain), 0);
  assert.equal(
    (await parsePrivateKey(plain.stdout)).publicKey.toString(),
    expected.split(" ").slice(0, 2).join(" "),
  );
  const wrong = io(["nope"]);
  assert.equal(await keygenMain(["-i", "-f", ppk], wrong), 255);
  assert.equal(
    wrong.stderr,
    `Load key "${ppk}": incorrect passphrase supplied to decrypt private key\n`,
  );
  rmSync(dir, { recursive: true, force: true });
});

test("keygen -l on .ppk files prints what ssh-keygen -l prints for their public key", async () => {
  for (const name of ["ed25519", "ecdsa521", "rsa2048"]) {
    for (const file of [`${name}.v3enc.ppk`, `${name}.v2.ppk`]) {
      const r = io();
      assert.equal(
        await keygenMain(["-l", "-f", new URL(`putty/${file}`, THIRD_PARTY).pathname], r),
        0,
      );
      assert.equal(r.stdout, readFileSync(new URL(`putty/${name}.fp`, THIRD_PARTY), "utf8"), file);
    }
  }
});

test("keygen -p: rewrites any key file in the OpenSSH format with the new passphrase", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hush-keygen-"));
  try {
    const file = join(dir, "legacy.pem");
    copyFileSync(new URL("openssl/ecdsa384.aes192.pem", THIRD_PARTY), file);
    chmodSync(file, 0o600);
    const r = io(["hush passphrase", "new", "new"]);
    assert.equal(await keygenMain(["-p", "-f", file], r), 0, r.stderr);
    assert.equal(
      r.stdout,
      "Key has comment ''\nYour identification has been saved with the new passphrase.\n",
    );
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const key = await parsePrivateKey(readFileSync(file, "utf8"), { passphrase: "new" });
    assert.equal(key.publicKey.type, "ecdsa-sha2-nistp384");
    const mismatch = io(["new", "a", "b"]);
    assert.equal(await keygenMain(["-p", "-f", file], mismatch), 1);
    assert.equal(mismatch.stderr, "Pass phrases do not match.  Try again.\n");
    chmodSync(file, 0o640);
    const open = io();
    assert.equal(await keygenMain(["-p", "-P", "new", "-N", "", "-f", file], open), 255);
    assert.match(open.stderr, /UNPROTECTED PRIVATE KEY FILE!/);
    assert.match(open.stderr, new RegExp(`Failed to load key ${file}: bad permissions\n$`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("keygen --password prints user:$scrypt$ hash after two matching entries", async () => {
  const r = io(["s3cret", "s3cret"]);
  assert.equal(await keygenMain(["--password", "alice"], r), 0);
  assert.match(r.stdout, /^alice:\$scrypt\$/);
  const m = io(["a", "b"]);
  assert.equal(await keygenMain(["--password"], m), 1);
});

test("keygen: without -f it offers ~/.ssh/id_<type>, making ~/.ssh 0700 as ssh-keygen does", async () => {
  const home = mkdtempSync(join(tmpdir(), "hush-keygen-home-"));
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    const r = io([undefined]); // no answer: the default file
    assert.equal(await keygenMain(["-t", "ecdsa", "-N", ""], r), 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Created directory '${home}/\\.ssh'\\.`));
    assert.equal(statSync(join(home, ".ssh")).mode & 0o777, 0o700);
    assert.equal(statSync(join(home, ".ssh", "id_ecdsa")).mode & 0o777, 0o600);
    assert.match(readFileSync(join(home, ".ssh", "id_ecdsa.pub"), "utf8"), /^ecdsa-sha2-nistp256 /);
  } finally {
    process.env.HOME = saved;
    rmSync(home, { recursive: true, force: true });
  }
});
