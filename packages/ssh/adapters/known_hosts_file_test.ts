import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkHostKey } from "@hush/hostkeys";
import { generateKey } from "@hush/keys";
import { fileKnownHosts } from "./known_hosts_file.ts";

function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hush-kh-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test("fileKnownHosts: accept-new records into a new directory with 0600, then trusts", async () => {
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "dot-ssh", "known_hosts");
    const key = await generateKey("ssh-ed25519");
    const store = fileKnownHosts(path);
    const first = await checkHostKey({
      store,
      policy: "accept-new",
      host: "127.0.0.1",
      port: 2222,
      hostKey: key.publicKey.blob,
    });
    assert.match(first.messages!.join("\n"), /Permanently added '\[127.0.0.1\]:2222'/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, "dot-ssh")).mode & 0o777, 0o700);
    assert.equal(
      readFileSync(path, "utf8"),
      `[127.0.0.1]:2222 ${key.publicKey.toString()}\n`,
    );
    assert.deepEqual(readdirSync(join(dir, "dot-ssh")), ["known_hosts"]);
    const again = await fileKnownHosts([path, join(dir, "global")]).verify(
      "127.0.0.1",
      2222,
      key.publicKey.blob,
    );
    assert.equal(again.status, "trusted");
  } finally {
    done();
  }
});

test("fileKnownHosts: a changed key in the second (global) file is refused", async () => {
  const { dir, done } = tempDir();
  try {
    const user = join(dir, "known_hosts");
    const global = join(dir, "ssh_known_hosts");
    const [old, now] = [await generateKey("ssh-ed25519"), await generateKey("ssh-ed25519")];
    writeFileSync(global, `example.org ${old.publicKey.toString()}\n`);
    const store = fileKnownHosts([user, global]);
    await assert.rejects(
      checkHostKey({
        store,
        policy: "accept-new",
        host: "example.org",
        port: 22,
        hostKey: now.publicKey.blob,
      }),
      (e: Error & { status?: string }) => e.status === "changed",
    );
    assert.deepEqual(readdirSync(dir), ["ssh_known_hosts"]);
  } finally {
    done();
  }
});

test("fileKnownHosts: concurrent adds from two stores both land", async () => {
  const { dir, done } = tempDir();
  try {
    const path = join(dir, "known_hosts");
    const keys = await Promise.all([1, 2, 3, 4].map(() => generateKey("ssh-ed25519")));
    await Promise.all(
      keys.map((k, i) => fileKnownHosts(path).add(`host${i}`, 22, k.publicKey)),
    );
    const lines = readFileSync(path, "utf8").trim().split("\n").sort();
    assert.deepEqual(lines, keys.map((k, i) => `host${i} ${k.publicKey.toString()}`).sort());
    assert.deepEqual(readdirSync(dir), ["known_hosts"]);
  } finally {
    done();
  }
});
