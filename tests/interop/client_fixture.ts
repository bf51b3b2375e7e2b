/**
 * Shared pieces of the client interop tests (Hush client against OpenSSH's sshd): throwaway
 * key files made by ssh-keygen, a known_hosts store that trusts a test sshd's host keys, a
 * non-blocking subprocess runner for OpenSSH's `ssh`, and a TCP echo server.
 * @module
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { KnownHosts, MemoryStorage } from "@hush/hostkeys";
import { parsePrivateKey, type PrivateKey } from "@hush/keys";

/** A temp directory removed by `done()`. */
export function tempDir(prefix = "hush-client-"): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A key made by ssh-keygen: its file, `.pub` line, and (when not encrypted) the parsed key. */
export interface KeyFile {
  path: string;
  publicLine: string;
  key?: PrivateKey;
}

/** Makes a key file with ssh-keygen (`-a 4` rounds when a passphrase is given, to stay fast). */
export async function keygen(
  dir: string,
  name: string,
  type: "ed25519" | "ecdsa" | "rsa",
  options: { bits?: number; passphrase?: string } = {},
): Promise<KeyFile> {
  const path = join(dir, name);
  const args = ["-q", "-t", type, "-N", options.passphrase ?? "", "-C", name, "-f", path];
  if (options.bits) args.push("-b", String(options.bits));
  if (options.passphrase) args.push("-a", "4");
  execFileSync("ssh-keygen", args);
  const publicLine = readFileSync(`${path}.pub`, "utf8").trim();
  const key = options.passphrase ? undefined : await parsePrivateKey(readFileSync(path, "utf8"));
  return { path, publicLine, key };
}

/** A known_hosts store in memory that lists `publicLines` for `[127.0.0.1]:port`. */
export function trustingStore(port: number, publicLines: string[]): KnownHosts {
  const text = publicLines.map((l) => `[127.0.0.1]:${port} ${l}\n`).join("");
  return new KnownHosts([new MemoryStorage(text, "test_known_hosts")]);
}

/** What a finished command gave back. */
export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

/**
 * Runs a command without blocking the event loop (the Hush side of a test may be running in
 * the same process). `stdinFile` is opened as the child's stdin.
 */
export function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; collectStdout?: boolean } = {},
): Promise<RunResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      if (options.collectStdout !== false) out.push(d);
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err, ms: performance.now() - t0 });
    });
  });
}

/** OpenSSH `ssh` arguments for a throwaway sshd on 127.0.0.1: no config, no agent, batch. */
export function sshArgs(port: number, identity: string, knownHosts: string, extra: string[] = []) {
  return [
    "-F",
    "none",
    "-p",
    String(port),
    "-i",
    identity,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "IdentityAgent=none",
    "-o",
    "BatchMode=yes",
    "-o",
    `UserKnownHostsFile=${knownHosts}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    ...extra,
    "root@127.0.0.1",
  ];
}

/** A TCP echo server on 127.0.0.1 (node:net). */
export async function echoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((s) => void s.on("error", () => {}).pipe(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}

/** Reads a stream to the end as text. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}
