/**
 * MaxSessions in the Hush `sshd` command, seen by OpenSSH's `ssh` multiplexing sessions over
 * one connection (ControlMaster): with `-o MaxSessions=2`, two sessions run, the third is
 * refused as OpenSSH's sshd refuses it ("Session open refused by peer"; the client then makes a
 * connection of its own), and once one ends a new one fits again.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { requireOpenSsh } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

/** Starts `ssh args…` and resolves it once its stdout has shown `ready`. */
function startHeld(args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${ready}' from ssh: ${err}`)), 20_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => reject(new Error(`ssh exited with ${code}: ${err}`)));
  });
}

test("Hush sshd: MaxSessions bounds the sessions of one connection (OpenSSH ssh multiplexing)", {
  timeout: 120_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sshd-maxsessions-");
  let sshd: HushSshd | undefined;
  let master: ChildProcess | undefined;
  const held: ChildProcess[] = [];
  try {
    const { user, keysFile } = authorizedUser(dir);
    sshd = await startHushSshd(["-o", `AuthorizedKeysFile=${keysFile}`, "-o", "MaxSessions=2"]);
    const control = join(dir, "control");
    const base = [...sshBase(sshd.port, user), "-S", control];
    master = spawn("ssh", [...base, "-M", "-N", "127.0.0.1"], { stdio: "ignore" });
    const deadline = Date.now() + 20_000;
    while ((await run("ssh", [...base, "-O", "check", "127.0.0.1"])).code !== 0) {
      assert.ok(Date.now() < deadline, "the ControlMaster did not come up");
      await new Promise((r) => setTimeout(r, 100));
    }
    const mux = [...base, "-o", "ControlMaster=no"];
    for (let i = 0; i < 2; i++) {
      held.push(await startHeld([...mux, "127.0.0.1", "echo up; exec cat"], "up"));
    }

    const third = await run("ssh", [...mux, "127.0.0.1", "echo third"]);
    assert.match(third.stderr, /Session open refused by peer/);
    // ssh falls back to a connection of its own, where the session fits.
    assert.equal(third.code, 0, third.stderr);
    assert.equal(third.stdout.toString(), "third\n");
    assert.match(sshd.log(), /^no more sessions$/m);

    const ended = new Promise((r) => held[0].once("exit", r));
    held[0].stdin!.end();
    await ended;
    const fourth = await run("ssh", [...mux, "127.0.0.1", "echo fourth"]);
    assert.equal(fourth.code, 0, fourth.stderr);
    assert.equal(fourth.stdout.toString(), "fourth\n");
    assert.doesNotMatch(fourth.stderr, /refused/);
  } finally {
    for (const child of held) child.kill();
    master?.kill();
    await sshd?.stop();
    remove();
  }
});
