/**
 * OpenSSH's `sftp` and `scp` against the Hush `sshd`, whose `sftp` subsystem is its own (as
 * OpenSSH's internal-sftp): 256 MiB each way with SHA-256 checked, a tree with `-r -p` keeping
 * modes and mtimes (SFTP mode, and `-O` through the `scp -t` the Hush sshd runs), listing,
 * rename, symlink, df, `reget`/`reput` after a client killed halfway, and bad input: a packet
 * past 256 KiB closes that session only, and ChrootDirectory keeps `..` and links inside.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { requireOpenSsh } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

const BIG = 256 * 1024 * 1024;

const sha256 = (file: string) =>
  execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0];

/** `sftp`/`scp` options for the server: sshBase's, with -P for the port. */
function clientArgs(port: number, identity: string): string[] {
  const base = sshBase(port, identity);
  const p = base.indexOf("-p");
  return [...base.slice(0, p), "-o", "LogLevel=ERROR", "-P", String(port)];
}

/** Runs `sftp -b -` with these commands. */
function sftpBatch(port: number, identity: string, commands: string[], extra: string[] = []) {
  return run("sftp", [...clientArgs(port, identity), ...extra, "-b", "-", "127.0.0.1"], {
    input: commands.join("\n") + "\n",
    timeoutMs: 180_000,
  });
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

/** Asserts `copy` holds `root`'s tree with its modes and mtimes. */
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

async function withServer(
  t: { skip: (why: string) => void },
  body: (s: { port: number; user: string; dir: string; hush: HushSshd }) => Promise<void>,
  extra: string[] = [],
): Promise<void> {
  const why = requireOpenSsh("ssh", "sftp", "scp", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sftp-server-");
  let hush: HushSshd | undefined;
  try {
    const { user, keysFile } = authorizedUser(dir, "user");
    hush = await startHushSshd(["-o", `AuthorizedKeysFile=${keysFile}`, ...extra], {
      HUSH_STATE_DIR: join(dir, "state"),
    });
    await body({ port: hush.port, user, dir, hush });
  } finally {
    await hush?.stop();
    remove();
  }
}

test(
  "OpenSSH sftp -b → Hush sshd: 256 MiB put and get, SHA-256 checked",
  { timeout: 300_000 },
  async (t) => {
    await withServer(t, async ({ port, user, dir }) => {
      const file = join(dir, "big.bin");
      execFileSync("sh", ["-c", `head -c ${BIG} /dev/urandom > '${file}'`]);
      const expected = sha256(file);
      const remote = join(dir, "remote.bin");
      const back = join(dir, "back.bin");
      const r = await sftpBatch(port, user, [`put ${file} ${remote}`, `get ${remote} ${back}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sha256(remote), expected, "upload");
      assert.equal(sha256(back), expected, "download");
    });
  },
);

test("OpenSSH sftp -b → Hush sshd: ls, rename, ln -s, chmod, df, mkdir, rm", async (t) => {
  await withServer(t, async ({ port, user, dir }) => {
    const d = join(dir, "box");
    writeFileSync(join(dir, "note.txt"), "note\n");
    const r = await sftpBatch(port, user, [
      `mkdir ${d}`,
      `cd ${d}`,
      `put ${join(dir, "note.txt")} note.txt`,
      "rename note.txt renamed.txt",
      "ln -s renamed.txt link",
      "chmod 604 renamed.txt",
      "ls -l",
      "ls",
      "df -h",
      "-rm missing",
      "pwd",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString();
    assert.match(out, /^-rw----r-- +\S+ \S+ +\S+ +5 .* renamed\.txt$/m);
    assert.match(out, /^lrwxrwxrwx +\S+ .* link$/m);
    assert.match(out, /^link +renamed\.txt +$/m);
    assert.match(out, /^ {4}Size {5}Used {4}Avail {3}\(root\) {4}%Capacity$/m);
    assert.match(out, new RegExp(`Remote working directory: ${d}`));
    assert.match(r.stderr, /remote delete .*missing: No such file or directory/);
    assert.equal(
      execFileSync("readlink", [join(d, "link")], { encoding: "utf8" }).trim(),
      "renamed.txt",
    );
    assert.equal(statSync(join(d, "renamed.txt")).mode & 0o777, 0o604);
    const failing = await sftpBatch(port, user, [`get ${join(d, "missing")}`, "pwd"]);
    assert.equal(failing.code, 1, "a failing batch command ends sftp with 1");
    assert.doesNotMatch(failing.stdout.toString(), /Remote working directory/);
  });
});

test("OpenSSH scp → Hush sshd: -r -p keeps the tree, modes and mtimes (SFTP mode and -O)", async (t) => {
  await withServer(t, async ({ port, user, dir }) => {
    const tree = join(dir, "tree");
    makeTree(tree);
    for (const mode of [[], ["-O"]]) {
      const name = mode.length ? "legacy" : "sftp";
      const up = join(dir, `up-${name}`);
      const r1 = await run("scp", [
        ...clientArgs(port, user),
        ...mode,
        "-r",
        "-p",
        tree,
        `127.0.0.1:${up}`,
      ]);
      assert.equal(r1.code, 0, `${name} up: ${r1.stderr}`);
      assertSameTree(tree, up);
      const down = join(dir, `down-${name}`);
      const r2 = await run("scp", [
        ...clientArgs(port, user),
        ...mode,
        "-r",
        "-p",
        `127.0.0.1:${up}`,
        down,
      ]);
      assert.equal(r2.code, 0, `${name} down: ${r2.stderr}`);
      assertSameTree(tree, down);
    }
  });
});

/** Starts a client, kills it once `file` has grown past `bytes`, and waits for it to end. */
async function killHalfway(
  cmd: string,
  args: string[],
  input: string,
  file: string,
  bytes: number,
) {
  const child = spawn(cmd, args, { stdio: ["pipe", "ignore", "ignore"] });
  child.stdin.end(input);
  const ended = new Promise((r) => child.once("exit", r));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const size = existsSync(file) ? statSync(file).size : 0;
    if (size > bytes) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGKILL");
  await ended;
}

test("OpenSSH sftp → Hush sshd: reget and reput finish what a killed client left halfway", {
  timeout: 300_000,
}, async (t) => {
  await withServer(t, async ({ port, user, dir }) => {
    const size = 64 * 1024 * 1024;
    const file = join(dir, "src.bin");
    execFileSync("sh", ["-c", `head -c ${size} /dev/urandom > '${file}'`]);
    const expected = sha256(file);
    const args = [...clientArgs(port, user), "-b", "-", "127.0.0.1"];
    // down: killed once the local copy holds a quarter
    const local = join(dir, "local.bin");
    await killHalfway("sftp", args, `get ${file} ${local}\n`, local, size / 4);
    const partial = statSync(local).size;
    assert.ok(partial > 0 && partial < size, `cut at ${partial}`);
    const r1 = await sftpBatch(port, user, [`reget ${file} ${local}`]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(sha256(local), expected, "reget");
    // up: killed once the remote copy holds a quarter
    const remote = join(dir, "remote.bin");
    await killHalfway("sftp", args, `put ${file} ${remote}\n`, remote, size / 4);
    assert.ok(statSync(remote).size < size);
    const r2 = await sftpBatch(port, user, [`reput ${file} ${remote}`]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(sha256(remote), expected, "reput");
  });
});

test("bad input to the Hush sshd's sftp: a packet past 256 KiB ends that session only", async (t) => {
  await withServer(t, async ({ port, user, hush }) => {
    // INIT, then a packet announcing 256 KiB + 1
    const init = [0, 0, 0, 5, 1, 0, 0, 0, 3];
    const huge = [0, 4, 0, 1, 5, 0, 0, 0, 1];
    const ssh = spawn("ssh", [
      ...sshBase(port, user),
      "-o",
      "LogLevel=ERROR",
      "-s",
      "127.0.0.1",
      "sftp",
    ], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    ssh.stdout.on("data", (d: Buffer) => out.push(d));
    const exited = new Promise<number | null>((r) => ssh.once("exit", (code) => r(code)));
    // stdin stays open, as a client that would go on: only the server can end the session
    ssh.stdin.write(new Uint8Array([...init, ...huge]));
    const good = await sftpBatch(port, user, ["pwd"]);
    assert.equal(good.code, 0, good.stderr);
    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(() => r("hung"), 20_000)),
    ]);
    ssh.kill("SIGKILL");
    assert.equal(code, 0, "the server closed the session and ssh exited");
    assert.equal(Buffer.concat(out)[4], 2, "the VERSION came back before the close");
    assert.doesNotMatch(hush.log(), /internal error/);
  });
});

test("Hush sshd ChrootDirectory: OpenSSH sftp sees the root as /, and .. and links stay inside", async (t) => {
  const why = requireOpenSsh("sftp");
  if (why) return t.skip(why);
  const { dir: outer, remove } = tempDir("hush-sftp-chroot-");
  try {
    const jail = join(outer, "jail");
    mkdirSync(jail);
    writeFileSync(join(jail, "inside.txt"), "inside\n");
    writeFileSync(join(outer, "secret.txt"), "secret\n");
    symlinkSync(outer, join(jail, "escape"));
    await withServer(t, async ({ port, user, dir }) => {
      const got = join(dir, "got");
      mkdirSync(got);
      const ok = await sftpBatch(port, user, ["pwd", "ls", `get inside.txt ${got}/inside.txt`]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout.toString(), /Remote working directory: \/\n/);
      assert.equal(readFileSync(join(got, "inside.txt"), "utf8"), "inside\n");
      for (
        const path of [
          "../secret.txt",
          "/../secret.txt",
          "escape/secret.txt",
          `${outer}/secret.txt`,
        ]
      ) {
        const r = await sftpBatch(port, user, [`get ${path} ${got}/x`]);
        assert.equal(r.code, 1, path);
        assert.equal(existsSync(join(got, "x")), false, path);
      }
      const put = await sftpBatch(port, user, [
        `put ${join(jail, "inside.txt")} escape/planted.txt`,
      ]);
      assert.equal(put.code, 1);
      assert.equal(existsSync(join(outer, "planted.txt")), false);
    }, ["-o", `ChrootDirectory=${jail}`]);
  } finally {
    remove();
  }
});
