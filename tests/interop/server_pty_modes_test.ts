/**
 * OpenSSH `ssh -tt` run on a real terminal (util-linux `script`) sends that terminal's modes in
 * its pty-req; the Hush `sshd` command gives the remote pty the same ones, as OpenSSH's sshd does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { findBinary, requireOpenSsh } from "../helpers/openssh.ts";
import {
  assertTerminalModesReachRemote,
  authorizedUser,
  type HushSshd,
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
    await assertTerminalModesReachRemote(
      ["ssh", ...sshBase(sshd.port, user), "-tt", "127.0.0.1", "stty -a"],
    );
    const req = /pty-req \S+ \d+x\d+, (\d+) modes/.exec(sshd.log());
    assert.ok(req && Number(req[1]) > 20, `modes sent: ${req?.[1]}`);
  } finally {
    await sshd?.stop();
    remove();
  }
});
