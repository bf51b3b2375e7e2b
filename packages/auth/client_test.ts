import { test } from "node:test";
import assert from "node:assert/strict";
import type { PublicKey, Signer } from "@hush/keys";
import { DisconnectReason, type Message } from "@hush/wire";
import {
  authenticateClient,
  AuthError,
  type ClientAuthOptions,
  publickeySignedData,
} from "./mod.ts";
import type { AgentClient } from "./agent_client.ts";
import { connPair, nextMessage, type TestConn, testSigner } from "./test_peer.ts";

const sessionId = new Uint8Array(32).fill(7);

/** Starts the client; returns the server end and a reader of what the client sends. */
function start(options: Partial<ClientAuthOptions> = {}) {
  const [c, s] = connPair();
  const result = authenticateClient(c, { user: "alice", sessionId, ...options });
  result.catch(() => {});
  const reader = s.messages.getReader();
  return { c, s, reader, result };
}

async function expectRequest(
  reader: ReadableStreamDefaultReader<Message>,
): Promise<Message & { type: "userauthRequest" }> {
  const m = await nextMessage(reader);
  assert.equal(m?.type, "userauthRequest");
  return m as Message & { type: "userauthRequest" };
}

const failure = (methods: string[], partialSuccess = false): Message => ({
  type: "userauthFailure",
  methods,
  partialSuccess,
});

function isAuthError(reason: number) {
  return (e: unknown) => {
    assert.ok(e instanceof AuthError, String(e));
    assert.equal(e.reason, reason);
    return true;
  };
}

test("none succeeds when the server accepts it, and the reader is released", async () => {
  const { c, s, reader, result } = start();
  const req = await expectRequest(reader);
  assert.equal(req.method, "none");
  assert.equal(req.user, "alice");
  assert.equal(req.service, "ssh-connection");
  await s.send({ type: "userauthSuccess" });
  assert.deepEqual(await result, { method: "none" });
  c.messages.getReader().releaseLock(); // the lock is free for the connection layer
});

test("publickey queries first, then signs the session id and request (RFC 4252 §7)", async () => {
  const key = testSigner();
  const traces: string[] = [];
  const { s, reader, result } = start({ identities: [key], trace: (l) => traces.push(l) });
  assert.equal((await expectRequest(reader)).method, "none");
  await s.send(failure(["publickey", "password"]));
  const query = await expectRequest(reader);
  assert.ok(query.method === "publickey");
  assert.equal(query.signature, undefined);
  assert.equal(query.algorithm, "ssh-ed25519");
  assert.deepEqual(query.publicKey, key.publicKey.blob);
  await s.send({ type: "userauthPkOk", algorithm: query.algorithm, publicKey: query.publicKey });
  const signed = await expectRequest(reader);
  assert.ok(signed.method === "publickey" && signed.signature !== undefined);
  const data = publickeySignedData({
    sessionId,
    user: "alice",
    service: "ssh-connection",
    algorithm: "ssh-ed25519",
    publicKey: key.publicKey.blob,
  });
  assert.equal(await key.publicKey.verify("ssh-ed25519", signed.signature, data), true);
  await s.send({ type: "userauthSuccess" });
  assert.deepEqual(await result, { method: "publickey" });
  assert.ok(traces.some((l) => l.startsWith("Offering public key: ssh-ed25519 SHA256:")));
  assert.ok(!traces.join("\n").includes("secret"));
});

test("each key is offered once; with nothing left the error lists what was tried", async () => {
  const keys = [testSigner(), testSigner(), testSigner()];
  const { s, reader, result } = start({ identities: [keys[0], keys[1], keys[0]], password: "pw" });
  await expectRequest(reader);
  await s.send(failure(["publickey"]));
  const offered: Uint8Array[] = [];
  for (let i = 0; i < 2; i++) {
    const q = await expectRequest(reader);
    assert.ok(q.method === "publickey" && q.signature === undefined);
    offered.push(q.publicKey);
    await s.send(failure(["publickey"]));
  }
  assert.deepEqual(offered, [keys[0].publicKey.blob, keys[1].publicKey.blob]);
  await assert.rejects(result, (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.equal(e.reason, DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE);
    assert.deepEqual(e.tried, ["none", "publickey"]);
    assert.equal(e.message, "Permission denied (publickey)");
    return true;
  });
});

test("agent keys are offered after identities, skipping duplicates, and signed by the agent", async () => {
  const own = testSigner(), held = testSigner();
  const signedBy: string[] = [];
  const agent: AgentClient = {
    identities: () =>
      Promise.resolve([
        { key: own.publicKey, comment: "dup" },
        { key: held.publicKey, comment: "agent key" },
      ]),
    sign: (key: PublicKey, data: Uint8Array, algorithm?: string) => {
      signedBy.push(key.fingerprint());
      return held.sign(data, algorithm);
    },
  };
  const { s, reader, result } = start({ identities: [own], agent });
  await expectRequest(reader);
  await s.send(failure(["publickey"]));
  const q1 = await expectRequest(reader);
  assert.ok(q1.method === "publickey");
  assert.deepEqual(q1.publicKey, own.publicKey.blob);
  await s.send(failure(["publickey"]));
  const q2 = await expectRequest(reader);
  assert.ok(q2.method === "publickey");
  assert.deepEqual(q2.publicKey, held.publicKey.blob);
  await s.send({ type: "userauthPkOk", algorithm: q2.algorithm, publicKey: q2.publicKey });
  const signed = await expectRequest(reader);
  assert.ok(signed.method === "publickey" && signed.signature);
  await s.send({ type: "userauthSuccess" });
  assert.deepEqual(await result, { method: "publickey" });
  assert.deepEqual(signedBy, [held.publicKey.fingerprint()]);
});

/** An RSA-shaped signer that records the algorithm it was asked for. */
function rsaShaped(calls: string[]): Signer {
  const blob = new Uint8Array([0, 0, 0, 7, ...new TextEncoder().encode("ssh-rsa"), 0, 0, 0, 1, 1]);
  const publicKey = {
    type: "ssh-rsa",
    blob,
    signatureAlgorithms: ["rsa-sha2-512", "rsa-sha2-256"],
    verify: () => Promise.resolve(true),
    equals: (o: PublicKey) => o.blob === blob,
    fingerprint: () => "SHA256:rsa",
    toString: () => "ssh-rsa AAAA",
  } as unknown as PublicKey;
  return {
    publicKey,
    sign: (_data: Uint8Array, algorithm?: string) => {
      calls.push(algorithm ?? "");
      return Promise.resolve(new Uint8Array([0, 0, 0, 1, 65]));
    },
  };
}

test("RSA keys use the rsa-sha2 algorithm the server lists in server-sig-algs", async () => {
  for (
    const [serverSigAlgs, want] of [
      [["ssh-ed25519", "rsa-sha2-256"], "rsa-sha2-256"],
      [["rsa-sha2-512", "rsa-sha2-256"], "rsa-sha2-512"],
      [undefined, "rsa-sha2-512"],
    ] as const
  ) {
    const calls: string[] = [];
    const { s, reader, result } = start({
      identities: [rsaShaped(calls)],
      serverSigAlgs: serverSigAlgs ? [...serverSigAlgs] : undefined,
    });
    await expectRequest(reader);
    await s.send(failure(["publickey"]));
    const q = await expectRequest(reader);
    assert.ok(q.method === "publickey");
    assert.equal(q.algorithm, want);
    await s.send({ type: "userauthPkOk", algorithm: q.algorithm, publicKey: q.publicKey });
    const signed = await expectRequest(reader);
    assert.ok(signed.method === "publickey" && signed.algorithm === want);
    await s.send({ type: "userauthSuccess" });
    await result;
    assert.deepEqual(calls, [want]);
  }
});

test("an RSA key is skipped when server-sig-algs has no rsa-sha2 algorithm", async () => {
  const calls: string[] = [];
  const { s, reader, result } = start({
    identities: [rsaShaped(calls)],
    serverSigAlgs: ["ssh-ed25519"],
  });
  await expectRequest(reader);
  await s.send(failure(["publickey"]));
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
  assert.deepEqual(calls, []);
});

test("password: a callback is asked again after a failure, up to three prompts", async () => {
  let asked = 0;
  const { s, reader, result } = start({ password: () => Promise.resolve(`guess${++asked}`) });
  await expectRequest(reader);
  await s.send(failure(["password"]));
  for (let i = 1; i <= 3; i++) {
    const r = await expectRequest(reader);
    assert.ok(r.method === "password");
    assert.equal(r.password, `guess${i}`);
    await s.send(failure(["password"]));
  }
  await assert.rejects(result, (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.deepEqual(e.tried, ["none", "password"]);
    assert.ok(!e.message.includes("guess"));
    return true;
  });
  assert.equal(asked, 3);
});

test("password change: PASSWD_CHANGEREQ asks the callback and sends old and new", async () => {
  const prompts: string[] = [];
  const { s, reader, result } = start({
    password: "old",
    changePassword: ({ prompt }) => {
      prompts.push(prompt);
      return Promise.resolve("new");
    },
  });
  await expectRequest(reader);
  await s.send(failure(["password"]));
  const r = await expectRequest(reader);
  assert.ok(r.method === "password" && r.password === "old");
  await s.send({ type: "userauthPasswdChangereq", prompt: "Password expired", language: "" });
  const change = await expectRequest(reader);
  assert.ok(change.method === "password");
  assert.equal(change.password, "old");
  assert.equal(change.newPassword, "new");
  await s.send({ type: "userauthSuccess" });
  assert.deepEqual(await result, { method: "password" });
  assert.deepEqual(prompts, ["Password expired"]);
});

test("password change without a callback gives up on passwords", async () => {
  const { s, reader, result } = start({ password: "old" });
  await expectRequest(reader);
  await s.send(failure(["password"]));
  await expectRequest(reader);
  await s.send({ type: "userauthPasswdChangereq", prompt: "Password expired", language: "" });
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
});

test("keyboard-interactive: rounds of prompts with echo flags reach the callback", async () => {
  const seen: unknown[] = [];
  const { s, reader, result } = start({
    keyboardInteractive: (challenge) => {
      seen.push(challenge);
      return Promise.resolve(challenge.prompts.map((p) => `answer to ${p.prompt}`));
    },
  });
  await expectRequest(reader);
  await s.send(failure(["keyboard-interactive"]));
  const r = await expectRequest(reader);
  assert.ok(r.method === "keyboard-interactive");
  assert.equal(r.submethods, "");
  await s.send({
    type: "userauthInfoRequest",
    name: "Login",
    instruction: "Two factors",
    language: "",
    prompts: [{ prompt: "Password: ", echo: false }, { prompt: "Code: ", echo: true }],
  });
  let m = await nextMessage(reader, "keyboard-interactive");
  assert.deepEqual(m, {
    type: "userauthInfoResponse",
    responses: ["answer to Password: ", "answer to Code: "],
  });
  await s.send({
    type: "userauthInfoRequest",
    name: "",
    instruction: "",
    language: "",
    prompts: [],
  });
  m = await nextMessage(reader, "keyboard-interactive");
  assert.deepEqual(m, { type: "userauthInfoResponse", responses: [] });
  await s.send({ type: "userauthSuccess" });
  assert.deepEqual(await result, { method: "keyboard-interactive" });
  assert.deepEqual(seen, [{
    name: "Login",
    instruction: "Two factors",
    prompts: [{ prompt: "Password: ", echo: false }, { prompt: "Code: ", echo: true }],
  }]);
});

test("partial success goes on with the methods the server names", async () => {
  const key = testSigner();
  const traces: string[] = [];
  const { s, reader, result } = start({
    identities: [key],
    password: "pw",
    trace: (l) => traces.push(l),
  });
  await expectRequest(reader);
  await s.send(failure(["publickey"]));
  const q = await expectRequest(reader);
  assert.ok(q.method === "publickey");
  await s.send({ type: "userauthPkOk", algorithm: q.algorithm, publicKey: q.publicKey });
  await expectRequest(reader);
  await s.send(failure(["password"], true));
  const p = await expectRequest(reader);
  assert.ok(p.method === "password" && p.password === "pw");
  await s.send({ type: "userauthSuccess" });
  assert.deepEqual(await result, { method: "password" });
  assert.ok(traces.includes('Authenticated using "publickey" with partial success.'));
});

test("banners reach onBanner, before and during authentication", async () => {
  const banners: string[] = [];
  const [c, s] = connPair();
  await s.send({ type: "userauthBanner", message: "Welcome\r\n", language: "" });
  const result = authenticateClient(c, {
    user: "alice",
    sessionId,
    password: "pw",
    onBanner: (b) => banners.push(b),
  });
  const reader = s.messages.getReader();
  await expectRequest(reader);
  await s.send({ type: "userauthBanner", message: "Second", language: "" });
  await s.send(failure(["password"]));
  await expectRequest(reader);
  await s.send({ type: "userauthSuccess" });
  await result;
  assert.deepEqual(banners, ["Welcome\r\n", "Second"]);
});

test("a server that sends SUCCESS before any request is disconnected", async () => {
  const [c, s] = connPair();
  await s.send({ type: "userauthSuccess" });
  await assert.rejects(
    authenticateClient(c, { user: "alice", sessionId }),
    (e: unknown) => {
      assert.ok(e instanceof AuthError);
      assert.equal(e.reason, DisconnectReason.PROTOCOL_ERROR);
      assert.equal(e.message, "Server sent USERAUTH_SUCCESS before any request");
      return true;
    },
  );
  assert.equal(c.disconnected?.reason, DisconnectReason.PROTOCOL_ERROR);
  assert.equal(c.disconnected?.by, "us");
  assert.equal(c.sent.length, 0);
});

for (
  const [what, reply] of [
    ["a channel message", { type: "channelEof", recipient: 0 }],
    ["INFO_RESPONSE (61) to a password request", { type: "userauthInfoResponse", responses: [] }],
    ["a truncated message 60", {
      type: "unknown",
      number: 60,
      payload: new Uint8Array([60, 0, 0]),
    }],
    ["a client-only request", {
      type: "userauthRequest",
      user: "x",
      service: "ssh-connection",
      method: "none",
    }],
  ] as [string, Message][]
) {
  test(`unexpected messages are a protocol error: ${what}`, async () => {
    const { c, s, reader, result } = start({ password: "pw" });
    await expectRequest(reader);
    await s.send(failure(["password"]));
    await expectRequest(reader);
    await s.send(reply);
    await assert.rejects(result, isAuthError(DisconnectReason.PROTOCOL_ERROR));
    assert.equal((c as TestConn).disconnected?.reason, DisconnectReason.PROTOCOL_ERROR);
  });
}

test("PK_OK naming a key that was not offered is a protocol error", async () => {
  const key = testSigner(), other = testSigner();
  const { c, s, reader, result } = start({ identities: [key] });
  await expectRequest(reader);
  await s.send(failure(["publickey"]));
  const q = await expectRequest(reader);
  assert.ok(q.method === "publickey");
  await s.send({ type: "userauthPkOk", algorithm: q.algorithm, publicKey: other.publicKey.blob });
  await assert.rejects(result, isAuthError(DisconnectReason.PROTOCOL_ERROR));
  assert.equal(c.disconnected?.reason, DisconnectReason.PROTOCOL_ERROR);
});

test("SUCCESS in reply to an unsigned query is a protocol error", async () => {
  const { s, reader, result } = start({ identities: [testSigner()] });
  await expectRequest(reader);
  await s.send(failure(["publickey"]));
  await expectRequest(reader);
  await s.send({ type: "userauthSuccess" });
  await assert.rejects(result, isAuthError(DisconnectReason.PROTOCOL_ERROR));
});

test("a signer that fails is skipped and the next key offered", async () => {
  const broken: Signer = {
    publicKey: testSigner().publicKey,
    sign: () => Promise.reject(new Error("token removed")),
  };
  const good = testSigner();
  const { s, reader, result } = start({ identities: [broken, good] });
  await expectRequest(reader);
  await s.send(failure(["publickey"]));
  let q = await expectRequest(reader);
  assert.ok(q.method === "publickey");
  await s.send({ type: "userauthPkOk", algorithm: q.algorithm, publicKey: q.publicKey });
  q = await expectRequest(reader);
  assert.ok(q.method === "publickey" && q.signature === undefined);
  assert.deepEqual(q.publicKey, good.publicKey.blob);
  await s.send(failure(["publickey"]));
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
});

test("the connection closing is CONNECTION_LOST; an abort is BY_APPLICATION", async () => {
  const first = start();
  await expectRequest(first.reader);
  await first.s.disconnect(DisconnectReason.BY_APPLICATION, "bye");
  await assert.rejects(first.result, isAuthError(DisconnectReason.CONNECTION_LOST));

  const controller = new AbortController();
  const second = start({ signal: controller.signal });
  await expectRequest(second.reader);
  controller.abort(new Error("user pressed ^C"));
  await assert.rejects(second.result, isAuthError(DisconnectReason.BY_APPLICATION));
});

test("a keyboard-interactive callback that throws cancels authentication", async () => {
  const { s, reader, result } = start({
    keyboardInteractive: () => Promise.reject(new Error("no tty")),
  });
  await expectRequest(reader);
  await s.send(failure(["keyboard-interactive"]));
  await expectRequest(reader);
  await s.send({
    type: "userauthInfoRequest",
    name: "",
    instruction: "",
    language: "",
    prompts: [{ prompt: "Code: ", echo: true }],
  });
  await assert.rejects(result, isAuthError(DisconnectReason.AUTH_CANCELLED_BY_USER));
});

test("an agent that cannot list its keys is skipped; identities are still offered", async () => {
  const key = testSigner();
  const traces: string[] = [];
  const agent: AgentClient = {
    identities: () =>
      Promise.reject(
        new AuthError("Agent refused the identities request", DisconnectReason.BY_APPLICATION),
      ),
    sign: () => Promise.reject(new Error("unreachable")),
  };
  const { s, reader, result } = start({ identities: [key], agent, trace: (l) => traces.push(l) });
  await expectRequest(reader);
  await s.send(failure(["publickey"]));
  const q = await expectRequest(reader);
  assert.ok(q.method === "publickey");
  assert.deepEqual(q.publicKey, key.publicKey.blob);
  await s.send(failure(["publickey"]));
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
  assert.ok(traces.includes("Cannot list agent keys: Agent refused the identities request"));
});

test("password change requests are answered at most passwordPrompts times", async () => {
  let asked = 0;
  const { s, reader, result } = start({
    password: "old",
    passwordPrompts: 2,
    changePassword: () => Promise.resolve(`new${++asked}`),
  });
  await expectRequest(reader);
  await s.send(failure(["password"]));
  await expectRequest(reader);
  for (let i = 0; i < 2; i++) {
    await s.send({ type: "userauthPasswdChangereq", prompt: "Choose another", language: "" });
    const r = await expectRequest(reader);
    assert.ok(r.method === "password" && r.newPassword === `new${i + 1}`);
  }
  await s.send({ type: "userauthPasswdChangereq", prompt: "Choose another", language: "" });
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
  assert.equal(asked, 2);
});

test("keyboard-interactive is tried at most passwordPrompts (3) times", async () => {
  let rounds = 0;
  const { s, reader, result } = start({
    keyboardInteractive: () => Promise.resolve([`try${++rounds}`]),
  });
  await expectRequest(reader);
  await s.send(failure(["keyboard-interactive"]));
  for (let i = 0; i < 3; i++) {
    const r = await expectRequest(reader);
    assert.ok(r.method === "keyboard-interactive");
    await s.send({
      type: "userauthInfoRequest",
      name: "",
      instruction: "",
      language: "",
      prompts: [{ prompt: "Code: ", echo: true }],
    });
    assert.equal((await nextMessage(reader, "keyboard-interactive"))?.type, "userauthInfoResponse");
    await s.send(failure(["keyboard-interactive"]));
  }
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
  assert.equal(rounds, 3);
});
