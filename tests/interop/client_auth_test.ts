/**
 * Hush client → OpenSSH sshd user authentication: ed25519, ECDSA P-256/P-384/P-521 and RSA
 * keys (rsa-sha2-512 and rsa-sha2-256), an encrypted OpenSSH key file loaded with
 * `loadIdentityFile`, and keys held by a real `ssh-agent` through `connectAgent`. sshd's
 * DEBUG3 log confirms which signature algorithm it verified for each.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { Signer } from "@hush/keys";
import { connect, connectAgent, type ConnectOptions, loadIdentityFile } from "@hush/ssh";
import { requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import { keygen, tempDir, trustingStore } from "./client_fixture.ts";

async function login(
  sshd: Sshd,
  options: Partial<ConnectOptions>,
): Promise<{ log: string }> {
  const before = sshd.log().length;
  const client = await connect({
    hostname: "127.0.0.1",
    port: sshd.port,
    username: "root",
    knownHosts: trustingStore(sshd.port, Object.values(sshd.hostKeys)),
    policy: "yes",
    ...options,
  });
  try {
    const r = await client.exec("echo authenticated");
    assert.equal(new TextDecoder().decode(r.stdout), "authenticated\n");
  } finally {
    await client.close();
  }
  // sshd writes the verification line before it answers; give the log a moment to flush.
  await new Promise((r) => setTimeout(r, 50));
  return { log: sshd.log().slice(before) };
}

test(
  "client auth: user key types and RSA signature algorithms",
  { timeout: 120_000 },
  async (t) => {
    const why = requireOpenSsh("sshd", "ssh-keygen");
    if (why) return t.skip(why);
    const { dir, done } = tempDir();
    const keys = [
      { file: await keygen(dir, "id_ed25519", "ed25519"), alg: "ssh-ed25519" },
      { file: await keygen(dir, "id_p256", "ecdsa", { bits: 256 }), alg: "ecdsa-sha2-nistp256" },
      { file: await keygen(dir, "id_p384", "ecdsa", { bits: 384 }), alg: "ecdsa-sha2-nistp384" },
      { file: await keygen(dir, "id_p521", "ecdsa", { bits: 521 }), alg: "ecdsa-sha2-nistp521" },
    ];
    const rsa = await keygen(dir, "id_rsa", "rsa", { bits: 3072 });
    const sshd = await startSshd({
      authorizedKeys: [...keys.map((k) => k.file.publicLine), rsa.publicLine],
      logLevel: "DEBUG3",
    });
    try {
      for (const { file, alg } of keys) {
        const { log } = await login(sshd, { identities: [file.key!] });
        assert.match(log, new RegExp(`signature using ${alg} verified`), alg);
      }
      const sha512 = await login(sshd, { identities: [rsa.key!] });
      assert.match(sha512.log, /RSA signature using rsa-sha2-512 verified/);
      const sha256 = await login(sshd, {
        identities: [rsa.key!],
        publicKeyAlgorithms: ["rsa-sha2-256"],
      });
      assert.match(sha256.log, /RSA signature using rsa-sha2-256 verified/);
      // a key the server does not know is refused, and the next one is tried
      const stranger = await keygen(dir, "id_stranger", "ed25519");
      const second = await login(sshd, { identities: [stranger.key!, keys[0].file.key!] });
      assert.match(second.log, /signature using ssh-ed25519 verified/);
      await assert.rejects(
        connect({
          hostname: "127.0.0.1",
          port: sshd.port,
          username: "root",
          identities: [stranger.key!],
          policy: "no",
        }),
        (e: Error & { tried?: string[] }) => e.name === "AuthError",
      );
    } finally {
      await sshd.stop();
      done();
    }
  },
);

test("client auth: encrypted key file via loadIdentityFile", { timeout: 60_000 }, async (t) => {
  const why = requireOpenSsh("sshd", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, done } = tempDir();
  const file = await keygen(dir, "id_locked", "ed25519", { passphrase: "correct horse" });
  const sshd = await startSshd({ authorizedKeys: [file.publicLine], logLevel: "DEBUG3" });
  try {
    await assert.rejects(loadIdentityFile(file.path, { passphrase: "wrong horse" }));
    const key = await loadIdentityFile(file.path, { passphrase: "correct horse" });
    assert.equal(key.comment, "id_locked");
    const { log } = await login(sshd, { identities: [key] });
    assert.match(log, /signature using ssh-ed25519 verified/);
    key.dispose();
  } finally {
    await sshd.stop();
    done();
  }
});

test(
  "client auth: keys held by a real ssh-agent (connectAgent)",
  { timeout: 60_000 },
  async (t) => {
    const why = requireOpenSsh("sshd", "ssh-keygen", "ssh-agent", "ssh-add");
    if (why) return t.skip(why);
    const { dir, done } = tempDir();
    const sock = join(dir, "agent.sock");
    const agentProcess = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
    const ecdsa = await keygen(dir, "id_agent_ecdsa", "ecdsa", { bits: 384 });
    const rsa = await keygen(dir, "id_agent_rsa", "rsa", { bits: 2048 });
    const sshd = await startSshd({
      authorizedKeys: [ecdsa.publicLine, rsa.publicLine],
      logLevel: "DEBUG3",
    });
    try {
      for (let i = 0; i < 300 && !existsSync(sock); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const env = { ...process.env, SSH_AUTH_SOCK: sock };
      execFileSync("ssh-add", ["-q", ecdsa.path, rsa.path], { env, stdio: "ignore" });
      const agent = await connectAgent(sock);
      try {
        const ids = await agent.identities();
        assert.deepEqual(ids.map((i) => i.comment).sort(), ["id_agent_ecdsa", "id_agent_rsa"]);
        // the agent alone: its first key (ECDSA P-384) signs
        const first = await login(sshd, { agent });
        assert.match(first.log, /signature using ecdsa-sha2-nistp384 verified/);
        // only the RSA key is authorized now: the agent signs with rsa-sha2-512 (agent flag)
        const rsaOnly = await startSshd({ authorizedKeys: [rsa.publicLine], logLevel: "DEBUG3" });
        try {
          const second = await login(rsaOnly, { agent });
          assert.match(second.log, /RSA signature using rsa-sha2-512 verified/);
          const third = await login(rsaOnly, { agent, publicKeyAlgorithms: ["rsa-sha2-256"] });
          assert.match(third.log, /RSA signature using rsa-sha2-256 verified/);
        } finally {
          await rsaOnly.stop();
        }
        // agent keys used as identities (agentSigner-style Signers)
        const signers: Signer[] = ids.map((i) => ({
          publicKey: i.key,
          sign: (data: Uint8Array, alg?: string) => agent.sign(i.key, data, alg),
        }));
        const fourth = await login(sshd, { identities: signers.reverse() });
        assert.match(fourth.log, /RSA signature using rsa-sha2-512 verified/);
      } finally {
        await agent.close();
      }
    } finally {
      agentProcess.kill("SIGTERM");
      await sshd.stop();
      done();
    }
  },
);
