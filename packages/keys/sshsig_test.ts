import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeyError } from "./errors.ts";
import { generateKey } from "./generate.ts";
import { parsePrivateKey } from "./private_key_file.ts";
import { signSshsig, verifySshsig } from "./sshsig.ts";
import { certificateSigner } from "./certificate_signer.ts";
import { parsePublicKeyLine } from "./public_key_line.ts";

/** Loops over subprocesses: generous for loaded machines and Bun's 5 s default. */
const SLOW = { timeout: 60_000 };
const TYPES = ["ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa2048", "rsa3072"];

function fixture(name: string): string {
  return readFileSync(new URL(`./testdata/formats/${name}`, import.meta.url), "utf8");
}

const MESSAGE = new TextEncoder().encode(fixture("sshsig/message"));

function haveSshKeygen(t: TestContext): boolean {
  const r = spawnSync("ssh-keygen", ["-?"], { encoding: "utf8" });
  if (!r.error) return true;
  if (process.env.CI === "true") assert.fail("ssh-keygen not installed");
  t.skip("ssh-keygen not installed");
  return false;
}

async function rejectsKeyError(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof KeyError, `expected KeyError, got ${String(e)}`);
    assert.match(e.message, message);
    return true;
  });
}

for (const name of TYPES) {
  test(`verifies the committed ssh-keygen -Y sign signature of ${name}`, async () => {
    const key = await parsePrivateKey(fixture(name));
    const sig = fixture(`sshsig/${name}.sig`);
    const found = await verifySshsig(sig, MESSAGE, { namespace: "file" });
    assert.ok(found.publicKey.equals(key.publicKey));
    assert.equal(found.hash, "sha512");
    if (name.startsWith("rsa")) assert.equal(found.algorithm, "rsa-sha2-512");
    await verifySshsig(sig, MESSAGE, { namespace: "file", publicKey: key.publicKey });
    await rejectsKeyError(verifySshsig(sig, MESSAGE, { namespace: "git" }), /namespace "file"/);
    const other = new Uint8Array(MESSAGE);
    other[0] ^= 1;
    await rejectsKeyError(verifySshsig(sig, other, { namespace: "file" }), /does not verify/);
    const stranger = await generateKey("ssh-ed25519");
    await rejectsKeyError(
      verifySshsig(sig, MESSAGE, { namespace: "file", publicKey: stranger.publicKey }),
      /another key/,
    );
  });
}

/** Runs `ssh-keygen -Y verify` on a Hush signature; returns its exit status and output. */
function sshKeygenVerify(
  dir: string,
  pubLine: string,
  signature: string,
  namespace: string,
): { status: number | null; out: string } {
  writeFileSync(join(dir, "allowed_signers"), `hush@test ${pubLine}\n`);
  writeFileSync(join(dir, "msg.sig"), signature);
  const r = spawnSync("ssh-keygen", [
    "-Y",
    "verify",
    "-f",
    join(dir, "allowed_signers"),
    "-I",
    "hush@test",
    "-n",
    namespace,
    "-s",
    join(dir, "msg.sig"),
  ], { input: MESSAGE, encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

test(
  "ssh-keygen -Y verify -n file accepts Hush's signatures for every key type",
  SLOW,
  async (t) => {
    if (!haveSshKeygen(t)) return;
    const dir = mkdtempSync(join(tmpdir(), "hush-sshsig-"));
    try {
      for (const name of TYPES) {
        const key = await parsePrivateKey(fixture(name));
        const sig = await signSshsig(key, MESSAGE, { namespace: "file" });
        assert.match(sig, /^-----BEGIN SSH SIGNATURE-----\n/);
        const ok = sshKeygenVerify(dir, key.publicKey.toString(), sig, "file");
        assert.equal(ok.status, 0, `${name}: ${ok.out}`);
        assert.match(ok.out, new RegExp(`Good "file" signature for hush@test`));
        assert.ok(ok.out.includes(key.publicKey.fingerprint()), ok.out);
        // The namespace is bound into the signature: another one is refused.
        const wrong = sshKeygenVerify(dir, key.publicKey.toString(), sig, "git");
        assert.notEqual(wrong.status, 0, `${name} verified under the wrong namespace`);
      }
      const sha256 = await generateKey("ecdsa-sha2-nistp256");
      const sig = await signSshsig(sha256, MESSAGE, { namespace: "file", hash: "sha256" });
      assert.equal(sshKeygenVerify(dir, sha256.publicKey.toString(), sig, "file").status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("Hush verifies fresh ssh-keygen -Y sign signatures for every key type", SLOW, async (t) => {
  if (!haveSshKeygen(t)) return;
  const dir = mkdtempSync(join(tmpdir(), "hush-sshsig-"));
  try {
    const sign = (keyFile: string, extra: string[]): string => {
      writeFileSync(join(dir, "msg"), MESSAGE);
      const args = ["-Y", "sign", "-n", "file", ...extra, "-f", keyFile, join(dir, "msg")];
      const r = spawnSync("ssh-keygen", args, { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const sig = readFileSync(join(dir, "msg.sig"), "utf8");
      rmSync(join(dir, "msg.sig"));
      return sig;
    };
    for (const name of TYPES) {
      const keyFile = join(dir, name);
      writeFileSync(keyFile, fixture(name));
      chmodSync(keyFile, 0o600);
      const key = await parsePrivateKey(fixture(name));
      const found = await verifySshsig(sign(keyFile, []), MESSAGE, { namespace: "file" });
      assert.ok(found.publicKey.equals(key.publicKey), name);
      assert.equal(found.hash, "sha512");
    }
    const sha256 = await verifySshsig(
      sign(join(dir, "ecdsa384"), ["-O", "hashalg=sha256"]),
      MESSAGE,
      { namespace: "file" },
    );
    assert.equal(sha256.hash, "sha256");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("malformed signatures are KeyErrors; a missing namespace is a TypeError", async () => {
  const key = await generateKey("ssh-ed25519");
  const sig = await signSshsig(key, MESSAGE, { namespace: "file" });
  await assert.rejects(verifySshsig(sig, MESSAGE, { namespace: "" }), TypeError);
  await assert.rejects(signSshsig(key, MESSAGE, { namespace: "" }), TypeError);
  await rejectsKeyError(verifySshsig("", MESSAGE, { namespace: "file" }), /No PEM BEGIN/);
  const lines = sig.split("\n");
  await rejectsKeyError(
    verifySshsig(lines.slice(0, 3).join("\n"), MESSAGE, { namespace: "file" }),
    /Truncated PEM/,
  );
  // Flip one base64 character in each body line: always a KeyError, never a pass.
  for (let i = 1; i < lines.length - 2; i++) {
    const bad = [...lines];
    const c = bad[i][5];
    bad[i] = bad[i].slice(0, 5) + (c === "A" ? "B" : "A") + bad[i].slice(6);
    await rejectsKeyError(verifySshsig(bad.join("\n"), MESSAGE, { namespace: "file" }), /./);
  }
});

test(
  "certificates: ssh-keygen -Y verify accepts a Hush signature by a certified key (cert-authority), and Hush verifies it",
  SLOW,
  async (t) => {
    if (!haveSshKeygen(t)) return;
    const dir = mkdtempSync(join(tmpdir(), "hush-sshsig-"));
    try {
      const ca = join(dir, "ca");
      writeFileSync(ca, fixture("ecdsa256"));
      chmodSync(ca, 0o600);
      writeFileSync(join(dir, "user.pub"), fixture("ed25519.pub"));
      const made = spawnSync("ssh-keygen", [
        "-q",
        "-s",
        ca,
        "-I",
        "hush-cert",
        "-n",
        "hush@test",
        join(dir, "user.pub"),
      ], { encoding: "utf8" });
      assert.equal(made.status, 0, made.stderr);
      const { key: cert } = parsePublicKeyLine(readFileSync(join(dir, "user-cert.pub"), "utf8"));
      const signer = certificateSigner(await parsePrivateKey(fixture("ed25519")), cert);
      const sig = await signSshsig(signer, MESSAGE, { namespace: "file" });
      const found = await verifySshsig(sig, MESSAGE, { namespace: "file" });
      assert.equal(found.publicKey.type, "ssh-ed25519-cert-v01@openssh.com");
      assert.ok(found.publicKey.equals(cert));
      const caLine = fixture("ecdsa256.pub").split(" ").slice(0, 2).join(" ");
      writeFileSync(join(dir, "allowed_signers"), `hush@test cert-authority ${caLine}\n`);
      writeFileSync(join(dir, "msg.sig"), sig);
      const r = spawnSync("ssh-keygen", [
        "-Y",
        "verify",
        "-f",
        join(dir, "allowed_signers"),
        "-I",
        "hush@test",
        "-n",
        "file",
        "-s",
        join(dir, "msg.sig"),
      ], { input: MESSAGE, encoding: "utf8" });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Good "file" signature for hush@test with ED25519-CERT key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
