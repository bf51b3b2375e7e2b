import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import {
  generateKey,
  KeyError,
  parsePublicKeyLine,
  parsePublicKeyPem,
  publicKeyToPem,
} from "./mod.ts";

const read = (name: string): string =>
  readFileSync(new URL(`./testdata/core/${name}`, import.meta.url), "utf8");

for (const name of ["ecdsa256", "ecdsa384", "ecdsa521", "rsa2048"]) {
  test(`${name}: reads and writes the SPKI PEM that ssh-keygen -e -m PKCS8 writes`, () => {
    const pub = parsePublicKeyLine(read(`${name}.pub`)).key;
    const pem = read(`${name}.spki.pem`);
    assert.ok(parsePublicKeyPem(pem).equals(pub));
    assert.equal(publicKeyToPem(pub), pem);
  });
}

test("ed25519: reads and writes openssl's SPKI PEM", () => {
  const pem = read("ed25519-openssl.spki.pem");
  const key = parsePublicKeyPem(pem);
  assert.equal(key.type, "ssh-ed25519");
  const hex = [...key.blob.subarray(key.blob.length - 32)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(hex, read("ed25519-openssl.raw.hex").trim());
  assert.equal(publicKeyToPem(key), pem);
});

test("PKCS#1 RSA PUBLIC KEY is read", (t) => {
  const have = spawnSync("ssh-keygen", ["-?"], { encoding: "utf8" });
  if (have.error) {
    if (process.env.CI === "true") assert.fail("ssh-keygen not installed");
    t.skip("ssh-keygen not installed");
    return;
  }
  const path = new URL("./testdata/core/rsa2048.pub", import.meta.url).pathname;
  const out = spawnSync("ssh-keygen", ["-e", "-m", "PEM", "-f", path], { encoding: "utf8" });
  assert.match(out.stdout, /BEGIN RSA PUBLIC KEY/);
  const pub = parsePublicKeyLine(read("rsa2048.pub")).key;
  assert.ok(parsePublicKeyPem(out.stdout).equals(pub));
});

test("publicKeyToPem round trips generated keys; bad PEM is a KeyError", async () => {
  for (const type of ["ssh-ed25519", "ecdsa-sha2-nistp521", "ssh-rsa"] as const) {
    const key = (await generateKey(type, { bits: 2048 })).publicKey;
    assert.ok(parsePublicKeyPem(publicKeyToPem(key)).equals(key));
  }
  const good = read("ecdsa256.spki.pem");
  const lines = good.split("\n");
  const body = lines.slice(1, -2).join("");
  const wrap = (b64: string): string =>
    `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----\n`;
  const flipped = body.slice(0, 40) + (body[40] === "A" ? "B" : "A") + body.slice(41);
  const bad = [
    "",
    "not pem",
    good.replace("END PUBLIC KEY", "END PRIVATE KEY"),
    lines.slice(0, 2).join("\n"),
    wrap(body.slice(0, -8) + "===="),
    wrap(body + "!"),
    wrap(flipped),
    wrap(btoa("\x30\x03\x02\x01\x01")),
    wrap(btoa("\x30\x80\x00\x00")),
  ];
  for (const text of bad) assert.throws(() => parsePublicKeyPem(text), KeyError, text.slice(0, 60));
});
