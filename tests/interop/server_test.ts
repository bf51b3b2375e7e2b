/**
 * OpenSSH `ssh` → the Hush `sshd` command (a subprocess, port read from its stdout):
 * publickey with ed25519, ecdsa and rsa keys, password through SSH_ASKPASS, exec with stdin,
 * stderr and exit status, exit signals, env, a shell on a pty, `-L` and `-R` forwarding (and
 * their refusal when AllowTcpForwarding is off), a clean SIGTERM shutdown; and `serve()` in
 * process with its own session handler and a `-R` to port 0.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashPassword, serve, tcpForwarding } from "@hush/ssh";
import { generateKey } from "@hush/keys";
import { findBinary, freePort, requireOpenSsh } from "../helpers/openssh.ts";
import {
  authorizedUser,
  echoServer,
  type HushSshd,
  makeKey,
  publicLine,
  roundTripWhenUp,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";
import { spawn } from "node:child_process";
import { connect as netConnect } from "node:net";
import process from "node:process";

const HOST = "127.0.0.1";

test("OpenSSH ssh → Hush sshd command: auth, exec, pty, forwarding, shutdown", {
  timeout: 180_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sshd-cli-");
  let sshd: HushSshd | undefined;
  let closed: HushSshd | undefined;
  const echo = await echoServer();
  try {
    const users = {
      ed25519: makeKey(dir, "user_ed25519", "ed25519"),
      ecdsa: makeKey(dir, "user_ecdsa", "ecdsa", 384),
      rsa: makeKey(dir, "user_rsa", "rsa", 2048),
    };
    const stranger = makeKey(dir, "stranger", "ed25519");
    const restricted = makeKey(dir, "restricted", "ed25519");
    const keysFile = join(dir, "authorized_keys");
    writeFileSync(
      keysFile,
      Object.values(users).map(publicLine).join("\n") + "\n" +
        `command="echo forced:$SSH_ORIGINAL_COMMAND",no-pty,no-port-forwarding ${
          publicLine(restricted)
        }\n`,
    );
    const passwordFile = join(dir, "passwords");
    writeFileSync(passwordFile, `# test users\nalice:${await hashPassword("correct horse")}\n`);
    const askpass = join(dir, "askpass.sh");
    writeFileSync(askpass, "#!/bin/sh\necho 'correct horse'\n", { mode: 0o700 });
    const wrongAskpass = join(dir, "wrong.sh");
    writeFileSync(wrongAskpass, "#!/bin/sh\necho 'battery staple'\n", { mode: 0o700 });
    sshd = await startHushSshd([
      "-d",
      "-o",
      `AuthorizedKeysFile=${keysFile}`,
      "-o",
      "PasswordAuthentication=yes",
      "-o",
      `PasswordFile=${passwordFile}`,
      "-o",
      "AllowTcpForwarding=yes",
    ], { HUSH_STATE_DIR: join(dir, "state") });
    const port = sshd.port;
    const ed = users.ed25519;

    await t.test("the host key is generated into the state directory and kept", async () => {
      assert.match(
        sshd!.log(),
        /Generated host key .*state\/ssh_host_ed25519_key: ssh-ed25519 SHA256:/,
      );
      const r = await run("ssh-keygen", ["-l", "-f", join(dir, "state/ssh_host_ed25519_key.pub")]);
      assert.equal(r.code, 0);
    });

    for (const [type, key] of Object.entries(users)) {
      await t.test(`publickey with an ${type} user key`, async () => {
        const r = await run("ssh", [...sshBase(port, key), HOST, "echo key-ok"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.toString(), "key-ok\n");
      });
    }

    await t.test("authorized_keys options: command=, no-pty, no-port-forwarding", async () => {
      const r = await run("ssh", [...sshBase(port, restricted), HOST, "rm -rf /nothing"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "forced:rm -rf /nothing\n");
      // A forced (-tt) pty that the server refuses ends OpenSSH's ssh, as with OpenSSH's sshd.
      const tty = await run("ssh", [...sshBase(port, restricted), "-tt", HOST, "true"]);
      assert.match(tty.stderr, /PTY allocation request failed on channel 0/);
      assert.match(sshd!.log(), /pty refused \(no-pty in authorized_keys\)/);
      const w = await run("ssh", [
        ...sshBase(port, restricted),
        "-W",
        `127.0.0.1:${echo.port}`,
        HOST,
      ], {
        input: "x",
        timeoutMs: 20_000,
      });
      assert.equal(w.code, 255);
      assert.match(w.stderr, /administratively prohibited/);
    });

    await t.test("a key not in authorized_keys is refused", async () => {
      const r = await run("ssh", [
        ...sshBase(port, stranger),
        "-o",
        "PasswordAuthentication=no",
        HOST,
        "true",
      ]);
      assert.equal(r.code, 255);
      assert.match(r.stderr, /Permission denied \(publickey,password\)/);
    });

    await t.test("an unauthorized key is refused at its query: ssh signs only with the right one", async () => {
      const r = await run("ssh", [...sshBase(port, stranger), "-i", ed, "-v", HOST, "echo second"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "second\n");
      // ssh -v prints "Server accepts key" on PK_OK, as against OpenSSH's sshd
      const accepted = r.stderr.match(/Server accepts key: .*/g) ?? [];
      assert.equal(accepted.length, 1, accepted.join("\n"));
      assert.ok(accepted[0].includes(ed), accepted[0]);
      assert.match(r.stderr, new RegExp(`Offering public key: ${stranger}`));
    });

    const passwordSsh = (script: string) =>
      run("ssh", [
        "-F",
        "none",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "PasswordAuthentication=yes",
        "-o",
        "PubkeyAuthentication=no",
        "-o",
        "KbdInteractiveAuthentication=no",
        "-o",
        "NumberOfPasswordPrompts=1",
        "-p",
        String(port),
        "-l",
        "alice",
        HOST,
        "echo pw-ok",
      ], {
        env: { SSH_ASKPASS: script, SSH_ASKPASS_REQUIRE: "force", DISPLAY: "dummy" },
      });

    await t.test("password from SSH_ASKPASS against the scrypt PasswordFile", async () => {
      const r = await passwordSsh(askpass);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "pw-ok\n");
      assert.match(sshd!.log(), /Accepted password for alice from 127\.0\.0\.1/);
    });

    await t.test("a wrong password is refused", async () => {
      const r = await passwordSsh(wrongAskpass);
      assert.equal(r.code, 255);
      assert.match(r.stderr, /Permission denied/);
      assert.doesNotMatch(sshd!.log(), /battery staple|correct horse/);
    });

    await t.test("exec: stdin in, stdout and stderr apart, exit status 7", async () => {
      const r = await run("ssh", [
        ...sshBase(port, ed),
        "-o",
        "LogLevel=ERROR",
        HOST,
        "tr a-z A-Z; echo to-stderr >&2; exit 7",
      ], { input: "hello from stdin\n" });
      assert.equal(r.code, 7);
      assert.equal(r.stdout.toString(), "HELLO FROM STDIN\n");
      assert.equal(r.stderr, "to-stderr\n");
    });

    await t.test("exec: a command killed by a signal comes back as exit-signal", async () => {
      const r = await run("ssh", [...sshBase(port, ed), "-v", HOST, "kill -TERM $$"]);
      assert.equal(r.code, 255);
      assert.match(r.stderr, /rtype exit-signal/);
      assert.match(sshd!.log(), /command killed by signal TERM/);
    });

    await t.test("env: LANG and LC_* pass, other names do not", async () => {
      const r = await run("ssh", [
        ...sshBase(port, ed),
        "-o",
        "SetEnv=LANG=C.UTF-8 LC_TIME=C HUSH_SECRET=x",
        HOST,
        'echo "$LANG|$LC_TIME|$HUSH_SECRET"',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "C.UTF-8|C|\n");
    });

    await t.test("shell without a pty reads commands from stdin", async () => {
      const r = await run("ssh", [...sshBase(port, ed), "-T", HOST], {
        input: "echo no-pty; tty; exit 3\n",
      });
      assert.equal(r.code, 3);
      assert.equal(r.stdout.toString(), "no-pty\nnot a tty\n");
    });

    await t.test("shell on a pty (ssh -tt) through script", async (t2) => {
      if (!findBinary("script")) return t2.skip("util-linux script not installed");
      const r = await run("ssh", [...sshBase(port, ed), "-tt", HOST], {
        input: "echo hi; tty; stty size; exit\n",
      });
      assert.equal(r.code, 0, r.stderr);
      const out = r.stdout.toString();
      // The shell's output line, after the pty's echo of the input. The
      // prompt may come before it on the same line ("# hi") when the shell
      // prints it after the echo, so only the echoed "echo hi;" is excluded.
      assert.match(out, /\bhi\r?\n/);
      assert.match(out, /\/dev\/pts\/\d+/);
      // ssh -tt without a terminal asks for 0×0; the server gives 80×24 rather than none
      assert.match(out, /\n24 80\r?\n/);
      assert.match(sshd!.log(), /shell on a pty/);
    });

    await t.test("-L: ssh -N -L to an echo server behind the Hush server", async () => {
      const local = await freePort();
      const child = spawn("ssh", [
        ...sshBase(port, ed),
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        "-L",
        `127.0.0.1:${local}:127.0.0.1:${echo.port}`,
        HOST,
      ], { stdio: "ignore" });
      try {
        const text = "through -L ".repeat(5000);
        const back = await roundTripWhenUp(local, text);
        assert.ok(
          back === text,
          `echo through -L: ${back.length} of ${text.length} bytes came back`,
        );
        assert.match(sshd!.log(), /direct-tcpip: connected to 127\.0\.0\.1 port/);
      } finally {
        child.kill("SIGTERM");
      }
    });

    await t.test("-R: ssh -N -R; the Hush server listens and forwards back", async () => {
      const remote = await freePort();
      const child = spawn("ssh", [
        ...sshBase(port, ed),
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        "-R",
        `127.0.0.1:${remote}:127.0.0.1:${echo.port}`,
        HOST,
      ], { stdio: "ignore" });
      try {
        const text = "through -R ".repeat(5000);
        const back = await roundTripWhenUp(remote, text);
        assert.ok(
          back === text,
          `echo through -R: ${back.length} of ${text.length} bytes came back`,
        );
        assert.match(
          sshd!.log(),
          new RegExp(`tcpip-forward listening on 127\\.0\\.0\\.1:${remote}`),
        );
      } finally {
        child.kill("SIGTERM");
      }
    });

    await t.test("AllowTcpForwarding=no refuses -R and -L", async () => {
      closed = await startHushSshd(["-d", "-o", `AuthorizedKeysFile=${keysFile}`], {
        HUSH_STATE_DIR: join(dir, "state"),
      });
      const r = await run("ssh", [
        ...sshBase(closed.port, ed),
        "-N",
        "-o",
        "ExitOnForwardFailure=yes",
        "-R",
        `127.0.0.1:${await freePort()}:127.0.0.1:${echo.port}`,
        HOST,
      ], { timeoutMs: 20_000 });
      assert.equal(r.code, 255);
      assert.match(r.stderr, /remote port forwarding failed/);
      const w = await run("ssh", [
        ...sshBase(closed.port, ed),
        "-W",
        `127.0.0.1:${echo.port}`,
        HOST,
      ], { input: "x", timeoutMs: 20_000 });
      assert.equal(w.code, 255);
      assert.match(w.stderr, /administratively prohibited/);
      // the same state directory: the key made by the first server is reused
      assert.match(closed.log(), /Loaded host key .*ssh_host_ed25519_key/);
    });

    await t.test("SIGTERM shuts the server down cleanly (exit 0)", async () => {
      const code = await sshd!.stop();
      assert.equal(code, 0, sshd!.log().slice(-3000));
      assert.match(sshd!.log(), /Received signal SIGTERM; terminating\./);
      sshd = undefined;
    });
  } catch (e) {
    if (sshd) console.error(sshd.log().slice(-4000));
    throw e;
  } finally {
    await sshd?.stop();
    await closed?.stop();
    echo.server.close();
    remove();
  }
});

test("OpenSSH ssh → serve() in process: own session handler, -R to port 0", {
  timeout: 60_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-serve-");
  const echo = await echoServer();
  const user = makeKey(dir, "user", "ecdsa", 256);
  const server = await serve({
    hostname: HOST,
    port: 0,
    hostKeys: [await generateKey("ecdsa-sha2-nistp521")],
    authenticate: { authorizedKeys: publicLine(user) },
    onSession: (session, context) => {
      session.onExec = async (command) => {
        if (command === "throw") throw new Error("handler failed on purpose");
        const input = await new Response(session.readable).text();
        const w = session.writable.getWriter();
        await w.write(
          new TextEncoder().encode(`${context.user.user} ran "${command}" with ${input}`),
        );
        w.releaseLock();
        return 42;
      };
    },
    onForward: tcpForwarding(),
  });
  try {
    const r = await run("ssh", [...sshBase(server.port, user), HOST, "anything"], {
      input: "some input",
    });
    assert.equal(r.code, 42, r.stderr);
    assert.equal(
      r.stdout.toString(),
      `${process.env.USER ?? "root"} ran "anything" with some input`,
    );
    // a handler that throws ends the session with status 1, and the connection stays up
    const failed = await run("ssh", [...sshBase(server.port, user), HOST, "throw"]);
    assert.equal(failed.code, 1, failed.stderr);
    assert.equal(failed.stdout.toString(), "");

    const child = spawn("ssh", [
      ...sshBase(server.port, user),
      "-N",
      "-o",
      "ExitOnForwardFailure=yes",
      "-R",
      `127.0.0.1:0:127.0.0.1:${echo.port}`,
      HOST,
    ], { stdio: ["ignore", "ignore", "pipe"] });
    try {
      let err = "";
      const allocated = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no port allocated: ${err}`)), 15_000);
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
          const m = /Allocated port (\d+) for remote forward/.exec(err);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      assert.ok(allocated > 0);
      assert.equal(await roundTripWhenUp(allocated, "port zero"), "port zero");
    } finally {
      child.kill("SIGTERM");
    }
  } finally {
    await server.close();
    echo.server.close();
    remove();
  }
});

test("Hush sshd limits: MaxAuthTries and LoginGraceTime as OpenSSH ssh sees them", {
  timeout: 60_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sshd-limits-");
  let sshd: HushSshd | undefined;
  try {
    const { user: good, keysFile } = authorizedUser(dir, "good");
    const strangers = [1, 2, 3].map((i) => makeKey(dir, `stranger${i}`, "ed25519"));
    sshd = await startHushSshd([
      "-o",
      `AuthorizedKeysFile=${keysFile}`,
      "-o",
      "MaxAuthTries=2",
      "-o",
      "LoginGraceTime=1",
    ], { HUSH_STATE_DIR: join(dir, "state") });

    // Three wrong keys, then the right one: the server gives up after the second failure. All
    // of it must fit in the 1 s LoginGraceTime, so the kex is curve25519: OpenSSH 9.2's own
    // sntrup761 key generation (its default now that Hush has the method) costs ~0.1 s of CPU,
    // which a loaded machine stretches past the second.
    const r = await run("ssh", [
      ...sshBase(sshd.port),
      "-o",
      "KexAlgorithms=curve25519-sha256",
      ...strangers.flatMap((k) => ["-i", k]),
      "-i",
      good,
      HOST,
      "echo in",
    ]);
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Too many authentication failures/);
    assert.equal(r.stdout.toString(), "");

    // A client that never authenticates is cut off after LoginGraceTime (1 s).
    const t0 = performance.now();
    const idle = await new Promise<string>((resolve, reject) => {
      const s = netConnect({ host: HOST, port: sshd!.port }, () => s.write("SSH-2.0-Idle_1.0\r\n"));
      let got = "";
      s.on("data", (d: Buffer) => (got += d.toString("latin1")));
      s.on("close", () => resolve(got));
      s.on("error", reject);
      s.setTimeout(10_000, () => s.destroy(new Error("not cut off within 10 s")));
    });
    const elapsed = performance.now() - t0;
    assert.match(idle, /^SSH-2\.0-Hush/);
    assert.ok(elapsed >= 900 && elapsed < 5000, `cut off after ${elapsed.toFixed(0)} ms`);
  } finally {
    await sshd?.stop();
    remove();
  }
});
