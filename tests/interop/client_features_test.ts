/**
 * Hush client → OpenSSH sshd, the connection features: exit status, exit signal, stdin and
 * separate stderr; a shell on a pty; `-L` (forwardLocal) to a local echo server; `-R`
 * (forwardIn) with its connections delivered to the client; strict kex and keepalives as
 * sshd's DEBUG3 log shows them; connectTimeout that does not outlive the handshake.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { connect, ExecError, type SshClient } from "@hush/ssh";
import { requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import { echoServer, keygen, readAll, tempDir, trustingStore } from "./client_fixture.ts";

/** Process ids below `pid` (children, grandchildren, …). */
function descendants(pid: string): string[] {
  const children = execFileSync("sh", ["-c", `pgrep -P ${Number(pid)} || true`], {
    encoding: "utf8",
  }).trim().split("\n").filter(Boolean);
  return children.flatMap((c) => [c, ...descendants(c)]);
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Whether process `pid` exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `probe` until it gives a value (failing after 10 s: a bound on waiting, not a timing test). */
async function until<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("gave up waiting");
}

/** Sends `message` over TCP to 127.0.0.1:port, half-closes, returns everything read back. */
function tcpRoundTrip(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: "127.0.0.1", port }, () => s.end(message));
    let got = "";
    s.on("data", (d) => (got += d.toString()));
    s.on("close", () => resolve(got));
    s.on("error", reject);
  });
}

test("client features against OpenSSH sshd", { timeout: 120_000 }, async (t) => {
  const why = requireOpenSsh("sshd", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, done } = tempDir();
  const user = await keygen(dir, "id_ed25519", "ed25519");
  const sshd: Sshd = await startSshd({ authorizedKeys: [user.publicLine], logLevel: "DEBUG3" });
  const echo = await echoServer();
  const trace: string[] = [];
  let client: SshClient | undefined;
  try {
    client = await connect({
      hostname: "127.0.0.1",
      port: sshd.port,
      username: "root",
      identities: [user.key!],
      knownHosts: trustingStore(sshd.port, Object.values(sshd.hostKeys)),
      policy: "yes",
      // Short enough that sshd sees several keepalives below; a generous count so a busy host
      // (CI runs this beside 256 MiB transfers) never makes the client give up mid-test.
      keepaliveInterval: 150,
      keepaliveCountMax: 30,
      connectTimeout: 2000,
      trace: (line) => trace.push(line),
    });

    await t.test("strict kex on both ends", () => {
      assert.ok(client!.transport.strictKex);
      assert.ok(trace.includes("kex: strict key exchange enabled"));
      assert.match(sshd.log(), /kex_choose_conf: will use strict KEX ordering/);
    });

    await t.test("exit status, stderr apart from stdout, stdin", async () => {
      const r = await client!.exec("echo out; echo err >&2; exit 7");
      assert.equal(text(r.stdout), "out\n");
      assert.equal(text(r.stderr), "err\n");
      assert.equal(r.code, 7);
      assert.equal(r.signal, null);
      const cat = await client!.exec("tr a-z A-Z", { stdin: "hello stdin\n" });
      assert.equal(text(cat.stdout), "HELLO STDIN\n");
      assert.equal(cat.code, 0);
      // a command that exits without reading its input still gives its status
      const unread = await client!.exec("exit 3", { stdin: new Uint8Array(16 * 1024 * 1024) });
      assert.equal(unread.code, 3);
      const killed = await client!.exec("kill -TERM $$");
      assert.equal(killed.code, null);
      assert.equal(killed.signal, "TERM");
      const missing = await client!.exec("/surely/not/a/command");
      assert.equal(missing.code, 127);
      assert.match(text(missing.stderr), /not found|No such file/);
    });

    await t.test("exec options: encoding, check, maxBuffer, and an abort that stops the command", async () => {
      const r = await client!.exec("printf 'h\\303\\251llo'", { encoding: "utf8", check: true });
      assert.equal(r.stdout, "héllo");
      const failed = await client!.exec("echo partial; echo oops >&2; exit 4", { check: true })
        .then(() => assert.fail("exec resolved"), (e) => e);
      assert.ok(failed instanceof ExecError);
      assert.equal(failed.code, "ERR_SSH_EXEC");
      assert.equal(failed.status, 4);
      assert.equal(text(failed.stdout as Uint8Array), "partial\n");
      assert.equal(failed.message, "Command failed with exit status 4: oops");
      const big = await client!.exec("head -c 300000 /dev/zero", { maxBuffer: 100_000 })
        .then(() => assert.fail("exec resolved"), (e) => e);
      assert.ok(big instanceof ExecError);
      assert.equal(big.code, "ERR_SSH_EXEC_MAX_BUFFER");
      assert.equal(big.stream, "stdout");
      assert.equal((big.stdout as Uint8Array).length, 100_000);
      // Abort a command that would write forever: its channel closes and it is gone. (The
      // TERM sent first is refused here: sshd skips post-auth privilege separation for root,
      // and with it signal requests; the closed pipe ends the command instead.)
      const pidFile = join(dir, "ticker.pid");
      const controller = new AbortController();
      const running = client!.exec(
        `echo $$ > ${pidFile}; while :; do echo tick; sleep 0.05; done`,
        {
          signal: controller.signal,
        },
      );
      const pid = await until(() => {
        try {
          return Number(readFileSync(pidFile, "utf8").trim()) || undefined;
        } catch {
          return undefined;
        }
      });
      controller.abort(new Error("enough"));
      await assert.rejects(running, /enough/);
      await until(() => !alive(pid) || undefined);
      assert.equal((await client!.exec("echo after")).code, 0);
    });

    await t.test("shell on a pty", async () => {
      const shell = await client!.shell({ pty: { term: "dumb", cols: 100, rows: 30 } });
      const w = shell.writable.getWriter();
      await w.write(new TextEncoder().encode("stty size; tty; exit 5\n"));
      const out = await readAll(shell.readable);
      assert.match(out, /30 100/);
      assert.match(out, /\/dev\/pts\//);
      assert.equal(await shell.exitStatus, 5);
    });

    await t.test("-L: forwardLocal to a local echo server through sshd", async () => {
      const forward = await client!.forwardLocal({ host: "127.0.0.1", port: echo.port });
      try {
        const big = "0123456789abcdef".repeat(256 * 1024); // 4 MiB
        const [a, b, c] = await Promise.all([
          tcpRoundTrip(forward.port, "first"),
          tcpRoundTrip(forward.port, "second"),
          tcpRoundTrip(forward.port, big),
        ]);
        assert.equal(a, "first");
        assert.equal(b, "second");
        assert.equal(c.length, big.length);
        assert.ok(c === big, "4 MiB echoed intact");
        const opens = sshd.log().match(
          new RegExp(
            `originator 127\\.0\\.0\\.1 port \\d+, target 127\\.0\\.0\\.1 port ${echo.port}`,
            "g",
          ),
        );
        assert.equal(opens?.length, 3, "one direct-tcpip channel per local connection");
      } finally {
        await forward.close();
      }
      // a refused open (nothing listens there) closes the local connection
      const refused = await client!.forwardLocal({ host: "127.0.0.1", port: 1 });
      try {
        assert.equal(await tcpRoundTrip(refused.port, "anyone?"), "");
      } finally {
        await refused.close();
      }
    });

    await t.test("-R: forwardIn delivers sshd's forwarded connections", async () => {
      const origins: string[] = [];
      const port = await client!.forwardIn("127.0.0.1", 0, (channel, info) => {
        origins.push(`${info.address}:${info.port} from ${info.originatorAddress}`);
        const prefix = new TextEncoder().encode("via -R: ");
        void (async () => {
          const w = channel.writable.getWriter();
          await w.write(prefix);
          for await (const chunk of channel.readable) await w.write(chunk);
          await w.close();
        })().catch(() => channel.close());
      });
      assert.ok(port > 0);
      assert.equal(await tcpRoundTrip(port, "one"), "via -R: one");
      assert.equal(await tcpRoundTrip(port, "two"), "via -R: two");
      assert.deepEqual(origins, [
        `127.0.0.1:${port} from 127.0.0.1`,
        `127.0.0.1:${port} from 127.0.0.1`,
      ]);
      await client!.cancelForwardIn("127.0.0.1", port);
      await assert.rejects(tcpRoundTrip(port, "gone"), /ECONNREFUSED/);
      // a port that is taken on the server's side is refused
      await assert.rejects(client!.forwardIn("127.0.0.1", echo.port, () => {}), /refused/);
    });

    await t.test("keepalives reach sshd; connectTimeout does not outlive the handshake", async () => {
      await new Promise((r) => setTimeout(r, 2200)); // past connectTimeout (2000)
      // ~15 are due by now; a busy host may delay timers, so wait for 5 (at most 20 s)
      const seen = () =>
        sshd.log().match(/rtype keepalive@openssh\.com want_reply 1/g)?.length ?? 0;
      for (let i = 0; i < 200 && seen() < 5; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(seen() >= 5, `keepalives seen by sshd: ${seen()}`);
      const r = await client!.exec("echo still connected");
      assert.equal(text(r.stdout), "still connected\n");
    });
  } finally {
    await client?.close();
    await echo.close();
    await sshd.stop();
    done();
  }
});

test("client: a dead server is detected by keepalives", { timeout: 60_000 }, async (t) => {
  const why = requireOpenSsh("sshd", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, done } = tempDir();
  const user = await keygen(dir, "id_ed25519", "ed25519");
  const sshd = await startSshd({ authorizedKeys: [user.publicLine] });
  try {
    const trace: string[] = [];
    const client = await connect({
      hostname: "127.0.0.1",
      port: sshd.port,
      username: "root",
      identities: [user.key!],
      policy: "no",
      keepaliveInterval: 100,
      keepaliveCountMax: 2,
      trace: (l) => trace.push(l),
    });
    // freeze the session's sshd process: TCP stays up but nothing answers
    // (only descendants of this test's own sshd, found through its pid file)
    const listener = readFileSync(join(sshd.dir, "sshd.pid"), "utf8").trim();
    const pids = descendants(listener);
    if (pids.length === 0) {
      await client.close();
      return t.skip("cannot find the session's sshd process to freeze");
    }
    for (const pid of pids) process.kill(Number(pid), "SIGSTOP");
    try {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const ended = await Promise.race([
        client.transport.closed.then(() => true),
        new Promise((r) => timer = setTimeout(() => r(false), 20_000)), // ~0.3 s when idle
      ]);
      clearTimeout(timer);
      assert.ok(ended, "connection closed by the keepalive timeout");
      assert.ok(trace.some((l) => /Timeout, server not responding/.test(l)));
    } finally {
      for (const pid of pids) {
        try {
          process.kill(Number(pid), "SIGCONT");
        } catch { /* gone */ }
      }
      await client.close();
    }
  } finally {
    await sshd.stop();
    done();
  }
});
