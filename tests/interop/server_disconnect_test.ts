/**
 * OpenSSH `ssh` clients that vanish while the Hush `sshd` command still has a command's output
 * on its way: each is frozen until the session's window is full and the command has exited with
 * output left in its pipe, then killed. The server carries on serving; before the fix in
 * packages/ssh/adapters/child_stdio.ts such a disconnect could end the whole sshd process.
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

test("Hush sshd keeps serving when clients vanish mid-output", { timeout: 120_000 }, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sshd-vanish-");
  let sshd: HushSshd | undefined;
  try {
    const { user, keysFile } = authorizedUser(dir, "user");
    sshd = await startHushSshd(["-d", "-o", `AuthorizedKeysFile=${keysFile}`]);
    const port = sshd.port;
    // Around ssh's 2 MiB session window plus what the pipes on both sides hold: for some of
    // these sizes the command has written everything and exited when the client goes (2.45 MB
    // did on the machine this was written on: "Uncaught (in promise) ChannelError").
    for (
      const bytes of [2_250_000, 2_300_000, 2_350_000, 2_400_000, 2_450_000, 2_500_000, 2_550_000]
    ) {
      // stdout is a pipe nobody reads: ssh stops taking data once it is full
      const ssh = spawn(
        "ssh",
        [...sshBase(port, user), "127.0.0.1", `head -c ${bytes} /dev/zero`],
        {
          stdio: ["ignore", "pipe", "ignore"],
        },
      );
      const gone = new Promise((r) => ssh.once("close", r));
      await sleep(1500);
      process.kill(ssh.pid!, "SIGKILL");
      await gone;
    }
    const r = await run("ssh", [...sshBase(port, user), "127.0.0.1", "echo still-serving"]);
    assert.equal(r.code, 0, `${r.stderr}\n${sshd.log()}`);
    assert.equal(r.stdout.toString(), "still-serving\n");
    assert.match(sshd.log(), /channel closed before the command ended|command exited/);
    // The command's last-resort handler would have kept it alive: nothing may reach it.
    const internal = sshd.log().split("\n").filter((l) => l.includes("internal error"));
    assert.deepEqual(internal, []);
  } finally {
    assert.equal(await sshd?.stop(), 0, "the server was still running and stopped cleanly");
    remove();
  }
});
