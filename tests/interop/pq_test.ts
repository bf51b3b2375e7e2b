/**
 * mlkem768x25519-sha256 (ML-KEM-768 + X25519, Hush's first choice) against a real OpenSSH that
 * has it: OpenSSH 10 (tests/helpers/openssh_pq.ts finds it; `.ci/run` fetches it from Debian
 * 13's packages, since Debian 12's OpenSSH 9.2 lacks the method). Both directions, each host key
 * type, one suite of each family, both ends' defaults, and a rekey under mlkem.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@hush/ssh";
import { startSshd } from "../helpers/openssh.ts";
import { findPqOpenSsh, MLKEM } from "../helpers/openssh_pq.ts";
import { keygen, tempDir as clientTempDir, trustingStore } from "./client_fixture.ts";
import {
  authorizedUser,
  type HushSshd,
  makeKey,
  run,
  sshBase,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

const ROWS = [
  { hostKey: "ssh-ed25519", cipher: "chacha20-poly1305@openssh.com" },
  { hostKey: "ecdsa-sha2-nistp256", cipher: "aes256-gcm@openssh.com" },
  { hostKey: "rsa-sha2-512", cipher: "aes128-ctr", mac: "hmac-sha2-256-etm@openssh.com" },
  { hostKey: "rsa-sha2-256", cipher: "aes128-gcm@openssh.com" },
];

test(`Hush client → OpenSSH 10 sshd: ${MLKEM}`, { timeout: 120_000 }, async (t) => {
  const pq = findPqOpenSsh();
  if (typeof pq === "string") return t.skip(pq);
  console.log(`against ${pq.version}`);
  const { dir, done } = clientTempDir();
  const user = await keygen(dir, "id_ed25519", "ed25519");
  const sshd = await startSshd({
    binary: pq.sshd,
    authorizedKeys: [user.publicLine],
    logLevel: "DEBUG1",
    config: [...pq.sshdConfig, "PerSourcePenalties no", "RekeyLimit 1M"],
  });
  const store = trustingStore(sshd.port, Object.values(sshd.hostKeys));
  const options = {
    hostname: "127.0.0.1",
    port: sshd.port,
    username: "root",
    identities: [user.key!],
    knownHosts: store,
    policy: "yes" as const,
  };
  try {
    for (const row of ROWS) {
      await t.test(`${row.hostKey} / ${row.cipher}${row.mac ? ` + ${row.mac}` : ""}`, async () => {
        const before = sshd.log().length;
        const client = await connect({
          ...options,
          algorithms: {
            kex: [MLKEM],
            hostKey: [row.hostKey],
            ciphers: [row.cipher],
            macs: row.mac ? [row.mac] : undefined,
          },
        });
        try {
          assert.equal(client.transport.negotiated!.kex, MLKEM);
          assert.equal(client.transport.negotiated!.hostKey, row.hostKey);
          assert.ok(client.transport.strictKex);
          const r = await client.exec("echo post-quantum");
          assert.equal(new TextDecoder().decode(r.stdout), "post-quantum\n");
        } finally {
          await client.close();
        }
        const log = sshd.log().slice(before);
        assert.match(log, new RegExp(`kex: algorithm: ${MLKEM}[ \\r\\n]`));
        assert.match(log, new RegExp(`kex: host key algorithm: ${row.hostKey}[ \\r\\n]`));
        assert.match(log, new RegExp(`kex: client->server cipher: ${row.cipher} `));
      });
    }

    await t.test("both ends' defaults choose it; a rekey (RekeyLimit 1M) keeps it", async () => {
      const before = sshd.log().length;
      const client = await connect(options);
      try {
        assert.equal(client.transport.negotiated!.kex, MLKEM);
        const r = await client.exec("head -c 4000000 /dev/zero");
        assert.equal(r.stdout.length, 4_000_000);
        assert.ok(r.stdout.every((b) => b === 0));
        assert.equal(r.code, 0);
      } finally {
        await client.close();
      }
      const kexLines = sshd.log().slice(before).match(/kex: algorithm: \S+/g) ?? [];
      assert.ok(kexLines.length >= 3, `key exchanges seen by sshd: ${kexLines.length}`);
      assert.deepEqual(new Set(kexLines), new Set([`kex: algorithm: ${MLKEM}`]));
    });
  } finally {
    await sshd.stop();
    done();
  }
});

test(`OpenSSH 10 ssh → Hush sshd: ${MLKEM}`, { timeout: 120_000 }, async (t) => {
  const pq = findPqOpenSsh();
  if (typeof pq === "string") return t.skip(pq);
  const { dir, remove } = tempDir("hush-sshd-pq-");
  let sshd: HushSshd | undefined;
  try {
    const { user, keysFile } = authorizedUser(dir, "user_ed25519");
    sshd = await startHushSshd([
      ...[
        makeKey(dir, "host_ed25519", "ed25519"),
        makeKey(dir, "host_ecdsa", "ecdsa", 256),
        makeKey(dir, "host_rsa", "rsa", 2048),
      ].flatMap((f) => ["-h", f]),
      "-o",
      `AuthorizedKeysFile=${keysFile}`,
    ]);
    const port = sshd.port;
    for (const row of ROWS) {
      await t.test(`${row.hostKey} / ${row.cipher}${row.mac ? ` + ${row.mac}` : ""}`, async () => {
        const r = await run(pq.ssh, [
          ...sshBase(port, user),
          "-v",
          "-o",
          `KexAlgorithms=${MLKEM}`,
          "-o",
          `HostKeyAlgorithms=${row.hostKey}`,
          "-o",
          `Ciphers=${row.cipher}`,
          ...(row.mac ? ["-o", `MACs=${row.mac}`] : []),
          "127.0.0.1",
          "echo post-quantum",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.toString(), "post-quantum\n");
        assert.ok(r.stderr.includes(`kex: algorithm: ${MLKEM}\n`), r.stderr);
        assert.ok(r.stderr.includes(`kex: host key algorithm: ${row.hostKey}\n`), r.stderr);
        const mac = row.mac ?? "<implicit>";
        assert.ok(r.stderr.includes(`kex: server->client cipher: ${row.cipher} MAC: ${mac}`));
      });
    }

    await t.test("both ends' defaults choose it; a rekey (RekeyLimit=1M) keeps it", async () => {
      const r = await run(pq.ssh, [
        ...sshBase(port, user),
        "-v",
        "-o",
        "RekeyLimit=1M",
        "127.0.0.1",
        "head -c 4000000 /dev/zero",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.length, 4_000_000);
      assert.ok(r.stdout.every((b) => b === 0));
      const kexLines = r.stderr.match(/kex: algorithm: \S+/g) ?? [];
      assert.ok(kexLines.length >= 3, `key exchanges seen by ssh: ${kexLines.length}`);
      assert.deepEqual(new Set(kexLines), new Set([`kex: algorithm: ${MLKEM}`]));
    });
  } catch (e) {
    if (sshd) console.error(sshd.log().slice(-4000));
    throw e;
  } finally {
    await sshd?.stop();
    remove();
  }
});
