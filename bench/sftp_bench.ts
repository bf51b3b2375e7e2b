/**
 * SFTP throughput, 256 MiB put and get over loopback, in one run:
 *
 * - against OpenSSH's `sftp-server` (OpenSSH's sshd, `Subsystem sftp /usr/lib/openssh/sftp-server`):
 *   the Hush `sftp` command, OpenSSH's `sftp`, `@hush/sftp` in-process (`client.sftp()`,
 *   `fastPut`/`fastGet`, the connection made before timing), and ssh2's `fastPut`/`fastGet` on
 *   Node when ssh2 is installed in `~/.cache/hush/ssh2` (`npm install --prefix
 *   ~/.cache/hush/ssh2 ssh2`; never a project dependency);
 * - OpenSSH's `sftp` against the Hush sshd's own sftp server.
 *
 * Every client uses one cipher (aes128-gcm@openssh.com unless `HUSH_BENCH_CIPHER` says
 * otherwise) and curve25519-sha256; commands are timed from spawn to exit (connection set-up
 * included, as a user would see it). MB/s = 268.4 / (seconds per iteration). Each iteration
 * starts after `sync`, untimed: the files are on disk, and writeback of what the previous one
 * wrote would otherwise land on whichever client runs next.
 *
 * Run: `deno bench -A bench/sftp_bench.ts` (needs OpenSSH's sshd, sftp and sftp-server);
 * `HUSH_BENCH_MIB` (256) and `HUSH_BENCH_N` (3 iterations) change the size and the count.
 * @module
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import { parsePrivateKey } from "@hush/keys";
import { connect, type SshClient } from "@hush/ssh";
import type { SftpClient } from "@hush/sftp";
import { findBinary, startSshd } from "../tests/helpers/openssh.ts";
import {
  authorizedUser,
  CLIENT_DENO_FLAGS,
  ROOT,
  startHushSshd,
  tempDir,
} from "../tests/interop/server_fixture.ts";
import { trustingStore } from "../tests/interop/client_fixture.ts";

const MIB = Number(Deno.env.get("HUSH_BENCH_MIB") ?? 256);
const SIZE = MIB * 1024 * 1024;
const SFTP_SERVER = "/usr/lib/openssh/sftp-server";
const CIPHER = Deno.env.get("HUSH_BENCH_CIPHER") ?? "aes128-gcm@openssh.com";
const SSH2 = join(homedir(), ".cache/hush/ssh2/node_modules/ssh2");
const N = Number(Deno.env.get("HUSH_BENCH_N") ?? 3);

const missing = ["sshd", "sftp"].filter((b) => !findBinary(b));
if (missing.length || !existsSync(SFTP_SERVER)) {
  console.error(`sftp_bench: skipped (missing ${[...missing, SFTP_SERVER].join(", ")})`);
} else {
  await setUp();
}

/** A bench body timed after an untimed `sync` (no writeback of earlier runs pending). */
function timed(body: () => Promise<void>): (b: Deno.BenchContext) => Promise<void> {
  return async (b) => {
    execFileSync("sync");
    b.start();
    await body();
    b.end();
  };
}

/** Runs a command to its end; throws unless it exits 0. */
function exec(
  cmd: string,
  args: readonly string[],
  input?: string,
  cwd?: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { stdio: ["pipe", "ignore", "pipe"], cwd });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err}`));
    });
    child.stdin.end(input ?? "");
  });
}

async function setUp(): Promise<void> {
  const { dir } = tempDir("hush-sftp-bench-");
  const { user, keysFile } = authorizedUser(dir, "user");
  const file = join(dir, "big.bin");
  execFileSync("sh", ["-c", `head -c ${SIZE} /dev/urandom > '${file}'`]);
  const openssh = await startSshd({
    authorizedKeys: [readFileSync(`${user}.pub`, "utf8").trim()],
    sftp: SFTP_SERVER,
    logLevel: "ERROR",
  });
  const hush = await startHushSshd(["-o", `AuthorizedKeysFile=${keysFile}`], {
    HUSH_STATE_DIR: join(dir, "state"),
  });
  let library: { client: SshClient; sftp: SftpClient } | undefined;
  globalThis.addEventListener("unload", () => {
    void library?.client.close();
    void openssh.stop();
    void hush.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const remote = join(dir, "remote.bin");
  const local = join(dir, "local.bin");
  const common = [
    "-F",
    "none",
    "-i",
    user,
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "LogLevel=ERROR",
    "-o",
    `Ciphers=${CIPHER}`,
    "-o",
    "KexAlgorithms=curve25519-sha256",
  ];
  const batch = (port: number, op: "put" | "get") =>
    [
      [...common, "-P", String(port), "-b", "-", "127.0.0.1"],
      op === "put" ? `put ${file} ${remote}\n` : `get ${remote} ${local}\n`,
    ] as const;
  // the remote copy a get reads exists before any get runs
  execFileSync("cp", [file, remote]);

  const key = await parsePrivateKey(readFileSync(user, "utf8"));
  const hushLibrary = async () => {
    if (library) return library;
    const client = await connect({
      hostname: "127.0.0.1",
      port: openssh.port,
      username: userInfo().username,
      identities: [key],
      knownHosts: trustingStore(openssh.port, Object.values(openssh.hostKeys)),
      algorithms: { ciphers: [CIPHER], kex: ["curve25519-sha256"] },
    });
    library = { client, sftp: await client.sftp() };
    return library;
  };

  const ssh2Script = join(dir, "ssh2_transfer.cjs");
  writeFileSync(
    ssh2Script,
    `const { Client } = require(${JSON.stringify(SSH2)});
const [op, port, key, local, remote, cipher] = process.argv.slice(2);
const c = new Client();
c.on("ready", () => c.sftp((e, sftp) => {
  if (e) throw e;
  const done = (e) => { if (e) { console.error(e); process.exit(1); } c.end(); };
  if (op === "put") sftp.fastPut(local, remote, { concurrency: 64, chunkSize: 32768 }, done);
  else sftp.fastGet(remote, local, { concurrency: 64, chunkSize: 32768 }, done);
})).connect({ host: "127.0.0.1", port: Number(port), username: ${
      JSON.stringify(userInfo().username)
    },
  privateKey: require("fs").readFileSync(key), algorithms: { cipher: [cipher], kex: ["curve25519-sha256"] } });
`,
  );
  const haveSsh2 = existsSync(SSH2) && !!findBinary("node");

  const hushCli = [join(ROOT, "packages/ssh/cli/sftp.ts")];
  for (const op of ["put", "get"] as const) {
    const group = `${MIB} MiB ${op}`;
    const opts = { group, n: N, warmup: 1 };
    Deno.bench(
      { name: `Hush sftp → OpenSSH sftp-server`, ...opts, baseline: true },
      timed(async () => {
        const [args, input] = batch(openssh.port, op);
        await exec(
          Deno.execPath(),
          ["run", "-A", ...CLIENT_DENO_FLAGS, ...hushCli, ...args],
          input,
        );
      }),
    );
    Deno.bench(
      { name: `OpenSSH sftp → OpenSSH sftp-server`, ...opts },
      timed(async () => {
        const [args, input] = batch(openssh.port, op);
        await exec("sftp", args, input);
      }),
    );
    Deno.bench(
      {
        name: `@hush/sftp fast${op === "put" ? "Put" : "Get"} (in-process) → OpenSSH sftp-server`,
        ...opts,
      },
      timed(async () => {
        const { sftp } = await hushLibrary();
        if (op === "put") await sftp.fastPut(file, remote);
        else await sftp.fastGet(remote, local);
      }),
    );
    if (haveSsh2) {
      Deno.bench(
        {
          name: `ssh2 fast${op === "put" ? "Put" : "Get"} (Node) → OpenSSH sftp-server`,
          ...opts,
        },
        timed(async () => {
          await exec("node", [
            ssh2Script,
            op,
            String(openssh.port),
            user,
            op === "put" ? file : local,
            remote,
            CIPHER,
          ]);
        }),
      );
    }
    Deno.bench(
      { name: `OpenSSH sftp → Hush sshd (internal sftp)`, ...opts },
      timed(async () => {
        const [args, input] = batch(hush.port, op);
        await exec("sftp", args, input);
      }),
    );
  }
}
