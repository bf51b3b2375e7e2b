import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SshWriter } from "@hush/wire";
import { KeyError } from "./errors.ts";
import { encodePem } from "./pem.ts";
import { inspectPrivateKey } from "./private_key_info.ts";

function formats(name: string): string {
  return readFileSync(new URL(`./testdata/formats/${name}`, import.meta.url), "utf8");
}

function thirdParty(name: string): string {
  return readFileSync(new URL(`./testdata/thirdparty/${name}`, import.meta.url), "utf8");
}

function pubOf(text: string): string {
  return text.trim().split(" ").slice(0, 2).join(" ");
}

test("inspectPrivateKey: format, encryption and the clear public key of ssh-keygen's files", () => {
  const cases: [string, string, boolean, boolean][] = [
    ["ed25519", "openssh", false, true],
    ["ed25519.aes256-ctr", "openssh", true, true],
    ["rsa2048.chacha20-poly1305@openssh.com", "openssh", true, true],
    ["ecdsa256.pkcs8.pem", "pkcs8", false, false],
    ["ecdsa256.pkcs8enc.pem", "pkcs8", true, false],
    ["rsa2048.pem", "pkcs1", false, false],
    ["ecdsa521.pem", "sec1", false, false],
  ];
  for (const [file, format, encrypted, hasPublic] of cases) {
    const info = inspectPrivateKey(formats(file));
    assert.equal(info?.format, format, file);
    assert.equal(info?.encrypted, encrypted, file);
    if (hasPublic) {
      assert.equal(info?.publicKey?.toString(), pubOf(formats(`${file.split(".")[0]}.pub`)));
    } else {
      assert.equal(info?.publicKey, undefined);
    }
  }
});

test("inspectPrivateKey: PuTTY files carry the public key and comment in clear", () => {
  const info = inspectPrivateKey(thirdParty("putty/ecdsa521.v3enc.ppk"));
  assert.equal(info?.format, "ppk");
  assert.equal(info?.encrypted, true);
  assert.equal(info?.comment, "ecdsa-key-20250101");
  assert.equal(info?.publicKey?.toString(), pubOf(thirdParty("putty/ecdsa521.pub")));
  const legacy = inspectPrivateKey(thirdParty("openssl/rsa2048.aes192.pem"));
  assert.deepEqual(legacy, { format: "pkcs1", encrypted: true });
});

test("inspectPrivateKey: every third-party file is read, and 3DES refused, without a passphrase", () => {
  const lines = thirdParty("keys.tsv").trim().split("\n").slice(1);
  for (const line of lines) {
    const [file, , pass, expect] = line.split("\t");
    if (expect === "3des") {
      assert.throws(() => inspectPrivateKey(thirdParty(file)), (e: unknown) => {
        assert.ok(e instanceof KeyError);
        assert.match(e.message, /DES-EDE3-CBC.*ssh-keygen -p -f FILE/);
        return true;
      }, file);
      continue;
    }
    const info = inspectPrivateKey(thirdParty(file));
    assert.ok(info, file);
    assert.equal(info.encrypted, pass !== "-", file);
  }
});

test("inspectPrivateKey: not a private key file is undefined", () => {
  for (
    const text of [
      "",
      "hello\n",
      formats("ed25519.pub"),
      "-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n",
      new Uint8Array([0xff, 0xfe, 0]),
    ]
  ) {
    assert.equal(inspectPrivateKey(text), undefined);
  }
});

test("inspectPrivateKey: files no passphrase can load are KeyErrors, before any key derivation", () => {
  const rounds = new SshWriter().raw(new TextEncoder().encode("openssh-key-v1\0"))
    .string("aes256-ctr").string("bcrypt")
    .string(new SshWriter().string(new Uint8Array(16)).uint32(100_000).finish())
    .uint32(1).string(new Uint8Array(0)).string(new Uint8Array(16)).finish();
  const cases: [string, RegExp][] = [
    [formats("ed25519.3des-cbc"), /Unsupported key file cipher "3des-cbc"/],
    [encodePem("OPENSSH PRIVATE KEY", rounds), /bcrypt rounds 100000 exceed the limit/],
    [formats("ed25519").slice(0, 200), /Truncated PEM/],
    [
      thirdParty("putty/ed25519.v3enc.ppk").replace(/^Argon2-Memory: .*$/m, "Argon2-Memory: 1"),
      /Argon2-Memory "1" is outside/,
    ],
    [thirdParty("putty/dsa1024.v3.ppk"), /Unsupported key type|ssh-dss/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => inspectPrivateKey(text), (e: unknown) => {
      assert.ok(e instanceof KeyError, String(e));
      assert.match(e.message, message);
      assert.equal(e.passphrase, undefined);
      return true;
    });
  }
});
