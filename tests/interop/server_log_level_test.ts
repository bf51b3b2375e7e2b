/**
 * `sshd -o LogLevel=…` is honoured (it was accepted and ignored): ERROR keeps a normal login
 * out of the log, VERBOSE adds OpenSSH's "Connection from … on …" line, neither prints debug
 * lines. OpenSSH's `ssh` logs in to the Hush `sshd` command each time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { requireOpenSsh } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

test("Hush sshd: LogLevel ERROR and VERBOSE print what OpenSSH's sshd prints at them", {
  timeout: 90_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sshd-loglevel-");
  const { user, keysFile } = authorizedUser(dir);
  const loginWith = async (level: string): Promise<string> => {
    let sshd: HushSshd | undefined;
    try {
      sshd = await startHushSshd([
        "-o",
        `AuthorizedKeysFile=${keysFile}`,
        "-o",
        `LogLevel=${level}`,
      ]);
      const r = await run("ssh", [...sshBase(sshd.port, user), "127.0.0.1", "echo in"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "in\n");
    } finally {
      await sshd?.stop();
    }
    return sshd.log();
  };
  try {
    const error = await loginWith("ERROR");
    assert.doesNotMatch(error, /Server listening|Connection from|Accepted|debug\d: /);

    const verbose = await loginWith("verbose");
    assert.match(verbose, /^Server listening on 127\.0\.0\.1 port \d+\.$/m);
    assert.match(verbose, /^Connection from 127\.0\.0\.1 port \d+ on 127\.0\.0\.1 port \d+$/m);
    assert.match(verbose, /^Accepted publickey for \S+ from 127\.0\.0\.1 port \d+ ssh2$/m);
    assert.doesNotMatch(verbose, /debug\d: /);
  } finally {
    remove();
  }
});
