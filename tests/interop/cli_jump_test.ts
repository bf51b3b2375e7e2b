/**
 * `ssh -J` (ProxyJump) with the Hush ssh command: through OpenSSH's sshd to itself, through two
 * jump hosts, through the Hush sshd to OpenSSH's, each hop's host key recorded under its own name;
 * and a destination the jump host cannot reach ending as OpenSSH's ssh ends. `ssh -W` as
 * OpenSSH's ssh uses it: a ProxyCommand.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { freePort, requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  publicLine,
  run,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

const SSH_CLI = fileURLToPath(new URL("../../packages/ssh/cli/ssh.ts", import.meta.url));
const HOST = "127.0.0.1";

test("cli ssh -J and -W: jump hosts with OpenSSH's sshd and the Hush sshd", {
  timeout: 120_000,
}, async (t) => {
  const why = requireOpenSsh("sshd", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-jump-");
  let openssh: Sshd | undefined;
  let hush: HushSshd | undefined;
  try {
    const { user, keysFile } = authorizedUser(dir, "user");
    openssh = await startSshd({ authorizedKeys: [publicLine(user)] });
    hush = await startHushSshd([
      "-d",
      "-o",
      `AuthorizedKeysFile=${keysFile}`,
      "-o",
      "AllowTcpForwarding=yes",
    ]);
    const knownHosts = join(dir, "known_hosts");
    const ssh = (args: string[]) =>
      run(process.execPath, [
        "run",
        "-A",
        SSH_CLI,
        "-F",
        "none",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        "-i",
        user,
        ...args,
      ]);
    const o = `root@${HOST}:${openssh.port}`;
    const h = `root@${HOST}:${hush.port}`;
    const accepted = () => openssh!.log().match(/Accepted publickey/g)?.length ?? 0;

    await t.test("one jump: OpenSSH sshd to itself, the destination sees the jump host", async () => {
      const before = accepted();
      const r = await ssh([
        "-J",
        o,
        "-p",
        String(openssh!.port),
        `root@${HOST}`,
        "echo $SSH_CONNECTION",
      ]);
      assert.equal(r.code, 0, r.stderr);
      // the destination's peer is the jump host's own outgoing connection, not the client
      assert.match(
        r.stdout.toString(),
        new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${openssh!.port}\\n$`),
      );
      assert.equal(accepted() - before, 2, "the jump host and the destination each authenticated");
    });

    await t.test("two jumps, the Hush sshd first: every hop's key is recorded under its name", async () => {
      const r = await ssh([
        "-J",
        `${h},${o}`,
        "-p",
        String(openssh!.port),
        `root@${HOST}`,
        "echo two-hops",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "two-hops\n");
      assert.match(
        hush!.log(),
        new RegExp(`direct-tcpip.*${openssh!.port}|${openssh!.port}.*direct-tcpip`),
      );
      const hosts = readFileSync(knownHosts, "utf8").trim().split("\n").map((l) => l.split(" ")[0]);
      assert.deepEqual(
        hosts.sort(),
        [`[${HOST}]:${hush!.port}`, `[${HOST}]:${openssh!.port}`].sort(),
      );
    });

    await t.test("ProxyJump as an -o option does the same", async () => {
      const r = await ssh([
        "-o",
        `ProxyJump=${h}`,
        "-p",
        String(openssh!.port),
        `root@${HOST}`,
        "echo proxyjump",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "proxyjump\n");
    });

    await t.test("ProxyJump from a config file: each hop by its own Host block", async () => {
      const config = join(dir, "config");
      writeFileSync(
        config,
        [
          "Host inner",
          "  HostName 127.0.0.1",
          `  Port ${openssh!.port}`,
          "  User root",
          "  ProxyJump hushjump",
          // the jump host's name, port and user come from its own block
          "Host hushjump",
          "  HostName 127.0.0.1",
          `  Port ${hush!.port}`,
          "  User root",
          "Host *",
          "  BatchMode yes",
          "  StrictHostKeyChecking accept-new",
          `  UserKnownHostsFile ${knownHosts}`,
          `  IdentityFile ${user}`,
        ].join("\n") + "\n",
      );
      const r = await run(process.execPath, [
        "run",
        "-A",
        SSH_CLI,
        "-F",
        config,
        "inner",
        "echo from-config",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "from-config\n");
    });

    await t.test("ProxyCommand: the connection is OpenSSH's ssh -W", async () => {
      const proxy = ["ssh", "-F", "none", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no"]
        .concat(["-o", "UserKnownHostsFile=/dev/null", "-i", user, "-p", String(openssh!.port)])
        .concat(["-W", "%h:%p", "root@127.0.0.1"]).join(" ");
      const r = await ssh([
        "-o",
        `ProxyCommand=${proxy}`,
        "-p",
        String(hush!.port),
        `root@${HOST}`,
        "echo through-proxycommand",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "through-proxycommand\n");
    });

    await t.test("a destination the jump host cannot reach: OpenSSH's words, status 255", async () => {
      const closed = await freePort();
      const r = await ssh(["-J", o, "-p", String(closed), `root@${HOST}`, "true"]);
      assert.equal(r.code, 255);
      assert.match(
        r.stderr,
        /channel 0: open failed: .*connect failed.*\nstdio forwarding failed\n/,
      );
    });

    await t.test("-W as OpenSSH ssh's ProxyCommand; a -W the server refuses", async () => {
      const proxy = [process.execPath, "run", "-A", SSH_CLI, "-F", "none", "-o", "BatchMode=yes"]
        .concat(["-o", `UserKnownHostsFile=${knownHosts}`, "-i", user, "-W", "%h:%p"])
        .concat(["-p", String(hush!.port), `root@${HOST}`]).join(" ");
      const r = await run("ssh", [
        "-F",
        "none",
        "-o",
        "BatchMode=yes",
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        "-o",
        `ProxyCommand=${proxy}`,
        "-i",
        user,
        "-p",
        String(openssh!.port),
        `root@${HOST}`,
        "echo through-W",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "through-W\n");
      const refused = await ssh([
        "-W",
        `${HOST}:${await freePort()}`,
        "-p",
        String(openssh!.port),
        `root@${HOST}`,
      ]);
      assert.equal(refused.code, 255);
      assert.match(
        refused.stderr,
        /channel 0: open failed: .*connect failed.*\nstdio forwarding failed\n/,
      );
    });
  } finally {
    await openssh?.stop();
    await hush?.stop();
    remove();
  }
});
