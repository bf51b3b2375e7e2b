/**
 * OpenSSH `ssh` → the Hush `sshd` command: every kex, host key algorithm, cipher and MAC that
 * both support, each at least twice with different partners, confirmed from `ssh -v`; strict
 * kex confirmed from `ssh -vvv`; a forced rekey under `RekeyLimit`.
 * (mlkem768x25519-sha256 is Hush's first choice but OpenSSH 9.2 lacks it: pq_test.ts runs it
 * against OpenSSH 10.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { CIPHERS, isAead, MACS } from "@hush/cipher";
import { DEFAULT_KEX } from "@hush/kex";
import { DEFAULT_HOST_KEY_ALGORITHMS } from "@hush/transport";
import { requireOpenSsh } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  makeKey,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

function sshQuery(what: string): string[] {
  return spawnSync("ssh", ["-Q", what], { encoding: "utf8" }).stdout.split("\n").filter((s) => s);
}

interface Row {
  kex: string;
  hostKey: string;
  cipher: string;
  mac?: string;
}

/** Rows in which each algorithm appears at least twice, each time with other partners. */
function coverageRows(
  kex: string[],
  hostKeys: string[],
  ciphers: string[],
  macs: string[],
): Row[] {
  const plain = ciphers.filter((c) => !isAead(c));
  const aead = ciphers.filter((c) => isAead(c));
  const cipherMac: { cipher: string; mac?: string }[] = [];
  const n = Math.max(2 * macs.length, 2 * plain.length);
  for (let i = 0; i < n; i++) {
    // Shift the cipher on each pass over the MACs, so a MAC's two rows have different ciphers.
    const cipher = plain[(i + Math.floor(i / macs.length)) % plain.length];
    cipherMac.push({ cipher, mac: macs[i % macs.length] });
  }
  for (const c of aead) cipherMac.push({ cipher: c }, { cipher: c });
  const rows = Math.max(2 * kex.length, 2 * hostKeys.length, cipherMac.length);
  return Array.from({ length: rows }, (_, i) => ({
    kex: kex[i % kex.length],
    hostKey: hostKeys[(i * 5) % hostKeys.length],
    ...cipherMac[(i * 7) % cipherMac.length],
  }));
}

test(
  "OpenSSH ssh → Hush sshd: every common kex, host key, cipher and MAC",
  { timeout: 240_000 },
  async (t) => {
    const why = requireOpenSsh("ssh", "ssh-keygen");
    if (why) return t.skip(why);
    const { dir, remove } = tempDir("hush-sshd-alg-");
    let sshd: HushSshd | undefined;
    try {
      const { user, keysFile } = authorizedUser(dir, "user_ed25519");
      const hostKeyFiles = [
        makeKey(dir, "host_ed25519", "ed25519"),
        makeKey(dir, "host_ecdsa256", "ecdsa", 256),
        makeKey(dir, "host_ecdsa384", "ecdsa", 384),
        makeKey(dir, "host_ecdsa521", "ecdsa", 521),
        makeKey(dir, "host_rsa", "rsa", 2048),
      ];
      const kex = DEFAULT_KEX.filter((k) => sshQuery("kex").includes(k));
      const hostKeys = DEFAULT_HOST_KEY_ALGORITHMS.filter((h) =>
        !h.includes("-cert-") && sshQuery("HostKeyAlgorithms").includes(h)
      );
      const ciphers = Object.keys(CIPHERS).filter((c) => sshQuery("cipher").includes(c));
      const macs = Object.keys(MACS).filter((m) => sshQuery("mac").includes(m));
      assert.ok(kex.length >= 9 && hostKeys.length >= 6 && ciphers.length >= 6 && macs.length >= 6);
      sshd = await startHushSshd([
        ...hostKeyFiles.flatMap((f) => ["-h", f]),
        "-o",
        `AuthorizedKeysFile=${keysFile}`,
        "-o",
        `KexAlgorithms=${kex.join(",")}`,
        "-o",
        `Ciphers=${ciphers.join(",")}`,
        "-o",
        `MACs=${macs.join(",")}`,
      ]);
      const port = sshd.port;
      const rows = coverageRows(kex, hostKeys, ciphers, macs);
      const seen = new Map<string, Set<string>>();
      const note = (alg: string, row: Row) => {
        const partners = seen.get(alg) ?? new Set();
        partners.add(JSON.stringify(row));
        seen.set(alg, partners);
      };
      const failures: string[] = [];
      const runRow = async (row: Row, i: number) => {
        const args = [
          ...sshBase(port, user),
          "-v",
          "-o",
          `KexAlgorithms=${row.kex}`,
          "-o",
          `HostKeyAlgorithms=${row.hostKey}`,
          "-o",
          `Ciphers=${row.cipher}`,
          ...(row.mac ? ["-o", `MACs=${row.mac}`] : []),
          "127.0.0.1",
          `echo row-${i}`,
        ];
        const r = await run("ssh", args);
        const label = `${row.kex} ${row.hostKey} ${row.cipher} ${row.mac ?? "<implicit>"}`;
        const mac = row.mac ?? "<implicit>";
        const ok = r.code === 0 && r.stdout.toString() === `row-${i}\n` &&
          r.stderr.includes(`kex: algorithm: ${row.kex}\n`) &&
          r.stderr.includes(`kex: host key algorithm: ${row.hostKey}\n`) &&
          r.stderr.includes(
            `kex: server->client cipher: ${row.cipher} MAC: ${mac} compression: none`,
          ) &&
          r.stderr.includes(
            `kex: client->server cipher: ${row.cipher} MAC: ${mac} compression: none`,
          );
        if (!ok) {
          failures.push(`${label}: exit ${r.code}\n${r.stderr.split("\n").slice(-8).join("\n")}`);
          return;
        }
        for (const alg of [row.kex, row.hostKey, row.cipher, ...(row.mac ? [row.mac] : [])]) {
          note(
            alg,
            row,
          );
        }
        console.log(`  ok ${label} (${r.ms.toFixed(0)} ms)`);
      };
      // Three at a time: enough to keep two cores busy without starving the server.
      let next = 0;
      await Promise.all([0, 1, 2].map(async () => {
        while (next < rows.length) {
          const i = next++;
          await runRow(rows[i], i);
        }
      }));
      assert.deepEqual(failures, [], `failed rows:\n${failures.join("\n\n")}`);
      for (const alg of [...kex, ...hostKeys, ...ciphers, ...macs]) {
        assert.ok((seen.get(alg)?.size ?? 0) >= 2, `${alg} covered with fewer than two partners`);
      }
      const table = [...kex, ...hostKeys, ...ciphers, ...macs].map((alg) => {
        const partners = [...seen.get(alg)!].map((r) => {
          const row = JSON.parse(r) as Row;
          return [row.kex, row.hostKey, row.cipher, row.mac].filter((x) => x && x !== alg)
            .join(" + ");
        });
        return `  ${alg}: ${partners.join(" | ")}`;
      });
      console.log(`coverage (algorithm: partners in each row):\n${table.join("\n")}`);
    } catch (e) {
      if (sshd) console.error(sshd.log().slice(-4000));
      throw e;
    } finally {
      await sshd?.stop();
      remove();
    }
  },
);

test(
  "OpenSSH ssh → Hush sshd: strict kex, ext-info, the server's algorithm lists, a forced rekey",
  { timeout: 60_000 },
  async (t) => {
    const why = requireOpenSsh("ssh", "ssh-keygen");
    if (why) return t.skip(why);
    const { dir, remove } = tempDir("hush-sshd-strict-");
    let sshd: HushSshd | undefined;
    try {
      const { user, keysFile } = authorizedUser(dir, "user_ed25519");
      // The server's own lists decide: two host keys but only ECDSA P-384 allowed, one kex,
      // one cipher (the client offers its defaults).
      sshd = await startHushSshd([
        "-d",
        "-h",
        makeKey(dir, "host_ed25519", "ed25519"),
        "-h",
        makeKey(dir, "host_ecdsa384", "ecdsa", 384),
        "-o",
        `AuthorizedKeysFile=${keysFile}`,
        "-o",
        "RekeyLimit=1M",
        "-o",
        "HostKeyAlgorithms=ecdsa-sha2-nistp384",
        "-o",
        "KexAlgorithms=ecdh-sha2-nistp384",
        "-o",
        "Ciphers=aes256-gcm@openssh.com",
      ]);
      // ssh -G shows what the client will offer; -vvv shows what was agreed.
      const g = spawnSync("ssh", ["-G", ...sshBase(sshd.port, user), "127.0.0.1"], {
        encoding: "utf8",
      });
      assert.match(g.stdout, /^kexalgorithms .*curve25519-sha256/m);
      const r = await run("ssh", [
        ...sshBase(sshd.port, user),
        "-vvv",
        "127.0.0.1",
        "head -c 8388608 /dev/zero",
      ]);
      assert.equal(r.code, 0, r.stderr.slice(-2000));
      assert.equal(r.stdout.length, 8 << 20);
      assert.match(r.stderr, /kex_choose_conf: will use strict KEX ordering/);
      assert.match(r.stderr, /kex: algorithm: ecdh-sha2-nistp384\n/);
      assert.match(r.stderr, /kex: host key algorithm: ecdsa-sha2-nistp384\n/);
      assert.match(r.stderr, /kex: server->client cipher: aes256-gcm@openssh.com MAC: <implicit>/);
      assert.match(r.stderr, /kex_input_ext_info: server-sig-algs=<[^>]*ssh-ed25519/);
      // Beyond the first kex: the server's RekeyLimit=1M forces more exchanges during 8 MiB.
      const kexinits = r.stderr.match(/SSH2_MSG_KEXINIT received/g) ?? [];
      assert.ok(kexinits.length >= 3, `expected rekeys, saw ${kexinits.length} KEXINITs`);
      assert.match(sshd.log(), /debug1: kex: strict key exchange enabled/);
    } finally {
      await sshd?.stop();
      remove();
    }
  },
);
