/**
 * The Hush ssh command on a real terminal (util-linux `script`) sends that terminal's modes in
 * its pty-req, as OpenSSH's ssh does; OpenSSH's sshd gives the remote pty the same ones.
 */
import { test } from "node:test";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { findBinary, requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import {
  assertTerminalModesReachRemote,
  authorizedUser,
  publicLine,
  sshBase,
  tempDir,
} from "./server_fixture.ts";

const SSH_CLI = fileURLToPath(new URL("../../packages/ssh/cli/ssh.ts", import.meta.url));

test("Hush ssh -tt sends its terminal's modes; OpenSSH's sshd applies them", {
  timeout: 60_000,
}, async (t) => {
  const why = requireOpenSsh("sshd", "ssh-keygen");
  if (why) return t.skip(why);
  if (!findBinary("script")) return t.skip("util-linux script not installed");
  const { dir, remove } = tempDir("hush-cli-modes-");
  let sshd: Sshd | undefined;
  try {
    const { user } = authorizedUser(dir, "user");
    sshd = await startSshd({ authorizedKeys: [publicLine(user)] });
    await assertTerminalModesReachRemote(
      [process.execPath, "run", "-A", SSH_CLI, ...sshBase(sshd.port, user), "-tt"]
        .concat(["root@127.0.0.1", "stty -a"]),
    );
  } finally {
    await sshd?.stop();
    remove();
  }
});
