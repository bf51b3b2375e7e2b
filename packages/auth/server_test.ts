import { test } from "node:test";
import assert from "node:assert/strict";
import type { PublicKey } from "@hush/keys";
import { DisconnectReason, type Message } from "@hush/wire";
import {
  authenticateServer,
  AuthError,
  publickeySignedData,
  type ServerAuthOptions,
} from "./mod.ts";
import { connPair, fakeTimers, nextMessage, testSigner } from "./test_peer.ts";

const sessionId = new Uint8Array(32).fill(9);

/** Starts the server; returns the client end, a reader of what the server sends, the result. */
function start(options: Partial<ServerAuthOptions> = {}) {
  const [c, s] = connPair();
  // fake timers unless a test brings its own: a real 120 s grace timer would keep Node alive
  const result = authenticateServer(s, { sessionId, timers: fakeTimers(), ...options });
  result.catch(() => {});
  const reader = c.messages.getReader();
  const reply = (auth?: "publickey" | "password" | "keyboard-interactive") =>
    nextMessage(reader, auth);
  const request = (m: Record<string, unknown>) =>
    c.send({ type: "userauthRequest", user: "alice", service: "ssh-connection", ...m } as Message);
  return { c, s, reader, reply, request, result };
}

async function signedRequest(
  signer: ReturnType<typeof testSigner>,
  user = "alice",
  service = "ssh-connection",
  signWith = signer,
) {
  const algorithm = "ssh-ed25519";
  const publicKey = signer.publicKey.blob;
  const signature = await signWith.sign(
    publickeySignedData({ sessionId, user, service, algorithm, publicKey }),
  );
  return { method: "publickey", algorithm, publicKey, signature, user, service };
}

const failure = (methods: string[], partialSuccess = false) => ({
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

test("none returns the configured methods, after the banner", async () => {
  const { reply, request, result, c } = start({
    banner: "Authorized use only\r\n",
    password: () => false,
    publickey: () => false,
    keyboardInteractive: () => false,
  });
  await request({ method: "none" });
  assert.deepEqual(await reply(), {
    type: "userauthBanner",
    message: "Authorized use only\r\n",
    language: "",
  });
  assert.deepEqual(await reply(), failure(["publickey", "keyboard-interactive", "password"]));
  await request({ method: "none" });
  assert.deepEqual(await reply(), failure(["publickey", "keyboard-interactive", "password"]));
  await c.disconnect(DisconnectReason.BY_APPLICATION, "bye");
  await assert.rejects(result, isAuthError(DisconnectReason.CONNECTION_LOST));
});

test("publickey: a query gets PK_OK only for a key the callback accepts, asked again when signed", async () => {
  const key = testSigner(), other = testSigner();
  const asked: [PublicKey, boolean | undefined][] = [];
  const { reply, request, result } = start({
    publickey: (user, k, context) => {
      asked.push([k, context.signed]);
      return user === "alice" && k.equals(key.publicKey);
    },
  });
  // a key that would not do is refused at the query: the client never signs with it
  await request({ method: "publickey", algorithm: "ssh-ed25519", publicKey: other.publicKey.blob });
  assert.deepEqual(await reply(), failure(["publickey"]));
  await request({ method: "publickey", algorithm: "ssh-ed25519", publicKey: key.publicKey.blob });
  assert.deepEqual(await reply("publickey"), {
    type: "userauthPkOk",
    algorithm: "ssh-ed25519",
    publicKey: key.publicKey.blob,
  });
  assert.deepEqual(asked.map(([k, signed]) => [k.equals(key.publicKey), signed]), [
    [false, false],
    [true, false],
  ]);
  await request(await signedRequest(key));
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  const who = await result;
  assert.equal(who.user, "alice");
  assert.equal(who.method, "publickey");
  assert.deepEqual(who.methods, ["publickey"]);
  assert.ok(who.key?.equals(key.publicKey));
  assert.equal(asked.length, 3);
  assert.ok(asked[2][0].equals(key.publicKey));
  assert.equal(asked[2][1], true);
});

test("publickey: a refused query is a failed attempt, counted towards maxAuthTries", async () => {
  const { reply, request, c, result } = start({ publickey: () => false, maxAuthTries: 3 });
  for (let i = 0; i < 2; i++) {
    const k = testSigner();
    await request({ method: "publickey", algorithm: "ssh-ed25519", publicKey: k.publicKey.blob });
    assert.deepEqual(await reply(), failure(["publickey"]));
  }
  const k = testSigner();
  await request({ method: "publickey", algorithm: "ssh-ed25519", publicKey: k.publicKey.blob });
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
  assert.ok(c.disconnected);
});

test("publickey: authorized_keys answers queries too, and its options come with the success", async () => {
  const key = testSigner(), other = testSigner();
  const { reply, request, result } = start({
    authorizedKeys: `no-pty ${key.publicKey.toString()}`,
  });
  await request({ method: "publickey", algorithm: "ssh-ed25519", publicKey: other.publicKey.blob });
  assert.deepEqual(await reply(), failure(["publickey"]));
  await request({ method: "publickey", algorithm: "ssh-ed25519", publicKey: key.publicKey.blob });
  assert.equal((await reply("publickey"))?.type, "userauthPkOk");
  await request(await signedRequest(key));
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  assert.equal((await result).options?.noPty, true);
});

test("publickey: pkOkForAnyKey answers every query without asking; the callback sees only the verified key", async () => {
  const key = testSigner(), other = testSigner();
  const asked: PublicKey[] = [];
  const { reply, request, result } = start({
    pkOkForAnyKey: true,
    publickey: (user, k, context) => {
      assert.equal(context.signed, true);
      asked.push(k);
      return user === "alice" && k.equals(key.publicKey);
    },
  });
  for (const k of [other, key]) {
    await request({ method: "publickey", algorithm: "ssh-ed25519", publicKey: k.publicKey.blob });
    assert.deepEqual(await reply("publickey"), {
      type: "userauthPkOk",
      algorithm: "ssh-ed25519",
      publicKey: k.publicKey.blob,
    });
  }
  assert.equal(asked.length, 0);
  await request(await signedRequest(other));
  assert.deepEqual(await reply(), failure(["publickey"]));
  await request(await signedRequest(key));
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  assert.ok((await result).key?.equals(key.publicKey));
  assert.equal(asked.length, 2);
});

test("publickey: a bad signature fails without asking the callback", async () => {
  const key = testSigner(), other = testSigner();
  let asked = 0;
  const { reply, request } = start({ publickey: () => (asked++, true) });
  await request(await signedRequest(key, "alice", "ssh-connection", other));
  assert.deepEqual(await reply(), failure(["publickey"]));
  // signed for another user or service: the signed data differs
  const wrongUser = await signedRequest(key, "bob");
  await request({ ...wrongUser, user: "alice" });
  assert.deepEqual(await reply(), failure(["publickey"]));
  assert.equal(asked, 0);
});

test("publickey: PK_OK for one key never authorizes another", async () => {
  const accepted = testSigner(), other = testSigner();
  const { reply, request } = start({ publickey: (_u, k) => k.equals(accepted.publicKey) });
  await request({
    method: "publickey",
    algorithm: "ssh-ed25519",
    publicKey: accepted.publicKey.blob,
  });
  assert.equal((await reply("publickey"))?.type, "userauthPkOk");
  // the other key's blob with a signature by the accepted key
  await request(await signedRequest(other, "alice", "ssh-connection", accepted));
  assert.deepEqual(await reply(), failure(["publickey"]));
  // the other key properly signed: verified, but the callback refuses it
  await request(await signedRequest(other));
  assert.deepEqual(await reply(), failure(["publickey"]));
});

test("publickey: the algorithm must match the key type", async () => {
  const key = testSigner();
  const { reply, request } = start({ publickey: () => true });
  for (const algorithm of ["rsa-sha2-256", "ssh-rsa", "ecdsa-sha2-nistp256"]) {
    await request({ method: "publickey", algorithm, publicKey: key.publicKey.blob });
    assert.deepEqual(await reply(), failure(["publickey"]));
  }
  const signed = await signedRequest(key);
  await request({ ...signed, algorithm: "rsa-sha2-512" });
  assert.deepEqual(await reply(), failure(["publickey"]));
  await request({
    method: "publickey",
    algorithm: "ssh-ed25519",
    publicKey: new Uint8Array([0, 0, 0, 1, 120]),
  });
  assert.deepEqual(await reply(), failure(["publickey"]));
});

test("password: right, wrong, and a password change", async () => {
  const changes: string[][] = [];
  const { reply, request, result } = start({
    password: (
      user,
      pw,
    ) => (pw === "expired"
      ? { changePrompt: "Password expired, choose another" }
      : pw === `${user}-pw`),
    changePassword: (user, old, neu) => (changes.push([user, old, neu]), neu.length >= 8),
  });
  await request({ method: "password", password: "wrong" });
  assert.deepEqual(await reply(), failure(["password"]));
  await request({ method: "password", password: "expired" });
  assert.deepEqual(await reply("password"), {
    type: "userauthPasswdChangereq",
    prompt: "Password expired, choose another",
    language: "",
  });
  await request({ method: "password", password: "expired", newPassword: "short" });
  assert.deepEqual(await reply(), failure(["password"]));
  await request({ method: "password", password: "wrong", newPassword: "long enough" });
  assert.deepEqual(await reply(), failure(["password"]));
  await request({ method: "password", password: "expired", newPassword: "long enough" });
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  assert.equal((await result).method, "password");
  assert.deepEqual(changes, [["alice", "expired", "short"], ["alice", "expired", "long enough"]]);
});

test("keyboard-interactive: rounds of prompts through ask()", async () => {
  const { c, reply, request, result } = start({
    keyboardInteractive: async (user, ask, submethods) => {
      assert.equal(submethods, "pam");
      const [pw] = await ask({
        instruction: `Hello ${user}`,
        prompts: [{ prompt: "Password: ", echo: false }],
      });
      const [code] = await ask({ name: "2FA", prompts: [{ prompt: "Code: ", echo: true }] });
      return pw === "pw" && code === "123456";
    },
  });
  await request({ method: "keyboard-interactive", language: "", submethods: "pam" });
  assert.deepEqual(await reply("keyboard-interactive"), {
    type: "userauthInfoRequest",
    name: "",
    instruction: "Hello alice",
    language: "",
    prompts: [{ prompt: "Password: ", echo: false }],
  });
  await c.send({ type: "userauthInfoResponse", responses: ["pw"] });
  const second = await reply("keyboard-interactive");
  assert.ok(
    second?.type === "userauthInfoRequest" && second.name === "2FA" && second.prompts[0].echo,
  );
  await c.send({ type: "userauthInfoResponse", responses: ["123456"] });
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  assert.equal((await result).method, "keyboard-interactive");
});

test("keyboard-interactive: the wrong number of answers is a protocol error", async () => {
  const { c, reply, request, result } = start({
    keyboardInteractive: async (
      _u,
      ask,
    ) => (await ask({ prompts: [{ prompt: "Code: ", echo: true }] }), true),
  });
  await request({ method: "keyboard-interactive", language: "", submethods: "" });
  await reply("keyboard-interactive");
  await c.send({ type: "userauthInfoResponse", responses: ["1", "2"] });
  await assert.rejects(result, isAuthError(DisconnectReason.PROTOCOL_ERROR));
  assert.equal(c.disconnected?.reason, DisconnectReason.PROTOCOL_ERROR);
});

test("keyboard-interactive: a new request abandons the method and is answered", async () => {
  let rejected: unknown;
  const { reply, request, result } = start({
    password: (_u, pw) => pw === "pw",
    keyboardInteractive: async (_u, ask) => {
      try {
        await ask({ prompts: [{ prompt: "Code: ", echo: true }] });
      } catch (e) {
        rejected = e;
        throw e;
      }
      return true;
    },
  });
  await request({ method: "keyboard-interactive", language: "", submethods: "" });
  assert.equal((await reply("keyboard-interactive"))?.type, "userauthInfoRequest");
  await request({ method: "password", password: "pw" });
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  assert.ok(rejected instanceof AuthError);
  assert.equal((await result).method, "password");
});

test("required lists: publickey then password, with partial success", async () => {
  const key = testSigner();
  const { reply, request, result } = start({
    publickey: () => ({ noPty: true }),
    password: (_u, pw) => pw === "pw",
    required: [["publickey", "password"]],
  });
  await request({ method: "none" });
  assert.deepEqual(await reply(), failure(["publickey"]));
  await request({ method: "password", password: "pw" }); // not next in any list
  assert.deepEqual(await reply(), failure(["publickey"]));
  await request(await signedRequest(key));
  assert.deepEqual(await reply(), failure(["password"], true));
  await request({ method: "password", password: "nope" });
  assert.deepEqual(await reply(), failure(["password"]));
  await request({ method: "password", password: "pw" });
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  const who = await result;
  assert.deepEqual(who.methods, ["publickey", "password"]);
  assert.equal(who.method, "password");
  assert.ok(who.key?.equals(key.publicKey));
  assert.deepEqual(who.options, { noPty: true });
});

test("required lists: alternatives, and the same key cannot count twice", async () => {
  const a = testSigner(), b = testSigner();
  const { reply, request, result } = start({
    publickey: () => true,
    password: () => true,
    required: [["publickey", "publickey"], ["password", "publickey"]],
  });
  await request({ method: "none" });
  assert.deepEqual(await reply(), failure(["publickey", "password"]));
  await request(await signedRequest(a));
  assert.deepEqual(await reply(), failure(["publickey", "password"], true));
  await request(await signedRequest(a));
  assert.deepEqual(await reply(), failure(["publickey", "password"]));
  await request(await signedRequest(b));
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  assert.deepEqual((await result).methods, ["publickey", "publickey"]);
});

for (const change of ["user", "service"] as const) {
  test(`a change of ${change} mid-auth resets the methods left and partial success`, async () => {
    const key = testSigner();
    const { reply, request, result } = start({
      publickey: () => true,
      password: () => true,
      required: [["publickey", "password"]],
      services: ["ssh-connection", "other-service"],
    });
    await request(await signedRequest(key));
    assert.deepEqual(await reply(), failure(["password"], true));
    const other = change === "user" ? { user: "bob" } : { service: "other-service" };
    await request({ method: "password", password: "pw", ...other });
    assert.deepEqual(await reply(), failure(["publickey"]));
    await request({ ...(await signedRequest(key, other.user, other.service)) });
    assert.deepEqual(await reply(), failure(["password"], true));
    await request({ method: "password", password: "pw", ...other });
    assert.deepEqual(await reply(), { type: "userauthSuccess" });
    const who = await result;
    assert.equal(who.user, change === "user" ? "bob" : "alice");
  });
}

test("maxAuthTries: five failures then success is fine (bound)", async () => {
  const { reply, request, result } = start({ password: (_u, pw) => pw === "pw" });
  await request({ method: "none" }); // the first none is not counted
  await reply();
  for (let i = 0; i < 5; i++) {
    await request({ method: "password", password: "bad" });
    assert.deepEqual(await reply(), failure(["password"]));
  }
  await request({ method: "password", password: "pw" });
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  await result;
});

test("maxAuthTries: the sixth failure disconnects (one past)", async () => {
  const { c, reply, request, result } = start({ password: () => false });
  for (let i = 0; i < 5; i++) {
    await request({ method: "password", password: "bad" });
    assert.deepEqual(await reply(), failure(["password"]));
  }
  await request({ method: "password", password: "bad" });
  assert.equal(await reply(), undefined);
  await assert.rejects(result, (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.equal(e.reason, DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE);
    assert.equal(e.message, "Too many authentication failures (6)");
    assert.deepEqual(e.tried, ["password"]);
    return true;
  });
  assert.equal(c.disconnected?.reason, DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE);
  assert.equal(c.disconnected?.by, "peer");
});

test("maxAuthTries is configurable", async () => {
  const { c, reply, request, result } = start({ password: () => false, maxAuthTries: 2 });
  await request({ method: "password", password: "bad" });
  assert.deepEqual(await reply(), failure(["password"]));
  await request({ method: "password", password: "bad" });
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
  assert.ok(c.disconnected);
});

test("maxRequests: 128 requests are answered (bound)", async () => {
  const key = testSigner();
  const { reply, request, result } = start({ publickey: () => true });
  for (let i = 0; i < 127; i++) {
    await request({ method: "publickey", algorithm: "ssh-ed25519", publicKey: key.publicKey.blob });
    assert.equal((await reply("publickey"))?.type, "userauthPkOk");
  }
  await request(await signedRequest(key));
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  await result;
});

test("maxRequests: the 129th request disconnects (one past)", async () => {
  const key = testSigner();
  const { c, reply, request, result } = start({ publickey: () => true });
  for (let i = 0; i < 128; i++) {
    await request({ method: "publickey", algorithm: "ssh-ed25519", publicKey: key.publicKey.blob });
    assert.equal((await reply("publickey"))?.type, "userauthPkOk");
  }
  await request(await signedRequest(key));
  await assert.rejects(result, (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.equal(e.reason, DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE);
    assert.equal(e.message, "Too many authentication requests (128)");
    return true;
  });
  assert.ok(c.disconnected);
});

test("login grace time: nothing at 119 999 ms, disconnect at 120 000 ms", async () => {
  const timers = fakeTimers();
  const { c, reply, request, result } = start({ password: () => false, timers });
  await request({ method: "password", password: "bad" });
  await reply();
  timers.tick(119_999);
  await request({ method: "none" });
  assert.deepEqual(await reply(), failure(["password"]));
  timers.tick(1);
  await assert.rejects(result, (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.equal(e.reason, DisconnectReason.BY_APPLICATION);
    assert.equal(e.message, "Login grace time exceeded");
    return true;
  });
  assert.equal(c.disconnected?.description, "Login grace time exceeded");
  assert.equal(timers.pending(), 0);
});

test("login grace time also interrupts a callback that never returns", async () => {
  const timers = fakeTimers();
  const { c, request, result } = start({
    password: () => new Promise<boolean>(() => {}),
    timers,
    loginGraceTime: 5000,
  });
  await request({ method: "password", password: "pw" });
  await new Promise((r) => setTimeout(r, 5));
  timers.tick(5000);
  await assert.rejects(result, isAuthError(DisconnectReason.BY_APPLICATION));
  assert.ok(c.disconnected);
});

test("the timer is cleared after success", async () => {
  const timers = fakeTimers();
  const { reply, request, result } = start({ password: () => true, timers });
  await request({ method: "password", password: "pw" });
  await reply();
  await result;
  assert.equal(timers.pending(), 0);
});

test("a client that sends USERAUTH_SUCCESS is disconnected with PROTOCOL_ERROR", async () => {
  const { c, reply, request, result } = start({ password: () => false });
  await request({ method: "none" });
  await reply();
  await c.send({ type: "userauthSuccess" });
  await assert.rejects(result, (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.equal(e.reason, DisconnectReason.PROTOCOL_ERROR);
    assert.equal(e.message, "Client sent USERAUTH_SUCCESS");
    return true;
  });
  assert.equal(c.disconnected?.reason, DisconnectReason.PROTOCOL_ERROR);
});

test("other unexpected messages and unknown services disconnect", async () => {
  const first = start({ password: () => false });
  await first.c.send({ type: "channelEof", recipient: 1 });
  await assert.rejects(first.result, isAuthError(DisconnectReason.PROTOCOL_ERROR));

  const second = start({ password: () => false });
  await second.c.send({ type: "userauthInfoResponse", responses: [] });
  await assert.rejects(second.result, isAuthError(DisconnectReason.PROTOCOL_ERROR));

  const third = start({ password: () => false });
  await third.request({ method: "none", service: "ssh-userauth" });
  await assert.rejects(third.result, isAuthError(DisconnectReason.SERVICE_NOT_AVAILABLE));
  assert.equal(third.c.disconnected?.reason, DisconnectReason.SERVICE_NOT_AVAILABLE);
});

test("unknown methods fail and count", async () => {
  const { reply, request } = start({ password: () => false });
  await request({ method: "other", name: "hostbased", data: new Uint8Array() });
  assert.deepEqual(await reply(), failure(["password"]));
});

test("configuration errors are TypeErrors", async () => {
  const [, s] = connPair();
  await assert.rejects(authenticateServer(s, { sessionId, required: [["password"]] }), TypeError);
  await assert.rejects(authenticateServer(s, { sessionId: new Uint8Array() }), TypeError);
  await assert.rejects(
    authenticateServer(s, { sessionId, password: () => true, required: [] }),
    TypeError,
  );
  await assert.rejects(
    authenticateServer(s, { sessionId, password: () => true, maxAuthTries: 0 }),
    RangeError,
  );
});

test("trace lines name users, methods and fingerprints, never passwords", async () => {
  const traces: string[] = [];
  const key = testSigner();
  const { reply, request, result } = start({
    password: (_u, pw) => pw === "correct horse",
    publickey: () => true,
    required: [["publickey", "password"]],
    trace: (l) => traces.push(l),
  });
  await request(await signedRequest(key));
  await reply();
  await request({ method: "password", password: "battery staple" });
  await reply();
  await request({ method: "password", password: "correct horse" });
  await reply();
  await result;
  const all = traces.join("\n");
  assert.ok(!all.includes("horse") && !all.includes("staple"));
  assert.ok(all.includes("Accepted password for alice"));
  assert.ok(all.includes("Failed password for alice"));
});
