import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
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
  assert.equal(keyTypeName("rsa"), "ssh-rsa");
  assert.equal(keyTypeName("ecdsa", 521), "ecdsa-sha2-nistp521");
});

test("keygen args: bad input is a UsageError", () => {
  assert.throws(() => parseKeygenArgs(["-t", "dsa"]), UsageError);
  assert.throws(() => parseKeygenArgs(["-t", "ecdsa", "-b", "255"]), UsageError);
  assert.throws(() => parseKeygenArgs(["-b", "x"]), UsageError);
  assert.throws(() => parseKeygenArgs(["-l"]), UsageError);
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
