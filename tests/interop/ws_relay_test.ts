/**
 * `deno task ws-relay` in front of OpenSSH's sshd: a Hush client over WebSocket logs in through
 * the relay with a key and runs a command; a target off the allow-list is refused, told to the
 * client in the close frame and logged, and the relay keeps serving.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { connect, connectWebSocket } from "@hush/ssh";
import { requireOpenSsh, startSshd } from "../helpers/openssh.ts";
import { keygen, tempDir, trustingStore } from "./client_fixture.ts";
import { ROOT } from "./server_fixture.ts";

/** Starts the relay CLI; resolves once it prints where it listens. */
function startRelay(
  args: string[],
): Promise<{ port: number; log: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["run", "-A", "packages/ssh/cli/ws_relay.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  let out = "";
  child.stderr.on("data", (d: Uint8Array) => (log += new TextDecoder().decode(d)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`ws-relay exited with ${code}: ${log}`)));
    child.stdout.on("data", (d: Uint8Array) => {
      out += new TextDecoder().decode(d);
      const m = /relay listening on \S+:(\d+)\n/.exec(out);
      if (!m) return;
      resolve({
        port: Number(m[1]),
        log: () => log,
        stop: async () => {
          child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}

test(
  "ws-relay → OpenSSH sshd: key login and exec; a target off the allow-list is refused and logged",
  {
    timeout: 120_000,
  },
  async (t) => {
    const why = requireOpenSsh("sshd", "ssh-keygen");
    if (why) return t.skip(why);
    const { dir, done } = tempDir();
    const user = await keygen(dir, "id_ed25519", "ed25519");
    const sshd = await startSshd({ authorizedKeys: [user.publicLine] });
    const relay = await startRelay([
      "--listen",
      "127.0.0.1:0",
      "--allow",
      `127.0.0.1:${sshd.port}`,
    ]);
    try {
      const url = `ws://127.0.0.1:${relay.port}/`;
      const client = await connect({
        hostname: "127.0.0.1",
        port: sshd.port,
        username: "root",
        identities: [user.key!],
        knownHosts: trustingStore(sshd.port, Object.values(sshd.hostKeys)),
        policy: "yes",
        duplex: await connectWebSocket(`${url}?target=127.0.0.1:${sshd.port}`),
      });
      const r = await client.exec("echo through the relay to OpenSSH");
      assert.equal(new TextDecoder().decode(r.stdout), "through the relay to OpenSSH\n");
      await client.close();

      const refused = await connectWebSocket(`${url}?target=127.0.0.1:22`);
      const info = await refused.closed;
      assert.equal(info.code, 4003);
      assert.equal(info.reason, "Relay refused: 127.0.0.1:22 is not on the relay's allow-list");
      for (let i = 0; i < 100 && !relay.log().includes("not on the allow-list"); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.match(
        relay.log(),
        /relay: refused #2 from 127\.0\.0\.1:\d+: target 127\.0\.0\.1:22 is not on the allow-list\n/,
      );
      assert.match(
        relay.log(),
        new RegExp(
          `relay: #1 from 127\\.0\\.0\\.1:\\d+ connected to 127\\.0\\.0\\.1:${sshd.port}\n`,
        ),
      );

      const again = await connect({
        hostname: "127.0.0.1",
        port: sshd.port,
        username: "root",
        identities: [user.key!],
        knownHosts: trustingStore(sshd.port, Object.values(sshd.hostKeys)),
        duplex: await connectWebSocket(url), // the one target allowed: no ?target= needed
      });
      await again.close();
    } finally {
      await relay.stop();
      await sshd.stop();
      done();
    }
  },
);
