/**
 * The Hush `sshd` command keeps accepting after `accept()` fails. Under a low descriptor limit
 * (`prlimit --nofile`), idle TCP connections take every descriptor and accept fails with "Too
 * many open files"; the listener once ended there for good, and the process ran on without
 * ever accepting again. Once those connections are gone, an OpenSSH `ssh` login must get in.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { findBinary, requireOpenSsh } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

/** Descriptors the server may hold: Deno takes about 25 before it serves anyone. */
const NOFILE = 64;

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("Hush sshd: a failed accept (out of descriptors) is logged and accepting goes on", {
  timeout: 120_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  if (!findBinary("prlimit")) return t.skip("prlimit (util-linux) not installed");
  const { dir, remove } = tempDir("hush-sshd-nofile-");
  let sshd: HushSshd | undefined;
  const sockets: Socket[] = [];
  try {
    const { user, keysFile } = authorizedUser(dir);
    sshd = await startHushSshd(
      // MaxStartups high enough that no idle connection is dropped: they must hold descriptors.
      ["-o", `AuthorizedKeysFile=${keysFile}`, "-o", "MaxStartups=1000"],
      {},
      { wrapper: ["prlimit", `--nofile=${NOFILE}:${NOFILE}`, "--"] },
    );
    for (let i = 0; i < NOFILE + 16; i++) {
      const socket = connect(sshd.port, "127.0.0.1");
      socket.on("error", () => {});
      socket.on("data", () => {});
      sockets.push(socket);
    }
    await until("an accept to fail", () => /Too many open files/.test(sshd!.log()));

    for (const socket of sockets) socket.destroy();
    const login = await run("ssh", [...sshBase(sshd.port, user), "127.0.0.1", "echo in"], {
      timeoutMs: 30_000,
    });
    assert.equal(login.code, 0, `${login.stderr}\n${sshd.log().slice(-3000)}`);
    assert.equal(login.stdout.toString(), "in\n");
    assert.match(sshd.log(), /Accepted publickey for \S+ from 127\.0\.0\.1/);
    // At the default LogLevel (INFO), as OpenSSH's sshd logs it.
    assert.match(sshd.log(), /^accept: Too many open files/m);
  } finally {
    for (const socket of sockets) socket.destroy();
    await sshd?.stop();
    remove();
  }
});
