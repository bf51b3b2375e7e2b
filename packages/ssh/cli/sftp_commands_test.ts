import { test } from "node:test";
import assert from "node:assert/strict";
import { serveSftp, SftpClient, type SftpFileSystem } from "@hush/sftp";
import { memoryFileSystem, sftpPair } from "@hush/sftp/testing";
import { dfText, runSftpCommand, type SftpShell, splitCommand } from "./sftp_commands.ts";

async function shellPair(): Promise<
  { shell: SftpShell; out: string[]; errs: string[]; remote: SftpFileSystem }
> {
  const remote = memoryFileSystem();
  await remote.mkdir("/home", 0o755);
  const [a, b] = sftpPair();
  serveSftp(b, { fs: remote, home: "/home" });
  const local = memoryFileSystem();
  await local.mkdir("/work", 0o755);
  const out: string[] = [], errs: string[] = [];
  const shell: SftpShell = {
    sftp: await SftpClient.start(a),
    local,
    remoteDir: "/home",
    remoteHome: "/home",
    localDir: "/work",
    localHome: "/work",
    defaults: { recursive: false, preserve: false, resume: false, fsync: false },
    progress: false,
    verbose: false,
    width: 80,
    out: (t) => out.push(t),
    err: (t) => errs.push(t),
  };
  return { shell, out, errs, remote };
}

async function write(fs: SftpFileSystem, path: string, text: string): Promise<void> {
  const f = await fs.open(path, 0x1a, 0o644);
  await f.write(0, new TextEncoder().encode(text));
  await f.close();
}

test("command lines split as OpenSSH's sftp splits them", () => {
  assert.deepEqual(splitCommand(`get -p "a b" 'c"d' e\\ f`), ["get", "-p", "a b", 'c"d', "e f"]);
  assert.deepEqual(splitCommand("  ls   "), ["ls"]);
  assert.throws(() => splitCommand(`put "open`), /Unterminated quote/);
});

test("put, ls, get, rename, ln -s, chmod, rm: what they print and do", async () => {
  const { shell, out, errs, remote } = await shellPair();
  await write(shell.local, "/work/a.txt", "alpha");
  await write(shell.local, "/work/b.txt", "bravo");
  assert.equal(await runSftpCommand(shell, "put a.txt"), "ok");
  assert.equal(await runSftpCommand(shell, "put /work/b.txt renamed.txt"), "ok");
  out.length = 0;
  await runSftpCommand(shell, "ls");
  assert.deepEqual(
    out,
    ["a.txt        renamed.txt  \n"],
    "columns of the widest name + 2, filling 80",
  );
  out.length = 0;
  await runSftpCommand(shell, "ls -1 /home");
  assert.deepEqual(out, ["/home/a.txt\n", "/home/renamed.txt\n"]);
  out.length = 0;
  await runSftpCommand(shell, "ls -l");
  assert.match(out[0], /^-rw-r--r-- +1 root +root +5 .* a\.txt\n$/);
  assert.equal(await runSftpCommand(shell, "get renamed.txt back.txt"), "ok");
  const back = await shell.local.open("/work/back.txt", 1, 0);
  assert.equal(new TextDecoder().decode(await back.read(0, 100)), "bravo");
  assert.equal(
    await runSftpCommand(shell, "rename a.txt renamed.txt"),
    "ok",
    "posix-rename replaces",
  );
  assert.equal(await runSftpCommand(shell, "ln -s renamed.txt link"), "ok");
  assert.equal(await remote.readlink("/home/link"), "renamed.txt");
  assert.equal(await runSftpCommand(shell, "chmod 600 renamed.txt"), "ok");
  assert.equal((await remote.stat("/home/renamed.txt")).mode & 0o777, 0o600);
  assert.equal(await runSftpCommand(shell, "rm *"), "ok");
  assert.deepEqual(await remote.readdir("/home"), []);
  assert.deepEqual(errs, []);
  await shell.sftp.close();
});

test("failures are worded as OpenSSH words them and give fail", async () => {
  const { shell, errs } = await shellPair();
  const cases: [string, string][] = [
    ["get /nope", 'File "/nope" not found.\n'],
    ["ls /nope", 'Can\'t ls: "/nope" not found\n'],
    ["rm /home/nope", "remote delete /home/nope: No such file or directory\n"],
    [
      "rename /home/nope /home/x",
      'remote rename "/home/nope" to "/home/x": No such file or directory\n',
    ],
    ["mkdir /home", 'remote mkdir "/home": Failure\n'],
    ["put /work/nope", "stat /work/nope: No such file or directory\n"],
    ["lcd /nope", 'Couldn\'t change local directory to "/nope": No such file or directory\n'],
    ["frobnicate", "Invalid command.\n"],
    ["get", "You must specify at least one path after a get command.\n"],
  ];
  for (const [line, message] of cases) {
    errs.length = 0;
    assert.equal(await runSftpCommand(shell, line), "fail", line);
    assert.deepEqual(errs, [message], line);
  }
  await runSftpCommand(shell, "put /work/nope");
  await write(shell.local, "/work/f", "x");
  await runSftpCommand(shell, "put /work/f /home/f");
  errs.length = 0;
  assert.equal(await runSftpCommand(shell, "cd /home/f"), "fail");
  assert.deepEqual(errs, ['Can\'t change directory: "/home/f" is not a directory\n']);
  assert.equal(await runSftpCommand(shell, "exit"), "quit");
  await shell.sftp.close();
});

test("cd, pwd, lcd, lpwd, version, df", async () => {
  const { shell, out } = await shellPair();
  await runSftpCommand(shell, "mkdir sub");
  await runSftpCommand(shell, "cd sub");
  await runSftpCommand(shell, "pwd");
  await runSftpCommand(shell, "lcd /");
  await runSftpCommand(shell, "lpwd");
  await runSftpCommand(shell, "version");
  assert.deepEqual(out, [
    "Remote working directory: /home/sub\n",
    "Local working directory: /\n",
    "SFTP protocol version 3\n",
  ]);
  out.length = 0;
  await runSftpCommand(shell, "df -h");
  assert.match(out[0], /^ {4}Size {5}Used {4}Avail {3}\(root\) {4}%Capacity\n {3}1\.0GB/);
  await shell.sftp.close();
});

test("df's columns match OpenSSH's", () => {
  const s = {
    blockSize: 4096,
    fragmentSize: 4096,
    blocks: 66053021,
    blocksFree: 60080077,
    blocksAvailable: 20624784,
    files: 16777216,
    filesFree: 16357443,
    filesAvailable: 16357443,
    fsid: 0n,
    flag: 0,
    nameMax: 255,
  };
  // as OpenSSH 9.2's sftp printed these figures
  assert.equal(
    dfText(s, false, false),
    "        Size         Used        Avail       (root)    %Capacity\n" +
      "   264212084     23891776     82499136    240320308           9%\n",
  );
  assert.equal(
    dfText(s, false, true),
    "     Inodes        Used       Avail      (root)    %Capacity\n" +
      "   16777216      419773    16357443    16357443           2%\n",
  );
  assert.match(dfText(s, true, false), /\n {3}252GB {3}22\.8GB {3}78\.7GB {4}229GB {11}9%\n$/);
});
