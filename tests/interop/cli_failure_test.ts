/**
 * What the Hush `ssh` command says when a server is not an SSH server it can talk to: the real
 * cause, framed as OpenSSH frames it (`kex_exchange_identification: …`, `banner exchange: …`,
 * `ssh_dispatch_run_fatal: …`), never a bare "Connection closed" for a fault it found itself.
 * Each case is also run through OpenSSH's ssh, and both must end with status 255.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { requireOpenSsh } from "../helpers/openssh.ts";
import { run } from "./server_fixture.ts";

const SSH_CLI = fileURLToPath(new URL("../../packages/ssh/cli/ssh.ts", import.meta.url));

/** A TCP server on 127.0.0.1 that treats every connection with `behave`. */
async function fakeServer(behave: (socket: Socket) => void): Promise<Server & { port: number }> {
  const server = createServer((socket) => {
    socket.on("error", () => {});
    behave(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(server, { port: (server.address() as { port: number }).port });
}

const OPTIONS = [
  "-F",
  "none",
  "-o",
  "StrictHostKeyChecking=no",
  "-o",
  "UserKnownHostsFile=/dev/null",
  "-o",
  "BatchMode=yes",
  "-o",
  "ConnectTimeout=20",
];

const CASES: { what: string; behave: (s: Socket) => void; hush: RegExp; openssh: RegExp }[] = [
  {
    what: "a server that closes before its version line",
    behave: (s) => s.end(),
    hush:
      /^kex_exchange_identification: Connection closed by remote host\nConnection closed by 127\.0\.0\.1 port \d+\n$/,
    openssh: /kex_exchange_identification: Connection closed by remote host/,
  },
  {
    what: "an SSH-1 server",
    behave: (s) => s.write("SSH-1.5-Old\r\n"),
    hush:
      /^Unsupported protocol version "1\.5".*\nbanner exchange: Connection to 127\.0\.0\.1 port \d+: could not read protocol version\n$/,
    openssh: /Protocol major versions differ: 2 vs\. 1/,
  },
  {
    what: "a version line with a NUL",
    behave: (s) => s.write("SSH-2.0-a\0b\r\n"),
    hush:
      /^kex_exchange_identification: Identification line contains a NUL byte\nbanner exchange: Connection to 127\.0\.0\.1 port \d+: invalid format\n$/,
    openssh: /kex_exchange_identification: banner line contains invalid characters/,
  },
  {
    what: "a server that sends a packet length past the limit",
    behave: (s) => s.write(Buffer.concat([Buffer.from("SSH-2.0-X\r\n"), Buffer.alloc(64, 0xff)])),
    hush:
      /^ssh_dispatch_run_fatal: Connection to 127\.0\.0\.1 port \d+: Packet length 4294967295 exceeds the limit of 262144\n$/,
    openssh: /ssh_dispatch_run_fatal: Connection to 127\.0\.0\.1 port \d+: /,
  },
];

for (const c of CASES) {
  test(`cli ssh: ${c.what} is named as the cause, as OpenSSH names it`, {
    timeout: 60_000,
  }, async (t) => {
    const why = requireOpenSsh("ssh");
    if (why) return t.skip(why);
    const server = await fakeServer(c.behave);
    try {
      const args = [...OPTIONS, "-p", String(server.port), "127.0.0.1", "true"];
      const hush = await run(process.execPath, ["run", "-A", SSH_CLI, ...args]);
      assert.equal(hush.code, 255, hush.stderr);
      assert.match(hush.stderr, c.hush);
      const openssh = await run("ssh", args);
      assert.equal(openssh.code, 255, openssh.stderr);
      assert.match(openssh.stderr, c.openssh);
    } finally {
      server.close();
    }
  });
}
