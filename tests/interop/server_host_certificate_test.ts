/**
 * Host certificates served by the Hush `sshd` command (`HostCertificate`, as in sshd_config):
 * OpenSSH `ssh` with only an `@cert-authority` line in known_hosts accepts each certificate
 * algorithm, and refuses a certificate from another CA or for another host name; the Hush
 * client accepts them too. A certificate that certifies none of the host keys, or a user
 * certificate, stops the server at start-up.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KnownHosts, MemoryStorage } from "@hush/hostkeys";
import { parsePrivateKey } from "@hush/keys";
import { connect } from "@hush/ssh";
import { requireOpenSsh } from "../helpers/openssh.ts";
import {
  authorizedUser,
  type HushSshd,
  makeKey,
  publicLine,
  run,
  startHushSshd,
  tempDir,
} from "./server_fixture.ts";

/** Signs `key`.pub with `ca` as ssh-keygen does; returns the certificate's path. */
function certify(ca: string, key: string, opts: { host?: boolean; name: string }): string {
  execFileSync("ssh-keygen", [
    "-q",
    "-s",
    ca,
    "-I",
    `hush-test ${opts.name}`,
    ...(opts.host === false ? [] : ["-h"]),
    "-n",
    opts.name,
    "-V",
    "-5m:+1h",
    `${key}.pub`,
  ]);
  return `${key}-cert.pub`;
}

const CERT_ALGORITHMS = [
  ["ssh-ed25519-cert-v01@openssh.com", "ED25519-CERT"],
  ["ecdsa-sha2-nistp256-cert-v01@openssh.com", "ECDSA-CERT"],
  ["rsa-sha2-512-cert-v01@openssh.com", "RSA-CERT"],
  ["rsa-sha2-256-cert-v01@openssh.com", "RSA-CERT"],
] as const;

test("Hush sshd serves host certificates that OpenSSH ssh and the Hush client verify", {
  timeout: 120_000,
}, async (t) => {
  const why = requireOpenSsh("ssh", "ssh-keygen");
  if (why) return t.skip(why);
  const { dir, remove } = tempDir("hush-sshd-hostcert-");
  let sshd: HushSshd | undefined;
  try {
    const ca = makeKey(dir, "host_ca", "ed25519");
    const otherCa = makeKey(dir, "other_ca", "ed25519");
    const { user, keysFile } = authorizedUser(dir, "user");
    const hostKeys = [
      makeKey(dir, "host_ed25519", "ed25519"),
      makeKey(dir, "host_p256", "ecdsa", 256),
      makeKey(dir, "host_rsa", "rsa", 2048),
    ];
    const args = ["-o", `AuthorizedKeysFile=${keysFile}`];
    for (const key of hostKeys) {
      args.push("-h", key, "-o", `HostCertificate=${certify(ca, key, { name: "127.0.0.1" })}`);
    }
    sshd = await startHushSshd(args);
    const port = sshd.port;
    assert.equal(sshd.log().match(/Loaded host certificate/g)?.length, 3, sshd.log());

    const knownHosts = (caKey: string, file: string, at = port) => {
      const path = join(dir, file);
      writeFileSync(path, `@cert-authority [127.0.0.1]:${at} ${publicLine(caKey)}\n`);
      return path;
    };
    const trusted = knownHosts(ca, "known_hosts");
    const ssh = (knownHostsFile: string, algorithm: string, at = port) =>
      run("ssh", [
        "-v",
        "-F",
        "none",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${knownHostsFile}`,
        "-o",
        `HostKeyAlgorithms=${algorithm}`,
        "-o",
        "BatchMode=yes",
        "-o",
        "IdentitiesOnly=yes",
        "-i",
        user,
        "-p",
        String(at),
        "root@127.0.0.1",
        "echo cert-ok",
      ]);

    for (const [algorithm, kind] of CERT_ALGORITHMS) {
      await t.test(`OpenSSH ssh accepts ${algorithm} through @cert-authority`, async () => {
        const r = await ssh(trusted, algorithm);
        const err = r.stderr.toString();
        assert.equal(r.code, 0, err);
        assert.equal(r.stdout.toString(), "cert-ok\n");
        assert.match(
          err,
          new RegExp(`kex: host key algorithm: ${algorithm.replace(/\./g, "\\.")}`),
        );
        assert.match(err, /Server host certificate: .* ID "hush-test 127\.0\.0\.1" CA ssh-ed25519/);
        assert.match(err, new RegExp(`is known and matches the ${kind} host certificate`));
      });
    }

    await t.test("a certificate from another CA is refused by OpenSSH ssh", async () => {
      const r = await ssh(knownHosts(otherCa, "known_hosts_other"), CERT_ALGORITHMS[0][0]);
      assert.equal(r.code, 255);
      assert.match(r.stderr.toString(), /Host key verification failed/);
    });

    await t.test("the Hush client accepts the certificate through @cert-authority", async () => {
      const client = await connect({
        hostname: "127.0.0.1",
        port,
        username: "root",
        identities: [await parsePrivateKey(readFileSync(user, "utf8"))],
        knownHosts: new KnownHosts([new MemoryStorage(readFileSync(trusted, "utf8"), "ca")]),
        policy: "yes",
        algorithms: { hostKey: ["ssh-ed25519-cert-v01@openssh.com"] },
      });
      try {
        assert.equal(client.transport.negotiated!.hostKey, "ssh-ed25519-cert-v01@openssh.com");
        const r = await client.exec("echo cert-ok");
        assert.equal(new TextDecoder().decode(r.stdout), "cert-ok\n");
      } finally {
        await client.close();
      }
    });

    await sshd.stop();
    sshd = undefined;

    await t.test("a certificate for another host name is refused by OpenSSH ssh", async () => {
      const key = makeKey(dir, "host_elsewhere", "ed25519");
      sshd = await startHushSshd([
        "-o",
        `AuthorizedKeysFile=${keysFile}`,
        "-h",
        key,
        "-o",
        `HostCertificate=${certify(ca, key, { name: "elsewhere.example" })}`,
      ]);
      const at = sshd.port;
      const r = await ssh(knownHosts(ca, "known_hosts_elsewhere", at), CERT_ALGORITHMS[0][0], at);
      await sshd.stop();
      sshd = undefined;
      assert.equal(r.code, 255);
      assert.match(r.stderr.toString(), /not a listed principal/);
      assert.match(r.stderr.toString(), /Host key verification failed/);
    });

    await t.test("a certificate of no host key, or a user certificate, stops the server", async () => {
      const stray = makeKey(dir, "stray", "ed25519");
      await assert.rejects(
        startHushSshd([
          "-h",
          hostKeys[0],
          "-o",
          `HostCertificate=${certify(ca, stray, { name: "127.0.0.1" })}`,
        ]),
        /Could not find matching private key for certificate/,
      );
      const userCertKey = makeKey(dir, "host_with_user_cert", "ed25519");
      await assert.rejects(
        startHushSshd([
          "-h",
          userCertKey,
          "-o",
          `HostCertificate=${certify(ca, userCertKey, { host: false, name: "root" })}`,
        ]),
        /is not a host certificate/,
      );
    });
  } finally {
    await sshd?.stop();
    remove();
  }
});
