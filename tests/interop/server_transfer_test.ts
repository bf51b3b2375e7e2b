/**
 * 256 MiB each way between OpenSSH `ssh` and the Hush `sshd` command, SHA-256 compared, and
 * the same transfer against OpenSSH's own `sshd` in the same run, MB/s printed side by side
 * (printed, never asserted: timings depend on the machine).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  publicLine,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

const SIZE = 256 * 1024 * 1024;

function shellQuote(args: string[]): string {
  return args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
}

test("256 MiB up and down through ssh → Hush sshd, SHA-256 compared, MB/s vs OpenSSH sshd", {
  timeout: 240_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "sshd", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sshd-xfer-");
  let hush: HushSshd | undefined;
  let openssh: Sshd | undefined;
  try {
    const { user, keysFile } = authorizedUser(dir, "user");
    const file = join(dir, "random.bin");
    execFileSync("sh", ["-c", `head -c ${SIZE} /dev/urandom > '${file}'`]);
    const expected = execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0];

    hush = await startHushSshd(["-o", `AuthorizedKeysFile=${keysFile}`], {
      HUSH_STATE_DIR: join(dir, "state"),
    });
    openssh = await startSshd({ authorizedKeys: [publicLine(user)] });

    const rows: string[] = [];
    const servers: [string, number][] = [["Hush sshd", hush.port], ["OpenSSH sshd", openssh.port]];
    const mbps = (r: { ms: number }) => (SIZE / 1e6 / (r.ms / 1000)).toFixed(1).padStart(6);
    // The default cipher, then AES-GCM (where Hush's server runs on node:crypto, not JS).
    for (const cipher of ["chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com"]) {
      for (const [name, port] of servers) {
        const ssh = shellQuote([
          "ssh",
          ...sshBase(port, user),
          "-o",
          "LogLevel=ERROR",
          "-c",
          cipher,
          "127.0.0.1",
        ]);
        const up = await run("sh", ["-c", `${ssh} sha256sum < '${file}'`], { timeoutMs: 120_000 });
        assert.equal(up.code, 0, `${name} up: ${up.stderr}`);
        assert.equal(up.stdout.toString().split(" ")[0], expected, `${name}: upload hash`);
        const down = await run("sh", ["-c", `${ssh} "cat '${file}'" | sha256sum`], {
          timeoutMs: 120_000,
        });
        assert.equal(down.code, 0, `${name} down: ${down.stderr}`);
        assert.equal(down.stdout.toString().split(" ")[0], expected, `${name}: download hash`);
        rows.push(
          `  ${name.padEnd(13)} ${cipher.padEnd(30)} up ${mbps(up)} MB/s (${
            (up.ms / 1000).toFixed(2)
          } s)   down ${mbps(down)} MB/s (${(down.ms / 1000).toFixed(2)} s)`,
        );
      }
    }
    console.log(
      `OpenSSH ssh, 256 MiB each way (curve25519-sha256), SHA-256 checked on the far side: ` +
        `"ssh -c CIPHER host sha256sum < file" and "ssh -c CIPHER host cat file | sha256sum":\n${
          rows.join("\n")
        }`,
    );
  } catch (e) {
    if (hush) console.error(hush.log().slice(-3000));
    throw e;
  } finally {
    await hush?.stop();
    await openssh?.stop();
    remove();
  }
});
