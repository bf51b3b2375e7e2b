/**
 * known_hosts files shared by the Hush client and OpenSSH's `ssh`, against a real sshd:
 * what Hush records under `accept-new` (plain and hashed) OpenSSH then trusts under
 * `StrictHostKeyChecking=yes`; what `ssh` records under `accept-new` (plain and hashed) Hush
 * trusts under `yes`; a changed host key is refused by both; an unknown one by both under `yes`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type ConnectOptions, fileKnownHosts } from "@hush/ssh";
import { requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import { type KeyFile, keygen, run, sshArgs, tempDir } from "./client_fixture.ts";

async function hushEcho(
  sshd: Sshd,
  user: KeyFile,
  file: string,
  options: Partial<ConnectOptions>,
): Promise<string[]> {
  const trace: string[] = [];
  const client = await connect({
    hostname: "127.0.0.1",
    port: sshd.port,
    username: "root",
    identities: [user.key!],
    knownHosts: fileKnownHosts(file),
    trace: (l) => trace.push(l),
    ...options,
  });
  try {
    const r = await client.exec("echo hush-ok");
    assert.equal(new TextDecoder().decode(r.stdout), "hush-ok\n");
  } finally {
    await client.close();
  }
  return trace;
}

function sshEcho(sshd: Sshd, user: KeyFile, file: string, extra: string[]) {
  return run("ssh", [...sshArgs(sshd.port, user.path, file, extra), "echo ssh-ok"]);
}

test("known_hosts: Hush and OpenSSH ssh trust each other's entries, refuse changed keys", {
  timeout: 120_000,
}, async (t) => {
  const why = requireOpenSsh("sshd", "ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, done } = tempDir();
  const user = await keygen(dir, "id_ed25519", "ed25519");
  const sshd = await startSshd({ authorizedKeys: [user.publicLine] });
  const host = `[127.0.0.1]:${sshd.port}`;
  try {
    await t.test("Hush accept-new records; ssh StrictHostKeyChecking=yes accepts", async () => {
      for (
        const [name, hostKey, hashed] of [
          ["plain_ed25519", "ssh-ed25519", false],
          ["hashed_ecdsa", "ecdsa-sha2-nistp256", true],
          ["plain_rsa", "rsa-sha2-512", false],
        ] as const
      ) {
        const file = join(dir, name);
        const trace = await hushEcho(sshd, user, file, {
          policy: "accept-new",
          hashKnownHosts: hashed,
          algorithms: { hostKey: [hostKey] },
        });
        assert.ok(
          trace.some((l) => l.includes(`Permanently added '${host}'`)),
          trace.join("\n"),
        );
        const text = readFileSync(file, "utf8");
        assert.equal(text.trim().split("\n").length, 1);
        assert.equal(text.startsWith("|1|"), hashed, text);
        const r = await sshEcho(sshd, user, file, [
          "-o",
          "StrictHostKeyChecking=yes",
          "-o",
          `HostKeyAlgorithms=${hostKey}`,
        ]);
        assert.equal(r.stdout.toString(), "ssh-ok\n", `${name}: ${r.stderr}`);
        assert.equal(r.code, 0);
        assert.equal(readFileSync(file, "utf8"), text, "ssh added nothing");
        // and Hush itself now trusts it under yes
        const again = await hushEcho(sshd, user, file, {
          policy: "yes",
          algorithms: { hostKey: [hostKey] },
        });
        assert.ok(again.some((l) => /is known and matches/.test(l)), again.join("\n"));
      }
    });

    await t.test("ssh accept-new records; Hush policy yes accepts", async () => {
      for (const hashed of [false, true]) {
        const file = join(dir, hashed ? "ssh_hashed" : "ssh_plain");
        const r = await sshEcho(sshd, user, file, [
          "-o",
          "StrictHostKeyChecking=accept-new",
          "-o",
          `HashKnownHosts=${hashed ? "yes" : "no"}`,
          "-o",
          "UpdateHostKeys=no",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /Permanently added/);
        const text = readFileSync(file, "utf8");
        assert.equal(text.startsWith("|1|"), hashed, text);
        const trace = await hushEcho(sshd, user, file, { policy: "yes" });
        assert.ok(trace.some((l) => /is known and matches/.test(l)), trace.join("\n"));
        assert.ok(trace.some((l) => l.includes(`Found key in ${file}:1`)), trace.join("\n"));
      }
    });

    await t.test("a changed host key is refused by both", async () => {
      const file = join(dir, "changed");
      await hushEcho(sshd, user, file, { policy: "accept-new" });
      // swap the recorded ed25519 key for another one: the server now looks changed
      const other = await keygen(dir, "impostor", "ed25519");
      const [hostField] = readFileSync(file, "utf8").split(" ");
      writeFileSync(file, `${hostField} ${other.publicLine.split(" ").slice(0, 2).join(" ")}\n`);
      const before = readFileSync(file, "utf8");
      for (const policy of ["yes", "accept-new"] as const) {
        await assert.rejects(
          hushEcho(sshd, user, file, { policy, algorithms: { hostKey: ["ssh-ed25519"] } }),
          (e: Error & { status?: string }) => e.name === "HostKeyError" && e.status === "changed",
        );
      }
      for (const strict of ["yes", "accept-new"]) {
        const r = await sshEcho(sshd, user, file, [
          "-o",
          `StrictHostKeyChecking=${strict}`,
          "-o",
          "HostKeyAlgorithms=ssh-ed25519",
        ]);
        assert.equal(r.code, 255);
        assert.match(r.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
        assert.equal(r.stdout.length, 0);
      }
      assert.equal(readFileSync(file, "utf8"), before, "neither rewrote the file");
    });

    await t.test("an unknown host is refused by both under yes", async () => {
      const file = join(dir, "empty");
      writeFileSync(file, "");
      await assert.rejects(
        hushEcho(sshd, user, file, { policy: "yes" }),
        (e: Error & { status?: string }) => e.name === "HostKeyError" && e.status === "unknown",
      );
      const r = await sshEcho(sshd, user, file, ["-o", "StrictHostKeyChecking=yes"]);
      assert.equal(r.code, 255);
      assert.match(r.stderr, /Host key verification failed/);
      assert.equal(readFileSync(file, "utf8"), "");
    });
  } finally {
    await sshd.stop();
    done();
  }
});
