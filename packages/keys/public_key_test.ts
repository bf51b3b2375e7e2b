import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SshWriter } from "@hush/wire";
import {
  fingerprintOf,
  generateKey,
  keyBits,
  KeyError,
  keyTypeLabel,
  parsePublicKey,
  parsePublicKeyLine,
  randomart,
} from "./mod.ts";

const read = (name: string): string =>
  readFileSync(new URL(`./testdata/core/${name}`, import.meta.url), "utf8");

const KEYS = [
  ["ed25519", "ssh-ed25519", 256, "ED25519"],
  ["ecdsa256", "ecdsa-sha2-nistp256", 256, "ECDSA"],
  ["ecdsa384", "ecdsa-sha2-nistp384", 384, "ECDSA"],
  ["ecdsa521", "ecdsa-sha2-nistp521", 521, "ECDSA"],
  ["rsa1024", "ssh-rsa", 1024, "RSA"],
  ["rsa2048", "ssh-rsa", 2048, "RSA"],
  ["rsa3072", "ssh-rsa", 3072, "RSA"],
  ["rsa4096", "ssh-rsa", 4096, "RSA"],
] as const;

for (const [name, type, bits, label] of KEYS) {
  test(`${name}: .pub line parses with ssh-keygen's fingerprints and randomart`, () => {
    const line = read(`${name}.pub`);
    const { key, comment, options } = parsePublicKeyLine(line);
    assert.equal(key.type, type);
    assert.equal(comment, `${name}@hush.test`);
    assert.equal(options, undefined);
    assert.equal(keyBits(key), bits);
    assert.equal(keyTypeLabel(key), label);
    // "256 SHA256:… comment (ED25519)"
    const fp256 = read(`${name}.fp-sha256`).trim();
    assert.equal(`${bits} ${key.fingerprint()} ${comment} (${label})`, fp256);
    const fpMd5 = read(`${name}.fp-md5`).trim();
    assert.equal(`${bits} ${key.fingerprint("md5")} ${comment} (${label})`, fpMd5);
    assert.equal(fingerprintOf(key.blob), key.fingerprint("sha256"));
    const art = read(`${name}.art-sha256`).trimEnd().split("\n").slice(1).join("\n");
    assert.equal(randomart(key), art);
    const artMd5 = read(`${name}.art-md5`).trimEnd().split("\n").slice(1).join("\n");
    assert.equal(randomart(key, "md5"), artMd5);
    // Round trip through the blob and the line.
    assert.ok(parsePublicKey(key.blob).equals(key));
    assert.equal(key.toString(comment), line.trim());
  });
}

test("parsePublicKeyLine keeps authorized_keys options and comments with spaces", () => {
  const pub = read("ed25519.pub").trim().split(" ").slice(0, 2).join(" ");
  const opts = 'command="echo \\"a, b\\" c",from="10.0.0.0/8,1.2.3.4",no-pty';
  const r = parsePublicKeyLine(`${opts} ${pub} my key  comment\r\n`);
  assert.equal(r.options, opts);
  assert.equal(r.comment, "my key  comment");
  assert.equal(r.key.type, "ssh-ed25519");
  const r2 = parsePublicKeyLine(`restrict\t${pub}`);
  assert.equal(r2.options, "restrict");
  assert.equal(r2.comment, "");
  const r3 = parsePublicKeyLine(`  ${pub}`);
  assert.equal(r3.options, undefined);
});

test("parsePublicKeyLine rejects malformed lines with KeyError", () => {
  const [type, b64] = read("ed25519.pub").trim().split(" ");
  const bad = [
    "",
    "# comment",
    "ssh-dss AAAA",
    `${type}`,
    `${type} ${b64.slice(0, -4)}`,
    `${type} ${b64}!`,
    `ecdsa-sha2-nistp256 ${b64}`,
    `command="unterminated ${type} ${b64}`,
    `no-pty`,
    "x".repeat(70000),
  ];
  for (const line of bad) {
    assert.throws(() => parsePublicKeyLine(line), KeyError, JSON.stringify(line.slice(0, 40)));
  }
});

function blob(type: string, ...fields: (Uint8Array | string | bigint)[]): Uint8Array {
  const w = new SshWriter().string(type);
  for (const f of fields) typeof f === "bigint" ? w.mpint(f) : w.string(f);
  return w.finish();
}

test("parsePublicKey rejects bad keys with KeyError only", () => {
  const ed = parsePublicKeyLine(read("ed25519.pub")).key;
  const p256 = parsePublicKeyLine(read("ecdsa256.pub")).key;
  const q = p256.blob.subarray(p256.blob.length - 65);
  const offCurve = q.slice();
  offCurve[64] ^= 1;
  const cases: [string, Uint8Array][] = [
    ["ed25519 31 bytes", blob("ssh-ed25519", new Uint8Array(31))],
    ["ed25519 33 bytes", blob("ssh-ed25519", new Uint8Array(33))],
    ["ecdsa point off curve", blob("ecdsa-sha2-nistp256", "nistp256", offCurve)],
    ["ecdsa curve mismatch", blob("ecdsa-sha2-nistp384", "nistp256", q)],
    ["ecdsa wrong length", blob("ecdsa-sha2-nistp384", "nistp384", q)],
    ["ecdsa compressed", blob("ecdsa-sha2-nistp256", "nistp256", q.slice(0, 33))],
    ["rsa 1023 bits", blob("ssh-rsa", 65537n, (1n << 1022n) | 1n)],
    ["rsa 16385 bits", blob("ssh-rsa", 65537n, (1n << 16384n) | 1n)],
    ["rsa even e", blob("ssh-rsa", 65536n, (1n << 2047n) | 1n)],
    ["rsa 65-bit e", blob("ssh-rsa", (1n << 64n) | 1n, (1n << 2047n) | 1n)],
    ["rsa e = 1", blob("ssh-rsa", 1n, (1n << 2047n) | 1n)],
    ["rsa negative n", blob("ssh-rsa", 65537n, -((1n << 2047n) | 1n))],
    ["unknown type", blob("ssh-dss", 1n, 2n, 3n, 4n)],
    ["trailing byte", new Uint8Array([...ed.blob, 0])],
    ["truncated", ed.blob.subarray(0, ed.blob.length - 1)],
    ["empty", new Uint8Array(0)],
    ["huge length", new Uint8Array([0xff, 0xff, 0xff, 0xff, 1])],
    ["non-ascii type", blob("ssh-\u00e9d25519", new Uint8Array(32))],
    ["cert truncated", blob("ssh-ed25519-cert-v01@openssh.com", new Uint8Array(32))],
  ];
  for (const [what, b] of cases) assert.throws(() => parsePublicKey(b), KeyError, what);
  // An RSA modulus of exactly 1024 and 16384 bits is fine.
  assert.equal(keyBits(parsePublicKey(blob("ssh-rsa", 65537n, (1n << 1023n) | 1n))), 1024);
  assert.equal(keyBits(parsePublicKey(blob("ssh-rsa", 65537n, (1n << 16383n) | 1n))), 16384);
});

test("parsePublicKey throws only KeyError for random and mutated bytes", () => {
  const seeds = KEYS.map(([name]) => parsePublicKeyLine(read(`${name}.pub`)).key.blob);
  let state = 12345;
  const rand = (n: number): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  for (let i = 0; i < 2000; i++) {
    const b = seeds[i % seeds.length].slice();
    const flips = 1 + rand(4);
    for (let j = 0; j < flips; j++) b[rand(b.length)] = rand(256);
    const cut = rand(3) === 0 ? b.subarray(0, rand(b.length)) : b;
    try {
      parsePublicKey(cut);
    } catch (e) {
      assert.ok(e instanceof KeyError, String(e));
    }
  }
});

test("randomart header and footer formats", async () => {
  const key = (await generateKey("ssh-ed25519")).publicKey;
  const lines = randomart(key).split("\n");
  assert.equal(lines.length, 11);
  assert.equal(lines[0], "+--[ED25519 256]--+");
  assert.equal(lines[10], "+----[SHA256]-----+");
  assert.equal(randomart(key, "md5").split("\n")[10], "+------[MD5]------+");
  for (const l of lines.slice(1, 10)) assert.match(l, /^\|.{17}\|$/);
});
