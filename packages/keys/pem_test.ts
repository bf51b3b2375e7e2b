import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { KeyError } from "./errors.ts";
import { parsePrivateKey } from "./private_key_file.ts";
import { decodePem, encodePem } from "./pem.ts";
import { MAX_PBKDF2_ITERATIONS } from "./pem_pkcs8.ts";

const PASS = "hush passphrase";
/** Loops over key derivations and subprocesses: generous for loaded machines and Bun's 5 s default. */
const SLOW = { timeout: 60_000 };
const PEM_TYPES = ["ecdsa256", "ecdsa384", "ecdsa521", "rsa2048", "rsa3072"];

function fixture(name: string): string {
  return readFileSync(new URL(`./testdata/formats/${name}`, import.meta.url), "utf8");
}

function pubOf(name: string): string {
  return fixture(`${name}.pub`).split(" ").slice(0, 2).join(" ").trim();
}

async function rejectsKeyError(p: Promise<unknown>, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof KeyError, `expected KeyError, got ${String(e)}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

for (const name of PEM_TYPES) {
  test(`reads ${name} as PKCS#8, encrypted PKCS#8 and PKCS#1/SEC1 PEM: same public key`, async () => {
    const expected = pubOf(name);
    const fp = fixture(`${name}.fp-sha256`).split(" ")[1];
    const label = name.startsWith("rsa") ? "RSA PRIVATE KEY" : "EC PRIVATE KEY";
    assert.ok(fixture(`${name}.pem`).startsWith(`-----BEGIN ${label}-----`));
    for (const file of [`${name}.pkcs8.pem`, `${name}.pem`]) {
      const key = await parsePrivateKey(fixture(file));
      assert.equal(key.publicKey.toString(), expected, file);
      assert.equal(key.publicKey.fingerprint(), fp, file);
      assert.equal(key.comment, "");
    }
    const enc = await parsePrivateKey(fixture(`${name}.pkcs8enc.pem`), { passphrase: PASS });
    assert.equal(enc.publicKey.toString(), expected);
  });
}

test("reads openssl's Ed25519 PKCS#8, plain and encrypted", async () => {
  const expected = fixture("ed25519-openssl.pkcs8.pem.pub").trim();
  const fp = fixture("ed25519-openssl.pkcs8.pem.fp-sha256").split(" ")[1];
  const plain = await parsePrivateKey(fixture("ed25519-openssl.pkcs8.pem"));
  assert.equal(plain.publicKey.toString(), expected);
  assert.equal(plain.publicKey.fingerprint(), fp);
  const enc = await parsePrivateKey(fixture("ed25519-openssl.pkcs8enc.pem"), { passphrase: PASS });
  assert.equal(enc.publicKey.toString(), expected);
});

test("PEM keys sign like the OpenSSH-format key they came from", async () => {
  const fromPem = await parsePrivateKey(fixture("ecdsa384.pkcs8enc.pem"), { passphrase: PASS });
  const fromOpenSsh = await parsePrivateKey(fixture("ecdsa384"));
  const data = new TextEncoder().encode("data");
  const sig = await fromPem.sign(data);
  assert.ok(await fromOpenSsh.publicKey.verify("ecdsa-sha2-nistp384", sig, data));
});

test("encrypted PKCS#8: wrong or missing passphrase is a KeyError", SLOW, async () => {
  for (const name of ["rsa2048", "ecdsa256", "ed25519-openssl"]) {
    const text = fixture(`${name}.pkcs8enc.pem`);
    await rejectsKeyError(parsePrivateKey(text, { passphrase: "nope" }), /^Wrong passphrase/);
    await rejectsKeyError(parsePrivateKey(text), /passphrase is required/);
  }
});

test("an EC PARAMETERS block before the key is skipped, as OpenSSL writes it", async () => {
  const text = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" +
    fixture("ecdsa256.pem");
  const key = await parsePrivateKey(text);
  assert.equal(key.publicKey.toString(), pubOf("ecdsa256"));
});

/** A SEC1 `EC PRIVATE KEY` with `zeros` zero bytes put before the scalar of a fixture. */
function sec1WithZeros(name: string, zeros: number): string {
  const block = decodePem(fixture(`${name}.pem`));
  const der = block.bytes;
  // SEQUENCE { INTEGER 1, OCTET STRING d, … }: the octet string starts after 30 len 02 01 01
  const seqHeader = der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2;
  const at = seqHeader + 3;
  assert.equal(der[at], 0x04);
  const dLength = der[at + 1];
  const rest = der.subarray(at + 2 + dLength);
  const d = der.subarray(at + 2, at + 2 + dLength);
  const body = [
    ...der.subarray(seqHeader, at),
    0x04,
    dLength + zeros,
    ...new Uint8Array(zeros),
    ...d,
    ...rest,
  ];
  const head = body.length < 0x80
    ? [0x30, body.length]
    : body.length < 0x100
    ? [0x30, 0x81, body.length]
    : [0x30, 0x82, body.length >> 8, body.length & 0xff];
  return encodePem("EC PRIVATE KEY", new Uint8Array([...head, ...body]));
}

test("SEC1 scalars with leading zero bytes are read (33/49/67 bytes), as OpenSSH and OpenSSL", async () => {
  for (const name of ["ecdsa256", "ecdsa384", "ecdsa521"]) {
    for (const zeros of [1, 2]) {
      const key = await parsePrivateKey(sec1WithZeros(name, zeros));
      assert.equal(key.publicKey.toString(), pubOf(name), `${name} with ${zeros} zero bytes`);
    }
  }
  // a scalar longer than the curve's once the zeros are gone is still refused
  const block = decodePem(sec1WithZeros("ecdsa256", 1));
  const at = block.bytes.indexOf(0x04, 5) + 2;
  block.bytes[at] = 1;
  await rejectsKeyError(
    parsePrivateKey(encodePem(block.label, block.bytes)),
    /scalar longer than 32 bytes/,
  );
});

function thirdParty(name: string): string {
  return readFileSync(new URL(`./testdata/thirdparty/${name}`, import.meta.url), "utf8");
}

test("legacy encrypted PEM: openssl's AES-128/192/256-CBC, RSA and EC", SLOW, async () => {
  for (const name of ["rsa2048", "ecdsa384"]) {
    const expected = thirdParty(`openssl/${name}.pub`).trim().split(" ").slice(0, 2).join(" ");
    for (const cipher of ["aes128", "aes192", "aes256"]) {
      const text = thirdParty(`openssl/${name}.${cipher}.pem`);
      assert.match(text, /DEK-Info: AES-\d+-CBC,/);
      const key = await parsePrivateKey(text, { passphrase: PASS });
      assert.equal(key.publicKey.toString(), expected, `${name}.${cipher}`);
    }
  }
});

test(
  "legacy encrypted PEM: a missing or wrong passphrase says so, in KeyError.passphrase",
  SLOW,
  async () => {
    for (
      const file of [
        "openssl/rsa2048.aes128.pem",
        "openssl/ecdsa384.aes256.pem",
        "python/ecdsa521.pem-aes256",
      ]
    ) {
      const text = thirdParty(file);
      await assert.rejects(parsePrivateKey(text), (e: unknown) => {
        assert.ok(e instanceof KeyError);
        assert.equal(e.passphrase, "required");
        return true;
      });
      for (const wrong of ["nope", "hush passphrasf", "x".repeat(100)]) {
        await assert.rejects(parsePrivateKey(text, { passphrase: wrong }), (e: unknown) => {
          assert.ok(e instanceof KeyError, String(e));
          assert.equal(e.passphrase, "wrong", `${file} with ${wrong}: ${e.message}`);
          assert.match(e.message, /^Wrong passphrase/);
          return true;
        });
      }
    }
  },
);

test("legacy encrypted PEM with DES-EDE3-CBC is refused with the command that converts it", async () => {
  for (const file of ["openssl/rsa2048.des3.pem", "putty/ecdsa256z.openssh-pem-3des"]) {
    for (const passphrase of [undefined, PASS]) {
      await assert.rejects(parsePrivateKey(thirdParty(file), { passphrase }), (e: unknown) => {
        assert.ok(e instanceof KeyError);
        assert.equal(e.passphrase, undefined, "no passphrase would help");
        assert.match(e.message, /encrypted with DES-EDE3-CBC, which Hush does not read/);
        assert.match(e.message, /"ssh-keygen -p -f FILE"/);
        return true;
      });
    }
  }
});

test("legacy encrypted PEM: bad headers are KeyErrors before any passphrase is asked", async () => {
  const body = fixture("rsa2048.pem").split("\n").slice(1, -2).join("\n");
  const pem = (headers: string, label = "RSA PRIVATE KEY") =>
    `-----BEGIN ${label}-----\n${headers}\n\n${body}\n-----END ${label}-----\n`;
  const cases: [string, RegExp, string?][] = [
    ["Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0011", /Invalid DEK-Info IV/],
    ["Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC", /Invalid DEK-Info IV/],
    [
      "Proc-Type: 4,ENCRYPTED\nDEK-Info: CAMELLIA-128-CBC,00",
      /Unsupported PEM encryption "CAMELLIA-128-CBC"/,
    ],
    ["Proc-Type: 4,ENCRYPTED", /without a DEK-Info/],
    [
      "Proc-Type: 4,MIC-ONLY\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF",
      /Proc-Type: 4,MIC-ONLY/,
    ],
    [
      "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF",
      /Unexpected encryption headers/,
      "PRIVATE KEY",
    ],
  ];
  for (const [headers, message, label] of cases) {
    await rejectsKeyError(parsePrivateKey(pem(headers, label)), message);
  }
});

test("not a private key: public keys, other PEM blocks, empty text", async () => {
  await rejectsKeyError(parsePrivateKey(""), /No PEM BEGIN line/);
  await rejectsKeyError(parsePrivateKey(fixture("ed25519.pub")), /No PEM BEGIN line/);
  await rejectsKeyError(
    parsePrivateKey("-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n"),
    /Unsupported PEM block: BEGIN PUBLIC KEY/,
  );
  await rejectsKeyError(parsePrivateKey("x".repeat((1 << 20) + 1)), /too large/);
});

test("truncated PEM text and truncated DER are KeyErrors", SLOW, async () => {
  for (const file of ["rsa2048.pkcs8.pem", "ecdsa521.pem", "rsa2048.pem", "rsa2048.pkcs8enc.pem"]) {
    const text = fixture(file);
    for (let cut = 0; cut < text.length; cut += 23) {
      await rejectsKeyError(parsePrivateKey(text.slice(0, cut), { passphrase: PASS }), undefined);
    }
    const block = decodePem(text);
    for (let cut = 0; cut < block.bytes.length; cut += 7) {
      await rejectsKeyError(
        parsePrivateKey(encodePem(block.label, block.bytes.subarray(0, cut)), { passphrase: PASS }),
      );
    }
  }
});

test("garbled base64 is a KeyError", async () => {
  const text = fixture("ecdsa256.pkcs8.pem");
  const lines = text.split("\n");
  for (const garble of ["!", "=", "A", "-", "é"]) {
    const bad = [...lines];
    bad[1] = bad[1].slice(0, 10) + garble + bad[1].slice(11);
    if (garble === "A" && bad[1] === lines[1]) continue;
    try {
      const key = await parsePrivateKey(bad.join("\n"));
      assert.fail(`garble ${garble} gave a key ${key.publicKey.type}`);
    } catch (e) {
      assert.ok(e instanceof KeyError, `garble ${garble}: ${String(e)}`);
    }
  }
  await rejectsKeyError(
    parsePrivateKey("-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n"),
    /not well-formed base64/,
  );
});

test(
  "garbled DER: every single-byte change gives a KeyError or a consistent key",
  SLOW,
  async () => {
    for (const file of ["ecdsa256.pkcs8.pem", "ecdsa256.pem", "ed25519-openssl.pkcs8.pem"]) {
      const block = decodePem(fixture(file));
      for (let i = 0; i < block.bytes.length; i++) {
        for (const flip of [0x01, 0x80]) {
          const bad = block.bytes.slice();
          bad[i] ^= flip;
          try {
            const key = await parsePrivateKey(encodePem(block.label, bad));
            // A changed scalar makes another valid key; it must still sign and verify.
            const data = new Uint8Array([i]);
            assert.ok(
              await key.publicKey.verify(
                key.publicKey.signatureAlgorithms[0],
                await key.sign(data),
                data,
              ),
            );
          } catch (e) {
            assert.ok(e instanceof KeyError, `${file} byte ${i}: ${String(e)}`);
          }
        }
      }
    }
  },
);

test("garbled RSA DER gives KeyErrors (n = p·q and the CRT values are checked)", SLOW, async () => {
  const block = decodePem(fixture("rsa2048.pem"));
  for (let i = 0; i < block.bytes.length; i += 5) {
    const bad = block.bytes.slice();
    bad[i] ^= 0x10;
    await rejectsKeyError(parsePrivateKey(encodePem(block.label, bad)), undefined);
  }
});

/** A DER TLV with a short or long-form length (test-only encoder). */
function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const head = len < 0x80
    ? [tag, len]
    : len < 0x100
    ? [tag, 0x81, len]
    : [tag, 0x82, len >> 8, len & 0xff];
  const out = new Uint8Array(head.length + len);
  out.set(head);
  let at = head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const oid = (...bytes: number[]) => tlv(0x06, new Uint8Array(bytes));
const PBES2 = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d);
const PBKDF2 = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c);
const HMAC_SHA256 = oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09);
const AES256_CBC = oid(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a);

function encryptedInfo(iterations: Uint8Array, prf = HMAC_SHA256, ivLength = 16): string {
  const der = tlv(
    0x30,
    tlv(
      0x30,
      PBES2,
      tlv(
        0x30,
        tlv(
          0x30,
          PBKDF2,
          tlv(0x30, tlv(0x04, new Uint8Array(8)), tlv(0x02, iterations), tlv(0x30, prf, tlv(0x05))),
        ),
        tlv(0x30, AES256_CBC, tlv(0x04, new Uint8Array(ivLength))),
      ),
    ),
    tlv(0x04, new Uint8Array(32)),
  );
  return encodePem("ENCRYPTED PRIVATE KEY", der);
}

test(`encrypted PKCS#8: PBKDF2 iteration counts above ${MAX_PBKDF2_ITERATIONS} are refused before any work`, async () => {
  await rejectsKeyError(
    parsePrivateKey(encryptedInfo(new Uint8Array([0x7f, 0xff, 0xff, 0xff])), { passphrase: PASS }),
    /iteration count 2147483647 is outside/,
  );
  await rejectsKeyError(
    parsePrivateKey(encryptedInfo(new Uint8Array([0])), { passphrase: PASS }),
    /iteration count 0 is outside/,
  );
  await rejectsKeyError(
    parsePrivateKey(encryptedInfo(new Uint8Array([0x01, 0x00, 0x00, 0x00, 0x00])), {
      passphrase: PASS,
    }),
    /too large/,
  );
});

test("encrypted PKCS#8: unknown PRF, bad IV and garbage plaintext are KeyErrors", async () => {
  await rejectsKeyError(
    parsePrivateKey(encryptedInfo(new Uint8Array([8, 0]), oid(0x2a, 0x03)), { passphrase: PASS }),
    /Unsupported PBKDF2 PRF 1.2.3/,
  );
  await rejectsKeyError(
    parsePrivateKey(encryptedInfo(new Uint8Array([8, 0]), HMAC_SHA256, 8), { passphrase: PASS }),
    /IV length/,
  );
  // Zero ciphertext under any key decrypts to garbage: bad padding or bad DER, same message.
  await rejectsKeyError(
    parsePrivateKey(encryptedInfo(new Uint8Array([8, 0])), { passphrase: PASS }),
    /^Wrong passphrase/,
  );
});
