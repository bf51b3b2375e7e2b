import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duplex } from "node:stream";
import { parsePublicKeyLine } from "@hush/keys";
import { type ByteDuplex, DisconnectReason, SshReader, SshWriter } from "@hush/wire";
import {
  AGENT_FRAME_LIMIT,
  agentSigner,
  AuthError,
  createAgentClient,
  type SshAgentClient,
} from "./mod.ts";
import { testSigner } from "./test_peer.ts";

function have(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
}

function skipUnless(t: { skip(message?: string): void }, tools: string[]): boolean {
  for (const tool of tools) {
    if (have(tool)) continue;
    if (process.env.CI === "true") throw new Error(`${tool} not installed`);
    t.skip(`${tool} not installed`);
    return true;
  }
  return false;
}

/** A real ssh-agent on a temporary socket, with an ed25519 and an RSA key added. */
async function startAgent(): Promise<{
  socket: string;
  dir: string;
  child: ChildProcess;
  pubs: Record<string, string>;
  stop(): void;
}> {
  const dir = mkdtempSync(join(tmpdir(), "hush-agent-"));
  const socket = join(dir, "agent.sock");
  const child = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
  for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(existsSync(socket), "ssh-agent did not create its socket");
  const pubs: Record<string, string> = {};
  for (const [type, extra] of [["ed25519", []], ["rsa", ["-b", "2048"]]] as const) {
    const file = join(dir, `id_${type}`);
    execFileSync("ssh-keygen", [
      "-q",
      "-t",
      type,
      ...extra,
      "-N",
      "",
      "-C",
      `test ${type}`,
      "-f",
      file,
    ]);
    execFileSync("ssh-add", ["-q", file], {
      env: { ...process.env, SSH_AUTH_SOCK: socket },
      stdio: "ignore",
    });
    pubs[type] = readFileSync(`${file}.pub`, "utf8");
  }
  return {
    socket,
    dir,
    child,
    pubs,
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function connectAgent(socket: string): SshAgentClient {
  const duplex = Duplex.toWeb(connect(socket)) as unknown as ByteDuplex;
  return createAgentClient(duplex);
}

test("real ssh-agent: identities, signatures with rsa-sha2 flags, add and remove", async (t) => {
  if (skipUnless(t, ["ssh-agent", "ssh-add", "ssh-keygen"])) return;
  const agent = await startAgent();
  const client = connectAgent(agent.socket);
  try {
    const ids = await client.identities();
    assert.deepEqual(ids.map((i) => i.comment).sort(), ["test ed25519", "test rsa"]);
    const ed = ids.find((i) => i.key.type === "ssh-ed25519")!;
    const rsa = ids.find((i) => i.key.type === "ssh-rsa")!;
    assert.ok(ed.key.equals(parsePublicKeyLine(agent.pubs.ed25519).key));
    assert.ok(rsa.key.equals(parsePublicKeyLine(agent.pubs.rsa).key));

    const data = new TextEncoder().encode("session id and request");
    const edSig = await client.sign(ed.key, data);
    assert.equal(await ed.key.verify("ssh-ed25519", edSig, data), true);

    for (const algorithm of ["rsa-sha2-256", "rsa-sha2-512"]) {
      const sig = await client.sign(rsa.key, data, algorithm);
      assert.equal(new SshReader(sig).ascii(), algorithm);
      assert.equal(await rsa.key.verify(algorithm, sig, data), true);
    }
    const byDefault = await client.sign(rsa.key, data);
    assert.equal(new SshReader(byDefault).ascii(), "rsa-sha2-512");
    await assert.rejects(client.sign(rsa.key, data, "ssh-ed25519"), TypeError);

    const signer = agentSigner(client, rsa.key);
    const viaSigner = await signer.sign(data, "rsa-sha2-256");
    assert.equal(await signer.publicKey.verify("rsa-sha2-256", viaSigner, data), true);

    // a key the agent does not hold
    const stranger = testSigner();
    await assert.rejects(client.sign(stranger.publicKey, data), (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.message, "Agent refused the sign request");
      return true;
    });

    // add (ed25519 private key fields as PROTOCOL.agent lays them out), use, remove
    const keyData = new SshWriter()
      .string("ssh-ed25519")
      .string(stranger.publicKey.blob.subarray(19))
      .string(stranger.privateBytes)
      .finish();
    await client.add(keyData, "added by hush", { lifetime: 60 });
    const added = (await client.identities()).find((i) => i.comment === "added by hush");
    assert.ok(added?.key.equals(stranger.publicKey));
    const addedSig = await client.sign(stranger.publicKey, data);
    assert.equal(await stranger.publicKey.verify("ssh-ed25519", addedSig, data), true);
    await client.remove(stranger.publicKey);
    assert.equal((await client.identities()).length, 2);
    await assert.rejects(client.remove(stranger.publicKey), AuthError);
    await client.removeAll();
    assert.deepEqual(await client.identities(), []);

    // ssh-add -l agrees
    const listed = spawnSync("ssh-add", ["-l"], {
      env: { ...process.env, SSH_AUTH_SOCK: agent.socket },
    });
    assert.equal(listed.status, 1); // "The agent has no identities."
  } finally {
    await client.close();
    agent.stop();
  }
  await assert.rejects(client.identities(), AuthError);
});

test("real ssh-agent: concurrent requests are answered in order", async (t) => {
  if (skipUnless(t, ["ssh-agent", "ssh-add", "ssh-keygen"])) return;
  const agent = await startAgent();
  const client = connectAgent(agent.socket);
  try {
    const [ids] = await Promise.all([client.identities(), client.identities()]);
    const ed = ids.find((i) => i.key.type === "ssh-ed25519")!;
    const inputs = ["a", "b", "c", "d"].map((s) => new TextEncoder().encode(s));
    const sigs = await Promise.all(inputs.map((d) => client.sign(ed.key, d)));
    for (const [i, sig] of sigs.entries()) {
      assert.equal(await ed.key.verify("ssh-ed25519", sig, inputs[i]), true);
    }
  } finally {
    await client.close();
    agent.stop();
  }
});

/** An in-memory agent answering each request frame with `respond`'s chunks. */
function fakeAgent(respond: (request: Uint8Array) => Uint8Array[] | "close"): ByteDuplex {
  let out!: ReadableStreamDefaultController<Uint8Array>;
  const readable = new ReadableStream<Uint8Array>({ start: (c) => void (out = c) });
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      const reply = respond(chunk.subarray(4));
      if (reply === "close") out.close();
      else for (const part of reply) out.enqueue(part);
    },
  });
  return { readable, writable };
}

function frame(body: Uint8Array): Uint8Array {
  return new SshWriter().string(body).finish();
}

test("a reply split into single bytes is reassembled", async () => {
  const key = testSigner();
  const body = new SshWriter().byte(12).uint32(1).string(key.publicKey.blob).string("split")
    .finish();
  const bytes = frame(body);
  const agent = createAgentClient(fakeAgent(() => [...bytes].map((b) => new Uint8Array([b]))));
  const ids = await agent.identities();
  assert.equal(ids.length, 1);
  assert.equal(ids[0].comment, "split");
  assert.ok(ids[0].key.equals(key.publicKey));
});

test("keys of unknown types are left out of the identities", async () => {
  const key = testSigner();
  const body = new SshWriter().byte(12).uint32(2)
    .string(new SshWriter().string("sk-unknown@example.com").string("x").finish()).string("odd")
    .string(key.publicKey.blob).string("good").finish();
  const ids = await createAgentClient(fakeAgent(() => [frame(body)])).identities();
  assert.deepEqual(ids.map((i) => i.comment), ["good"]);
});

test("frames at the limit are read; one byte past breaks the connection", async () => {
  // At the bound: a SUCCESS padded... is malformed, so use an identities answer with a long comment.
  const key = testSigner();
  const head = new SshWriter().byte(12).uint32(1).string(key.publicKey.blob).finish();
  const commentLength = AGENT_FRAME_LIMIT - head.length - 4;
  const atLimit = new SshWriter().raw(head).string("c".repeat(commentLength)).finish();
  assert.equal(atLimit.length, AGENT_FRAME_LIMIT);
  const ok = await createAgentClient(fakeAgent(() => [frame(atLimit)])).identities();
  assert.equal(ok[0].comment.length, commentLength);

  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, AGENT_FRAME_LIMIT + 1);
  const agent = createAgentClient(fakeAgent(() => [header]));
  await assert.rejects(agent.identities(), (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.equal(
      e.message,
      `Agent sent a frame of ${AGENT_FRAME_LIMIT + 1} bytes (limit ${AGENT_FRAME_LIMIT})`,
    );
    return true;
  });
  await assert.rejects(agent.identities(), AuthError); // the connection stays broken
});

for (
  const [what, body] of [
    ["an empty frame", new Uint8Array(0)],
    ["a truncated identities answer", new Uint8Array([12, 0, 0, 0, 1, 0, 0, 0, 9])],
    ["an absurd identity count", new Uint8Array([12, 0xff, 0xff, 0xff, 0xff])],
    ["trailing bytes", new Uint8Array([12, 0, 0, 0, 0, 1])],
    ["an unexpected message", new Uint8Array([14, 0, 0, 0, 0])],
    ["a refusal", new Uint8Array([5])],
  ] as const
) {
  test(`malformed or unexpected replies are AuthErrors: ${what}`, async () => {
    const agent = createAgentClient(
      fakeAgent(() => [body.length ? frame(body) : new Uint8Array(4)]),
    );
    await assert.rejects(agent.identities(), (e: unknown) => e instanceof AuthError);
  });
}

test("a signature with another algorithm than asked for is refused", async () => {
  const key = testSigner();
  const wrong = new SshWriter().string("ssh-rsa").string(new Uint8Array(8)).finish();
  const agent = createAgentClient(
    fakeAgent(() => [frame(new SshWriter().byte(14).string(wrong).finish())]),
  );
  await assert.rejects(agent.sign(key.publicKey, new Uint8Array(3)), (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.match(e.message, /Agent signed with ssh-rsa instead of ssh-ed25519/);
    return true;
  });
});

test("an agent that closes is CONNECTION_LOST", async () => {
  const agent = createAgentClient(fakeAgent(() => "close"));
  await assert.rejects(agent.identities(), (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.equal(e.reason, DisconnectReason.CONNECTION_LOST);
    return true;
  });
});

test("the sign request carries the rsa-sha2 flags", async () => {
  const flags: number[] = [];
  const rsaLike = {
    ...testSigner().publicKey,
    type: "ssh-rsa",
    blob: new Uint8Array([0, 0, 0, 1, 1]),
    signatureAlgorithms: ["rsa-sha2-512", "rsa-sha2-256"],
  };
  const agent = createAgentClient(fakeAgent((req) => {
    const r = new SshReader(req);
    r.byte();
    r.string();
    r.string();
    flags.push(r.uint32());
    const alg = ["", "", "rsa-sha2-256", "", "rsa-sha2-512"][flags.at(-1)!];
    return [
      frame(
        new SshWriter().byte(14).string(new SshWriter().string(alg).string("s").finish()).finish(),
      ),
    ];
  }));
  await agent.sign(rsaLike, new Uint8Array(1), "rsa-sha2-256");
  await agent.sign(rsaLike, new Uint8Array(1), "rsa-sha2-512");
  await agent.sign(rsaLike, new Uint8Array(1));
  assert.deepEqual(flags, [2, 4, 4]);
});
