/**
 * `ssh -D` with the Hush ssh command against OpenSSH's sshd: curl reaches an HTTP server on
 * 127.0.0.1 behind the sshd through the SOCKS listener (SOCKS5 with the name resolved by the
 * server, SOCKS5 with an address, SOCKS4a, SOCKS4), a DynamicForward from a config file does
 * the same, and malformed or refused requests get their SOCKS error reply and a close. Deno
 * only (spawns `deno run`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { findBinary, freePort, requireOpenSsh, type Sshd, startSshd } from "../helpers/openssh.ts";
import { authorizedUser, publicLine, run, tempDir } from "./server_fixture.ts";

const SSH_CLI = fileURLToPath(new URL("../../packages/ssh/cli/ssh.ts", import.meta.url));

/** Starts `ssh -N …` and resolves once its SOCKS listener is up (its -v trace says so). */
function startSsh(args: string[]): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, ["run", "-A", "--quiet", SSH_CLI, "-v", "-N", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ssh -D did not start: ${log}`)), 30_000);
    child.stderr!.on("data", (d: Buffer) => {
      log += d.toString();
      if (/Local forwarding listening on .* port \d+\./.test(log)) {
        clearTimeout(timer);
        resolve({ child, log: () => log });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`ssh exited with ${code}: ${log}`));
    });
  });
}

/** A raw SOCKS exchange: writes `hello`, resolves with all the server sent before it closed. */
function socks(port: number, hello: Uint8Array): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const got: number[] = [];
    const s = netConnect({ host: "127.0.0.1", port }, () => s.write(hello));
    s.on("data", (d: Buffer) => got.push(...d));
    s.on("close", () => resolve(got));
    s.on("error", reject);
  });
}

test("cli ssh -D: curl through Hush's SOCKS listener to an HTTP server behind OpenSSH's sshd", {
  timeout: 180_000,
}, async (t) => {
  const why = requireOpenSsh("sshd", "ssh-keygen");
  if (why) return t.skip(why);
  if (!findBinary("curl")) return t.skip("curl not installed (apt-get install curl)");
  const { dir, remove } = tempDir("hush-socks-");
  let sshd: Sshd | undefined;
  let ssh: ChildProcess | undefined;
  const http: Server = createHttpServer((req, res) => {
    res.end(`hello from behind sshd: ${req.method} ${req.url} host ${req.headers.host}\n`);
  });
  try {
    const httpPort = await new Promise<number>((resolve) =>
      http.listen(0, "127.0.0.1", () => resolve((http.address() as { port: number }).port))
    );
    const { user } = authorizedUser(dir, "user");
    // DEBUG: the sshd logs each direct-tcpip open it makes
    sshd = await startSshd({ authorizedKeys: [publicLine(user)], logLevel: "DEBUG" });
    const base = [
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-i",
      user,
      "-p",
      String(sshd.port),
    ];
    const socksPort = await freePort();
    const started = await startSsh([
      "-F",
      "none",
      ...base,
      "-D",
      `127.0.0.1:${socksPort}`,
      "root@127.0.0.1",
    ]);
    ssh = started.child;

    await t.test("curl with SOCKS5 (name sent), SOCKS5, SOCKS4a and SOCKS4", async () => {
      for (const flag of ["--socks5-hostname", "--socks5", "--socks4a", "--socks4"]) {
        const r = await run("curl", [
          "-sS",
          "--max-time",
          "20",
          flag,
          `127.0.0.1:${socksPort}`,
          `http://localhost:${httpPort}/via${flag}`,
        ]);
        assert.equal(r.code, 0, `${flag}: ${r.stderr}`);
        assert.equal(
          r.stdout.toString(),
          `hello from behind sshd: GET /via${flag} host localhost:${httpPort}\n`,
        );
      }
      // the sshd made the connections: it logged a direct-tcpip open for each
      assert.equal(
        sshd!.log().match(
          new RegExp(
            `server_request_direct_tcpip: .*target (?:localhost|127\\.0\\.0\\.1) port ${httpPort}\\b`,
            "g",
          ),
        )
          ?.length ?? 0,
        4,
        sshd!.log(),
      );
      assert.match(started.log(), /dynamic request: socks5 host localhost port \d+ command 1/);
    });

    await t.test("a port the sshd cannot reach: SOCKS5 'connection refused', then a close", async () => {
      const closed = await freePort();
      const reply = await socks(
        socksPort,
        Uint8Array.of(5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, closed >> 8, closed & 255),
      );
      assert.deepEqual(reply, [5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
      const curl = await run("curl", [
        "-sS",
        "--max-time",
        "20",
        "--socks5-hostname",
        `127.0.0.1:${socksPort}`,
        `http://localhost:${closed}/`,
      ]);
      assert.notEqual(curl.code, 0);
      assert.match(curl.stderr, /SOCKS5|refused|connect/i);
    });

    await t.test("malformed requests: an error reply where the protocol has one, and a close", async () => {
      assert.deepEqual(
        await socks(socksPort, new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n")),
        [],
      );
      // BIND is not supported
      assert.deepEqual(
        await socks(socksPort, Uint8Array.of(5, 1, 0, 5, 2, 0, 1, 127, 0, 0, 1, 0, 80)),
        [5, 0, 5, 7, 0, 1, 0, 0, 0, 0, 0, 0],
      );
      // only username/password offered
      assert.deepEqual(await socks(socksPort, Uint8Array.of(5, 1, 2)), [5, 0xff]);
      // a SOCKS4 user id past the bound
      const id = new Uint8Array(300).fill(0x61);
      assert.deepEqual(
        await socks(socksPort, Uint8Array.of(4, 1, 0, 80, 127, 0, 0, 1, ...id)),
        [0, 0x5b, 0, 0, 0, 0, 0, 0],
      );
      // the listener still serves well-formed requests after all that
      const r = await run("curl", [
        "-sS",
        "--max-time",
        "20",
        "--socks5-hostname",
        `127.0.0.1:${socksPort}`,
        `http://localhost:${httpPort}/after`,
      ]);
      assert.equal(r.code, 0, r.stderr);
    });

    ssh.kill("SIGTERM");
    ssh = undefined;

    await t.test("DynamicForward from a config file (with the host's other settings)", async () => {
      const port = await freePort();
      const config = join(dir, "config");
      writeFileSync(
        config,
        [
          "Host behind",
          "  HostName 127.0.0.1",
          `  Port ${sshd!.port}`,
          "  User root",
          `  IdentityFile ${user}`,
          `  DynamicForward localhost:${port}`,
          "  BatchMode yes",
          "  StrictHostKeyChecking no",
          "  UserKnownHostsFile /dev/null",
        ].join("\n") + "\n",
      );
      const fromConfig = await startSsh(["-F", config, "behind"]);
      ssh = fromConfig.child;
      const r = await run("curl", [
        "-sS",
        "--max-time",
        "20",
        "--socks5-hostname",
        `127.0.0.1:${port}`,
        `http://localhost:${httpPort}/config`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.toString(), /GET \/config/);
    });
  } finally {
    ssh?.kill("SIGTERM");
    await sshd?.stop();
    await new Promise((r) => http.close(r));
    remove();
  }
});
