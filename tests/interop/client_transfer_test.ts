/**
 * Hush client → OpenSSH sshd bulk data: 256 MiB down (`cat file`) and 256 MiB up (into
 * `sha256sum`), SHA-256 compared, with rekeys forced every 32 MiB on both ends (sshd
 * `RekeyLimit 32M`, client `rekeyBytes`). OpenSSH's own `ssh` moves the same bytes through the
 * same sshd in the same run; both rates are printed (no timed assertions).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { openSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { connect } from "@hush/ssh";
import { requireOpenSsh, startSshd } from "../helpers/openssh.ts";
import { keygen, sshArgs, tempDir, trustingStore } from "./client_fixture.ts";

const SIZE = 256 * 1024 * 1024;
const REKEY = 32 * 1024 * 1024;

/**
 * The suites to measure: the default negotiation, or those named in `HUSH_TRANSFER_SUITES`
 * (comma-separated `cipher` or `cipher+mac`, e.g. `aes128-gcm@openssh.com,aes128-ctr+hmac-sha2-256-etm@openssh.com`).
 */
function suites(): ({ ciphers: string[]; macs?: string[] } | undefined)[] {
  const list = process.env.HUSH_TRANSFER_SUITES;
  if (!list) return [undefined];
  return list.split(",").map((s) => {
    const [cipher, mac] = s.split("+");
    return { ciphers: [cipher], macs: mac ? [mac] : undefined };
  });
}

function rate(bytes: number, ms: number): string {
  return `${(bytes / 1048576 / (ms / 1000)).toFixed(1)} MB/s`;
}

/** Runs OpenSSH's ssh with stdin from a file (or none), hashing its stdout. */
function sshTransfer(
  args: string[],
  stdinFile?: string,
): Promise<{ code: number | null; sha256: string; bytes: number; stdout: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, {
      stdio: [stdinFile ? openSync(stdinFile, "r") : "ignore", "pipe", "inherit"],
    });
    const hash = createHash("sha256");
    let bytes = 0;
    let head = "";
    child.stdout!.on("data", (d: Buffer) => {
      hash.update(d);
      bytes += d.length;
      if (head.length < 200) head += d.toString("latin1");
    });
    child.on("error", reject);
    child.on(
      "close",
      (code) =>
        resolve({
          code,
          sha256: hash.digest("hex"),
          bytes,
          stdout: head,
          ms: performance.now() - t0,
        }),
    );
  });
}

test("client transfer: 256 MiB down and up through sshd with forced rekeys, vs OpenSSH ssh", {
  timeout: 240_000,
}, async (t) => {
  const why = requireOpenSsh("sshd", "ssh", "ssh-keygen", "sha256sum");
  if (why) return t.skip(why);
  const { dir, done } = tempDir();
  const data = join(dir, "data.bin");
  execFileSync("sh", ["-c", `head -c ${SIZE} /dev/urandom > '${data}'`]);
  const expected = execFileSync("sha256sum", [data], { encoding: "utf8" }).split(" ")[0];
  const user = await keygen(dir, "id_ed25519", "ed25519");
  const sshd = await startSshd({
    authorizedKeys: [user.publicLine],
    config: [`RekeyLimit ${REKEY / 1048576}M`],
  });
  const knownHostsFile = join(dir, "known_hosts");
  execFileSync("sh", [
    "-c",
    `printf '%s\\n' ${
      Object.values(sshd.hostKeys).map((k) => `'[127.0.0.1]:${sshd.port} ${k}'`).join(" ")
    } > '${knownHostsFile}'`,
  ]);
  const lines: string[] = [];
  try {
    for (const wanted of suites()) {
      const client = await connect({
        hostname: "127.0.0.1",
        port: sshd.port,
        username: "root",
        identities: [user.key!],
        knownHosts: trustingStore(sshd.port, Object.values(sshd.hostKeys)),
        policy: "yes",
        rekeyBytes: REKEY,
        algorithms: wanted,
      });
      const n = client.transport.negotiated!;
      const suite = `${n.kex}, ${n.cipherClientToServer}${
        n.macClientToServer ? ` + ${n.macClientToServer}` : ""
      }`;
      let hushDown: number, hushUp: number;
      try {
        // down: the server cats the file, the client hashes what arrives
        let t0 = performance.now();
        const down = await client.execStream(`cat '${data}'`);
        const hash = createHash("sha256");
        let bytes = 0;
        const [, stderr] = await Promise.all([
          (async () => {
            for await (const chunk of down.readable) {
              hash.update(chunk);
              bytes += chunk.length;
            }
          })(),
          new Response(down.stderr).text(),
          down.writable.close(),
        ]);
        hushDown = performance.now() - t0;
        assert.equal(stderr, "");
        assert.equal(await down.exitStatus, 0);
        assert.equal(bytes, SIZE);
        assert.equal(hash.digest("hex"), expected, "download SHA-256");
        const kexAfterDown = client.transport.kexCount;

        // up: the client streams the file into the server's sha256sum
        t0 = performance.now();
        const up = await client.execStream("sha256sum");
        const file = await open(data, "r");
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
        hushUp = performance.now() - t0;
        assert.equal(await up.exitStatus, 0);
        assert.equal(out.split(" ")[0], expected, "upload SHA-256");
        // each direction crosses RekeyLimit 8 times; either side may start each rekey
        assert.ok(kexAfterDown >= 1 + SIZE / REKEY - 1, `rekeys during download: ${kexAfterDown}`);
        assert.ok(
          client.transport.kexCount >= kexAfterDown + SIZE / REKEY - 1,
          `rekeys during upload: ${client.transport.kexCount - kexAfterDown}`,
        );
        lines.push(
          `Hush client (${suite}; ${client.transport.kexCount - 1} rekeys): ` +
            `down ${rate(SIZE, hushDown)}, up ${rate(SIZE, hushUp)}`,
        );
      } finally {
        await client.close();
      }

      // OpenSSH's ssh, same sshd, same bytes, same rekey limit and cipher
      const args = sshArgs(sshd.port, user.path, knownHostsFile, [
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `RekeyLimit=${REKEY / 1048576}M`,
        "-o",
        `Ciphers=${n.cipherClientToServer}`,
        "-o",
        `KexAlgorithms=${n.kex}`,
        ...(n.macClientToServer ? ["-o", `MACs=${n.macClientToServer}`] : []),
      ]);
      const down = await sshTransfer([...args, `cat '${data}'`]);
      assert.equal(down.code, 0);
      assert.equal(down.sha256, expected);
      const up = await sshTransfer([...args, "sha256sum"], data);
      assert.equal(up.code, 0);
      assert.equal(up.stdout.split(" ")[0], expected);
      lines.push(
        `OpenSSH ssh (same suite and RekeyLimit): down ${rate(SIZE, down.ms)}, up ${
          rate(SIZE, up.ms)
        }`,
      );
    }
    console.log(`256 MiB each way through OpenSSH sshd:\n  ${lines.join("\n  ")}`);
  } finally {
    await sshd.stop();
    done();
  }
});
