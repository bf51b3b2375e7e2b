/**
 * Test helpers for interop with real OpenSSH: find its binaries, and start a throwaway `sshd`
 * on 127.0.0.1 (own host keys, own config, own authorized_keys, stopped by PID).
 *
 * Locally a test that needs OpenSSH skips with a clear message when a binary is missing; under
 * `CI=true` a missing binary is a failure (see {@linkcode requireOpenSsh}).
 * @module
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SEARCH = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"];

/** The absolute path of an OpenSSH binary, or `undefined` when it is not installed. */
export function findBinary(name: string): string | undefined {
  const path = (process.env.PATH ?? "").split(":").concat(SEARCH);
  for (const dir of path) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (spawnSync("test", ["-x", candidate]).status === 0) return candidate;
  }
  return undefined;
}

/**
 * Returns why a test must be skipped (binaries missing, not under CI), or `undefined` when all
 * are there. Under `CI=true` a missing binary throws, so the test fails instead of skipping.
 */
export function requireOpenSsh(...names: string[]): string | undefined {
  const missing = names.filter((n) => !findBinary(n));
  if (missing.length === 0) return undefined;
  const message = `OpenSSH ${
    missing.join(", ")
  } not installed (apt-get install openssh-server openssh-client)`;
  if (process.env.CI === "true") throw new Error(`${message}; under CI this is a failure`);
  return message;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Host key types a test sshd gets, one key each. */
export const HOST_KEY_TYPES = ["ed25519", "ecdsa", "rsa"] as const;

/** Options for {@linkcode startSshd}. */
export interface SshdOptions {
  /**
   * Extra `sshd_config` lines (e.g. `KexAlgorithms …`, `RekeyLimit 1M`). A keyword given here
   * replaces the default line of that keyword (e.g. `MaxStartups 1000`): sshd keeps the first
   * value of most keywords but the last of some, so the two are never both written. `HostKey`,
   * `ListenAddress`, `Port`, `SetEnv` and `Subsystem` lines add to the defaults instead.
   */
  config?: string[];
  /** authorized_keys lines for the current user. */
  authorizedKeys?: string[];
  /** Log level (default VERBOSE; DEBUG3 shows strict kex and algorithm choices). */
  logLevel?: string;
  /** The sshd to run (default: the system's); e.g. the OpenSSH 10 of `findPqOpenSsh()`. */
  binary?: string;
  /** What `Subsystem sftp` runs (default `internal-sftp`), e.g. `/usr/lib/openssh/sftp-server`. */
  sftp?: string;
}

/** A running throwaway sshd. */
export interface Sshd {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** Its temp directory (config, keys, log). */
  dir: string;
  /** The host public keys by type, as `.pub` lines. */
  hostKeys: Record<string, string>;
  /** The log so far (sshd -E). */
  log(): string;
  /** Stops it by PID and removes the temp directory. */
  stop(): Promise<void>;
}

/** sshd_config keywords whose lines add up (the others take one value). */
const ADDED = new Set(["hostkey", "listenaddress", "port", "setenv", "subsystem"]);

/** Starts sshd on 127.0.0.1 on a free port and waits until it accepts connections. */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const sshd = options.binary ?? findBinary("sshd");
  const keygen = findBinary("ssh-keygen");
  if (!sshd || !keygen) throw new Error("sshd and ssh-keygen are needed");
  const dir = mkdtempSync(join(tmpdir(), "hush-sshd-"));
  chmodSync(dir, 0o700);
  const hostKeys: Record<string, string> = {};
  const keyLines: string[] = [];
  for (const type of HOST_KEY_TYPES) {
    const file = join(dir, `host_${type}`);
    execFileSync(keygen, ["-q", "-t", type, "-N", "", "-f", file, "-C", `host-${type}`]);
    hostKeys[type] = readFileSync(`${file}.pub`, "utf8").trim();
    keyLines.push(`HostKey ${file}`);
  }
  writeFileSync(join(dir, "authorized_keys"), (options.authorizedKeys ?? []).join("\n") + "\n", {
    mode: 0o600,
  });
  const home = join(dir, "home");
  execFileSync("mkdir", ["-p", home]);
  const logFile = join(dir, "sshd.log");
  spawnSync("mkdir", ["-p", "/run/sshd"]);
  // The port is free when picked but may be taken before sshd binds it (tests run in parallel):
  // then sshd exits at start and another port is tried. Readiness is sshd's own "Server
  // listening" line, so a listener of another test on the same port is never mistaken for it.
  for (let attempt = 1;; attempt++) {
    const port = await freePort();
    const defaults = [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      ...keyLines,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin yes",
      "AllowTcpForwarding yes",
      "GatewayPorts no",
      "PrintMotd no",
      "PrintLastLog no",
      "UseDNS no",
      "MaxStartups 100",
      // a remote command should not pay for root's interactive shell start-up
      `SetEnv HOME=${home}`,
      `LogLevel ${options.logLevel ?? "VERBOSE"}`,
      `Subsystem sftp ${options.sftp ?? "internal-sftp"}`,
    ];
    const keyword = (line: string) => line.trim().split(/\s+/)[0].toLowerCase();
    const given = new Set((options.config ?? []).map(keyword).filter((k) => !ADDED.has(k)));
    const config = [
      ...defaults.filter((line) => !given.has(keyword(line))),
      ...(options.config ?? []),
    ];
    const configFile = join(dir, "sshd_config");
    writeFileSync(configFile, config.join("\n") + "\n");
    const test = spawnSync(sshd, ["-t", "-f", configFile], { encoding: "utf8" });
    if (test.status !== 0) throw new Error(`sshd -t rejected the config: ${test.stderr}`);
    rmSync(logFile, { force: true });
    const child = spawn(sshd, ["-D", "-f", configFile, "-E", logFile], { stdio: "ignore" });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const listening = `Server listening on 127.0.0.1 port ${port}.`;
    const quiet = /^(QUIET|FATAL|ERROR)$/i.test(options.logLevel ?? "");
    const deadline = Date.now() + 10_000;
    let started = false;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      if (quiet ? await canConnect(port) : safeRead(logFile).includes(listening)) {
        started = true;
        break;
      }
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`sshd did not start listening on ${port}: ${safeRead(logFile)}`);
      }
      await new Promise((r) => setTimeout(r, 30));
    }
    if (!started) {
      const log = safeRead(logFile);
      if (attempt < 5 && /Address already in use|Cannot bind any address/.test(log)) continue;
      throw new Error(`sshd exited at start: ${log}`);
    }
    return {
      port,
      dir,
      hostKeys,
      log: () => safeRead(logFile),
      async stop() {
        if (child.exitCode === null) {
          child.kill("SIGTERM");
          await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
          if (child.exitCode === null) child.kill("SIGKILL");
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return await new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}
