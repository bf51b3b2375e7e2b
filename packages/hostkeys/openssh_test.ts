// Interop with OpenSSH's ssh client against a throwaway sshd: ssh records a host that Hush
// then trusts, and ssh trusts (or refuses, with the same warning) what Hush recorded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { decodeBase64 } from "@hush/wire";
import { checkHostKey } from "./check_host_key.ts";
import { HostKeyError } from "./errors.ts";
import { KnownHosts } from "./known_hosts.ts";
import { MemoryStorage } from "./storage.ts";

const SSHD = ["/usr/sbin/sshd", "/usr/local/sbin/sshd"].find((p) => existsSync(p));

function unavailable(): string | undefined {
  const missing = (cmd: string) =>
    (spawnSync(cmd, ["-V"]).error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
  if (!SSHD || missing("ssh") || missing("ssh-keygen")) {
    if (process.env.CI === "true") throw new Error("OpenSSH (ssh, sshd, ssh-keygen) not installed");
    return "OpenSSH (ssh, sshd, ssh-keygen) not installed";
  }
  // sshd's privilege separation needs root (and /run/sshd).
  if (process.getuid?.() !== 0) return "sshd needs root to run";
  return undefined;
}

interface Server {
  port: number;
  hostKey: Uint8Array;
  dir: string;
  stop: () => void;
}

async function startSshd(): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), "hush-hostkeys-sshd-"));
  const key = join(dir, "host_ed25519");
  spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  const hostKey = decodeBase64(readFileSync(`${key}.pub`, "utf8").split(" ")[1])!;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const child: ChildProcess = spawn(SSHD!, [
      "-D",
      "-e",
      "-f",
      "/dev/null",
      "-h",
      key,
      "-p",
      String(port),
      "-o",
      "ListenAddress=127.0.0.1",
      "-o",
      "PidFile=none",
    ], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    const listening = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      child.stderr!.on("data", (d) => {
        log += d;
        if (log.includes("Server listening")) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.on("exit", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (listening) {
      return {
        port,
        hostKey,
        dir,
        stop: () => {
          child.kill();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill();
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error("Cannot start sshd");
}

/** Runs ssh with a known_hosts file; returns its stderr. */
function ssh(server: Server, knownHosts: string, ...options: string[]): string {
  const r = spawnSync("ssh", [
    "-p",
    String(server.port),
    "-o",
    "BatchMode=yes",
    "-o",
    `UserKnownHostsFile=${knownHosts}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "CheckHostIP=no",
    "-o",
    "PreferredAuthentications=none",
    ...options,
    "nobody@127.0.0.1",
    "true",
  ], { encoding: "utf8", timeout: 20_000 });
  return r.stderr;
}

test("openssh: ssh records a host (plain and hashed) and Hush trusts it", async (t) => {
  const why = unavailable();
  if (why) return t.skip(why);
  const server = await startSshd();
  try {
    for (const hash of ["no", "yes"]) {
      const kh = join(server.dir, `known_hosts_${hash}`);
      const err = ssh(
        server,
        kh,
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        `HashKnownHosts=${hash}`,
      );
      assert.match(err, /Permanently added '\[127\.0\.0\.1\]:\d+' \(ED25519\)/);
      const text = readFileSync(kh, "utf8");
      assert.equal(text.startsWith("|1|"), hash === "yes");
      const store = new KnownHosts([new MemoryStorage(text, kh)]);
      const r = await checkHostKey({
        store,
        policy: "yes",
        host: "127.0.0.1",
        port: server.port,
        hostKey: server.hostKey,
      });
      assert.equal(r.status, "trusted");
      assert.equal(r.messages[1], `Found key in ${kh}:1`);
    }
  } finally {
    server.stop();
  }
});

test("openssh: ssh trusts what Hush recorded with accept-new, plain and hashed", async (t) => {
  const why = unavailable();
  if (why) return t.skip(why);
  const server = await startSshd();
  try {
    for (const hashHosts of [false, true]) {
      const kh = join(server.dir, `hush_${hashHosts}`);
      const storage = new MemoryStorage("# recorded by Hush\n", kh);
      const r = await checkHostKey({
        store: new KnownHosts([storage]),
        policy: "accept-new",
        host: "127.0.0.1",
        port: server.port,
        hostKey: server.hostKey,
        hashHosts,
      });
      assert.equal(r.status, "added");
      writeFileSync(kh, (await storage.read())!);
      const err = ssh(server, kh, "-o", "StrictHostKeyChecking=yes");
      assert.doesNotMatch(err, /Host key verification failed/);
      assert.match(err, /Permission denied/);
    }
  } finally {
    server.stop();
  }
});

test("openssh: a changed key is refused by both, with the same warning lines", async (t) => {
  const why = unavailable();
  if (why) return t.skip(why);
  const server = await startSshd();
  try {
    const other = readFileSync(new URL("./testdata/host_ed25519_1.pub", import.meta.url), "utf8")
      .split(" ").slice(0, 2).join(" ");
    const kh = join(server.dir, "changed");
    const text = `# old key\n[127.0.0.1]:${server.port} ${other}\n`;
    writeFileSync(kh, text);
    const err = ssh(server, kh, "-o", "StrictHostKeyChecking=accept-new");
    assert.match(err, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
    const store = new KnownHosts([new MemoryStorage(text, kh)]);
    const e = await checkHostKey({
      store,
      policy: "accept-new",
      host: "127.0.0.1",
      port: server.port,
      hostKey: server.hostKey,
    }).catch((e) => e);
    assert.ok(e instanceof HostKeyError);
    assert.equal(e.status, "changed");
    const ours = e.message.split("\n");
    const theirs = err.split(/\r?\n/);
    // Every line of OpenSSH's warning up to the verdict is in ours, in the same order.
    const expected = theirs.slice(0, theirs.findIndex((l) => l.startsWith("Host key for")) + 2);
    assert.ok(expected.length > 10, err);
    assert.deepEqual(ours, expected);
  } finally {
    server.stop();
  }
});

test("openssh: a revoked key and an unknown key are refused with the same lines", async (t) => {
  const why = unavailable();
  if (why) return t.skip(why);
  const server = await startSshd();
  try {
    const blob = server.hostKey;
    const line = `ssh-ed25519 ${
      readFileSync(join(server.dir, "host_ed25519.pub"), "utf8").split(" ")[1]
    }`;
    const cases = [
      { text: `@revoked * ${line}\n`, status: "revoked", policy: "accept-new" },
      { text: "", status: "unknown", policy: "yes" },
    ] as const;
    for (const c of cases) {
      const kh = join(server.dir, `kh_${c.status}`);
      writeFileSync(kh, c.text);
      const err = ssh(server, kh, "-o", `StrictHostKeyChecking=${c.policy}`);
      const store = new KnownHosts([new MemoryStorage(c.text, kh)]);
      const e = await checkHostKey({
        store,
        policy: c.policy,
        host: "127.0.0.1",
        port: server.port,
        hostKey: blob,
      })
        .catch((e) => e);
      assert.ok(e instanceof HostKeyError);
      assert.equal(e.status, c.status);
      // Ours adds the file and line of the @revoked entry; otherwise the lines are OpenSSH's.
      const ours = e.message.split("\n").filter((l) => !l.startsWith("Revoked key in "));
      assert.deepEqual(ours, err.trimEnd().split(/\r?\n/));
      if (c.status === "revoked") assert.ok(e.message.includes(`Revoked key in ${kh}:1`));
    }
  } finally {
    server.stop();
  }
});
