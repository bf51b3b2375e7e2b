/**
 * The user name is the client's: OpenSSH `ssh -l NAME` → the Hush `sshd` command with
 * `AuthorizedKeysFile DIR/%u`. A name like `../outside/keys` once picked a file outside DIR and
 * logged in with a key the client had written there; now such names and names the server does
 * not serve are an "Invalid user", as with OpenSSH's sshd, and no file is read for them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireOpenSsh } from "../helpers/openssh.ts";
import {
  type HushSshd,
  makeKey,
  publicLine,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

test("Hush sshd: AuthorizedKeysFile %u cannot be steered outside its directory", {
  timeout: 90_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sshd-users-");
  let sshd: HushSshd | undefined;
  try {
    const key = makeKey(dir, "key", "ed25519");
    mkdirSync(join(dir, "keys"));
    mkdirSync(join(dir, "outside"));
    // The attacker's file, outside the keys directory, and a real user's file inside it.
    writeFileSync(join(dir, "outside", "planted"), publicLine(key) + "\n");
    writeFileSync(join(dir, "keys", "alice"), publicLine(key) + "\n");
    writeFileSync(join(dir, "keys", "bob"), publicLine(key) + "\n");
    sshd = await startHushSshd([
      "-d",
      "-o",
      `AuthorizedKeysFile=${join(dir, "keys")}/%u`,
      "-o",
      // `*planted` would serve the traversal's name: validation comes first, whatever is allowed.
      "AllowUsers=alice carol *planted",
    ]);
    const login = (user: string) =>
      run("ssh", [...sshBase(sshd!.port, key), "-l", user, "127.0.0.1", "echo in"]);

    const traversal = await login("../outside/planted");
    assert.notEqual(traversal.code, 0, "logged in through a path in the user name");
    assert.match(traversal.stderr, /Permission denied \(publickey\)/);
    assert.match(sshd.log(), /Invalid user \.\.\/outside\/planted: it contains a path separator/);

    // bob has a keys file but is not among the users served.
    const unserved = await login("bob");
    assert.notEqual(unserved.code, 0);
    assert.match(sshd.log(), /Invalid user bob\n/);

    const alice = await login("alice");
    assert.equal(alice.code, 0, alice.stderr);
    assert.equal(alice.stdout.toString(), "in\n");
    assert.match(sshd.log(), /Accepted publickey for alice from 127\.0\.0\.1/);
  } finally {
    await sshd?.stop();
    remove();
  }
});

test("Hush sshd: without AllowUsers it serves only its own OS user", {
  timeout: 60_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sshd-users-");
  let sshd: HushSshd | undefined;
  try {
    const key = makeKey(dir, "key", "ed25519");
    const keysFile = join(dir, "authorized_keys");
    writeFileSync(keysFile, publicLine(key) + "\n");
    sshd = await startHushSshd(["-d", "-o", `AuthorizedKeysFile=${keysFile}`]);
    const stranger = await run("ssh", [
      ...sshBase(sshd.port, key),
      "-l",
      "nobody-here",
      "127.0.0.1",
      "true",
    ]);
    assert.notEqual(stranger.code, 0);
    assert.match(sshd.log(), /Invalid user nobody-here/);
    const me = await run("ssh", [...sshBase(sshd.port, key), "127.0.0.1", "echo in"]);
    assert.equal(me.code, 0, me.stderr);
  } finally {
    await sshd?.stop();
    remove();
  }
});
