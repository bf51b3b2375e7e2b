/**
 * The Hush SFTP client against OpenSSH's sftp server (its sshd's `internal-sftp`, and the
 * `sftp-server` program as a second subsystem): `@hush/sftp` through `client.sftp()` moves 256
 * MiB each way with SHA-256 checked, copies a tree keeping modes and mtimes, lists, renames,
 * links, uses OpenSSH's extensions, and resumes after the connection is cut halfway; the `sftp`
 * and `scp` commands do the same set by their command lines.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { SftpClient, SftpError } from "@hush/sftp";
import { connect, localFileSystem, type SshClient } from "@hush/ssh";
import { findBinary, requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import { type KeyFile, keygen, run, tempDir, trustingStore } from "./client_fixture.ts";
import { ROOT } from "./server_fixture.ts";

const BIG = 256 * 1024 * 1024;
const SFTP_SERVER = "/usr/lib/openssh/sftp-server";

const sha256 = (file: string) =>
  execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0];

interface Env {
  sshd: Sshd;
  key: KeyFile;
  dir: string;
  connect(): Promise<SshClient>;
}

async function withSshd(t: { skip: (why: string) => void }, body: (env: Env) => Promise<void>) {
  const why = requireOpenSsh("sshd", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, done } = tempDir("hush-sftp-client-");
  let sshd: Sshd | undefined;
  try {
    const key = await keygen(dir, "user", "ed25519");
    const config = existsSync(SFTP_SERVER) ? [`Subsystem sftp-server ${SFTP_SERVER}`] : [];
    sshd = await startSshd({ authorizedKeys: [key.publicLine], config });
    const port = sshd.port;
    const hostKeys = Object.values(sshd.hostKeys);
    const open = () =>
      connect({
        hostname: "127.0.0.1",
        port,
        username: userInfo().username,
        identities: [key.key!],
        knownHosts: trustingStore(port, hostKeys),
      });
    await body({ sshd, key, dir, connect: open });
  } finally {
    await sshd?.stop();
    done();
  }
}

/** A small tree with unusual modes and old times. */
function makeTree(root: string): void {
  mkdirSync(join(root, "sub/deeper"), { recursive: true });
  writeFileSync(join(root, "a.txt"), "alpha\n", { mode: 0o640 });
  writeFileSync(join(root, "sub/b.bin"), new Uint8Array(100_000).map((_, i) => i * 13), {
    mode: 0o600,
  });
  writeFileSync(join(root, "sub/deeper/c"), "c", { mode: 0o755 });
  utimesSync(join(root, "a.txt"), 1_000_000_000, 1_100_000_000);
  utimesSync(join(root, "sub/b.bin"), 1_200_000_000, 1_300_000_000);
  utimesSync(join(root, "sub/deeper"), 1_400_000_000, 1_500_000_000);
}

function assertSameTree(root: string, copy: string): void {
  for (const f of ["a.txt", "sub/b.bin", "sub/deeper/c"]) {
    assert.deepEqual(readFileSync(join(copy, f)), readFileSync(join(root, f)), f);
    assert.equal(statSync(join(copy, f)).mode & 0o7777, statSync(join(root, f)).mode & 0o7777, f);
  }
  for (const f of ["a.txt", "sub/b.bin", "sub/deeper"]) {
    assert.equal(
      Math.floor(statSync(join(copy, f)).mtimeMs / 1000),
      Math.floor(statSync(join(root, f)).mtimeMs / 1000),
      `${f} mtime`,
    );
  }
}

test(
  "@hush/sftp → OpenSSH: 256 MiB fastPut and fastGet, SHA-256 checked",
  { timeout: 300_000 },
  async (t) => {
    await withSshd(t, async ({ dir, connect }) => {
      const file = join(dir, "big.bin");
      execFileSync("sh", ["-c", `head -c ${BIG} /dev/urandom > '${file}'`]);
      const expected = sha256(file);
      const client = await connect();
      try {
        const sftp = await client.sftp();
        assert.equal(await sftp.fastPut(file, join(dir, "remote.bin")), BIG);
        assert.equal(sha256(join(dir, "remote.bin")), expected, "upload");
        assert.equal(await sftp.fastGet(join(dir, "remote.bin"), join(dir, "back.bin")), BIG);
        assert.equal(sha256(join(dir, "back.bin")), expected, "download");
        await sftp.close();
      } finally {
        await client.close();
      }
    });
  },
);

test("@hush/sftp → OpenSSH: tree with modes and mtimes, listing, rename, links, extensions", async (t) => {
  await withSshd(t, async ({ dir, connect }) => {
    const tree = join(dir, "tree");
    makeTree(tree);
    const client = await connect();
    try {
      const sftp = await client.sftp();
      assert.deepEqual(sftp.limits, {
        maxPacketLength: 262144,
        maxReadLength: 261120,
        maxWriteLength: 261120,
        maxOpenHandles: sftp.limits.maxOpenHandles,
      });
      await sftp.fastPut(tree, join(dir, "up"), { recursive: true, preserve: true });
      assertSameTree(tree, join(dir, "up"));
      await sftp.fastGet(join(dir, "up"), join(dir, "down"), { recursive: true, preserve: true });
      assertSameTree(tree, join(dir, "down"));
      const names = (await sftp.list(join(dir, "up"))).map((e) => e.filename).sort();
      assert.deepEqual(names, ["a.txt", "sub"]);
      const a = (await sftp.list(join(dir, "up"))).find((e) => e.filename === "a.txt")!;
      assert.match(a.longname, /^-rw-r----- +1 \S+ +\S+ +6 .* a\.txt$/);
      await sftp.rename(join(dir, "up/a.txt"), join(dir, "up/b.txt"));
      await sftp.put(new TextEncoder().encode("new"), join(dir, "up/c.txt"));
      const refused = await sftp.rename(join(dir, "up/b.txt"), join(dir, "up/c.txt")).catch((e) =>
        e
      );
      assert.ok(refused instanceof SftpError, "plain RENAME does not replace");
      await sftp.rename(join(dir, "up/b.txt"), join(dir, "up/c.txt"), { overwrite: true });
      assert.equal(readFileSync(join(dir, "up/c.txt"), "utf8"), "alpha\n");
      await sftp.symlink("c.txt", join(dir, "up/link"));
      assert.equal(readlinkSync(join(dir, "up/link")), "c.txt");
      assert.equal(await sftp.readlink(join(dir, "up/link")), "c.txt");
      await sftp.hardlink(join(dir, "up/c.txt"), join(dir, "up/hard"));
      assert.equal(statSync(join(dir, "up/c.txt")).nlink, 2);
      await sftp.copyFile(join(dir, "up/c.txt"), join(dir, "up/copy"));
      assert.equal(readFileSync(join(dir, "up/copy"), "utf8"), "alpha\n");
      const f = await sftp.open(join(dir, "up/copy"), "r+");
      await f.sync();
      assert.ok((await sftp.fstatvfs(f)).blocks > 0);
      await f.close();
      assert.ok((await sftp.statvfs(dir)).blocksAvailable > 0);
      assert.equal(await sftp.expandPath("~"), await sftp.realpath("."));
      const me = userInfo();
      assert.deepEqual(await sftp.usersGroupsById([me.uid], [me.gid]), {
        users: [me.username],
        groups: [execFileSync("id", ["-gn"], { encoding: "utf8" }).trim()],
      });
      await sftp.lsetstat(join(dir, "up/link"), { atime: 1_000_000, mtime: 1_000_000 });
      assert.equal(Math.floor(statSync(join(dir, "up/c.txt")).mtimeMs / 1000) !== 1_000_000, true);
      await sftp.close();
    } finally {
      await client.close();
    }
  });
});

test("@hush/sftp → OpenSSH: the sftp-server program as a subsystem", async (t) => {
  if (!existsSync(SFTP_SERVER)) return t.skip(`${SFTP_SERVER} not installed`);
  await withSshd(t, async ({ dir, connect }) => {
    const client = await connect();
    try {
      const session = await client.connection.openSession();
      await session.subsystem("sftp-server");
      const sftp = await SftpClient.start(session, { local: localFileSystem() });
      const data = new Uint8Array(3_000_000).map((_, i) => i * 7);
      await sftp.put(data, join(dir, "x"));
      assert.deepEqual(new Uint8Array(readFileSync(join(dir, "x"))), data);
      assert.deepEqual(await sftp.readFile(join(dir, "x")), data);
      await sftp.close();
    } finally {
      await client.close();
    }
  });
});

test("@hush/sftp → OpenSSH: resume after the connection is cut halfway, both ways", {
  timeout: 300_000,
}, async (t) => {
  await withSshd(t, async ({ dir, connect }) => {
    const size = 64 * 1024 * 1024;
    const file = join(dir, "src.bin");
    execFileSync("sh", ["-c", `head -c ${size} /dev/urandom > '${file}'`]);
    const expected = sha256(file);
    for (const direction of ["get", "put"] as const) {
      const from = file;
      const to = join(dir, `${direction}.bin`);
      const client = await connect();
      const sftp = await client.sftp();
      let cut = false;
      const onProgress = (p: { transferred: number }) => {
        if (!cut && p.transferred > size / 2) {
          cut = true;
          // the TCP connection goes away under the transfer
          void client.close();
        }
      };
      const first = direction === "get"
        ? sftp.fastGet(from, to, { onProgress })
        : sftp.fastPut(from, to, { onProgress });
      const e = await first.then(() => undefined, (e) => e);
      assert.ok(e instanceof SftpError, `${direction}: ${e}`);
      assert.ok(e.bytesTransferred! > 0 && e.bytesTransferred! < size, `${e.bytesTransferred}`);
      if (direction === "get") {
        assert.equal(existsSync(to), false, "no truncated file under the final name");
        assert.equal(statSync(`${to}.part`).size, e.bytesTransferred);
      }
      const again = await connect();
      const sftp2 = await again.sftp();
      const rest = direction === "get"
        ? await sftp2.fastGet(from, to, { resume: true })
        : await sftp2.fastPut(from, to, { resume: true });
      assert.ok(rest < size, `${direction} resumed (${rest} bytes moved)`);
      assert.equal(sha256(to), expected, direction);
      await sftp2.close();
      await again.close();
    }
  });
});

/** Hush's `sftp` or `scp` command, with the options for the test sshd. */
function hush(cmd: "sftp" | "scp", env: Env, args: string[], input?: string) {
  const opts = [
    "-F",
    "none",
    "-i",
    env.key.path,
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "LogLevel=ERROR",
    "-P",
    String(env.sshd.port),
  ];
  return run("sh", [
    "-c",
    `cd '${env.dir}' && '${Deno.execPath()}' run -A '${join(ROOT, `packages/ssh/cli/${cmd}.ts`)}' ${
      [...opts, ...args].map((a) => `'${a}'`).join(" ")
    }${input === undefined ? "" : ` <<'EOF'\n${input}EOF`}`,
  ], { timeoutMs: 120_000 });
}

test("Hush sftp -b → OpenSSH: put, get, ls, rename, ln -s, chmod, df, and its exit codes", async (t) => {
  await withSshd(t, async (env) => {
    const { dir } = env;
    writeFileSync(join(dir, "note.txt"), "note\n");
    const box = join(dir, "box");
    const r = await hush(
      "sftp",
      env,
      ["-b", "-", "127.0.0.1"],
      [
        `mkdir ${box}`,
        `cd ${box}`,
        "put note.txt",
        "rename note.txt renamed.txt",
        "ln -s renamed.txt link",
        "chmod 604 renamed.txt",
        "ls -l",
        "ls",
        `get renamed.txt ${join(dir, "back.txt")}`,
        "df -h",
        "-rm missing",
        "pwd",
      ].join("\n") + "\n",
    );
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString();
    assert.match(out, /^sftp> ls -l$/m);
    assert.match(out, /^-rw----r-- +1 \S+ +\S+ +5 .* renamed\.txt$/m);
    assert.match(out, /^lrwxrwxrwx +1 .* link$/m);
    assert.match(out, /^link +renamed\.txt +$/m);
    assert.match(out, /^ {4}Size {5}Used {4}Avail {3}\(root\) {4}%Capacity$/m);
    assert.match(out, new RegExp(`Remote working directory: ${box}\n`));
    assert.match(r.stderr, /remote delete .*missing: No such file or directory/);
    assert.equal(readFileSync(join(dir, "back.txt"), "utf8"), "note\n");
    assert.equal(readlinkSync(join(box, "link")), "renamed.txt");
    assert.equal(statSync(join(box, "renamed.txt")).mode & 0o777, 0o604);
    const failing = await hush("sftp", env, ["-b", "-", "127.0.0.1"], `get ${box}/missing\npwd\n`);
    assert.equal(failing.code, 1);
    assert.match(failing.stderr, /File ".*\/missing" not found\./);
    assert.doesNotMatch(failing.stdout.toString(), /Remote working directory/);
    const refused = await hush("sftp", { ...env, sshd: { ...env.sshd, port: 1 } }, [
      "-b",
      "-",
      "127.0.0.1",
    ], "pwd\n");
    assert.equal(refused.code, 255);
    assert.match(refused.stderr, /Connection refused\nConnection closed\n$/);
  });
});

test("Hush sftp -s and host:path → OpenSSH's sftp-server program", async (t) => {
  if (!existsSync(SFTP_SERVER)) return t.skip(`${SFTP_SERVER} not installed`);
  await withSshd(t, async (env) => {
    writeFileSync(join(env.dir, "remote.txt"), "fetched\n");
    mkdirSync(join(env.dir, "here"));
    const r = await hush("sftp", { ...env, dir: join(env.dir, "here") }, [
      "-s",
      "sftp-server",
      `127.0.0.1:${join(env.dir, "remote.txt")}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(env.dir, "here/remote.txt"), "utf8"), "fetched\n");
  });
});

test("Hush scp → OpenSSH: -r -p keeps the tree, modes and mtimes, both ways", async (t) => {
  if (!findBinary("sshd")) return t.skip("sshd not installed");
  await withSshd(t, async (env) => {
    const tree = join(env.dir, "tree");
    makeTree(tree);
    const up = await hush("scp", env, ["-r", "-p", "tree", `127.0.0.1:${join(env.dir, "up")}`]);
    assert.equal(up.code, 0, up.stderr);
    assertSameTree(tree, join(env.dir, "up"));
    const down = await hush("scp", env, ["-rp", `127.0.0.1:${join(env.dir, "up")}`, "down"]);
    assert.equal(down.code, 0, down.stderr);
    assertSameTree(tree, join(env.dir, "down"));
    const missing = await hush("scp", env, [`127.0.0.1:${join(env.dir, "nope")}`, "x"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^scp: .*\/nope: No such file or directory$/m);
  });
});
