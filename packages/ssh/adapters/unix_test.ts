import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePublicKeyLine } from "@hush/keys";
import { connectAgent, connectUnix } from "./unix.ts";

function missing(...bins: string[]): string | undefined {
  const gone = bins.filter((b) => spawnSync(b, ["-?"]).error !== undefined);
  if (gone.length === 0) return undefined;
  if (process.env.CI === "true") {
    throw new Error(`${gone.join(", ")} not installed; under CI a failure`);
  }
  return `${gone.join(", ")} not installed`;
}

test("connectUnix: bytes both ways through a Unix socket echo server", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hush-unix-"));
  const path = join(dir, "echo.sock");
  const server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(path, () => r()));
  try {
    const conn = await connectUnix(path);
    const w = conn.writable.getWriter();
    await w.write(new TextEncoder().encode("ping"));
    const r = conn.readable.getReader();
    let got = "";
    while (got.length < 4) got += new TextDecoder().decode((await r.read()).value);
    assert.equal(got, "ping");
    r.releaseLock();
    w.releaseLock();
    conn.close();
  } finally {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test("connectAgent: lists and signs with a key held by a real ssh-agent", async (t) => {
  const why = missing("ssh-agent", "ssh-add", "ssh-keygen");
  if (why) return t.skip(why);
  const dir = mkdtempSync(join(tmpdir(), "hush-agent-"));
  const sock = join(dir, "agent.sock");
  const agentProcess = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
  try {
    for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 10));
    const file = join(dir, "id_ed25519");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "agent-key", "-f", file]);
    execFileSync("ssh-add", ["-q", file], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    const pub = parsePublicKeyLine(readFileSync(`${file}.pub`, "utf8")).key;
    const agent = await connectAgent(sock);
    const ids = await agent.identities();
    assert.equal(ids.length, 1);
    assert.ok(ids[0].key.equals(pub));
    assert.equal(ids[0].comment, "agent-key");
    const data = new TextEncoder().encode("sign me");
    const sig = await agent.sign(pub, data);
    assert.ok(await pub.verify("ssh-ed25519", sig, data));
    await agent.close();
    await assert.rejects(connectAgent(join(dir, "nope.sock")));
  } finally {
    agentProcess.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
});
