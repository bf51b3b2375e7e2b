/**
 * An OpenSSH that has mlkem768x25519-sha256 (9.9 or later), for the post-quantum interop tests.
 * The system's OpenSSH when it has the method; otherwise the copy that
 * `tests/tools/fetch_openssh_pq.sh` unpacks from Debian 13's packages (`$HUSH_OPENSSH_PQ`, or
 * `~/.cache/hush/openssh-pq`). `.ci/run` fetches it; locally the tests skip with a clear message
 * until it is fetched, and under `CI=true` its absence is a failure.
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { findBinary } from "./openssh.ts";

/** The post-quantum key exchange these tests are about. */
export const MLKEM = "mlkem768x25519-sha256";

/** OpenSSH binaries with mlkem768x25519-sha256, and what their sshd_config needs. */
export interface PqOpenSsh {
  /** The `ssh` client. */
  ssh: string;
  /** The `sshd` server. */
  sshd: string;
  /** Extra sshd_config lines (where the unpacked sshd finds sshd-session and sshd-auth). */
  sshdConfig: string[];
  /** `ssh -V`, e.g. "OpenSSH_10.0p2 Debian-7+deb13u4, OpenSSL 3.5.9 …". */
  version: string;
}

function hasMlkem(ssh: string): boolean {
  const r = spawnSync(ssh, ["-Q", "kex"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.split("\n").includes(MLKEM);
}

function version(ssh: string): string {
  return spawnSync(ssh, ["-V"], { encoding: "utf8" }).stderr.trim();
}

/** The directory `tests/tools/fetch_openssh_pq.sh` unpacks into. */
export function pqOpenSshDir(): string {
  return process.env.HUSH_OPENSSH_PQ ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "hush", "openssh-pq");
}

/**
 * Finds an OpenSSH with mlkem768x25519-sha256, or says why there is none (a skip message);
 * under `CI=true` a missing one throws instead.
 */
export function findPqOpenSsh(): PqOpenSsh | string {
  const systemSsh = findBinary("ssh");
  const systemSshd = findBinary("sshd");
  if (systemSsh && systemSshd && hasMlkem(systemSsh)) {
    return { ssh: systemSsh, sshd: systemSshd, sshdConfig: [], version: version(systemSsh) };
  }
  const bin = join(pqOpenSshDir(), "bin");
  const ssh = join(bin, "ssh");
  const sshd = join(bin, "sshd");
  if (existsSync(ssh) && existsSync(sshd) && hasMlkem(ssh)) {
    const sshdConfig = ["sshd-session", "sshd-auth"]
      .filter((helper) => existsSync(join(bin, helper)))
      .map((helper) =>
        `${helper === "sshd-session" ? "SshdSessionPath" : "SshdAuthPath"} ${join(bin, helper)}`
      );
    return { ssh, sshd, sshdConfig, version: version(ssh) };
  }
  const why = `no OpenSSH with ${MLKEM} here (Debian 12 has 9.2): ` +
    "bash tests/tools/fetch_openssh_pq.sh fetches OpenSSH 10 from Debian 13's packages";
  if (process.env.CI === "true") throw new Error(`${why}; under CI this is a failure`);
  return why;
}
