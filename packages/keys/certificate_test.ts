import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SshWriter } from "@hush/wire";
import {
  type Certificate,
  certificateSigner,
  checkCertificate,
  decodeSignatureBlob,
  generateKey,
  keyBits,
  KeyError,
  keyTypeLabel,
  parsePublicKey,
  parsePublicKeyLine,
  type PrivateKey,
  type PublicKey,
  randomart,
} from "./mod.ts";

const read = (name: string): string =>
  readFileSync(new URL(`./testdata/core/certs/${name}`, import.meta.url), "utf8");
const cert = (name: string): PublicKey => parsePublicKeyLine(read(`${name}-cert.pub`)).key;
const NOW = Date.UTC(2026, 0, 1);

/** The fields `ssh-keygen -L` prints, read back from its output. */
function listing(name: string) {
  const text = read(`${name}-cert.txt`);
  const section = (title: string): string[] => {
    const m = new RegExp(`\\n\\s+${title}: ?(.*)\\n((?:\\s{16}.*\\n)*)`).exec(text)!;
    if (m[1].trim() === "(none)") return [];
    return m[2].split("\n").map((l) => l.trim()).filter((l) => l);
  };
  const valid = /Valid: (?:from (\S+) to (\S+)|forever)/.exec(text)!;
  return {
    type: /Type: (\S+) (user|host) certificate/.exec(text)!,
    keyId: /Key ID: "(.*)"/.exec(text)![1],
    serial: BigInt(/Serial: (\d+)/.exec(text)![1]),
    from: valid[1] ? BigInt(Date.parse(valid[1] + "Z") / 1000) : 0n,
    to: valid[2] ? BigInt(Date.parse(valid[2] + "Z") / 1000) : 0xffffffffffffffffn,
    principals: section("Principals"),
    critical: section("Critical Options"),
    extensions: section("Extensions"),
    ca: /Signing CA: (\S+) (\S+) \(using (\S+)\)/.exec(text)!,
  };
}

const CERTS = [
  "user_ed25519",
  "user_ecdsa256",
  "user_rsa2048",
  "host_ecdsa384",
  "host_ed25519",
  "expired_ed25519",
  "noprincipals_ed25519",
  "unknowncrit_ed25519",
  "sha1ca_ed25519",
];

for (const name of CERTS) {
  test(`${name}: ssh-keygen certificate parses to the fields ssh-keygen -L lists`, () => {
    const { key, comment } = parsePublicKeyLine(read(`${name}-cert.pub`));
    const c = key.certificate!;
    const l = listing(name);
    assert.equal(key.type, l.type[1]);
    assert.equal(c.type, key.type);
    assert.equal(c.certType, l.type[2] === "user" ? 1 : 2);
    assert.equal(c.keyId, l.keyId);
    assert.equal(c.serial, l.serial);
    assert.equal(c.validAfter, l.from);
    assert.equal(c.validBefore, l.to);
    assert.deepEqual(c.principals, l.principals);
    assert.deepEqual([...c.extensions.keys()], l.extensions);
    const known = [...c.criticalOptions].filter(([k]) => !k.includes("@"));
    assert.deepEqual(
      known.map(([k, v]) => `${k} ${v}`),
      l.critical.filter((s) => !s.includes("UNKNOWN")),
    );
    assert.equal(c.signatureKey.fingerprint(), l.ca[2]);
    assert.equal(keyTypeLabel(c.signatureKey), l.ca[1]);
    assert.equal(c.signatureAlgorithm, l.ca[3]);
    assert.equal(decodeSignatureBlob(c.signature).algorithm, l.ca[3]);
    // ssh-keygen -l and -lv on the certificate file.
    const fp = read(`${name}-cert.fp-sha256`).trim();
    assert.equal(`${keyBits(key)} ${key.fingerprint()} ${comment} (${keyTypeLabel(key)})`, fp);
    const art = read(`${name}-cert.art-sha256`).trimEnd().split("\n").slice(1).join("\n");
    assert.equal(randomart(key), art);
    assert.ok(parsePublicKey(key.blob).equals(key));
    assert.equal(key.toString(comment), read(`${name}-cert.pub`).trim());
  });
}

test("certificate fields: force-command, source-address, extensions", () => {
  const c = cert("user_ed25519").certificate!;
  assert.equal(c.forceCommand, "echo forced, with spaces");
  assert.deepEqual(c.sourceAddress, ["10.0.0.0/8", "192.168.1.1"]);
  assert.equal(c.extensions.get("permit-pty"), "");
  assert.equal(cert("user_rsa2048").certificate!.extensions.has("permit-pty"), false);
  assert.equal(cert("user_rsa2048").certificate!.forceCommand, undefined);
  assert.deepEqual(cert("user_rsa2048").signatureAlgorithms, [
    "rsa-sha2-512-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
  ]);
  const unknown = cert("unknowncrit_ed25519").certificate!;
  assert.equal(unknown.criticalOptions.get("frobnicate@hush.test"), "yes");
});

test("checkCertificate: type, validity window, principals, critical options, SHA-1 CA", () => {
  const ok = (name: string, opts: Parameters<typeof checkCertificate>[1]): void =>
    checkCertificate(cert(name).certificate!, opts);
  const bad = (name: string, opts: Parameters<typeof checkCertificate>[1], re: RegExp): void =>
    assert.throws(() => ok(name, opts), (e) => e instanceof KeyError && re.test(e.message));

  ok("user_ed25519", { type: "user", principal: "alice", now: NOW });
  ok("user_ed25519", { type: "user", principal: "bob", now: NOW });
  ok("user_ed25519", { type: "user", now: NOW });
  bad("user_ed25519", { type: "user", principal: "carol", now: NOW }, /principal "carol"/);
  bad("user_ed25519", { type: "host", now: NOW }, /user certificate/);
  bad("host_ed25519", { type: "user", now: NOW }, /host certificate/);
  ok("host_ecdsa384", { type: "host", principal: "10.1.2.3", now: NOW });
  ok("host_ed25519", { type: "host", principal: "host.example.com", now: NOW });
  bad("host_ed25519", { type: "host", principal: "evil.example.com", now: NOW }, /principal/);
  // The window: [validAfter, validBefore).
  const after = Date.UTC(2025, 0, 1);
  const before = Date.UTC(2035, 0, 1);
  ok("user_ed25519", { type: "user", now: after });
  bad("user_ed25519", { type: "user", now: after - 1000 }, /not yet valid/);
  ok("user_ed25519", { type: "user", now: before - 1000 });
  bad("user_ed25519", { type: "user", now: before }, /expired/);
  bad("expired_ed25519", { type: "user", principal: "alice", now: NOW }, /expired/);
  // No principals: fine when none is asked for, refused when one is.
  ok("noprincipals_ed25519", { type: "user", now: NOW });
  bad("noprincipals_ed25519", { type: "user", principal: "alice", now: NOW }, /no principals/);
  bad("unknowncrit_ed25519", { type: "user", now: NOW }, /critical option frobnicate/);
  bad("sha1ca_ed25519", { type: "user", now: NOW }, /ssh-rsa/);
  // source-address (10.0.0.0/8,192.168.1.1) is enforced when the client address is given.
  ok("user_ed25519", { type: "user", now: NOW, remoteAddress: "10.9.8.7" });
  ok("user_ed25519", { type: "user", now: NOW, remoteAddress: "192.168.1.1" });
  bad("user_ed25519", { type: "user", now: NOW, remoteAddress: "192.168.1.2" }, /address/);
  bad("user_ed25519", { type: "user", now: NOW, remoteAddress: "2001:db8::1" }, /address/);
  ok("sha1ca_ed25519", { type: "user", now: NOW, allowSha1: true });
  const e = (() => {
    try {
      ok("host_ed25519", { type: "host", principal: "x", now: NOW });
    } catch (e) {
      return e as KeyError;
    }
  })();
  assert.equal(e?.reason, 9); // HOST_KEY_NOT_VERIFIABLE
});

test("tampered certificates fail to parse with KeyError", () => {
  for (const name of ["user_ed25519", "user_ecdsa256", "user_rsa2048", "host_ecdsa384"]) {
    const blob = cert(name).blob;
    // Flip one byte in every position past the type name (stride keeps it quick).
    const typeEnd = 4 + new DataView(blob.buffer, blob.byteOffset).getUint32(0);
    let failures = 0;
    for (let i = typeEnd; i < blob.length; i += 7) {
      const b = blob.slice();
      b[i] ^= 0x01;
      try {
        parsePublicKey(b);
      } catch (e) {
        assert.ok(e instanceof KeyError, String(e));
        failures++;
        continue;
      }
      assert.fail(`${name}: flipping byte ${i} still parsed`);
    }
    assert.ok(failures > 10);
    assert.throws(() => parsePublicKey(blob.subarray(0, blob.length - 1)), KeyError);
    assert.throws(() => parsePublicKey(new Uint8Array([...blob, 0])), KeyError);
  }
});

test("every truncation and random bytes in a certificate give only KeyError", () => {
  const blob = cert("user_ed25519").blob;
  for (let n = 0; n < blob.length; n++) {
    assert.throws(() => parsePublicKey(blob.subarray(0, n)), KeyError);
  }
  let state = 7;
  const rand = (n: number): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  for (const name of ["user_rsa2048", "host_ecdsa384"]) {
    const base = cert(name).blob;
    for (let i = 0; i < 300; i++) {
      const b = base.slice();
      for (let j = 0; j < 3; j++) b[rand(b.length)] ^= 1 + rand(255);
      assert.throws(() => parsePublicKey(b), KeyError);
    }
  }
});

/** Writes and signs a certificate (as ssh-keygen -s does) for tests. */
async function makeCert(
  key: PublicKey,
  ca: PrivateKey,
  o: {
    certType?: 1 | 2;
    principals?: string[];
    critical?: [string, string][];
    signatureKeyBlob?: Uint8Array;
    algorithm?: string;
  } = {},
): Promise<Uint8Array> {
  const certTypes: Record<string, string> = {
    "ssh-ed25519": "ssh-ed25519-cert-v01@openssh.com",
    "ssh-rsa": "ssh-rsa-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256": "ecdsa-sha2-nistp256-cert-v01@openssh.com",
  };
  const w = new SshWriter().string(certTypes[key.type]).string(new Uint8Array(32));
  w.raw(key.blob.subarray(4 + key.type.length)); // the key's fields
  w.uint64(7n).uint32(o.certType ?? 1).string("test");
  const p = new SshWriter();
  for (const n of o.principals ?? ["alice"]) p.string(n);
  w.string(p.finish()).uint64(0n).uint64(0xffffffffffffffffn);
  const c = new SshWriter();
  for (const [k, v] of o.critical ?? []) c.string(k).string(new SshWriter().string(v).finish());
  w.string(c.finish()).string(new Uint8Array(0)).string(new Uint8Array(0));
  w.string(o.signatureKeyBlob ?? ca.publicKey.blob);
  const signed = w.finish();
  const sig = await ca.sign(signed, o.algorithm);
  return new SshWriter().raw(signed).string(sig).finish();
}

test("a certificate signed by a certificate is rejected", async () => {
  const ca = await generateKey("ssh-ed25519");
  const user = await generateKey("ssh-ed25519");
  const good = await makeCert(user.publicKey, ca);
  assert.equal(parsePublicKey(good).certificate!.principals[0], "alice");
  // The CA's key presented as a certificate (itself signed by the CA).
  const caCert = await makeCert(ca.publicKey, ca);
  const nested = await makeCert(user.publicKey, ca, { signatureKeyBlob: caCert });
  assert.throws(() => parsePublicKey(nested), /itself a certificate/);
});

test("certificate keys verify signatures of the certified key under cert algorithm names", async () => {
  const ca = await generateKey("ecdsa-sha2-nistp256");
  for (const type of ["ssh-ed25519", "ssh-rsa"] as const) {
    const user = await generateKey(type, { bits: 2048 });
    const certKey = parsePublicKey(await makeCert(user.publicKey, ca));
    const signer = certificateSigner(user, certKey);
    assert.equal(signer.publicKey, certKey);
    const data = new Uint8Array([9, 9, 9]);
    for (const alg of certKey.signatureAlgorithms) {
      const sig = await signer.sign(data, alg);
      assert.equal(await certKey.verify(alg, sig, data), true, alg);
      assert.equal(await certKey.verify(alg, sig, data.subarray(1)), false);
    }
    const plainAlg = user.publicKey.signatureAlgorithms[0];
    assert.equal(await certKey.verify(plainAlg, await user.sign(data), data), true);
    assert.equal(
      await certKey.verify("ssh-rsa-cert-v01@openssh.com", await user.sign(data), data),
      false,
    );
    assert.equal(certKey.fingerprint(), user.publicKey.fingerprint());
    assert.throws(() => certificateSigner(ca, certKey), KeyError);
    assert.throws(() => certificateSigner(user, user.publicKey), KeyError);
  }
});

test("certificates signed with rsa-sha2-256/512 and ECDSA CAs verify (ours and ssh-keygen's)", async () => {
  const ca = await generateKey("ssh-rsa", { bits: 2048 });
  const user = await generateKey("ecdsa-sha2-nistp256");
  for (const alg of ["rsa-sha2-256", "rsa-sha2-512"]) {
    const c: Certificate = parsePublicKey(
      await makeCert(user.publicKey, ca, { algorithm: alg, critical: [["force-command", "ls"]] }),
    ).certificate!;
    assert.equal(c.signatureAlgorithm, alg);
    assert.equal(c.forceCommand, "ls");
  }
  assert.equal(cert("user_ecdsa256").certificate!.signatureAlgorithm, "rsa-sha2-512");
  assert.equal(cert("host_ed25519").certificate!.signatureAlgorithm, "rsa-sha2-256");
  assert.equal(cert("user_rsa2048").certificate!.signatureAlgorithm, "ecdsa-sha2-nistp384");
});
