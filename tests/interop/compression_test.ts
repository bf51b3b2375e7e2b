/**
 * Compression against OpenSSH 9.2, both ways and both methods: 64 MiB of text and 64 MiB of
 * random data up and down, SHA-256 compared on the far side, with a rekey every MiB on the
 * wire (a fresh zlib stream each way at every NEWKEYS, as OpenSSH).
 *
 * - OpenSSH `ssh -C` → the Hush `sshd` command (its default `Compression yes`):
 *   `zlib@openssh.com`, which starts after authentication.
 * - OpenSSH `ssh -C` → a Hush server (the library's `serve()`) offering plain `zlib`: OpenSSH's
 *   client offers `zlib@openssh.com,zlib,none`, and `zlib` starts at the first NEWKEYS. (No
 *   OpenSSH sshd offers plain `zlib`: `Compression yes`/`delayed` send `none,zlib@openssh.com`,
 *   `no` sends `none`; so this is where OpenSSH's side of plain zlib meets ours.)
 * - the Hush client (`connect()` with `ssh -C`'s list) → OpenSSH sshd (`Compression yes`):
 *   `zlib@openssh.com`; and the `ssh` command with `-C`, confirmed from its `-v` trace.
 *
 * `HUSH_COMPRESSION_MIB` changes the size (default 64).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { generateKey } from "@hush/keys";
import { connect, serve, type ServerSession } from "@hush/ssh";
import { COMPRESSION_PREFERRED } from "@hush/transport";
import { requireOpenSsh, startSshd } from "../helpers/openssh.ts";
import { keygen, trustingStore } from "./client_fixture.ts";
import { authorizedUser, ROOT, run, sshBase, startHushSshd, tempDir } from "./server_fixture.ts";

const MiB = 1024 * 1024;
const SIZE = Number(process.env.HUSH_COMPRESSION_MIB ?? 64) * MiB;
const REKEY_MIB = 1;

interface DataFile {
  kind: "text" | "random";
  path: string;
  sha256: string;
}

/** 64 MiB of text (this repository's TypeScript, repeated) and of random bytes. */
function dataFiles(dir: string): DataFile[] {
  const sources: Buffer[] = [];
  for (const pkg of readdirSync(join(ROOT, "packages"))) {
    for (const f of readdirSync(join(ROOT, "packages", pkg))) {
      if (f.endsWith(".ts")) sources.push(readFileSync(join(ROOT, "packages", pkg, f)));
    }
  }
  const corpus = Buffer.concat(sources);
  const text = join(dir, "text.txt");
  const fd = openSync(text, "w");
  for (let left = SIZE; left > 0; left -= Math.min(left, corpus.length)) {
    writeSync(fd, corpus, 0, Math.min(left, corpus.length));
  }
  const random = join(dir, "random.bin");
  execFileSync("sh", ["-c", `head -c ${SIZE} /dev/urandom > '${random}'`]);
  const sha = (p: string) => execFileSync("sha256sum", [p], { encoding: "utf8" }).split(" ")[0];
  return [
    { kind: "text", path: text, sha256: sha(text) },
    { kind: "random", path: random, sha256: sha(random) },
  ];
}

function rate(ms: number): string {
  return `${(SIZE / MiB / (ms / 1000)).toFixed(1)} MiB/s`;
}

/**
 * `ssh -v -C` up (`sha256sum < file`) and down (`cat file | sha256sum`) for each file; checks
 * the hashes, the negotiated method both ways, and that keys changed during each transfer.
 */
async function openSshTransfers(
  port: number,
  identity: string,
  files: DataFile[],
  method: string,
): Promise<string[]> {
  const ssh = [
    "ssh",
    ...sshBase(port, identity),
    "-v",
    "-C",
    "-o",
    `RekeyLimit=${REKEY_MIB}M`,
    "127.0.0.1",
  ].map((a) => `'${a}'`).join(" ");
  const rows: string[] = [];
  for (const f of files) {
    const up = await run("sh", ["-c", `${ssh} sha256sum < '${f.path}'`], { timeoutMs: 300_000 });
    assert.equal(up.code, 0, up.stderr.slice(-2000));
    assert.equal(up.stdout.toString().split(" ")[0], f.sha256, `${f.kind} up: SHA-256`);
    const down = await run("sh", ["-c", `${ssh} "cat '${f.path}'" | sha256sum`], {
      timeoutMs: 300_000,
    });
    assert.equal(down.code, 0, down.stderr.slice(-2000));
    assert.equal(down.stdout.toString().split(" ")[0], f.sha256, `${f.kind} down: SHA-256`);
    for (const [what, r] of [["up", up], ["down", down]] as const) {
      for (const way of ["client->server", "server->client"]) {
        assert.match(
          r.stderr,
          new RegExp(`kex: ${way} cipher: \\S+ MAC: \\S+ compression: ${method}\\b`),
        );
      }
      assert.match(r.stderr, /Enabling compression at level 6/);
      const newKeys = r.stderr.match(/SSH2_MSG_NEWKEYS received/g)?.length ?? 0;
      assert.ok(newKeys >= 2, `${f.kind} ${what}: keys changed ${newKeys - 1} times`);
    }
    rows.push(`${f.kind}: up ${rate(up.ms)}, down ${rate(down.ms)}`);
  }
  return rows;
}

test(
  "OpenSSH ssh -C → Hush sshd (Compression yes): zlib@openssh.com, 64 MiB text and random each way",
  {
    timeout: 900_000,
  },
  async (t) => {
    const why = requireOpenSsh("ssh", "ssh-keygen", "sha256sum");
    if (why) return t.skip(why);
    const { dir, remove } = tempDir("hush-compress-sshd-");
    const { user, keysFile } = authorizedUser(dir, "user");
    const files = dataFiles(dir);
    const hush = await startHushSshd([
      "-o",
      `AuthorizedKeysFile=${keysFile}`,
      "-o",
      `RekeyLimit=${REKEY_MIB}M`,
    ], { HUSH_STATE_DIR: join(dir, "state") });
    try {
      const rows = await openSshTransfers(hush.port, user, files, "zlib@openssh.com");
      console.log(`OpenSSH ssh -C → Hush sshd, zlib@openssh.com:\n  ${rows.join("\n  ")}`);
    } catch (e) {
      console.error(hush.log().slice(-3000));
      throw e;
    } finally {
      await hush.stop();
      remove();
    }
  },
);

/** `sha256sum` (stdin's hash) and `cat PATH`, as a shell would run them, for serve(). */
function execHandler(session: ServerSession): void {
  session.onRequest = (req) => {
    if (req.request !== "exec") return req.request === "env";
    const command = req.command;
    queueMicrotask(async () => {
      try {
        const w = session.writable.getWriter();
        if (command === "sha256sum") {
          const h = createHash("sha256");
          for await (const chunk of session.readable) h.update(chunk);
          await w.write(new TextEncoder().encode(`${h.digest("hex")}  -\n`));
        } else if (command.startsWith("cat ")) {
          const path = command.slice(4).replace(/^'|'$/g, "");
          for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
            await w.write(new Uint8Array(chunk as Buffer));
          }
        } else {
          await session.exit(127);
          return;
        }
        w.releaseLock();
        await session.exit(0);
      } catch {
        session.close().catch(() => {});
      }
    });
    return true;
  };
}

test("OpenSSH ssh -C → a Hush server offering plain zlib: 64 MiB text and random each way", {
  timeout: 900_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen", "sha256sum");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-compress-zlib-");
  const { user } = authorizedUser(dir, "user");
  const files = dataFiles(dir);
  const trace: string[] = [];
  const server = await serve({
    port: 0,
    hostKeys: [await generateKey("ssh-ed25519")],
    authenticate: { publickey: () => true },
    algorithms: { compression: ["zlib", "none"] },
    limits: { rekeyBytes: REKEY_MIB * MiB },
    onSession: execHandler,
    trace: (line) => trace.push(line),
  });
  try {
    const rows = await openSshTransfers(server.port, user, files, "zlib");
    assert.ok(trace.some((l) => l.includes("Enabling compression at level 6 (zlib, in)")));
    console.log(`OpenSSH ssh -C → Hush serve() offering zlib:\n  ${rows.join("\n  ")}`);
  } finally {
    await server.close();
    remove();
  }
});

test(
  "Hush client with ssh -C's list → OpenSSH sshd (Compression yes): zlib@openssh.com, 64 MiB text and random each way",
  {
    timeout: 900_000,
  },
  async (t) => {
    const why = requireOpenSsh("sshd", "ssh-keygen", "sha256sum");
    if (why) return t.skip(why);
    const { dir, remove } = tempDir("hush-compress-client-");
    const files = dataFiles(dir);
    const user = await keygen(dir, "id_ed25519", "ed25519");
    const sshd = await startSshd({
      authorizedKeys: [user.publicLine],
      config: ["Compression yes", `RekeyLimit ${REKEY_MIB}M`],
    });
    const rows: string[] = [];
    try {
      const client = await connect({
        hostname: "127.0.0.1",
        port: sshd.port,
        username: "root",
        identities: [user.key!],
        knownHosts: trustingStore(sshd.port, Object.values(sshd.hostKeys)),
        policy: "yes",
        rekeyBytes: REKEY_MIB * MiB,
        algorithms: { compression: [...COMPRESSION_PREFERRED] },
      });
      try {
        const n = client.transport.negotiated!;
        assert.equal(n.compressionClientToServer, "zlib@openssh.com");
        assert.equal(n.compressionServerToClient, "zlib@openssh.com");
        assert.deepEqual(client.transport.compressing, { in: true, out: true });
        for (const f of files) {
          const kexBefore = client.transport.kexCount;
          let t0 = performance.now();
          const down = await client.execStream(`cat '${f.path}'`);
          const hash = createHash("sha256");
          let bytes = 0;
          await Promise.all([
            (async () => {
              for await (const chunk of down.readable) {
                hash.update(chunk);
                bytes += chunk.length;
              }
            })(),
            down.writable.close(),
          ]);
          const downMs = performance.now() - t0;
          assert.equal(await down.exitStatus, 0);
          assert.equal(bytes, SIZE);
          assert.equal(hash.digest("hex"), f.sha256, `${f.kind} down: SHA-256`);

          t0 = performance.now();
          const up = await client.execStream("sha256sum");
          const file = await open(f.path, "r");
          const writing = (async () => {
            const writer = up.writable.getWriter();
            for (let off = 0; off < SIZE;) {
              const buf = new Uint8Array(256 * 1024);
              const { bytesRead } = await file.read(buf, 0, buf.length, off);
              if (bytesRead === 0) break;
              await writer.write(buf.subarray(0, bytesRead));
              off += bytesRead;
            }
            await writer.close();
            await file.close();
          })();
          const [out] = await Promise.all([new Response(up.readable).text(), writing]);
          const upMs = performance.now() - t0;
          assert.equal(await up.exitStatus, 0);
          assert.equal(out.split(" ")[0], f.sha256, `${f.kind} up: SHA-256`);
          const rekeys = client.transport.kexCount - kexBefore;
          assert.ok(rekeys >= 2, `${f.kind}: ${rekeys} rekeys`);
          rows.push(`${f.kind}: down ${rate(downMs)}, up ${rate(upMs)} (${rekeys} rekeys)`);
        }
        const { in: wireIn, out: wireOut } = client.transport.bytes;
        rows.push(
          `on the wire: ${(wireIn / MiB).toFixed(1)} MiB in, ${(wireOut / MiB).toFixed(1)} MiB out`,
        );
      } finally {
        await client.close();
      }
      // the command: -C asks for it, -v shows it
      const cli = await run(process.execPath, [
        "run",
        "-A",
        join(ROOT, "packages/ssh/cli/ssh.ts"),
        "-v",
        "-C",
        "-F",
        "none",
        "-p",
        String(sshd.port),
        "-i",
        user.path,
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        `UserKnownHostsFile=${join(dir, "known_hosts")}`,
        "-o",
        "BatchMode=yes",
        "root@127.0.0.1",
        `head -c 1000000 '${files[0].path}' | sha256sum`,
      ], { timeoutMs: 120_000 });
      assert.equal(cli.code, 0, cli.stderr);
      const expected = createHash("sha256")
        .update(readFileSync(files[0].path).subarray(0, 1_000_000))
        .digest("hex");
      assert.equal(cli.stdout.toString().split(" ")[0], expected);
      assert.match(
        cli.stderr,
        /client->server cipher: \S+ MAC: \S+ compression: zlib@openssh\.com/,
      );
      console.log(`Hush client -C → OpenSSH sshd, zlib@openssh.com:\n  ${rows.join("\n  ")}`);
    } catch (e) {
      console.error(sshd.log().slice(-3000));
      throw e;
    } finally {
      await sshd.stop();
      remove();
    }
  },
);
