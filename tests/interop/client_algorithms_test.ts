/**
 * Hush client → OpenSSH sshd: every key exchange, host key algorithm (plain and certificate),
 * cipher and MAC that both Hush and OpenSSH 9.2 implement, each in at least two connections
 * with different partners, each running `echo`; the algorithms are checked on both ends (Hush's
 * negotiated set and sshd's own `kex: …` log lines). One sshd serves each matrix.
 *
 * Not here: mlkem768x25519-sha256 (OpenSSH 9.9+; pq_test.ts runs it against OpenSSH 10), the
 * `sntrup761x25519-sha512` name (9.9+, also in pq_test.ts; the @openssh.com name is here), *-sha1
 * kex, CBC/3DES ciphers, UMAC and MD5 MACs, DSA (OpenSSH only).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { KnownHosts, MemoryStorage } from "@hush/hostkeys";
import { connect } from "@hush/ssh";
import { requireOpenSsh, startSshd } from "../helpers/openssh.ts";
import { keygen, tempDir, trustingStore } from "./client_fixture.ts";

export const KEX = [
  "sntrup761x25519-sha512@openssh.com",
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
  "diffie-hellman-group-exchange-sha256",
  "diffie-hellman-group16-sha512",
  "diffie-hellman-group18-sha512",
  "diffie-hellman-group14-sha256",
];
export const HOST_KEYS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
];
const AEAD = ["chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"];
const CTR = ["aes128-ctr", "aes192-ctr", "aes256-ctr"];
export const MACS = [
  "hmac-sha2-256-etm@openssh.com",
  "hmac-sha2-512-etm@openssh.com",
  "hmac-sha1-etm@openssh.com",
  "hmac-sha2-256",
  "hmac-sha2-512",
  "hmac-sha1",
];

interface Row {
  kex: string;
  hostKey: string;
  cipher: string;
  mac?: string;
}

/**
 * 20 connections: each MAC with two CTR ciphers (12), each AEAD cipher twice (6), then the first
 * suites again until each kex has had two rows; kex and host key algorithms cycle through the
 * rows, so each kex appears twice and each host key three times, always with different ciphers.
 */
function matrix(): Row[] {
  const suites: { cipher: string; mac?: string }[] = [];
  MACS.forEach((mac, j) => {
    suites.push({ cipher: CTR[j % 3], mac }, { cipher: CTR[(j + 1) % 3], mac });
  });
  for (const cipher of AEAD) suites.push({ cipher }, { cipher });
  const rows = Math.max(suites.length, 2 * KEX.length);
  return Array.from({ length: rows }, (_, i) => ({
    ...suites[i % suites.length],
    kex: KEX[i % KEX.length],
    hostKey: HOST_KEYS[i % 6],
  }));
}

test("client algorithms: each kex, host key, cipher and MAC against OpenSSH sshd", {
  timeout: 180_000,
}, async (t) => {
  const why = requireOpenSsh("sshd", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, done } = tempDir();
  // sshd makes ed25519, ecdsa P-256 and RSA host keys; P-384 and P-521 are added here.
  const p384 = await keygen(dir, "host_ecdsa384", "ecdsa", { bits: 384 });
  const p521 = await keygen(dir, "host_ecdsa521", "ecdsa", { bits: 521 });
  const user = await keygen(dir, "id_ed25519", "ed25519");
  const sshd = await startSshd({
    authorizedKeys: [user.publicLine],
    logLevel: "DEBUG1",
    config: [
      `HostKey ${p384.path}`,
      `HostKey ${p521.path}`,
      `KexAlgorithms ${KEX.join(",")}`,
      `HostKeyAlgorithms ${HOST_KEYS.join(",")}`,
      `Ciphers ${[...AEAD, ...CTR].join(",")}`,
      `MACs ${MACS.join(",")}`,
    ],
  });
  const store = trustingStore(sshd.port, [
    ...Object.values(sshd.hostKeys),
    p384.publicLine,
    p521.publicLine,
  ]);
  const covered = new Map<string, Set<string>>();
  const note = (alg: string, partners: string[]) => {
    const set = covered.get(alg) ?? new Set();
    for (const p of partners) set.add(p);
    covered.set(alg, set);
  };
  try {
    for (const [i, row] of matrix().entries()) {
      const label = `${row.kex} / ${row.hostKey} / ${row.cipher}${row.mac ? ` + ${row.mac}` : ""}`;
      const before = sshd.log().length;
      const client = await connect({
        hostname: "127.0.0.1",
        port: sshd.port,
        username: "root",
        identities: [user.key!],
        knownHosts: store,
        policy: "yes",
        algorithms: {
          kex: [row.kex],
          hostKey: [row.hostKey],
          ciphers: [row.cipher],
          macs: row.mac ? [row.mac] : undefined,
        },
      }).catch((e) => {
        throw new Error(`${label}: ${e.message}\n${sshd.log().slice(before).slice(-2000)}`);
      });
      try {
        const n = client.transport.negotiated!;
        assert.equal(n.kex, row.kex, label);
        assert.equal(n.hostKey, row.hostKey, label);
        assert.equal(n.cipherClientToServer, row.cipher, label);
        assert.equal(n.cipherServerToClient, row.cipher, label);
        assert.equal(n.macClientToServer, row.mac, label);
        assert.equal(n.macServerToClient, row.mac, label);
        assert.ok(n.strictKex, `${label}: strict kex`);
        const r = await client.exec(`echo row-${i}`);
        assert.equal(new TextDecoder().decode(r.stdout), `row-${i}\n`, label);
        assert.equal(r.code, 0, label);
      } finally {
        await client.close();
      }
      // sshd's side of the same negotiation
      const log = sshd.log().slice(before);
      assert.match(log, new RegExp(`kex: algorithm: ${escape(row.kex)}`), label);
      assert.match(log, new RegExp(`kex: host key algorithm: ${escape(row.hostKey)}`), label);
      const macText = row.mac ? `MAC: ${escape(row.mac)}` : "MAC: <implicit>";
      assert.match(log, new RegExp(`kex: client->server cipher: ${escape(row.cipher)} ${macText}`));
      assert.match(log, new RegExp(`kex: server->client cipher: ${escape(row.cipher)} ${macText}`));
      note(row.kex, [row.hostKey, row.cipher]);
      note(row.hostKey, [row.kex, row.cipher]);
      note(row.cipher, [row.kex, row.mac ?? "(aead)"]);
      if (row.mac) note(row.mac, [row.cipher]);
    }
    for (const alg of [...KEX, ...HOST_KEYS, ...AEAD, ...CTR, ...MACS]) {
      assert.ok((covered.get(alg)?.size ?? 0) >= 2, `${alg} tested with two partners`);
    }
    console.log("algorithm coverage (algorithm: partners)");
    for (const [alg, partners] of covered) console.log(`  ${alg}: ${[...partners].join(", ")}`);
  } finally {
    await sshd.stop();
    done();
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const CERT_HOST_KEYS = [
  "ssh-ed25519-cert-v01@openssh.com",
  "ecdsa-sha2-nistp256-cert-v01@openssh.com",
  "ecdsa-sha2-nistp384-cert-v01@openssh.com",
  "ecdsa-sha2-nistp521-cert-v01@openssh.com",
  "rsa-sha2-512-cert-v01@openssh.com",
  "rsa-sha2-256-cert-v01@openssh.com",
];

test("client algorithms: certificate host keys against OpenSSH sshd (@cert-authority)", {
  timeout: 120_000,
}, async (t) => {
  const why = requireOpenSsh("sshd", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, done } = tempDir();
  const ca = await keygen(dir, "host_ca", "ed25519");
  const hostKeys = [
    await keygen(dir, "cert_ed25519", "ed25519"),
    await keygen(dir, "cert_p256", "ecdsa", { bits: 256 }),
    await keygen(dir, "cert_p384", "ecdsa", { bits: 384 }),
    await keygen(dir, "cert_p521", "ecdsa", { bits: 521 }),
    await keygen(dir, "cert_rsa", "rsa", { bits: 2048 }),
  ];
  const config: string[] = [`HostKeyAlgorithms ${CERT_HOST_KEYS.join(",")}`];
  for (const k of hostKeys) {
    execFileSync("ssh-keygen", [
      "-q",
      "-s",
      ca.path,
      "-I",
      `hush-test-${k.path}`,
      "-h",
      "-n",
      "127.0.0.1",
      "-V",
      "-5m:+1h",
      `${k.path}.pub`,
    ]);
    config.push(`HostKey ${k.path}`, `HostCertificate ${k.path}-cert.pub`);
  }
  const user = await keygen(dir, "id_ed25519", "ed25519");
  const sshd = await startSshd({ authorizedKeys: [user.publicLine], logLevel: "DEBUG1", config });
  const store = new KnownHosts([
    new MemoryStorage(`@cert-authority [127.0.0.1]:${sshd.port} ${ca.publicLine}\n`, "ca"),
  ]);
  const partners = [
    { kex: "curve25519-sha256", cipher: "aes256-gcm@openssh.com" },
    { kex: "ecdh-sha2-nistp384", cipher: "aes128-ctr", mac: "hmac-sha2-256-etm@openssh.com" },
  ];
  try {
    for (const hostKey of CERT_HOST_KEYS) {
      for (const p of partners) {
        const label = `${hostKey} / ${p.kex} / ${p.cipher}`;
        const trace: string[] = [];
        const client = await connect({
          hostname: "127.0.0.1",
          port: sshd.port,
          username: "root",
          identities: [user.key!],
          knownHosts: store,
          policy: "yes",
          trace: (l) => trace.push(l),
          algorithms: {
            kex: [p.kex],
            hostKey: [hostKey],
            ciphers: [p.cipher],
            macs: p.mac ? [p.mac] : undefined,
          },
        });
        try {
          assert.equal(client.transport.negotiated!.hostKey, hostKey, label);
          const r = await client.exec("echo cert-ok");
          assert.equal(new TextDecoder().decode(r.stdout), "cert-ok\n", label);
        } finally {
          await client.close();
        }
      }
      assert.match(sshd.log(), new RegExp(`kex: host key algorithm: ${escape(hostKey)}`));
    }
    // a certificate from a CA that is not trusted is refused
    const other = await keygen(dir, "other_ca", "ed25519");
    await assert.rejects(
      connect({
        hostname: "127.0.0.1",
        port: sshd.port,
        username: "root",
        identities: [user.key!],
        knownHosts: new KnownHosts([
          new MemoryStorage(`@cert-authority [127.0.0.1]:${sshd.port} ${other.publicLine}\n`),
        ]),
        policy: "yes",
        algorithms: { hostKey: [CERT_HOST_KEYS[0]] },
      }),
      (e: Error) => e.name === "HostKeyError",
    );
  } finally {
    await sshd.stop();
    done();
  }
});
