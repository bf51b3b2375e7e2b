/**
 * OpenSSH `ssh -tt` run on a real terminal (util-linux `script`) sends that terminal's modes in
 * its pty-req; the Hush `sshd` command gives the remote pty the same ones, as OpenSSH's sshd does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { findBinary, requireOpenSsh } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

test("Hush sshd applies the terminal modes OpenSSH ssh sends from its terminal", {
  timeout: 60_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  if (!findBinary("script")) return t.skip("util-linux script not installed");
  const { dir, remove } = tempDir("hush-sshd-modes-");
  let sshd: HushSshd | undefined;
  try {
    const { user, keysFile } = authorizedUser(dir, "user");
    sshd = await startHushSshd(["-d", "-o", `AuthorizedKeysFile=${keysFile}`]);
    // Unusual settings on the local terminal, so that the remote one can only have them from
    // the pty-req: ^G to interrupt, ^H to erase, no kill character, no XON/XOFF.
    const ssh = ["ssh", ...sshBase(sshd.port, user), "-tt", "127.0.0.1", "stty -a"]
      .map((w) => `'${w}'`).join(" ");
    const r = await run("script", [
      "-qec",
      `stty intr ^G erase ^H kill undef -ixon iutf8; ${ssh}`,
      "/dev/null",
    ]);
    const out = r.stdout.toString();
    assert.equal(r.code, 0, `${r.stderr}\n${out}`);
    assert.match(out, /intr = \^G;/, out);
    assert.match(out, /erase = \^H;/);
    assert.match(out, /kill = <undef>;/);
    assert.match(out, /(^|\s)-ixon(\s|$)/m);
    assert.match(out, /(^|\s)iutf8(\s|$)/m);
    const req = /pty-req \S+ \d+x\d+, (\d+) modes/.exec(sshd.log());
    assert.ok(req && Number(req[1]) > 20, `modes sent: ${req?.[1]}`);
  } finally {
    await sshd?.stop();
    remove();
  }
});
