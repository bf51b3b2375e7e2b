/**
 * Post-quantum key exchange against real OpenSSH, both directions.
 *
 * mlkem768x25519-sha256 (ML-KEM-768 + X25519, Hush's first choice) against an OpenSSH that has
 * it: OpenSSH 10 (tests/helpers/openssh_pq.ts finds it; `.ci/run` fetches it from Debian 13's
 * packages, since Debian 12's OpenSSH 9.2 lacks the method): each host key type, one suite of
 * each family, both ends' defaults, and a rekey under mlkem.
 *
 * sntrup761x25519-sha512 (Streamlined NTRU Prime 761 + X25519): the default of OpenSSH 9.0 to
 * 9.8, so with the system's OpenSSH 9.2 both ends with no options must choose it (upstream 9.2
 * by its `@openssh.com` name; Debian 12's has the plain name too and prefers it), through
 * rekeys, and the `@openssh.com` name alone too; against OpenSSH 10, the plain name.
 *
 * The rekey cases move 16 MB with RekeyLimit=1M and want at least two rekeys: the side that asks
 * keeps reading what the other had already queued (up to a 2 MiB window) until that side's
 * KEXINIT comes, so a rekey can take 3 MB to finish; 4 MB once saw only one when the server
 * sent faster.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { DEFAULT_KEX } from "@hush/kex";
import { connect } from "@hush/ssh";
import { findBinary, requireOpenSsh, startSshd } from "../helpers/openssh.ts";
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

/** OpenSSH 9.0–9.8's first choice (OpenSSH 8.5 and later have it). */
const SNTRUP_OPENSSH = "sntrup761x25519-sha512@openssh.com";
/** The same method's name from OpenSSH 9.9 on. */
const SNTRUP = "sntrup761x25519-sha512";

/**
 * What the system's OpenSSH and Hush choose with both ends' defaults, from `ssh -G` and
 * `sshd -T` (the first of the client's list that the server has): an sntrup761x25519 name on
 * OpenSSH 9.0 to 9.8. Debian 12's 9.2 (from 1:9.2p1-2+deb12u4 or so) also knows OpenSSH 9.9's
 * plain name and lists it first. A string is the reason to skip.
 */
function sntrupDefaults(): { hushClient: string; opensshClient: string } | string {
  const why = requireOpenSsh("ssh", "sshd", "ssh-keygen");
  if (why) return why;
  const list = (out: string) => out.match(/^kexalgorithms (\S+)$/m)?.[1].split(",") ?? [];
  const sshDefaults = list(
    spawnSync(findBinary("ssh")!, ["-G", "-F", "none", "127.0.0.1"], { encoding: "utf8" }).stdout,
  );
  const sshdDefaults = list(
    spawnSync(findBinary("sshd")!, ["-T", "-f", "/dev/null"], { encoding: "utf8" }).stdout,
  );
  const hushClient = DEFAULT_KEX.find((k) => sshdDefaults.includes(k)) ?? "none";
  const opensshClient = sshDefaults.find((k) => DEFAULT_KEX.includes(k)) ?? "none";
  const sntrup = [SNTRUP, SNTRUP_OPENSSH];
  if (sntrup.includes(hushClient) && sntrup.includes(opensshClient)) {
    return { hushClient, opensshClient };
  }
  const skip =
    `the system's OpenSSH defaults choose ${hushClient} / ${opensshClient}, not sntrup761`;
  if (process.env.CI === "true") throw new Error(`${skip}; CI runs Debian 12's OpenSSH 9.2`);
  return skip;
}

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
        const r = await client.exec("head -c 16000000 /dev/zero");
        assert.equal(r.stdout.length, 16_000_000);
        assert.ok(r.stdout.every((b) => b === 0));
        assert.equal(r.code, 0);
      } finally {
        await client.close();
      }
      const kexLines = sshd.log().slice(before).match(/kex: algorithm: \S+/g) ?? [];
      assert.ok(kexLines.length >= 3, `key exchanges seen by sshd: ${kexLines.length}`);
      assert.deepEqual(new Set(kexLines), new Set([`kex: algorithm: ${MLKEM}`]));
    });

    await t.test(`${SNTRUP}, OpenSSH 9.9's name for it, through rekeys (RekeyLimit 1M)`, async () => {
      const before = sshd.log().length;
      const client = await connect({ ...options, algorithms: { kex: [SNTRUP] } });
      try {
        assert.equal(client.transport.negotiated!.kex, SNTRUP);
        const r = await client.exec("head -c 16000000 /dev/zero");
        assert.equal(r.stdout.length, 16_000_000);
        assert.ok(r.stdout.every((b) => b === 0));
      } finally {
        await client.close();
      }
      const kexLines = sshd.log().slice(before).match(/kex: algorithm: \S+/g) ?? [];
      assert.ok(kexLines.length >= 3, `key exchanges seen by sshd: ${kexLines.length}`);
      assert.deepEqual(new Set(kexLines), new Set([`kex: algorithm: ${SNTRUP}`]));
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
        "head -c 16000000 /dev/zero",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.length, 16_000_000);
      assert.ok(r.stdout.every((b) => b === 0));
      const kexLines = r.stderr.match(/kex: algorithm: \S+/g) ?? [];
      assert.ok(kexLines.length >= 3, `key exchanges seen by ssh: ${kexLines.length}`);
      assert.deepEqual(new Set(kexLines), new Set([`kex: algorithm: ${MLKEM}`]));
    });

    await t.test(`${SNTRUP} through rekeys (RekeyLimit=1M)`, async () => {
      const r = await run(pq.ssh, [
        ...sshBase(port, user),
        "-v",
        "-o",
        `KexAlgorithms=${SNTRUP}`,
        "-o",
        "RekeyLimit=1M",
        "127.0.0.1",
        "head -c 16000000 /dev/zero",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.length, 16_000_000);
      const kexLines = r.stderr.match(/kex: algorithm: \S+/g) ?? [];
      assert.ok(kexLines.length >= 3, `key exchanges seen by ssh: ${kexLines.length}`);
      assert.deepEqual(new Set(kexLines), new Set([`kex: algorithm: ${SNTRUP}`]));
    });
  } catch (e) {
    if (sshd) console.error(sshd.log().slice(-4000));
    throw e;
  } finally {
    await sshd?.stop();
    remove();
  }
});

test("Hush client → OpenSSH 9.2 sshd: both ends' defaults choose sntrup761x25519, through rekeys", {
  timeout: 120_000,
}, async (t) => {
  const expected = sntrupDefaults();
  if (typeof expected === "string") return t.skip(expected);
  const { dir, done } = clientTempDir();
  const user = await keygen(dir, "id_ed25519", "ed25519");
  const sshd = await startSshd({
    authorizedKeys: [user.publicLine],
    logLevel: "DEBUG1",
    config: ["RekeyLimit 1M"],
  });
  const options = {
    hostname: "127.0.0.1",
    port: sshd.port,
    username: "root",
    identities: [user.key!],
    knownHosts: trustingStore(sshd.port, Object.values(sshd.hostKeys)),
    policy: "yes" as const,
  };
  try {
    for (
      const [label, kex, name] of [
        ["defaults", undefined, expected.hushClient],
        [`only ${SNTRUP_OPENSSH}`, [SNTRUP_OPENSSH], SNTRUP_OPENSSH],
      ] as const
    ) {
      await t.test(`${label}: ${name}`, async () => {
        const before = sshd.log().length;
        const client = await connect({ ...options, algorithms: kex ? { kex: [...kex] } : {} });
        try {
          assert.equal(client.transport.negotiated!.kex, name);
          assert.ok(client.transport.strictKex);
          const r = await client.exec("head -c 16000000 /dev/zero");
          assert.equal(r.stdout.length, 16_000_000);
          assert.ok(r.stdout.every((b) => b === 0));
          assert.equal(r.code, 0);
        } finally {
          await client.close();
        }
        const kexLines = sshd.log().slice(before).match(/kex: algorithm: \S+/g) ?? [];
        assert.ok(kexLines.length >= 3, `key exchanges seen by sshd: ${kexLines.length}`);
        assert.deepEqual(new Set(kexLines), new Set([`kex: algorithm: ${name}`]));
      });
    }
  } finally {
    await sshd.stop();
    done();
  }
});

test("OpenSSH 9.2 ssh → Hush sshd: both ends' defaults choose sntrup761x25519, through rekeys", {
  timeout: 120_000,
}, async (t) => {
  const expected = sntrupDefaults();
  if (typeof expected === "string") return t.skip(expected);
  const { dir, remove } = tempDir("hush-sshd-sntrup-");
  let sshd: HushSshd | undefined;
  try {
    const { user, keysFile } = authorizedUser(dir, "user_ed25519");
    sshd = await startHushSshd([
      "-h",
      makeKey(dir, "host_ed25519", "ed25519"),
      "-o",
      `AuthorizedKeysFile=${keysFile}`,
    ]);
    const port = sshd.port;
    for (
      const [label, kex, name] of [
        ["defaults", [], expected.opensshClient],
        [`only ${SNTRUP_OPENSSH}`, ["-o", `KexAlgorithms=${SNTRUP_OPENSSH}`], SNTRUP_OPENSSH],
      ] as const
    ) {
      await t.test(`${label}: ${name}`, async () => {
        const r = await run("ssh", [
          ...sshBase(port, user),
          "-v",
          ...kex,
          "-o",
          "RekeyLimit=1M",
          "127.0.0.1",
          "head -c 16000000 /dev/zero",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.length, 16_000_000);
        assert.ok(r.stdout.every((b) => b === 0));
        const kexLines = r.stderr.match(/kex: algorithm: \S+/g) ?? [];
        assert.ok(kexLines.length >= 3, `key exchanges seen by ssh: ${kexLines.length}`);
        assert.deepEqual(new Set(kexLines), new Set([`kex: algorithm: ${name}`]));
      });
    }
  } catch (e) {
    if (sshd) console.error(sshd.log().slice(-4000));
    throw e;
  } finally {
    await sshd?.stop();
    remove();
  }
});
