import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  checkCertificate,
  generateKey,
  type GenerateKeyType,
  KeyError,
  parsePublicKey,
  type PrivateKey,
  signCertificate,
} from "./mod.ts";

function haveSshKeygen(t: { skip: (m: string) => void }): boolean {
  if (!spawnSync("ssh-keygen", ["-?"]).error) return true;
  if (process.env.CI === "true") assert.fail("ssh-keygen not installed");
  t.skip("ssh-keygen not installed");
  return false;
}

const CAS: [GenerateKeyType, string | undefined][] = [
  ["ssh-ed25519", undefined],
  ["ecdsa-sha2-nistp256", undefined],
  ["ecdsa-sha2-nistp384", undefined],
  ["ecdsa-sha2-nistp521", undefined],
  ["ssh-rsa", "rsa-sha2-256"],
  ["ssh-rsa", "rsa-sha2-512"],
];

const keys = new Map<string, PrivateKey>();
async function key(type: GenerateKeyType): Promise<PrivateKey> {
  if (!keys.has(type)) keys.set(type, await generateKey(type, { bits: 2048 }));
  return keys.get(type)!;
}

for (const [caType, alg] of CAS) {
  test(`ssh-keygen -L accepts a certificate signed by a Hush ${alg ?? caType} CA`, async (t) => {
    if (!haveSshKeygen(t)) return;
    const dir = mkdtempSync(join(tmpdir(), "hush-keys-"));
    try {
      const ca = await key(caType);
      const subjects: GenerateKeyType[] = ["ssh-ed25519", "ecdsa-sha2-nistp384", "ssh-rsa"];
      for (const subjectType of subjects) {
        const subject = await key(subjectType);
        const host = subjectType === "ecdsa-sha2-nistp384";
        const cert = await signCertificate(ca, subject.publicKey, {
          type: host ? "host" : "user",
          keyId: `hush ${subjectType}`,
          principals: host ? ["host.example.com"] : ["alice", "bob"],
          validAfter: 1735689600n,
          validBefore: 2051222400n,
          serial: 42n,
          criticalOptions: host
            ? {}
            : { "force-command": "echo hi", "source-address": "10.0.0.0/8" },
          algorithm: alg,
        });
        const c = cert.certificate!;
        assert.equal(c.signatureAlgorithm, alg ?? caType);
        checkCertificate(c, {
          type: host ? "host" : "user",
          principal: host ? "host.example.com" : "bob",
          now: Date.UTC(2026, 0, 1),
        });
        const file = join(dir, "cert.pub");
        writeFileSync(file, cert.toString("hush") + "\n");
        const out = spawnSync("ssh-keygen", ["-L", "-f", file], { encoding: "utf8" });
        assert.equal(out.status, 0, out.stderr);
        assert.match(out.stdout, new RegExp(`Key ID: "hush ${subjectType}"`));
        assert.match(out.stdout, /Serial: 42/);
        assert.match(out.stdout, new RegExp(`using ${alg ?? caType}\\)`));
        assert.match(out.stdout, host ? /host\.example\.com/ : /force-command echo hi/);
        assert.ok(out.stdout.includes(ca.publicKey.fingerprint()));
        // A tampered copy is refused by ssh-keygen and by Hush.
        const bad = cert.blob.slice();
        bad[bad.length - 80] ^= 1;
        assert.throws(() => parsePublicKey(bad), KeyError);
        const b64 = btoa(String.fromCharCode(...bad));
        writeFileSync(file, `${cert.type} ${b64}\n`);
        const out2 = spawnSync("ssh-keygen", ["-L", "-f", file], { encoding: "utf8" });
        assert.notEqual(out2.status, 0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("signCertificate defaults and argument checks", async () => {
  const ca = await key("ssh-ed25519");
  const user = await key("ecdsa-sha2-nistp384");
  const cert = await signCertificate(ca, user.publicKey, { keyId: "x" });
  const c = cert.certificate!;
  assert.equal(c.certType, 1);
  assert.deepEqual([...c.extensions.keys()], [
    "permit-X11-forwarding",
    "permit-agent-forwarding",
    "permit-port-forwarding",
    "permit-pty",
    "permit-user-rc",
  ]);
  assert.equal(c.validBefore, 0xffffffffffffffffn);
  assert.equal(c.nonce.length, 32);
  const host = await signCertificate(ca, user.publicKey, { keyId: "h", type: "host" });
  assert.equal(host.certificate!.extensions.size, 0);
  await assert.rejects(signCertificate(ca, cert, { keyId: "nested" }), TypeError);
  await assert.rejects(
    signCertificate(ca, user.publicKey, { keyId: "many", principals: Array(257).fill("a") }),
    RangeError,
  );
  await assert.rejects(
    signCertificate(ca, user.publicKey, { keyId: "alg", algorithm: "rsa-sha2-256" }),
    KeyError,
  );
});
