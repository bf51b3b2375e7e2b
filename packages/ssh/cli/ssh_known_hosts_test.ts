import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStorage } from "@hush/hostkeys";
import { generateKey } from "@hush/keys";
import { DiscardStorage, sshKnownHosts } from "./ssh_known_hosts.ts";

test("ssh known_hosts: a path that is not a regular file is never written (UserKnownHostsFile=/dev/null)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "hush-kh-"));
  try {
    // a FIFO stands in for /dev/null: if it were written through rename, the FIFO would go
    const fifo = join(dir, "fifo");
    try {
      execFileSync("mkfifo", [fifo]);
    } catch {
      return t.skip("mkfifo not available");
    }
    const regular = join(dir, "known_hosts");
    const store = await sshKnownHosts([fifo, regular]);
    assert.ok(store.files[0] instanceof DiscardStorage);
    assert.ok(store.files[1] instanceof FileStorage);
    const key = await generateKey("ssh-ed25519");
    await store.add("example.org", 22, key.publicKey);
    assert.ok(statSync(fifo).isFIFO(), "still a FIFO");
    assert.equal((await store.verify("example.org", 22, key.publicKey.blob)).status, "unknown");
    // /dev/null itself is only looked at, never written, here
    assert.ok((await sshKnownHosts(["/dev/null"])).files[0] instanceof DiscardStorage);
    // a regular (or missing) first file is the usual atomic FileStorage
    const plain = await sshKnownHosts([regular]);
    await plain.add("example.org", 22, key.publicKey);
    assert.match(readFileSync(regular, "utf8"), /^example\.org ssh-ed25519 /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
