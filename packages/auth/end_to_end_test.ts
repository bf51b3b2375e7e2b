import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duplex } from "node:stream";
import { certificateSigner, generateKey, parsePublicKeyLine, type PublicKey } from "@hush/keys";
import { type ByteDuplex, DisconnectReason } from "@hush/wire";
import {
  authenticateClient,
  authenticateServer,
  AuthError,
  type ClientAuthOptions,
  createAgentClient,
  type ServerAuthOptions,
} from "./mod.ts";
import { connPair, testSigner } from "./test_peer.ts";

const sessionId = crypto.getRandomValues(new Uint8Array(32));

/** Runs both sides over an in-memory pair; the client disconnects when it gives up. */
async function run(client: Partial<ClientAuthOptions>, server: Partial<ServerAuthOptions>) {
  const [c, s] = connPair();
  const serverSide = authenticateServer(s, { sessionId, ...server });
  serverSide.catch(() => {});
  const clientSide = authenticateClient(c, { user: "alice", sessionId, ...client }).catch(
    async (e) => {
      await c.disconnect(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE, "Authentication failed");
      throw e;
    },
  );
  const [clientResult, serverResult] = await Promise.allSettled([clientSide, serverSide]);
  return { clientResult, serverResult, c, s };
}

function value<T>(r: PromiseSettledResult<T>): T {
  if (r.status === "rejected") throw r.reason;
  return r.value;
}

test("publickey against authorized_keys: the server learns the key and its options", async () => {
  const wrong = testSigner(), right = testSigner();
  const traces: string[] = [];
  const { clientResult, serverResult, c } = await run(
    { identities: [wrong, right], trace: (l) => traces.push(l) },
    { authorizedKeys: `no-pty,command="uptime" ${right.publicKey.toString()}`, banner: "Hello\n" },
  );
  assert.deepEqual(value(clientResult), { method: "publickey" });
  const who = value(serverResult);
  assert.equal(who.user, "alice");
  assert.ok(who.key?.equals(right.publicKey));
  assert.deepEqual(who.options, { noPty: true, command: "uptime" });
  // none, a query for each key, one signed request: the server refused the wrong key's query
  // (as OpenSSH does), so the client never signed with it
  const requests = c.sent.filter((m) => m.type === "userauthRequest");
  assert.equal(requests.length, 4);
  assert.equal(requests.filter((m) => m.method === "publickey" && m.signature).length, 1);
  assert.ok(traces.some((l) => l.includes(right.publicKey.fingerprint())));
});

test("multi-factor: publickey then password, then keyboard-interactive as an alternative", async () => {
  const key = testSigner();
  const server: Partial<ServerAuthOptions> = {
    publickey: (_u, k) => k.equals(key.publicKey),
    password: (_u, pw) => pw === "hunter2",
    keyboardInteractive: async (_u, ask) =>
      (await ask({ prompts: [{ prompt: "OTP: ", echo: true }] }))[0] === "123",
    required: [["publickey", "password"], ["publickey", "keyboard-interactive"]],
  };
  const first = await run({ identities: [key], password: "hunter2" }, server);
  assert.deepEqual(value(first.clientResult), { method: "password" });
  assert.deepEqual(value(first.serverResult).methods, ["publickey", "password"]);

  const second = await run({
    identities: [key],
    keyboardInteractive: () => Promise.resolve(["123"]),
  }, server);
  assert.deepEqual(value(second.clientResult), { method: "keyboard-interactive" });
  assert.deepEqual(value(second.serverResult).methods, ["publickey", "keyboard-interactive"]);

  const third = await run({ identities: [key], password: "wrong" }, server);
  assert.equal(third.clientResult.status, "rejected");
  const error = (third.clientResult as PromiseRejectedResult).reason;
  assert.ok(error instanceof AuthError);
  assert.deepEqual(error.tried, ["none", "publickey", "password"]);
  assert.equal(error.message, "Permission denied (password,keyboard-interactive)");
  assert.equal(third.serverResult.status, "rejected");
});

test("password change end to end", async () => {
  let stored = "old";
  const { clientResult, serverResult } = await run(
    { password: "old", changePassword: () => Promise.resolve("new-and-long") },
    {
      password: (_u, pw) => (pw === stored ? { changePrompt: "Password expired" } : false),
      changePassword: (_u, old, neu) => (old === stored ? ((stored = neu), true) : false),
    },
  );
  assert.deepEqual(value(clientResult), { method: "password" });
  assert.equal(value(serverResult).method, "password");
  assert.equal(stored, "new-and-long");
});

test("too many keys: the server disconnects after six failures and the client sees it", async () => {
  const keys = Array.from({ length: 8 }, () => testSigner());
  const { clientResult, serverResult } = await run({ identities: keys }, {
    publickey: () => false,
  });
  assert.equal(clientResult.status, "rejected");
  assert.equal(
    (clientResult as PromiseRejectedResult).reason.reason,
    DisconnectReason.CONNECTION_LOST,
  );
  assert.equal(serverResult.status, "rejected");
  assert.equal(
    (serverResult as PromiseRejectedResult).reason.reason,
    DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE,
  );
});

test("generated keys from @hush/keys: ECDSA and RSA with server-sig-algs", async () => {
  for (const type of ["ecdsa-sha2-nistp256", "ssh-rsa"] as const) {
    const key = await generateKey(type, type === "ssh-rsa" ? { bits: 2048 } : {});
    let used: PublicKey | undefined;
    const { clientResult } = await run(
      { identities: [key], serverSigAlgs: ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-256"] },
      { publickey: (_u, k) => ((used = k), k.equals(key.publicKey)) },
    );
    assert.deepEqual(value(clientResult), { method: "publickey" });
    assert.ok(used?.equals(key.publicKey));
  }
});

test("a user certificate as the client key, accepted through cert-authority", async (t) => {
  if (spawnSync("sh", ["-c", "command -v ssh-keygen"]).status !== 0) {
    if (process.env.CI === "true") throw new Error("ssh-keygen not installed");
    return t.skip("ssh-keygen not installed");
  }
  const dir = mkdtempSync(join(tmpdir(), "hush-auth-e2e-"));
  try {
    const user = testSigner();
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(dir, "ca")]);
    writeFileSync(join(dir, "user.pub"), user.publicKey.toString() + "\n");
    execFileSync("ssh-keygen", [
      "-q",
      "-s",
      join(dir, "ca"),
      "-I",
      "alice@test",
      "-n",
      "alice",
      join(dir, "user.pub"),
    ], {
      stdio: "ignore",
    });
    const cert = parsePublicKeyLine(readFileSync(join(dir, "user-cert.pub"), "utf8")).key;
    const signer = certificateSigner(user, cert);
    const ca = readFileSync(join(dir, "ca.pub"), "utf8").trim();
    const { clientResult, serverResult } = await run(
      { identities: [signer] },
      { authorizedKeys: `cert-authority,principals="alice" ${ca}` },
    );
    assert.deepEqual(value(clientResult), { method: "publickey" });
    const who = value(serverResult);
    assert.equal(who.key?.type, "ssh-ed25519-cert-v01@openssh.com");
    assert.equal(who.options?.certAuthority, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("keys from a real ssh-agent sign for the client", async (t) => {
  for (const tool of ["ssh-agent", "ssh-add", "ssh-keygen"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
      if (process.env.CI === "true") throw new Error(`${tool} not installed`);
      return t.skip(`${tool} not installed`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "hush-auth-agent-"));
  const socket = join(dir, "agent.sock");
  const child: ChildProcess = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
  const agent = await (async () => {
    for (let i = 0; i < 200 && !existsSync(socket); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    return createAgentClient(Duplex.toWeb(connect(socket)) as unknown as ByteDuplex);
  })();
  try {
    const file = join(dir, "id_rsa");
    execFileSync("ssh-keygen", [
      "-q",
      "-t",
      "rsa",
      "-b",
      "2048",
      "-N",
      "",
      "-C",
      "agent rsa",
      "-f",
      file,
    ]);
    execFileSync("ssh-add", ["-q", file], {
      env: { ...process.env, SSH_AUTH_SOCK: socket },
      stdio: "ignore",
    });
    const pub = parsePublicKeyLine(readFileSync(`${file}.pub`, "utf8")).key;
    const decoy = testSigner();
    const { clientResult, serverResult, c } = await run(
      { agent, identities: [decoy], serverSigAlgs: ["rsa-sha2-256"] },
      { publickey: (_u, k) => k.equals(pub) },
    );
    assert.deepEqual(value(clientResult), { method: "publickey" });
    assert.ok(value(serverResult).key?.equals(pub));
    const signed = c.sent.filter((m) =>
      m.type === "userauthRequest" && m.method === "publickey" && m.signature
    );
    assert.equal(signed.length, 1, "the decoy's query was refused: only the agent key signed");
    const last = signed.at(-1)!;
    assert.ok(last.type === "userauthRequest" && last.method === "publickey");
    assert.equal(last.algorithm, "rsa-sha2-256");
  } finally {
    await agent.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
