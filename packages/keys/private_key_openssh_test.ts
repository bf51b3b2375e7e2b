import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SshReader, SshWriter } from "@hush/wire";
import { KeyError } from "./errors.ts";
import { generateKey } from "./generate.ts";
import { parsePrivateKey, serializePrivateKey } from "./private_key_file.ts";
import { MAX_BCRYPT_ROUNDS } from "./bcrypt_pbkdf.ts";
import { decodePem, encodePem } from "./pem.ts";
import { decodeOpenSshPrivateKey } from "./private_key_openssh.ts";

const PASS = "hush passphrase";
/** Loops over key derivations and subprocesses: generous for loaded machines and Bun's 5 s default. */
const SLOW = { timeout: 60_000 };
const TYPES = ["ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa2048", "rsa3072"];
const CIPHERS = [
  "aes128-ctr",
  "aes192-ctr",
  "aes256-ctr",
  "aes128-cbc",
  "aes192-cbc",
  "aes256-cbc",
  "aes128-gcm@openssh.com",
  "aes256-gcm@openssh.com",
  "chacha20-poly1305@openssh.com",
];

function fixture(name: string): string {
  return readFileSync(new URL(`./testdata/formats/${name}`, import.meta.url), "utf8");
}

/** The `type base64` part of a .pub line. */
function pubOf(name: string): string {
  return fixture(`${name}.pub`).split(" ").slice(0, 2).join(" ").trim();
}

/** The fingerprint field of a `ssh-keygen -l` output line. */
function fpOf(name: string, hash: "sha256" | "md5"): string {
  return fixture(`${name}.fp-${hash}`).split(" ")[1];
}

/** True when ssh-keygen can run; otherwise skips the test (fails it when CI=true). */
function haveSshKeygen(t: TestContext): boolean {
  const r = spawnSync("ssh-keygen", ["-?"], { encoding: "utf8" });
  if (!r.error) return true;
  if (process.env.CI === "true") assert.fail("ssh-keygen not installed");
  t.skip("ssh-keygen not installed");
  return false;
}

async function rejectsKeyError(p: Promise<unknown>, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof KeyError, `expected KeyError, got ${String(e)}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

for (const name of TYPES) {
  test(`reads the unencrypted ssh-keygen ${name} key: same public key, comment, fingerprints`, async () => {
    const key = await parsePrivateKey(fixture(name));
    assert.equal(key.publicKey.toString(), pubOf(name));
    assert.equal(key.comment, `hush-${name}`);
    assert.equal(key.publicKey.fingerprint(), fpOf(name, "sha256"));
    assert.equal(key.publicKey.fingerprint("md5"), fpOf(name, "md5"));
  });

  test(`reads ${name} encrypted with every ssh-keygen cipher`, SLOW, async () => {
    for (const cipher of CIPHERS) {
      const key = await parsePrivateKey(fixture(`${name}.${cipher}`), { passphrase: PASS });
      assert.equal(key.publicKey.toString(), pubOf(name), cipher);
      assert.equal(key.comment, `hush-${name}`, cipher);
    }
  });

  test(`${name}: a wrong passphrase is a KeyError, never a key`, async () => {
    await rejectsKeyError(
      parsePrivateKey(fixture(`${name}.aes256-ctr`), { passphrase: "not it" }),
      /^Wrong passphrase/,
    );
  });
}

test("a wrong passphrase is detected for every cipher (check-ints or AEAD tag)", SLOW, async () => {
  for (const cipher of CIPHERS) {
    await rejectsKeyError(
      parsePrivateKey(fixture(`ed25519.${cipher}`), { passphrase: PASS + "x" }),
      /^Wrong passphrase/,
    );
  }
});

test("an encrypted key without a passphrase asks for one", async () => {
  await rejectsKeyError(parsePrivateKey(fixture("ed25519.aes256-ctr")), /passphrase is required/);
  await rejectsKeyError(
    parsePrivateKey(fixture("ed25519.aes256-ctr"), { passphrase: "" }),
    /passphrase is required/,
  );
});

test("3des-cbc keys (ssh-keygen -Z 3des-cbc) are refused by name", async () => {
  await rejectsKeyError(
    parsePrivateKey(fixture("ed25519.3des-cbc"), { passphrase: PASS }),
    /Unsupported key file cipher "3des-cbc": convert the key with "ssh-keygen -p -f FILE"/,
  );
});

test(
  "KeyError.passphrase tells a missing or wrong passphrase from a file none can open",
  SLOW,
  async () => {
    const passphraseOf = async (text: string, passphrase?: string) => {
      try {
        await parsePrivateKey(text, { passphrase });
      } catch (e) {
        assert.ok(e instanceof KeyError);
        return e.passphrase ?? "none";
      }
      assert.fail("loaded");
    };
    for (
      const file of [
        "ed25519.aes256-ctr",
        "ecdsa256.aes128-cbc",
        "rsa2048.chacha20-poly1305@openssh.com",
        "ecdsa384.pkcs8enc.pem",
      ]
    ) {
      assert.equal(await passphraseOf(fixture(file)), "required", file);
      assert.equal(await passphraseOf(fixture(file), "not it"), "wrong", file);
    }
    assert.equal(await passphraseOf(fixture("ed25519.3des-cbc"), PASS), "none");
    assert.equal(await passphraseOf(fixture("ed25519.3des-cbc")), "none");
    assert.equal(await passphraseOf(fixture("ed25519").slice(0, 300)), "none");
  },
);

test("reads the key from bytes as well as text", async () => {
  const bytes = new TextEncoder().encode(fixture("ecdsa256"));
  const key = await parsePrivateKey(bytes);
  assert.equal(key.publicKey.toString(), pubOf("ecdsa256"));
  await rejectsKeyError(parsePrivateKey(new Uint8Array([0xff, 0xfe, 0x2d])), /not valid UTF-8/);
});

/** Replaces the bcrypt rounds of an encrypted OpenSSH key text. */
function withRounds(text: string, rounds: number): string {
  const bin = decodePem(text).bytes;
  const r = new SshReader(bin);
  r.raw(15);
  const cipher = r.ascii();
  const kdf = r.ascii();
  const opts = new SshReader(r.string());
  const salt = opts.string();
  const rest = r.rest();
  const out = new SshWriter().raw(bin.subarray(0, 15)).string(cipher).string(kdf)
    .string(new SshWriter().string(salt).uint32(rounds).finish()).raw(rest).finish();
  return encodePem("OPENSSH PRIVATE KEY", out, 70);
}

test(`bcrypt rounds above ${MAX_BCRYPT_ROUNDS} are refused before any work`, SLOW, async () => {
  const text = fixture("ed25519.aes256-ctr");
  for (const rounds of [MAX_BCRYPT_ROUNDS + 1, 0xffffffff]) {
    const started = Date.now();
    await rejectsKeyError(
      parsePrivateKey(withRounds(text, rounds), { passphrase: PASS }),
      /exceed the limit of 1024/,
    );
    assert.ok(Date.now() - started < 1000, "refused without deriving");
  }
  await rejectsKeyError(
    parsePrivateKey(withRounds(text, 0), { passphrase: PASS }),
    /Invalid bcrypt rounds 0/,
  );
  // The same key at 17 rounds derives another key: a wrong-passphrase error, not garbage.
  await rejectsKeyError(
    parsePrivateKey(withRounds(text, 17), { passphrase: PASS }),
    /^Wrong passphrase/,
  );
});

/** The decoded binary of a fixture, with the private section of an unencrypted key. */
function unencryptedParts(name: string): { bin: Uint8Array; sectionStart: number } {
  const bin = decodePem(fixture(name)).bytes;
  return { bin, sectionStart: sectionOffset(bin) };
}

test("unencrypted keys: differing check-ints and bad padding are KeyErrors", async () => {
  const { bin, sectionStart } = unencryptedParts("ed25519");
  const check = bin.slice();
  check[sectionStart] ^= 1;
  await rejectsKeyError(
    parsePrivateKey(encodePem("OPENSSH PRIVATE KEY", check, 70)),
    /check-ints differ/,
  );
  const pad = bin.slice();
  assert.ok(pad[pad.length - 1] >= 1 && pad[pad.length - 1] < 8, "fixture has padding");
  pad[pad.length - 1] ^= 0x40;
  await rejectsKeyError(
    parsePrivateKey(encodePem("OPENSSH PRIVATE KEY", pad, 70)),
    /padding/,
  );
});

/**
 * An unencrypted fixture re-padded as PuTTY or Dropbear might: the fields, then `1, 2, 3, …`
 * up to the 8-byte block and `extra` bytes (a multiple of 8) more.
 */
function repadded(name: string, extra: number): string {
  const { bin, sectionStart } = unencryptedParts(name);
  const section = bin.subarray(sectionStart);
  const used = section.length - section[section.length - 1]; // ssh-keygen pads with 1..7
  const n = (8 - used % 8) % 8 + extra;
  const padded = new Uint8Array(used + n);
  padded.set(section.subarray(0, used));
  for (let i = 0; i < n; i++) padded[used + i] = (i + 1) & 0xff;
  const out = new SshWriter().raw(bin.subarray(0, sectionStart - 4)).string(padded).finish();
  return encodePem("OPENSSH PRIVATE KEY", out, 70);
}

test("padding of a full block or more is accepted, as OpenSSH (PuTTY and Dropbear write it)", async () => {
  for (const name of ["ed25519", "ecdsa256", "rsa2048"]) {
    for (const extra of [8, 16, 264]) {
      const key = await parsePrivateKey(repadded(name, extra));
      assert.equal(key.publicKey.toString(), pubOf(name), `${name} with ${extra} more`);
    }
  }
  // over 255 bytes of padding wrap (…, 255, 0, 1, …); a wrong byte anywhere is still refused
  const bin = decodePem(repadded("ed25519", 264)).bytes;
  bin[bin.length - 9] ^= 1;
  await rejectsKeyError(parsePrivateKey(encodePem("OPENSSH PRIVATE KEY", bin, 70)), /padding/);
});

test("a public key that does not match the private key is refused", async () => {
  // Swap the public blob in the header of the ed25519 key for the ecdsa256 one.
  const ed = decodePem(fixture("ed25519")).bytes;
  const r = new SshReader(ed);
  r.raw(15);
  r.string();
  r.string();
  r.string();
  r.uint32();
  const before = ed.subarray(0, r.offset);
  r.string();
  const after = r.rest();
  const other = (await parsePrivateKey(fixture("ecdsa256"))).publicKey.blob;
  const swapped = new SshWriter().raw(before).string(other).raw(after).finish();
  await rejectsKeyError(
    parsePrivateKey(encodePem("OPENSSH PRIVATE KEY", swapped, 70)),
    /does not match/,
  );
});

test("truncated OpenSSH key files are KeyErrors", SLOW, async () => {
  const text = fixture("rsa2048");
  for (let cut = 0; cut < text.length; cut += 37) {
    await rejectsKeyError(parsePrivateKey(text.slice(0, cut)));
  }
  const bin = decodePem(text).bytes;
  for (let cut = 0; cut < bin.length; cut += 11) {
    await rejectsKeyError(
      parsePrivateKey(encodePem("OPENSSH PRIVATE KEY", bin.subarray(0, cut), 70)),
    );
  }
});

test(
  "garbled OpenSSH keys: every single-byte change gives a KeyError or the same key",
  SLOW,
  async () => {
    const { bin } = unencryptedParts("ed25519");
    const good = await parsePrivateKey(fixture("ed25519"));
    for (let i = 0; i < bin.length; i++) {
      const bad = bin.slice();
      bad[i] ^= 0x21;
      try {
        const key = await parsePrivateKey(encodePem("OPENSSH PRIVATE KEY", bad, 70));
        // Only the comment may change without detection (it is not covered by anything).
        assert.ok(key.publicKey.equals(good.publicKey), `byte ${i}`);
        assert.notEqual(key.comment, good.comment, `byte ${i}`);
      } catch (e) {
        assert.ok(e instanceof KeyError, `byte ${i}: ${String(e)}`);
      }
    }
  },
);

/** Offset of the encrypted (or plain) private section inside a decoded OpenSSH key. */
function sectionOffset(bin: Uint8Array): number {
  const r = new SshReader(bin);
  r.raw(15);
  r.string();
  r.string();
  r.string();
  r.uint32();
  r.string();
  return r.offset + 4;
}

test(
  "garbled encrypted keys: AEAD tags catch any change; CTR check-ints catch changes to them",
  SLOW,
  async () => {
    for (const cipher of ["aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"]) {
      const bin = decodePem(fixture(`ecdsa256.${cipher}`)).bytes;
      for (const at of [sectionOffset(bin), bin.length - 40, bin.length - 20, bin.length - 1]) {
        const bad = bin.slice();
        bad[at] ^= 0x01;
        await rejectsKeyError(
          parsePrivateKey(encodePem("OPENSSH PRIVATE KEY", bad, 70), { passphrase: PASS }),
          /^Wrong passphrase/,
        );
      }
    }
    const bin = decodePem(fixture("ecdsa256.aes128-ctr")).bytes;
    const bad = bin.slice();
    bad[sectionOffset(bin) + 2] ^= 0x01;
    await rejectsKeyError(
      parsePrivateKey(encodePem("OPENSSH PRIVATE KEY", bad, 70), { passphrase: PASS }),
      /^Wrong passphrase/,
    );
  },
);

test("serializes keys that parse back, encrypted and not", SLOW, async () => {
  for (const name of TYPES) {
    const key = await parsePrivateKey(fixture(name));
    const plain = await serializePrivateKey(key);
    assert.match(plain, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    const back = await parsePrivateKey(plain);
    assert.ok(back.publicKey.equals(key.publicKey));
    assert.equal(back.comment, key.comment);
    const locked = await serializePrivateKey(key, { passphrase: "pw", rounds: 2 });
    await rejectsKeyError(parsePrivateKey(locked, { passphrase: "wrong" }), /^Wrong passphrase/);
    const opened = await parsePrivateKey(locked, { passphrase: "pw" });
    assert.ok(opened.publicKey.equals(key.publicKey));
  }
});

test("serializePrivateKey refuses bad options with RangeError", async () => {
  const key = await generateKey("ssh-ed25519");
  await assert.rejects(serializePrivateKey(key, { passphrase: "p", rounds: 0 }), RangeError);
  await assert.rejects(
    serializePrivateKey(key, { passphrase: "p", rounds: MAX_BCRYPT_ROUNDS + 1 }),
    RangeError,
  );
  await assert.rejects(
    serializePrivateKey(key, { passphrase: "p", cipher: "3des-cbc" }),
    RangeError,
  );
});

function sshKeygenY(t: TestContext, dir: string, text: string, passphrase: string): string {
  const file = join(dir, "id");
  writeFileSync(file, text);
  chmodSync(file, 0o600);
  const r = spawnSync("ssh-keygen", ["-y", "-P", passphrase, "-f", file], { encoding: "utf8" });
  assert.equal(r.status, 0, `ssh-keygen -y failed: ${r.stderr}`);
  t.diagnostic(r.stdout.trim().slice(0, 40));
  return r.stdout.trim();
}

for (const name of TYPES) {
  test(`ssh-keygen -y reads ${name} as serializePrivateKey writes it, plain and aes256-ctr`, {
    timeout: 60_000,
  }, async (t) => {
    if (!haveSshKeygen(t)) return;
    const dir = mkdtempSync(join(tmpdir(), "hush-keys-"));
    try {
      const key = await parsePrivateKey(fixture(name));
      const pub = sshKeygenY(t, dir, await serializePrivateKey(key), "");
      assert.equal(pub.split(" ").slice(0, 2).join(" "), pubOf(name));
      const locked = await serializePrivateKey(key, { passphrase: PASS });
      const header = new SshReader(decodePem(locked).bytes);
      header.raw(15);
      assert.equal(header.ascii(), "aes256-ctr");
      assert.equal(header.ascii(), "bcrypt");
      const kdf = new SshReader(header.string());
      assert.equal(kdf.string().length, 16);
      assert.equal(kdf.uint32(), 16);
      const pub2 = sshKeygenY(t, dir, locked, PASS);
      assert.equal(pub2.split(" ").slice(0, 2).join(" "), pubOf(name));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("ssh-keygen -y reads keys Hush encrypts with every cipher; generated keys too", {
  timeout: 60_000,
}, async (t) => {
  if (!haveSshKeygen(t)) return;
  const dir = mkdtempSync(join(tmpdir(), "hush-keys-"));
  try {
    const key = await generateKey("ssh-ed25519", { comment: "fresh" });
    for (const cipher of CIPHERS) {
      const text = await serializePrivateKey(key, { passphrase: PASS, cipher, rounds: 4 });
      assert.equal(sshKeygenY(t, dir, text, PASS), key.publicKey.toString("fresh"), cipher);
    }
    const rsa = await generateKey("ssh-rsa", { bits: 2048 });
    assert.equal(
      sshKeygenY(t, dir, await serializePrivateKey(rsa), "").split(" ").slice(0, 2).join(" "),
      rsa.publicKey.toString(),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A `random` source that hands out the given byte strings in order. */
function replay(...chunks: Uint8Array[]): (n: number) => Uint8Array {
  return (n) => {
    const next = chunks.shift();
    assert.ok(next && next.length === n, `asked for ${n} random bytes`);
    return next.slice();
  };
}

function u32(v: number): Uint8Array {
  return new SshWriter().uint32(v).finish();
}

/** The bcrypt salt in the header of an encrypted key text. */
function saltOf(text: string): Uint8Array {
  const r = new SshReader(decodePem(text).bytes);
  r.raw(15);
  r.string();
  r.string();
  return new SshReader(r.string()).string().slice();
}

test(
  "serializePrivateKey writes ssh-keygen's files byte for byte given the same random bytes",
  SLOW,
  async () => {
    for (const name of TYPES) {
      const text = fixture(name);
      const key = await parsePrivateKey(text);
      const { checkInt } = decodeOpenSshPrivateKey(decodePem(text).bytes);
      assert.equal(await serializePrivateKey(key, { random: replay(u32(checkInt)) }), text, name);
      const locked = fixture(`${name}.aes256-ctr`);
      const inner = decodeOpenSshPrivateKey(decodePem(locked).bytes, PASS);
      const again = await serializePrivateKey(key, {
        passphrase: PASS,
        random: replay(u32(inner.checkInt), saltOf(locked)),
      });
      assert.equal(again, locked, `${name} aes256-ctr`);
    }
    const ed = await parsePrivateKey(fixture("ed25519"));
    for (const cipher of CIPHERS) {
      const locked = fixture(`ed25519.${cipher}`);
      const inner = decodeOpenSshPrivateKey(decodePem(locked).bytes, PASS);
      const again = await serializePrivateKey(ed, {
        passphrase: PASS,
        cipher,
        rounds: cipher === "aes256-ctr" ? 16 : 4, // as make_formats.sh
        random: replay(u32(inner.checkInt), saltOf(locked)),
      });
      assert.equal(again, locked, cipher);
    }
  },
);
