/**
 * The Hush `ssh` and `keygen` commands in place of OpenSSH's, against a real OpenSSH `sshd`
 * and `ssh-keygen`: exec with stdin and exit status, separate stderr, `-L` forwarding, the
 * known_hosts policies, BatchMode failures, algorithm options, askpass and agent identities;
 * key files each tool writes read by the other. Deno only (spawns `deno run -A …`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect as netConnect, createServer, type Server } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findBinary, freePort, requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import { type HushSshd, startHushSshd } from "./server_fixture.ts";
import { CIPHERS, isAead, MACS } from "@hush/cipher";
import { KEX_METHODS } from "@hush/kex";

const SSH_CLI = fileURLToPath(new URL("../../packages/ssh/cli/ssh.ts", import.meta.url));
const KEYGEN_CLI = fileURLToPath(new URL("../../packages/ssh/cli/keygen.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

/** Spawns `deno …` with a clean environment: HOME is a temp dir, no agent unless given. */
function spawnDeno(denoArgs: string[], env: Record<string, string>): ChildProcess {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(SSH_|DISPLAY$|TERM$)/.test(k)) base[k] = v;
  }
  // HOME moves to a temp dir; the module cache stays where it is
  base.DENO_DIR ??= join(homedir(), ".cache", "deno");
  Object.assign(base, env);
  return spawn(process.execPath, denoArgs, { env: base, stdio: ["pipe", "pipe", "pipe"] });
}

/** Spawns a CLI main module. */
function start(script: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawnDeno(["run", "-A", "--quiet", script, ...args], env);
}

function collect(child: ChildProcess, stdin?: Uint8Array | string): Promise<Run> {
  const out: Uint8Array[] = [];
  const errs: Uint8Array[] = [];
  child.stdout!.on("data", (d: Uint8Array) => out.push(d));
  child.stderr!.on("data", (d: Uint8Array) => errs.push(d));
  child.stdin!.on("error", () => {});
  child.stdin!.end(stdin ?? "");
  return new Promise((resolve) => {
    child.on("close", (status) => {
      const stdoutBytes = new Uint8Array(Buffer.concat(out));
      resolve({
        status,
        stdout: new TextDecoder().decode(stdoutBytes),
        stderr: Buffer.concat(errs).toString("utf8"),
        stdoutBytes,
      });
    });
  });
}

function run(
  script: string,
  args: string[],
  options: { env: Record<string, string>; stdin?: Uint8Array | string },
): Promise<Run> {
  return collect(start(script, args, options.env), options.stdin);
}

/** `deno task <name> …` from the repository root, as the README shows it. */
function runTask(
  name: string,
  args: string[],
  options: { env: Record<string, string>; stdin?: string },
): Promise<Run> {
  return collect(
    spawnDeno(["task", "--quiet", "--cwd", ROOT, name, ...args], options.env),
    options.stdin,
  );
}

interface World {
  sshd: Sshd;
  dir: string;
  home: string;
  key: string;
  knownHosts: string;
  env: Record<string, string>;
  /** Common ssh arguments: port, key, known_hosts, BatchMode. */
  base: string[];
}

async function world(config: string[] = [], logLevel?: string): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "hush-cli-"));
  const home = join(dir, "home");
  execFileSync("mkdir", ["-p", home]);
  const key = join(dir, "id_ed25519");
  execFileSync(findBinary("ssh-keygen")!, [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "cli",
    "-f",
    key,
  ]);
  const sshd = await startSshd({
    authorizedKeys: [readFileSync(`${key}.pub`, "utf8").trim()],
    config,
    logLevel,
  });
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}\n`);
  return {
    sshd,
    dir,
    home,
    key,
    knownHosts,
    env: { HOME: home },
    base: [
      "-p",
      String(sshd.port),
      "-i",
      key,
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-o",
      "GlobalKnownHostsFile=none",
      "-o",
      "BatchMode=yes",
    ],
  };
}

async function done(w: World): Promise<void> {
  await w.sshd.stop();
  rmSync(w.dir, { recursive: true, force: true });
}

function skipWithout(t: { skip: (m: string) => void }, ...bins: string[]): boolean {
  const why = requireOpenSsh(...bins);
  if (why) t.skip(why);
  return why !== undefined;
}

test("cli ssh: exec with stdin, separate stdout and stderr, the remote exit status", {
  timeout: 60_000,
}, async (t) => {
  if (skipWithout(t, "sshd", "ssh-keygen")) return;
  const w = await world();
  try {
    const r = await run(SSH_CLI, [...w.base, `root@127.0.0.1`, "cat; echo to-stderr >&2; exit 7"], {
      env: w.env,
      stdin: "hello from stdin\n",
    });
    assert.equal(r.stdout, "hello from stdin\n");
    assert.equal(r.stderr, "to-stderr\n");
    assert.equal(r.status, 7);

    // 8 MiB through the remote sha256sum: stdin streams with backpressure, nothing lost
    const data = new Uint8Array(8 << 20);
    for (let i = 0; i < data.length; i += 65536) {
      crypto.getRandomValues(data.subarray(i, i + 65536));
    }
    const big = await run(SSH_CLI, [...w.base, "root@127.0.0.1", "sha256sum"], {
      env: w.env,
      stdin: data,
    });
    assert.equal(big.status, 0, big.stderr);
    assert.equal(big.stdout.split(" ")[0], createHash("sha256").update(data).digest("hex"));

    // and down: binary stdout comes through byte for byte
    const down = await run(SSH_CLI, [...w.base, "root@127.0.0.1", "head -c 3000000 /dev/zero"], {
      env: w.env,
    });
    assert.equal(down.status, 0);
    assert.equal(down.stdoutBytes.length, 3_000_000);

    // our stdout closes early (ssh host yes | head -1): ssh ends with 255 as OpenSSH does
    const yes = start(SSH_CLI, [...w.base, "root@127.0.0.1", "yes"], w.env);
    yes.stdin!.end();
    yes.stdout!.once("data", () => yes.stdout!.destroy());
    const yesExit = await new Promise<number | null>((r) => yes.on("close", (code) => r(code)));
    assert.equal(yesExit, 255);

    // -tt: a pty even though stdin is not a terminal (its output comes with \r\n); -T: none
    const tt = await run(SSH_CLI, [...w.base, "-tt", "root@127.0.0.1", "tty; exit 3"], {
      env: w.env,
    });
    assert.match(tt.stdout, /^\/dev\/pts\/\d+\r\n$/);
    assert.equal(tt.status, 3);
    const notty = await run(SSH_CLI, [...w.base, "-T", "root@127.0.0.1", "tty"], { env: w.env });
    assert.equal(notty.stdout, "not a tty\n");

    // user via -l, the command in several words, the exit status 0
    const l = await run(SSH_CLI, [...w.base, "-l", "root", "127.0.0.1", "echo", "a", "b"], {
      env: w.env,
    });
    assert.deepEqual([l.status, l.stdout, l.stderr], [0, "a b\n", ""]);
  } finally {
    await done(w);
  }
});

test("cli ssh: -L forwards to a local echo server, -N runs until interrupted", {
  timeout: 60_000,
}, async (t) => {
  if (skipWithout(t, "sshd", "ssh-keygen")) return;
  const w = await world();
  const echo: Server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
  const echoPort = (echo.address() as { port: number }).port;
  const localPort = await freePort();
  const child = start(SSH_CLI, [
    ...w.base,
    "-N",
    "-L",
    `127.0.0.1:${localPort}:127.0.0.1:${echoPort}`,
    "root@127.0.0.1",
  ], w.env);
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<string>((r) =>
    child.on("close", (code, signal) => r(`${code ?? signal}`))
  );
  try {
    const roundTrip = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const s = netConnect({ host: "127.0.0.1", port: localPort }, () => s.end(text));
        let got = "";
        s.on("data", (d) => (got += d));
        s.on("end", () => resolve(got));
        s.on("error", reject);
      });
    let reply: string | undefined;
    const deadline = Date.now() + 20_000;
    while (reply === undefined && Date.now() < deadline) {
      try {
        reply = await roundTrip("ping through the tunnel");
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(reply, "ping through the tunnel", stderr);
    // two at once over the same connection
    const both = await Promise.all([roundTrip("one"), roundTrip("two".repeat(50_000))]);
    assert.deepEqual(both, ["one", "two".repeat(50_000)]);
    // as OpenSSH: an interrupted ssh -N exits 255 (process.kill: Deno's child.kill() reports
    // the signal as the cause of exit even when the child handled it)
    process.kill(child.pid!, "SIGTERM");
    assert.equal(await exited, "255", stderr);
  } finally {
    child.kill("SIGKILL");
    echo.close();
    await done(w);
  }
});

test(
  "cli ssh: ExitOnForwardFailure ends ssh -N with 255 when -L or -R cannot listen, as OpenSSH's ssh",
  {
    timeout: 60_000,
  },
  async (t) => {
    if (skipWithout(t, "sshd", "ssh-keygen", "ssh")) return;
    const w = await world();
    // a port that is taken on both ends (client and server are this host)
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
    const busyPort = (busy.address() as { port: number }).port;
    const openssh = (args: string[]) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(findBinary("ssh")!, ["-F", "none", ...args], {
          env: { ...process.env, ...w.env },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        child.on("close", (status) => resolve({ status, stderr }));
      });
    const lastLine = (text: string) => text.trim().split("\n").at(-1);
    try {
      for (
        const [flag, last] of [
          ["-L", "Could not request local forwarding."],
          ["-R", `Error: remote port forwarding failed for listen port ${busyPort}`],
        ]
      ) {
        const args = [
          ...w.base,
          "-N",
          "-o",
          "ExitOnForwardFailure=yes",
          flag,
          `127.0.0.1:${busyPort}:127.0.0.1:9`,
          "root@127.0.0.1",
        ];
        const theirs = await openssh(args);
        assert.equal(theirs.status, 255, theirs.stderr);
        assert.equal(lastLine(theirs.stderr), last, theirs.stderr);
        const ours = await run(SSH_CLI, args, { env: w.env });
        assert.equal(ours.status, 255, ours.stderr);
        assert.equal(lastLine(ours.stderr), last, ours.stderr);
      }
    } finally {
      busy.close();
      await done(w);
    }
  },
);

test("cli ssh: SetEnv and SendEnv reach the remote command as with OpenSSH's ssh", {
  timeout: 60_000,
}, async (t) => {
  if (skipWithout(t, "sshd", "ssh-keygen", "ssh")) return;
  const w = await world(["AcceptEnv HUSH_* LANG LC_*"]);
  try {
    const args = [
      ...w.base,
      "-o",
      'SetEnv=HUSH_A=1 "HUSH_B=two words"',
      "-o",
      "SendEnv=HUSH_C*",
      "-o",
      "SendEnv=HUSH_D",
      "root@127.0.0.1",
      'echo "$HUSH_A|$HUSH_B|$HUSH_C1|$HUSH_D|$HUSH_E"',
    ];
    const env = { ...w.env, HUSH_C1: "three", HUSH_D: "four", HUSH_E: "not sent" };
    const theirs = execFileSync(findBinary("ssh")!, ["-F", "none", ...args], {
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    assert.equal(theirs, "1|two words|three|four|\n");
    const ours = await run(SSH_CLI, args, { env });
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(ours.stdout, theirs);
  } finally {
    await done(w);
  }
});

test("cli ssh: -R 0 has sshd listen on a port it picks and brings its connections back", {
  timeout: 60_000,
}, async (t) => {
  if (skipWithout(t, "sshd", "ssh-keygen")) return;
  const w = await world();
  const echo: Server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
  const echoPort = (echo.address() as { port: number }).port;
  const child = start(SSH_CLI, [
    ...w.base,
    "-N",
    "-R",
    `0:127.0.0.1:${echoPort}`,
    "root@127.0.0.1",
  ], w.env);
  let stderr = "";
  const allocated = new Promise<number>((resolve) => {
    child.stderr!.on("data", (d) => {
      stderr += d;
      const m = /^Allocated port (\d+) for remote forward to 127\.0\.0\.1:(\d+)\n/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
  });
  const exited = new Promise<string>((r) =>
    child.on("close", (code, signal) => r(`${code ?? signal}`))
  );
  try {
    const port = await allocated;
    const reply = await new Promise<string>((resolve, reject) => {
      // sshd listens on the "remote" side, which is this machine
      const s = netConnect({ host: "127.0.0.1", port }, () => s.end("back through -R"));
      let got = "";
      s.on("data", (d) => (got += d));
      s.on("end", () => resolve(got));
      s.on("error", reject);
    });
    assert.equal(reply, "back through -R");
    process.kill(child.pid!, "SIGINT");
    assert.equal(await exited, "255", stderr);
  } finally {
    child.kill("SIGKILL");
    echo.close();
    await done(w);
  }
});

test(
  "cli ssh: StrictHostKeyChecking accept-new records the host, then yes (and OpenSSH) trust it",
  {
    timeout: 60_000,
  },
  async (t) => {
    if (skipWithout(t, "sshd", "ssh-keygen", "ssh")) return;
    const w = await world();
    try {
      const file = join(w.dir, "fresh_known_hosts");
      const opts = (policy: string) => [
        "-p",
        String(w.sshd.port),
        "-i",
        w.key,
        "-o",
        `UserKnownHostsFile=${file}`,
        "-o",
        "GlobalKnownHostsFile=none",
        "-o",
        `StrictHostKeyChecking=${policy}`,
        "-o",
        "BatchMode=yes",
        "-o",
        "HostKeyAlgorithms=ssh-ed25519",
      ];
      const first = await run(SSH_CLI, [...opts("accept-new"), "root@127.0.0.1", "echo first"], {
        env: w.env,
      });
      assert.equal(first.status, 0, first.stderr);
      assert.equal(first.stdout, "first\n");
      assert.equal(
        first.stderr,
        `Warning: Permanently added '[127.0.0.1]:${w.sshd.port}' (ED25519) to the list of known hosts.\n`,
      );
      const recorded = readFileSync(file, "utf8");
      assert.ok(recorded.includes(w.sshd.hostKeys.ed25519.split(" ")[1]));

      const second = await run(SSH_CLI, [...opts("yes"), "root@127.0.0.1", "echo second"], {
        env: w.env,
      });
      assert.deepEqual([second.status, second.stdout, second.stderr], [0, "second\n", ""]);
      assert.equal(readFileSync(file, "utf8"), recorded, "nothing more written");

      // OpenSSH's ssh accepts what Hush recorded
      const openssh = execFileSync(findBinary("ssh")!, [
        ...opts("yes"),
        "-F",
        "none",
        "root@127.0.0.1",
        "echo openssh",
      ], { encoding: "utf8", env: { ...w.env, PATH: process.env.PATH ?? "" } });
      assert.equal(openssh, "openssh\n");

      // HashKnownHosts=yes records the host hashed (|1|salt|hash), which OpenSSH then accepts
      const hashedFile = join(w.dir, "hashed_known_hosts");
      const swap = (a: string) =>
        a === `UserKnownHostsFile=${file}` ? `UserKnownHostsFile=${hashedFile}` : a;
      const hashed = await run(SSH_CLI, [
        ...opts("accept-new").map(swap),
        "-o",
        "HashKnownHosts=yes",
        "root@127.0.0.1",
        "true",
      ], { env: w.env });
      assert.equal(hashed.status, 0, hashed.stderr);
      assert.match(
        readFileSync(hashedFile, "utf8"),
        /^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /,
      );
      execFileSync(findBinary("ssh")!, [
        ...opts("yes").map(swap),
        "-F",
        "none",
        "root@127.0.0.1",
        "true",
      ], {
        env: { ...w.env, PATH: process.env.PATH ?? "" },
      });

      // "remember nothing" (UserKnownHostsFile=/dev/null): a path that is not a regular file
      // is never replaced; a FIFO stands in for /dev/null here
      const fifo = join(w.dir, "fifo");
      execFileSync("mkfifo", [fifo]);
      const nothing = await run(SSH_CLI, [
        ...opts("no").map((
          a,
        ) => (a === `UserKnownHostsFile=${file}` ? `UserKnownHostsFile=${fifo}` : a)),
        "root@127.0.0.1",
        "echo remembered-nothing",
      ], { env: w.env });
      assert.equal(nothing.status, 0, nothing.stderr);
      assert.equal(nothing.stdout, "remembered-nothing\n");
      assert.match(nothing.stderr, /^Warning: Permanently added /);
      assert.ok(statSync(fifo).isFIFO());

      // a changed key is refused, under accept-new too
      writeFileSync(
        file,
        `[127.0.0.1]:${w.sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz\n`,
      );
      const changed = await run(SSH_CLI, [...opts("accept-new"), "root@127.0.0.1", "true"], {
        env: w.env,
      });
      assert.equal(changed.status, 255);
      assert.match(changed.stderr, /WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!/);
      assert.match(changed.stderr, /Host key verification failed\.\n$/);
    } finally {
      await done(w);
    }
  },
);

test(
  "cli ssh: BatchMode failures exit 255 with OpenSSH's messages",
  { timeout: 60_000 },
  async (t) => {
    if (skipWithout(t, "sshd", "ssh-keygen")) return;
    const w = await world();
    try {
      const port = String(w.sshd.port);
      // unknown host under BatchMode: the policy is yes, nobody is asked
      const unknown = await run(SSH_CLI, [
        "-p",
        port,
        "-i",
        w.key,
        "-o",
        `UserKnownHostsFile=${join(w.dir, "empty_known_hosts")}`,
        "-o",
        "GlobalKnownHostsFile=none",
        "-o",
        "BatchMode=yes",
        "-o",
        "HostKeyAlgorithms=ssh-ed25519",
        "root@127.0.0.1",
        "true",
      ], { env: w.env });
      assert.equal(unknown.status, 255);
      assert.equal(
        unknown.stderr,
        `No ED25519 host key is known for [127.0.0.1]:${port} and you have requested strict checking.\nHost key verification failed.\n`,
      );

      // no usable key, no password under BatchMode
      const other = join(w.dir, "other");
      execFileSync(findBinary("ssh-keygen")!, ["-q", "-t", "ed25519", "-N", "", "-f", other]);
      const denied = await run(SSH_CLI, [
        ...w.base.filter((a) => a !== w.key && a !== "-i"),
        "-i",
        other,
        "-o",
        "IdentityAgent=none",
        "root@127.0.0.1",
        "true",
      ], { env: w.env });
      assert.equal(denied.status, 255);
      assert.equal(denied.stderr, "root@127.0.0.1: Permission denied (publickey).\n");

      // nothing listening
      const closedPort = String(await freePort());
      const refused = await run(SSH_CLI, [
        "-o",
        "BatchMode=yes",
        "-p",
        closedPort,
        "127.0.0.1",
        "true",
      ], {
        env: w.env,
      });
      assert.equal(refused.status, 255);
      assert.equal(
        refused.stderr,
        `ssh: connect to host 127.0.0.1 port ${closedPort}: Connection refused\n`,
      );

      // no common cipher
      const nego = await run(SSH_CLI, [
        ...w.base,
        "-o",
        "KexAlgorithms=mlkem768x25519-sha256",
        "root@127.0.0.1",
        "true",
      ], {
        env: w.env,
      });
      assert.equal(nego.status, 255);
      assert.match(nego.stderr, /^Unable to negotiate with 127\.0\.0\.1 port \d+: /);

      // a peer that accepts and then says nothing: ConnectTimeout gives up in time
      const silent = createServer(() => {});
      await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
      const silentPort = (silent.address() as { port: number }).port;
      const t0 = Date.now();
      const mute = await run(SSH_CLI, [
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=1",
        "-p",
        String(silentPort),
        "127.0.0.1",
        "true",
      ], { env: w.env });
      silent.close();
      assert.equal(mute.status, 255);
      assert.equal(
        mute.stderr,
        `Connection timed out during banner exchange\nConnection to 127.0.0.1 port ${silentPort} timed out\n`,
      );
      assert.ok(Date.now() - t0 < 10_000, "gave up after about a second");

      // a bad command line
      const usage = await run(SSH_CLI, ["-o", "NoSuchOption=1", "h"], { env: w.env });
      assert.equal(usage.status, 255);
      // OpenSSH's words, the keyword lowercased as it prints it
      assert.equal(usage.stderr, "command-line: line 0: Bad configuration option: nosuchoption\n");

      // an encrypted key is skipped under BatchMode (no prompt), not a hang
      const enc = join(w.dir, "enc");
      execFileSync(findBinary("ssh-keygen")!, ["-q", "-t", "ed25519", "-N", "pw", "-f", enc]);
      const skipped = await run(SSH_CLI, [
        ...w.base.filter((a) => a !== w.key && a !== "-i"),
        "-i",
        enc,
        "root@127.0.0.1",
        "true",
      ], { env: w.env });
      assert.equal(skipped.status, 255);
      assert.match(skipped.stderr, /Permission denied/);
    } finally {
      await done(w);
    }
  },
);

test(
  "cli ssh: -o algorithm lists pick what is negotiated (seen in -v)",
  { timeout: 60_000 },
  async (t) => {
    if (skipWithout(t, "sshd", "ssh-keygen")) return;
    const w = await world();
    try {
      writeFileSync(
        w.knownHosts,
        Object.values(w.sshd.hostKeys).map((k) => `[127.0.0.1]:${w.sshd.port} ${k}`).join("\n") +
          "\n",
      );
      const r = await run(SSH_CLI, [
        ...w.base,
        "-v",
        "-o",
        "KexAlgorithms=ecdh-sha2-nistp256",
        "-o",
        "Ciphers=aes256-ctr",
        "-o",
        "MACs=hmac-sha2-512-etm@openssh.com",
        "-o",
        "HostKeyAlgorithms=rsa-sha2-512",
        "-o",
        "RekeyLimit=1M",
        "-o",
        "ServerAliveInterval=30",
        "-o",
        "ConnectTimeout=10",
        "root@127.0.0.1",
        "head -c 3000000 /dev/zero | wc -c",
      ], { env: w.env });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), "3000000");
      assert.match(r.stderr, /debug1: kex: algorithm: ecdh-sha2-nistp256\n/);
      assert.match(r.stderr, /debug1: kex: host key algorithm: rsa-sha2-512\n/);
      assert.match(
        r.stderr,
        /debug1: kex: server->client cipher: aes256-ctr MAC: hmac-sha2-512-etm@openssh\.com/,
      );
      assert.match(r.stderr, /debug1: Server host key: (ssh-rsa|rsa-sha2-512) SHA256:/);
      assert.match(r.stderr, /debug1: \+---\[RSA 3072\]----\+\n/);
      assert.match(r.stderr, /Authenticated to 127\.0\.0\.1/);

      // OpenSSH's list modifiers: remove every chacha and aes-gcm, prefer aes128-ctr
      const mod = await run(SSH_CLI, [
        ...w.base,
        "-v",
        "-o",
        "Ciphers=-chacha20*,aes*gcm*",
        "-o",
        "KexAlgorithms=^ecdh-sha2-nistp384",
        "root@127.0.0.1",
        "true",
      ], { env: w.env });
      assert.equal(mod.status, 0, mod.stderr);
      assert.match(mod.stderr, /kex: algorithm: ecdh-sha2-nistp384\n/);
      assert.match(mod.stderr, /client->server cipher: aes128-ctr /);
    } finally {
      await done(w);
    }
  },
);

test("cli ssh: encrypted key through SSH_ASKPASS, agent identities from SSH_AUTH_SOCK", {
  timeout: 60_000,
}, async (t) => {
  if (skipWithout(t, "sshd", "ssh-keygen", "ssh-agent", "ssh-add")) return;
  const dir = mkdtempSync(join(tmpdir(), "hush-cli-keys-"));
  const enc = join(dir, "enc");
  const agentKey = join(dir, "agentkey");
  const keygen = findBinary("ssh-keygen")!;
  execFileSync(keygen, ["-q", "-t", "ecdsa", "-N", "sesame", "-f", enc]);
  execFileSync(keygen, ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", agentKey]);
  const w = await world();
  writeFileSync(
    join(w.sshd.dir, "authorized_keys"),
    [enc, agentKey].map((k) => readFileSync(`${k}.pub`, "utf8").trim()).join("\n") + "\n",
  );
  const askpass = join(dir, "askpass.sh");
  writeFileSync(askpass, "#!/bin/sh\necho sesame\n");
  chmodSync(askpass, 0o700);
  const common = [
    "-p",
    String(w.sshd.port),
    "-o",
    `UserKnownHostsFile=${w.knownHosts}`,
    "-o",
    "GlobalKnownHostsFile=none",
  ];
  let agentPid: string | undefined;
  try {
    const viaAskpass = await run(
      SSH_CLI,
      [...common, "-i", enc, "root@127.0.0.1", "echo unlocked"],
      {
        env: { ...w.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force" },
      },
    );
    assert.deepEqual([viaAskpass.status, viaAskpass.stdout], [0, "unlocked\n"], viaAskpass.stderr);

    // the host key question goes to SSH_ASKPASS too, as its argument
    const questions = join(dir, "questions");
    const asker = join(dir, "asker.sh");
    writeFileSync(
      asker,
      `#!/bin/sh\nprintf '%s\\n--\\n' "$1" >> '${questions}'\ncase "$1" in *continue*) echo yes;; *) echo sesame;; esac\n`,
    );
    chmodSync(asker, 0o700);
    const asked = await run(SSH_CLI, [
      "-p",
      String(w.sshd.port),
      "-o",
      `UserKnownHostsFile=${join(dir, "new_known_hosts")}`,
      "-o",
      "GlobalKnownHostsFile=none",
      "-o",
      "StrictHostKeyChecking=ask",
      "-o",
      "HostKeyAlgorithms=ssh-ed25519",
      "-i",
      enc,
      "root@127.0.0.1",
      "echo asked",
    ], { env: { ...w.env, SSH_ASKPASS: asker, SSH_ASKPASS_REQUIRE: "force" } });
    assert.deepEqual([asked.status, asked.stdout], [0, "asked\n"], asked.stderr);
    const [hostQuestion, passphrase] = readFileSync(questions, "utf8").split("\n--\n");
    assert.match(
      hostQuestion,
      /^The authenticity of host '\[127\.0\.0\.1\]:\d+' can't be established\.\nED25519 key fingerprint is SHA256:/,
    );
    assert.match(
      hostQuestion,
      /Are you sure you want to continue connecting \(yes\/no\/\[fingerprint\]\)\? $/,
    );
    assert.equal(passphrase, `Enter passphrase for key '${enc}': `);

    const sock = join(dir, "agent.sock");
    const out = execFileSync(findBinary("ssh-agent")!, ["-s", "-a", sock], { encoding: "utf8" });
    agentPid = /SSH_AGENT_PID=(\d+)/.exec(out)?.[1];
    execFileSync(findBinary("ssh-add")!, ["-q", agentKey], {
      env: { SSH_AUTH_SOCK: sock, PATH: process.env.PATH ?? "" },
      stdio: "ignore",
    });
    const viaAgent = await run(SSH_CLI, [
      ...common,
      "-o",
      "BatchMode=yes",
      "root@127.0.0.1",
      "echo agent",
    ], {
      env: { ...w.env, SSH_AUTH_SOCK: sock },
    });
    assert.deepEqual([viaAgent.status, viaAgent.stdout], [0, "agent\n"], viaAgent.stderr);

    // IdentityAgent none turns the agent off: nothing left to offer
    const noAgent = await run(SSH_CLI, [
      ...common,
      "-o",
      "BatchMode=yes",
      "-o",
      "IdentityAgent=none",
      "root@127.0.0.1",
      "true",
    ], { env: { ...w.env, SSH_AUTH_SOCK: sock } });
    assert.equal(noAgent.status, 255);
  } finally {
    if (agentPid) process.kill(Number(agentPid), "SIGTERM");
    await done(w);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli keygen: ssh-keygen -l and -y read what Hush keygen wrote, with and without -N", {
  timeout: 120_000,
}, async (t) => {
  if (skipWithout(t, "ssh-keygen")) return;
  const keygen = findBinary("ssh-keygen")!;
  const dir = mkdtempSync(join(tmpdir(), "hush-keygen-"));
  try {
    const cases: [string, string[], string][] = [
      ["ed25519", [], ""],
      ["ed25519", [], "correct horse"],
      ["ecdsa", ["-b", "384"], ""],
      ["ecdsa", [], "pw"],
      ["rsa", ["-b", "2048"], "pw"],
    ];
    for (const [i, [type, extra, pass]] of cases.entries()) {
      const file = join(dir, `k${i}`);
      const made = await run(KEYGEN_CLI, [
        "-q",
        "-t",
        type,
        ...extra,
        "-N",
        pass,
        "-C",
        `c${i}`,
        "-f",
        file,
      ], {
        env: { HOME: dir },
      });
      assert.equal(made.status, 0, made.stderr);
      assert.equal(made.stdout, "");
      const hushLine = (await run(KEYGEN_CLI, ["-l", "-f", file], { env: { HOME: dir } })).stdout;
      const opensshLine = execFileSync(keygen, ["-l", "-f", file], { encoding: "utf8" });
      assert.equal(hushLine, opensshLine, `${type} ${pass ? "encrypted" : "plain"}`);
      assert.match(opensshLine, new RegExp(` c${i} \\(${type.toUpperCase()}\\)\\n$`));
      const pub = readFileSync(`${file}.pub`, "utf8");
      const derived = execFileSync(keygen, ["-y", "-P", pass, "-f", file], { encoding: "utf8" });
      assert.equal(derived, pub);
      const hushDerived = await run(KEYGEN_CLI, ["-y", "-P", pass, "-f", file], {
        env: { HOME: dir },
      });
      assert.equal(hushDerived.stdout, pub);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli keygen: -l prints what ssh-keygen -l prints for keys ssh-keygen made", {
  timeout: 120_000,
}, async (t) => {
  if (skipWithout(t, "ssh-keygen")) return;
  const keygen = findBinary("ssh-keygen")!;
  const dir = mkdtempSync(join(tmpdir(), "hush-keygen-"));
  try {
    const cases: [string, string[], string, string][] = [
      ["ed25519", [], "", "a comment"],
      ["ecdsa", ["-b", "521"], "", "e521"],
      ["rsa", ["-b", "3072"], "pw", ""],
      ["ecdsa", [], "pw", "ecdsa with pass"],
      ["ed25519", [], "", ""],
    ];
    for (const [i, [type, extra, pass, comment]] of cases.entries()) {
      const file = join(dir, `s${i}`);
      execFileSync(keygen, ["-q", "-t", type, ...extra, "-N", pass, "-C", comment, "-f", file]);
      for (const target of [file, `${file}.pub`]) {
        for (const hash of [[], ["-E", "md5"]]) {
          const expected = execFileSync(keygen, ["-l", ...hash, "-f", target], {
            encoding: "utf8",
          });
          const got = await run(KEYGEN_CLI, ["-l", ...hash, "-f", target], { env: { HOME: dir } });
          assert.equal(got.stdout, expected, `${type} ${target} ${hash.join(" ")}`);
        }
      }
      // without the .pub beside it, the private key file alone
      rmSync(`${file}.pub`);
      const alone = execFileSync(keygen, ["-l", "-f", file], { encoding: "utf8" });
      const got = await run(KEYGEN_CLI, ["-l", "-f", file], { env: { HOME: dir } });
      assert.equal(got.stdout, alone, `${type} private key alone`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "cli: deno task keygen -- --password feeds the Hush sshd's PasswordFile; deno task ssh -- logs in with it through SSH_ASKPASS",
  {
    timeout: 90_000,
  },
  async (t) => {
    if (skipWithout(t, "ssh-keygen")) return;
    const dir = mkdtempSync(join(tmpdir(), "hush-cli-pw-"));
    const task = (
      name: string,
      args: string[],
      options: { env?: Record<string, string>; stdin?: string },
    ) => runTask(name, args, { env: { HOME: dir, ...options.env }, stdin: options.stdin });
    let sshd: HushSshd | undefined;
    try {
      const hashed = await task("keygen", ["--", "--password", "alice"], {
        stdin: "open sesame\nopen sesame\n",
      });
      assert.equal(hashed.status, 0, hashed.stderr);
      assert.match(hashed.stdout, /^alice:\$scrypt\$/);
      const passwords = join(dir, "passwords");
      writeFileSync(passwords, hashed.stdout);
      sshd = await startHushSshd([
        "-o",
        "PasswordAuthentication=yes",
        "-o",
        `PasswordFile=${passwords}`,
        "-o",
        `StateDirectory=${join(dir, "state")}`,
        "-o",
        `AuthorizedKeysFile=${join(dir, "no_keys")}`,
      ]);
      const askpass = (answer: string) => {
        const file = join(dir, `askpass-${answer.length}`);
        writeFileSync(file, `#!/bin/sh\necho '${answer}'\n`);
        chmodSync(file, 0o700);
        return { HOME: dir, SSH_ASKPASS: file, SSH_ASKPASS_REQUIRE: "force" };
      };
      const args = [
        "--",
        "-p",
        String(sshd.port),
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        `UserKnownHostsFile=${join(dir, "known_hosts")}`,
        "-o",
        "GlobalKnownHostsFile=none",
        "alice@127.0.0.1",
        'read line; echo "got $line"; exit 4',
      ];
      const ok = await task("ssh", args, { env: askpass("open sesame"), stdin: "input\n" });
      assert.equal(ok.stdout, "got input\n", ok.stderr);
      assert.equal(ok.status, 4);
      const wrong = await task("ssh", args, { env: askpass("wrong") });
      assert.equal(wrong.status, 255);
      // asked three times, as NumberOfPasswordPrompts
      assert.equal(wrong.stderr.split("Permission denied, please try again.\n").length, 3);
      assert.match(
        wrong.stderr,
        /alice@127\.0\.0\.1: Permission denied \(publickey,password\)\.\n$/,
      );
    } finally {
      await sshd?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "cli ssh: on a terminal, ask about an unknown host key and read the password (under script(1))",
  {
    timeout: 90_000,
  },
  async (t) => {
    if (skipWithout(t, "ssh-keygen")) return;
    const script = findBinary("script");
    if (!script) return t.skip("util-linux script not installed (needed for a pseudo-terminal)");
    const dir = mkdtempSync(join(tmpdir(), "hush-cli-tty-"));
    let sshd: HushSshd | undefined;
    try {
      const hashed = await run(KEYGEN_CLI, ["--password", "bob"], {
        env: { HOME: dir },
        stdin: "hunter2\nhunter2\n",
      });
      writeFileSync(join(dir, "passwords"), hashed.stdout);
      sshd = await startHushSshd([
        "-o",
        "PasswordAuthentication=yes",
        "-o",
        `PasswordFile=${join(dir, "passwords")}`,
        "-o",
        `StateDirectory=${join(dir, "state")}`,
        "-o",
        `AuthorizedKeysFile=${join(dir, "no_keys")}`,
      ]);
      const known = join(dir, "known_hosts");
      const command = (extra: string, remote = "echo logged-in") =>
        [
          process.execPath,
          "run",
          "-A",
          "--quiet",
          SSH_CLI,
          "-p",
          String(sshd!.port),
          "-o",
          `UserKnownHostsFile=${known}`,
          "-o",
          "GlobalKnownHostsFile=none",
          extra,
          "bob@127.0.0.1",
          `'${remote}'`,
        ].join(" ");
      // script(1) gives the command a terminal; each answer is typed once its prompt shows
      const typed = async (answers: [RegExp, string][], cmd: string) => {
        const c = spawn(script, ["-qec", cmd, "/dev/null"], {
          env: {
            ...process.env,
            HOME: dir,
            DENO_DIR: process.env.DENO_DIR ?? join(homedir(), ".cache", "deno"),
          },
          stdio: ["pipe", "pipe", "pipe"],
        });
        let seen = "";
        const pending = [...answers];
        c.stdout!.on("data", (d) => {
          seen += d;
          while (pending.length && pending[0][0].test(seen)) {
            c.stdin!.write(pending.shift()![1] + "\n");
            seen = "";
          }
        });
        return await collectNoStdin(c);
      };
      const question = /\(yes\/no\/\[fingerprint\]\)\? $/;
      const password = /password: $/;
      const no = await typed([[question, "no"]], command("-oStrictHostKeyChecking=ask"));
      assert.match(
        no.stdout,
        /The authenticity of host '\[127\.0\.0\.1\]:\d+' can't be established\./,
      );
      assert.match(
        no.stdout,
        /Are you sure you want to continue connecting \(yes\/no\/\[fingerprint\]\)\?/,
      );
      assert.match(no.stdout, /Host key verification failed\./);
      assert.equal(no.status, 255);

      const yes = await typed(
        [[question, "yes"], [password, "hunter2"]],
        command("-oStrictHostKeyChecking=ask"),
      );
      assert.match(yes.stdout, /Warning: Permanently added '\[127\.0\.0\.1\]:\d+' \(ED25519\)/);
      assert.match(yes.stdout, /bob@127\.0\.0\.1's password: /);
      assert.doesNotMatch(yes.stdout, /hunter2/, "the password is not echoed");
      assert.match(yes.stdout, /logged-in/);
      assert.equal(yes.status, 0);

      // with a pty, ~. at the start of a line disconnects from a command that would run on
      const escaped = await typed(
        [[password, "hunter2"], [/ready/, "\r~."]],
        command("-t", "echo ready; sleep 60"),
      );
      assert.match(escaped.stdout, /Connection to 127\.0\.0\.1 closed\./);
      assert.equal(escaped.status, 255);
    } finally {
      await sshd?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

function collectNoStdin(child: ChildProcess): Promise<Run> {
  const out: Uint8Array[] = [];
  child.stdout!.on("data", (d: Uint8Array) => out.push(d));
  child.stderr!.on("data", (d: Uint8Array) => out.push(d));
  child.stdin!.on("error", () => {});
  return new Promise((resolve) => {
    child.on("close", (status) => {
      const stdoutBytes = new Uint8Array(Buffer.concat(out));
      resolve({ status, stdout: new TextDecoder().decode(stdoutBytes), stderr: "", stdoutBytes });
    });
  });
}

test(
  "cli ssh: every kex, cipher, MAC and host key algorithm both sides have, chosen by -o (ed25519, ecdsa and rsa user keys)",
  {
    timeout: 120_000,
  },
  async (t) => {
    if (skipWithout(t, "sshd", "ssh-keygen", "ssh")) return;
    const ssh = findBinary("ssh")!;
    const query = (what: string) =>
      execFileSync(ssh, ["-Q", what], { encoding: "utf8" }).trim().split("\n");
    const kex = KEX_METHODS.filter((k) => query("kex").includes(k));
    const aead = Object.keys(CIPHERS).filter((c) => isAead(c) && query("cipher").includes(c));
    const plain = Object.keys(CIPHERS).filter((c) => !isAead(c) && query("cipher").includes(c));
    const macs = Object.keys(MACS).filter((m) => query("mac").includes(m));
    const hostKeys = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"];
    assert.ok(kex.length >= 8 && aead.length >= 3 && plain.length >= 3 && macs.length >= 6);
    const w = await world();
    const userKeys = ["ed25519", "ecdsa", "rsa"].map((type) => {
      const file = join(w.dir, `user_${type}`);
      execFileSync(findBinary("ssh-keygen")!, ["-q", "-t", type, "-N", "", "-f", file]);
      return file;
    });
    writeFileSync(
      join(w.sshd.dir, "authorized_keys"),
      userKeys.map((k) => readFileSync(`${k}.pub`, "utf8").trim()).join("\n") + "\n",
    );
    writeFileSync(
      w.knownHosts,
      Object.values(w.sshd.hostKeys).map((k) => `[127.0.0.1]:${w.sshd.port} ${k}`).join("\n") +
        "\n",
    );
    // one run per slot: each algorithm at least once; MACs ride with the non-AEAD ciphers
    const runs = Math.max(kex.length, aead.length + macs.length);
    const plan = Array.from({ length: runs }, (_, i) => {
      const withMac = i >= aead.length;
      return {
        kex: kex[i % kex.length],
        hostKey: hostKeys[i % hostKeys.length],
        cipher: withMac ? plain[(i - aead.length) % plain.length] : aead[i],
        mac: withMac ? macs[(i - aead.length) % macs.length] : undefined,
        identity: userKeys[i % userKeys.length],
      };
    });
    try {
      const one = async (p: (typeof plan)[number]) => {
        const r = await run(SSH_CLI, [
          "-v",
          "-p",
          String(w.sshd.port),
          "-i",
          p.identity,
          "-o",
          `UserKnownHostsFile=${w.knownHosts}`,
          "-o",
          "GlobalKnownHostsFile=none",
          "-o",
          "BatchMode=yes",
          "-o",
          `KexAlgorithms=${p.kex}`,
          "-o",
          `HostKeyAlgorithms=${p.hostKey}`,
          "-o",
          `Ciphers=${p.cipher}`,
          ...(p.mac ? ["-o", `MACs=${p.mac}`] : []),
          "root@127.0.0.1",
          "echo ok",
        ], { env: w.env });
        const label = JSON.stringify(p);
        assert.equal(r.status, 0, `${label}\n${r.stderr}`);
        assert.equal(r.stdout, "ok\n", label);
        assert.ok(r.stderr.includes(`debug1: kex: algorithm: ${p.kex}\n`), label);
        assert.ok(r.stderr.includes(`debug1: kex: host key algorithm: ${p.hostKey}\n`), label);
        const mac = p.mac ?? "<implicit>";
        assert.ok(
          r.stderr.includes(`debug1: kex: client->server cipher: ${p.cipher} MAC: ${mac} `),
          label,
        );
      };
      // two at a time: the machine has few cores
      for (let i = 0; i < plan.length; i += 2) await Promise.all(plan.slice(i, i + 2).map(one));
      const covered = new Set(plan.flatMap((p) => [p.kex, p.hostKey, p.cipher, p.mac ?? ""]));
      for (const name of [...kex, ...aead, ...plain, ...macs, ...hostKeys]) {
        assert.ok(covered.has(name), `${name} covered`);
      }
    } finally {
      await done(w);
    }
  },
);

test("cli ssh against the Hush sshd: exec with stdin, exit status and signal, -L and -R", {
  timeout: 90_000,
}, async (t) => {
  if (skipWithout(t, "ssh-keygen")) return;
  const dir = mkdtempSync(join(tmpdir(), "hush-cli-hush-"));
  const key = join(dir, "id");
  execFileSync(findBinary("ssh-keygen")!, ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(`${key}.pub`));
  const echo: Server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
  const echoPort = (echo.address() as { port: number }).port;
  let sshd: HushSshd | undefined;
  const children: ChildProcess[] = [];
  try {
    sshd = await startHushSshd([
      "-o",
      `AuthorizedKeysFile=${join(dir, "authorized_keys")}`,
      "-o",
      `StateDirectory=${join(dir, "state")}`,
      "-o",
      "AllowTcpForwarding=yes",
      // It logs in as "me", not as the OS user the sshd runs as: a name it must be told to serve.
      "-o",
      "AllowUsers=me",
    ]);
    const base = [
      "-p",
      String(sshd.port),
      "-i",
      key,
      "-o",
      "StrictHostKeyChecking=accept-new",
      "-o",
      `UserKnownHostsFile=${join(dir, "known_hosts")}`,
      "-o",
      "BatchMode=yes",
    ];
    const env = { HOME: dir };
    const exec = await run(
      SSH_CLI,
      [...base, "me@127.0.0.1", "tr a-z A-Z; echo oops >&2; exit 9"],
      {
        env,
        stdin: "shout\n",
      },
    );
    assert.deepEqual([exec.status, exec.stdout], [9, "SHOUT\n"], exec.stderr);
    assert.match(exec.stderr, /oops\n$/);
    // killed by a signal: no exit status, so 255 as OpenSSH
    const killed = await run(SSH_CLI, [...base, "me@127.0.0.1", "kill -TERM $$"], { env });
    assert.equal(killed.status, 255, killed.stderr);

    const localPort = await freePort();
    const forward = start(SSH_CLI, [
      ...base,
      "-N",
      "-L",
      `${localPort}:127.0.0.1:${echoPort}`,
      "-R",
      `0:127.0.0.1:${echoPort}`,
      "me@127.0.0.1",
    ], env);
    children.push(forward);
    let stderr = "";
    const remotePort = new Promise<number>((resolve) => {
      forward.stderr!.on("data", (d) => {
        stderr += d;
        const m = /Allocated port (\d+) for remote forward/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
    });
    const through = (port: number, text: string) =>
      new Promise<string>((resolve, reject) => {
        const s = netConnect({ host: "127.0.0.1", port }, () => s.end(text));
        let got = "";
        s.on("data", (d) => (got += d));
        s.on("end", () => resolve(got));
        s.on("error", reject);
      });
    assert.equal(await through(await remotePort, "via -R"), "via -R", stderr);
    let reply: string | undefined;
    for (let i = 0; i < 100 && reply === undefined; i++) {
      reply = await through(localPort, "via -L").catch(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return undefined;
      });
    }
    assert.equal(reply, "via -L", stderr);
    // the server goes away: ssh -N ends with 255 and says so
    const ended = new Promise<number | null>((r) => forward.on("close", (code) => r(code)));
    await sshd.stop();
    sshd = undefined;
    assert.equal(await ended, 255);
    assert.match(stderr, /Connection to 127\.0\.0\.1 closed by remote host\.\n$/);
  } finally {
    for (const c of children) c.kill("SIGKILL");
    echo.close();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli ssh: PubkeyAcceptedAlgorithms picks the RSA signature algorithm and filters keys", {
  timeout: 60_000,
}, async (t) => {
  if (skipWithout(t, "sshd", "ssh-keygen")) return;
  const w = await world([], "DEBUG1");
  try {
    const rsa = join(w.dir, "id_rsa");
    execFileSync(findBinary("ssh-keygen")!, ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", rsa]);
    writeFileSync(join(w.sshd.dir, "authorized_keys"), readFileSync(`${rsa}.pub`));
    const args = (algorithms: string) => [
      ...w.base.filter((a) => a !== w.key && a !== "-i"),
      "-i",
      rsa,
      "-o",
      `PubkeyAcceptedAlgorithms=${algorithms}`,
      "root@127.0.0.1",
      "echo in",
    ];
    const sha256 = await run(SSH_CLI, args("rsa-sha2-256"), { env: w.env });
    assert.deepEqual([sha256.status, sha256.stdout], [0, "in\n"], sha256.stderr);
    assert.match(w.sshd.log(), /userauth_pubkey: publickey test pkalg rsa-sha2-256 pkblob RSA/);
    assert.doesNotMatch(w.sshd.log(), /pkalg rsa-sha2-512/);
    const none = await run(SSH_CLI, args("ssh-ed25519"), { env: w.env });
    assert.equal(none.status, 255);
    assert.equal(none.stderr, "root@127.0.0.1: Permission denied (publickey).\n");
  } finally {
    await done(w);
  }
});

test("cli ssh: ServerAliveInterval/CountMax give up on a server that stops answering", {
  timeout: 60_000,
}, async (t) => {
  if (skipWithout(t, "sshd", "ssh-keygen")) return;
  const w = await world();
  // a TCP relay in front of sshd that can freeze: bytes stop flowing both ways
  let frozen = false;
  const sockets: { destroy(): void }[] = [];
  const relay = createServer((client) => {
    sockets.push(client);
    const upstream = netConnect({ host: "127.0.0.1", port: w.sshd.port });
    client.on("data", (d) => frozen || upstream.write(d));
    upstream.on("data", (d) => frozen || client.write(d));
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", () => r()));
  const relayPort = (relay.address() as { port: number }).port;
  writeFileSync(w.knownHosts, `[127.0.0.1]:${relayPort} ${w.sshd.hostKeys.ed25519}\n`);
  /** The CLI through the relay; `keepalive` adds ServerAliveInterval=1, ServerAliveCountMax=2. */
  const children: ChildProcess[] = [];
  const viaRelay = (keepalive: boolean, ...rest: string[]) =>
    track(
      children,
      start(SSH_CLI, [
        // before w.base's own -p: the first -p wins, as in OpenSSH
        "-p",
        String(relayPort),
        ...w.base,
        "-o",
        "HostKeyAlgorithms=ssh-ed25519",
        ...(keepalive ? ["-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=2"] : []),
        ...rest,
      ], w.env),
    );
  try {
    const child = viaRelay(true, "root@127.0.0.1", "echo started; sleep 30");
    const result = collect(child);
    await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
    frozen = true;
    const t0 = Date.now();
    const r = await result;
    assert.equal(r.status, 255);
    assert.equal(r.stderr, "Timeout, server 127.0.0.1 not responding.\n");
    assert.ok(Date.now() - t0 < 15_000, "gave up within a few intervals");

    // the same with -N (no session): only the timeout line, as OpenSSH. Frozen only once it is
    // logged in (its -L port listens after authentication; a freeze during authentication
    // would leave it waiting, as OpenSSH's ssh would).
    frozen = false;
    const localPort = await freePort();
    const quiet = viaRelay(true, "-N", "-L", `${localPort}:127.0.0.1:9`, "root@127.0.0.1");
    const quietResult = collect(quiet);
    const listening = () =>
      new Promise<boolean>((resolve) => {
        const probe = createServer();
        probe.once("error", () => resolve(true)); // EADDRINUSE: ssh holds it
        probe.listen(localPort, "127.0.0.1", () => probe.close(() => resolve(false)));
      });
    for (let i = 0; i < 1200 && !(await listening()); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(await listening(), "ssh -N logged in and listens on its -L port");
    frozen = true;
    const n = await quietResult;
    assert.equal(n.status, 255);
    assert.equal(n.stderr, "Timeout, server 127.0.0.1 not responding.\n");

    // the connection drops under a running command: 255 and OpenSSH's words
    frozen = false;
    const again = viaRelay(false, "root@127.0.0.1", "echo started; sleep 30");
    const dropped = collect(again);
    await new Promise<void>((resolve) => again.stdout!.once("data", () => resolve()));
    for (const socket of sockets) socket.destroy();
    const d = await dropped;
    assert.equal(d.status, 255, d.stderr);
    assert.equal(d.stderr, "Connection to 127.0.0.1 closed by remote host.\n");
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    relay.close();
    await done(w);
  }
});

/** Remembers `child` so that a failing test can stop it; returns it. */
function track(children: ChildProcess[], child: ChildProcess): ChildProcess {
  children.push(child);
  return child;
}
