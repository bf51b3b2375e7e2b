/**
 * Shared pieces of the server interop tests: start the Hush `sshd` command as a subprocess
 * (`deno run -A packages/ssh/cli/sshd.ts -p 0 …`, port read from its `listening on` line),
 * run OpenSSH's `ssh` against it asynchronously, make throwaway keys, and a TCP echo server.
 * @module
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** The repository root. */
export const ROOT: string = new URL("../../", import.meta.url).pathname;
/** The sshd command's main module. */
export const SSHD_MAIN: string = join(ROOT, "packages/ssh/cli/sshd.ts");
/**
 * The flags `deno task sshd` runs the sshd with (keep the two in step): V8's young generation
 * capped at 8 MiB semi-spaces. Left alone, V8 grows it from ~26 to ~52 MiB within the first few
 * hundred connections and keeps it, which reads as RSS growth; capped, RSS stays flat and lower,
 * with bulk transfer speed unchanged (bench/README.md, "Load").
 */
export const SSHD_DENO_FLAGS: string[] = ["--v8-flags=--max-semi-space-size=8"];
/**
 * The flags `deno task ssh`, `sftp` and `scp` run with (keep them in step): 2 MiB semi-spaces.
 * A transfer churns through large short-lived buffers; with V8's young generation left to grow,
 * more of them are alive at once, and every fresh page costs a fault (~17 µs on this VM): a
 * 256 MiB `sftp put` took 38–44 k faults, 175–190 MB RSS and 2.3–2.6 s, capped 22–29 k, 125–145 MB
 * and 1.9–2.1 s (bench/README.md).
 */
export const CLIENT_DENO_FLAGS: string[] = ["--v8-flags=--max-semi-space-size=2"];

/** What a finished command gave back. */
export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

/** Runs a command without blocking the event loop; `input` is written to its stdin. */
export function run(
  cmd: string,
  args: string[],
  options: { input?: string | Uint8Array; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.stdin.on("error", () => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: err.replace(/\r\n/g, "\n"),
        ms: performance.now() - t0,
      });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** A temp directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Makes an OpenSSH key pair with ssh-keygen; returns the private key path. */
export function makeKey(dir: string, name: string, type: string, bits?: number): string {
  const file = join(dir, name);
  execFileSync("ssh-keygen", [
    "-q",
    "-t",
    type,
    ...(bits ? ["-b", String(bits)] : []),
    "-N",
    "",
    "-C",
    name,
    "-f",
    file,
  ]);
  return file;
}

/** The `.pub` line of a key made by {@linkcode makeKey}. */
export function publicLine(file: string): string {
  return readFileSync(`${file}.pub`, "utf8").trim();
}

/** An ed25519 user key made by ssh-keygen, and an authorized_keys file in `dir` listing it. */
export function authorizedUser(dir: string, name = "user"): { user: string; keysFile: string } {
  const user = makeKey(dir, name, "ed25519");
  const keysFile = join(dir, "authorized_keys");
  writeFileSync(keysFile, publicLine(user) + "\n");
  return { user, keysFile };
}

/** A running Hush sshd subprocess. */
export interface HushSshd {
  port: number;
  /** Its process id (the wrapper's, which execs it). */
  pid: number;
  /** Everything it wrote on stderr so far. */
  log(): string;
  /** Everything it wrote on stdout so far (`listening on …`, `websocket on …`). */
  stdout(): string;
  /** SIGTERM, then waits for it to exit; resolves its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `deno run -A <SSHD_DENO_FLAGS> packages/ssh/cli/sshd.ts -p 0 -o ListenAddress=127.0.0.1 …`, after
 * `options.wrapper` when given (a command that execs the rest, e.g. `prlimit --nofile=64 --`).
 */
export function startHushSshd(
  args: string[],
  env: Record<string, string> = {},
  options: { wrapper?: string[] } = {},
): Promise<HushSshd> {
  const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
  const child = spawn(command, [
    ...prefix,
    "run",
    "-A",
    ...SSHD_DENO_FLAGS,
    SSHD_MAIN,
    "-p",
    "0",
    "-o",
    "ListenAddress=127.0.0.1",
    ...args,
  ], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], cwd: ROOT });
  let log = "";
  let out = "";
  let stopping = false;
  let started = false;
  child.stderr.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  // A server that dies mid-test fails the test with "Connection refused" from ssh, which says
  // nothing of why: print its last words where the runner repeats failures (a FAILURE-CONTEXT line).
  child.once("exit", (code, signal) => {
    if (stopping || !started) return;
    // stderr may still hold its last lines when 'exit' fires; 'close' has them all.
    child.once("close", () => {
      const tail = log.split("\n").slice(-40).join("\n");
      console.error(
        `FAILURE-CONTEXT Hush sshd (${args.join(" ")}) exited on its own with ${
          signal ?? `code ${code}`
        }; the end of its log:\n${tail.replace(/^/gm, "FAILURE-CONTEXT   ")}`,
      );
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Hush sshd did not start: ${log}`));
    }, 30_000);
    const early = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`Hush sshd exited with ${code} at start: ${log}`));
    };
    child.once("exit", early);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+):(\d+)\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.off("exit", early);
      started = true;
      resolve({
        port: Number(m[2]),
        pid: child.pid!,
        log: () => log,
        stdout: () => out,
        stop: async () => {
          // process.kill, not child.kill: Deno's child_process then reports the exit
          // code the server chose instead of the signal it was sent.
          stopping = true;
          // An error the server survived is still a bug: say so where the runner shows it.
          const internal = log.split("\n").filter((l) => l.includes("sshd: internal error"));
          for (const line of internal) console.error(`TEST-WARNING Hush sshd: ${line}`);
          if (child.exitCode === null && child.signalCode === null) {
            process.kill(child.pid!, "SIGTERM");
          }
          const code = await Promise.race([
            exited,
            new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 5000)),
          ]);
          if (code === "timeout") {
            child.kill("SIGKILL");
            return null;
          }
          return code;
        },
      });
    });
  });
}

/** `ssh` options for a throwaway server: no config, no known_hosts, one identity, no prompts. */
export function sshBase(port: number, identity?: string): string[] {
  return [
    "-F",
    "none",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "ConnectTimeout=20",
    ...(identity ? ["-i", identity] : []),
    "-p",
    String(port),
  ];
}

/** A TCP echo server on 127.0.0.1. */
export function echoServer(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer((c) => {
      c.on("error", () => {});
      c.pipe(c);
    });
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ port: typeof address === "object" && address ? address.port : 0, server });
    });
  });
}

/** Sends `text` to 127.0.0.1:port, half-closes, and resolves all that came back. */
export function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port }, () => socket.end(text));
    let got = "";
    socket.on("data", (d: Buffer) => (got += d.toString()));
    socket.once("end", () => resolve(got));
    socket.once("error", reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error("echo timed out")));
  });
}

/** Retries {@linkcode roundTrip} until the listener is up (a forward takes a moment). */
export async function roundTripWhenUp(port: number, text: string, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await roundTrip(port, text);
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Runs `command` (argv) under util-linux `script` on a terminal first set to unusual modes
 * (intr ^G, erase ^H, no kill character, -ixon, iutf8), so that a remote `stty -a` can only
 * show them if the client's pty-req carried them and the server applied them; asserts that its
 * output shows all five.
 */
export async function assertTerminalModesReachRemote(command: string[]): Promise<void> {
  const quoted = command.map((w) => `'${w}'`).join(" ");
  const r = await run("script", [
    "-qec",
    `stty intr ^G erase ^H kill undef -ixon iutf8; ${quoted}`,
    "/dev/null",
  ]);
  const out = r.stdout.toString();
  assert.equal(r.code, 0, `${r.stderr}\n${out}`);
  assert.match(out, /intr = \^G;/, out);
  assert.match(out, /erase = \^H;/);
  assert.match(out, /kill = <undef>;/);
  assert.match(out, /(^|\s)-ixon(\s|$)/m);
  assert.match(out, /(^|\s)iutf8(\s|$)/m);
}
