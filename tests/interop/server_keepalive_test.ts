/**
 * ClientAliveInterval on the Hush `sshd` command against OpenSSH `ssh`: a quiet session whose
 * client answers the keepalives stays up; a client that stops answering (its process stopped,
 * its TCP connection still open) is dropped after ClientAliveCountMax intervals, with OpenSSH's
 * "Timeout, client not responding" in the log.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { requireOpenSsh } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

/** Polls `check` every 50 ms until it holds or `ms` pass; says whether it held. */
async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

test("Hush sshd ClientAliveInterval: answered keepalives keep a session, silence drops it", {
  timeout: 120_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sshd-alive-");
  let sshd: HushSshd | undefined;
  try {
    const { user, keysFile } = authorizedUser(dir, "user");
    sshd = await startHushSshd([
      "-d",
      "-o",
      `AuthorizedKeysFile=${keysFile}`,
      "-o",
      "ClientAliveInterval=1",
      "-o",
      "ClientAliveCountMax=2",
    ]);
    const port = sshd.port;
    const log = () => sshd!.log();

    await t.test("a quiet session that answers stays up past several intervals", async () => {
      const before = log().length;
      const r = await run("ssh", [...sshBase(port, user), "127.0.0.1", "sleep 6; echo alive"]);
      assert.equal(r.code, 0, r.stderr.toString());
      assert.equal(r.stdout.toString(), "alive\n");
      const sent = log().slice(before).match(/global request keepalive@openssh\.com/g)?.length;
      assert.ok((sent ?? 0) >= 2, `keepalives sent: ${sent}\n${log().slice(before)}`);
      assert.doesNotMatch(log().slice(before), /Timeout, client not responding/);
    });

    await t.test("a stopped client is dropped after ClientAliveCountMax intervals", async () => {
      const before = log().length;
      const ssh = spawn("ssh", [...sshBase(port, user), "127.0.0.1", "echo ready; sleep 60"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      ssh.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => ssh.once("exit", (code) => r(code)));
      try {
        assert.ok(await until(() => out === "ready\n", 20_000), "ssh logged in and ran");
        process.kill(ssh.pid!, "SIGSTOP");
        // 2 unanswered keepalives at 1 s each, then the next interval: ~3 s; a busy host may lag
        const dropped = await until(
          () =>
            /Timeout, client not responding from user \S+ 127\.0\.0\.1 port \d+/.test(
              log().slice(before),
            ),
          30_000,
        );
        assert.ok(dropped, log().slice(before));
      } finally {
        try {
          process.kill(ssh.pid!, "SIGCONT");
        } catch { /* gone */ }
      }
      // the woken ssh finds its connection closed: 255, as against OpenSSH's sshd
      const code = await Promise.race([
        exited,
        new Promise<"hung">((r) => setTimeout(() => r("hung"), 20_000)),
      ]);
      if (code === "hung") ssh.kill("SIGKILL");
      assert.equal(code, 255);
    });
  } finally {
    await sshd?.stop();
    remove();
  }
});
