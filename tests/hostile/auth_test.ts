/**
 * Hostile authentication (RFC 4252, RFC 4256) against the Hush server and client: a user or
 * service that changes in the middle of a multi-method login, PK_OK for one key and a
 * signature by another, signatures over the wrong data, endless `none`/probe/partial-success/
 * keyboard-interactive loops (bounded by MaxAuthTries and maxRequests), huge counts and
 * lengths (user names, method names, prompts and responses), malformed and oversized keys.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { InfoAsk } from "@hush/auth";
import type { PrivateKey } from "@hush/keys";
import { DisconnectReason, LIST_LIMIT, type Message, SshWriter } from "@hush/wire";
import { type HostilePeer, testKey } from "./peer.ts";
import {
  acceptService,
  assertDisconnect,
  assertRejects,
  assertServerServes,
  attackClient,
  attackServer,
  PASSWORD,
  USER,
} from "./victim.ts";

const { PROTOCOL_ERROR, NO_MORE_AUTH_METHODS_AVAILABLE, SERVICE_NOT_AVAILABLE } = DisconnectReason;

const aliceKey = (): Promise<PrivateKey> => testKey("ssh-ed25519", "alice");
const malloryKey = (): Promise<PrivateKey> => testKey("ssh-ed25519", "mallory");

/** Server options: alice's key in authorized_keys, and the password. */
async function keyAndPassword(extra: object = {}): Promise<object> {
  return {
    authenticate: {
      authorizedKeys: (await aliceKey()).publicKey.toString(),
      password: (user: string, password: string) => user === USER && password === PASSWORD,
      ...extra,
    },
  };
}

/** What the client signs for a publickey request (RFC 4252 §7). */
function signedData(
  sessionId: Uint8Array,
  user: string,
  service: string,
  key: PrivateKey,
): Uint8Array {
  return new SshWriter()
    .string(sessionId)
    .byte(50)
    .string(user)
    .string(service)
    .string("publickey")
    .boolean(true)
    .string(key.publicKey.type)
    .string(key.publicKey.blob)
    .finish();
}

/** A publickey request signed by `signer` (which may not be the key it names). */
async function publickey(
  peer: HostilePeer,
  key: PrivateKey,
  options: { user?: string; service?: string; signer?: PrivateKey; signedUser?: string } = {},
): Promise<Message> {
  const user = options.user ?? USER;
  const service = options.service ?? "ssh-connection";
  const data = signedData(peer.sessionId!, options.signedUser ?? user, service, key);
  return {
    type: "userauthRequest",
    user,
    service,
    method: "publickey",
    algorithm: key.publicKey.type,
    publicKey: key.publicKey.blob,
    signature: await (options.signer ?? key).sign(data),
  };
}

function password(user = USER, pw = PASSWORD, service = "ssh-connection"): Message {
  return { type: "userauthRequest", user, service, method: "password", password: pw };
}

function none(user = USER, service = "ssh-connection"): Message {
  return { type: "userauthRequest", user, service, method: "none" };
}

/** The next reply to an authentication request: success, failure (with partial flag), PK_OK. */
async function reply(peer: HostilePeer, auth: "publickey" | "keyboard-interactive" = "publickey") {
  for (;;) {
    const m = await peer.next({ auth });
    if (!m) throw new Error("The victim closed");
    if (m.type === "userauthBanner" || m.type === "ignore") continue;
    return m;
  }
}

async function inAuth(peer: HostilePeer): Promise<void> {
  await peer.handshake();
  await peer.send({ type: "serviceRequest", service: "ssh-userauth" });
  await peer.expect("serviceAccept");
}

// --- the user or the service changes half way ----------------------------------------------

test("server: after a partial publickey success, a password for another user does not complete the login", async () => {
  const v = await attackServer(
    await keyAndPassword({
      required: [["publickey", "password"]],
      users: (u: string) => u === USER || u === "bob",
      password: () => true, // any password for anyone: only the required list stands in the way
    }),
  );
  await inAuth(v.peer);
  await v.peer.send(await publickey(v.peer, await aliceKey()));
  const partial = await reply(v.peer);
  assert.deepEqual(partial, {
    type: "userauthFailure",
    methods: ["password"],
    partialSuccess: true,
  });
  await v.peer.send(password("bob"));
  const refused = await reply(v.peer);
  assert.equal(refused.type, "userauthFailure");
  assert.equal((refused as { partialSuccess: boolean }).partialSuccess, false);
  // and back to alice: her partial success is gone too, the key must be shown again
  await v.peer.send(password(USER));
  assert.equal((await reply(v.peer)).type, "userauthFailure");
  await v.peer.send(await publickey(v.peer, await aliceKey()));
  assert.equal((await reply(v.peer)).type, "userauthFailure"); // partial again
  await v.peer.send(password(USER));
  assert.equal((await reply(v.peer)).type, "userauthSuccess");
  assert.deepEqual((await v.context)?.user.methods, ["publickey", "password"]);
  assert.equal((await v.context)?.user.user, USER);
});

test("server: after a partial success, a change of service starts over, an unknown service disconnects", async () => {
  const v = await attackServer(
    await keyAndPassword({
      required: [["publickey", "password"]],
      services: ["ssh-connection", "other-service@hostile"],
    }),
  );
  await inAuth(v.peer);
  await v.peer.send(await publickey(v.peer, await aliceKey()));
  assert.equal((await reply(v.peer) as { partialSuccess: boolean }).partialSuccess, true);
  await v.peer.send(password(USER, PASSWORD, "other-service@hostile"));
  const m = await reply(v.peer);
  assert.deepEqual(m, { type: "userauthFailure", methods: ["publickey"], partialSuccess: false });
  await v.peer.send(password(USER, PASSWORD, "no-such-service"));
  await assertDisconnect(v, SERVICE_NOT_AVAILABLE, /no-such-service/);
});

// --- keys and signatures that do not belong together ---------------------------------------

test("server: PK_OK for alice's key, then a signature made by another key, fails", async () => {
  const v = await attackServer(await keyAndPassword());
  await inAuth(v.peer);
  const alice = await aliceKey();
  await v.peer.send({
    type: "userauthRequest",
    user: USER,
    service: "ssh-connection",
    method: "publickey",
    algorithm: alice.publicKey.type,
    publicKey: alice.publicKey.blob,
  });
  assert.equal((await reply(v.peer)).type, "userauthPkOk");
  await v.peer.send(await publickey(v.peer, alice, { signer: await malloryKey() }));
  assert.equal((await reply(v.peer)).type, "userauthFailure");
  assert.equal(await Promise.race([v.context, Promise.resolve("pending")]), "pending");
});

test("server: PK_OK for alice's key, then mallory's own key with a valid signature, fails", async () => {
  const v = await attackServer(await keyAndPassword());
  await inAuth(v.peer);
  const alice = await aliceKey();
  await v.peer.send({
    type: "userauthRequest",
    user: USER,
    service: "ssh-connection",
    method: "publickey",
    algorithm: alice.publicKey.type,
    publicKey: alice.publicKey.blob,
  });
  assert.equal((await reply(v.peer)).type, "userauthPkOk");
  await v.peer.send(await publickey(v.peer, await malloryKey()));
  assert.equal((await reply(v.peer)).type, "userauthFailure");
});

test("server: a signature over another user name or another session fails", async () => {
  const v = await attackServer(await keyAndPassword({ users: () => true }));
  await inAuth(v.peer);
  const alice = await aliceKey();
  await v.peer.send(await publickey(v.peer, alice, { signedUser: "root" }));
  assert.equal((await reply(v.peer)).type, "userauthFailure");
  const real = v.peer.sessionId!;
  v.peer.sessionId = crypto.getRandomValues(new Uint8Array(real.length));
  await v.peer.send(await publickey(v.peer, alice));
  v.peer.sessionId = real;
  assert.equal((await reply(v.peer)).type, "userauthFailure");
  await v.peer.send(await publickey(v.peer, alice));
  assert.equal((await reply(v.peer)).type, "userauthSuccess");
});

test("server: a key that already succeeded cannot count twice in a required list", async () => {
  const v = await attackServer(await keyAndPassword({ required: [["publickey", "publickey"]] }));
  await inAuth(v.peer);
  const alice = await aliceKey();
  await v.peer.send(await publickey(v.peer, alice));
  assert.equal((await reply(v.peer) as { partialSuccess: boolean }).partialSuccess, true);
  await v.peer.send(await publickey(v.peer, alice));
  assert.equal((await reply(v.peer) as { partialSuccess: boolean }).partialSuccess, false);
});

// --- malformed and oversized keys ----------------------------------------------------------

/** A publickey query with `blob` as the key. */
function query(blob: Uint8Array, algorithm = "ssh-ed25519", signature?: Uint8Array): Message {
  return {
    type: "userauthRequest",
    user: USER,
    service: "ssh-connection",
    method: "publickey",
    algorithm,
    publicKey: blob,
    ...(signature ? { signature } : {}),
  } as Message;
}

function blob(...fields: (string | Uint8Array | bigint)[]): Uint8Array {
  const w = new SshWriter();
  for (const f of fields) typeof f === "bigint" ? w.mpint(f) : w.string(f);
  return w.finish();
}

test("server: malformed, truncated and oversized keys fail without ending the login", async () => {
  const v = await attackServer(await keyAndPassword());
  await inAuth(v.peer);
  const alice = await aliceKey();
  const cases: [string, Uint8Array, string][] = [
    ["empty", new Uint8Array(0), "ssh-ed25519"],
    ["truncated", alice.publicKey.blob.subarray(0, 20), "ssh-ed25519"],
    ["with trailing bytes", new Uint8Array([...alice.publicKey.blob, 0]), "ssh-ed25519"],
    ["ed25519 of 31 bytes", blob("ssh-ed25519", new Uint8Array(31)), "ssh-ed25519"],
    ["ed25519 of 200 KiB", blob("ssh-ed25519", new Uint8Array(200 * 1024)), "ssh-ed25519"],
    ["an unknown type", blob("ssh-hostile", new Uint8Array(32)), "ssh-hostile"],
    ["type and algorithm disagree", alice.publicKey.blob, "ecdsa-sha2-nistp256"],
    [
      "RSA with a 64 KiB modulus",
      blob("ssh-rsa", 65537n, (1n << (8n * 65536n)) - 1n),
      "rsa-sha2-256",
    ],
    [
      "RSA with a 1024-bit exponent",
      blob("ssh-rsa", (1n << 1024n) + 1n, (1n << 2048n) - 1n),
      "rsa-sha2-256",
    ],
    ["RSA with an even exponent", blob("ssh-rsa", 65536n, (1n << 2048n) - 1n), "rsa-sha2-256"],
    [
      "ECDSA off the curve",
      blob("ecdsa-sha2-nistp256", "nistp256", new Uint8Array([4, ...new Uint8Array(64).fill(1)])),
      "ecdsa-sha2-nistp256",
    ],
    [
      "ECDSA with the wrong curve name",
      blob("ecdsa-sha2-nistp256", "nistp521", new Uint8Array(65)),
      "ecdsa-sha2-nistp256",
    ],
    [
      "a certificate with garbage inside",
      blob("ssh-ed25519-cert-v01@openssh.com", new Uint8Array(32), new Uint8Array(5)),
      "ssh-ed25519-cert-v01@openssh.com",
    ],
    [
      "a certificate cut short",
      blob("ssh-ed25519-cert-v01@openssh.com"),
      "ssh-ed25519-cert-v01@openssh.com",
    ],
  ];
  for (const [name, key, algorithm] of cases.slice(0, 5)) {
    await v.peer.send(query(key, algorithm));
    assert.equal((await reply(v.peer)).type, "userauthFailure", name);
  }
  // past MaxAuthTries (6) the connection ends, so the rest go to fresh connections
  for (let i = 5; i < cases.length; i += 5) {
    const w = await attackServer(await keyAndPassword());
    await inAuth(w.peer);
    for (const [name, key, algorithm] of cases.slice(i, i + 5)) {
      await w.peer.send(query(key, algorithm, new Uint8Array(80)));
      assert.equal((await reply(w.peer)).type, "userauthFailure", name);
    }
    await w.peer.send(password());
    assert.equal((await reply(w.peer)).type, "userauthSuccess");
  }
  await v.peer.send(password());
  assert.equal((await reply(v.peer)).type, "userauthSuccess");
});

test("server: a malformed signature blob (empty, cut, 200 KiB, wrong algorithm inside) fails", async () => {
  const alice = await aliceKey();
  const v = await attackServer(await keyAndPassword());
  await inAuth(v.peer);
  const real = (await publickey(v.peer, alice)) as { signature: Uint8Array };
  for (
    const sig of [
      new Uint8Array(0),
      real.signature.subarray(0, real.signature.length - 1),
      blob("ssh-ed25519", new Uint8Array(200 * 1024)),
      blob("rsa-sha2-512", real.signature.subarray(19 + 4)),
    ]
  ) {
    await v.peer.send(query(alice.publicKey.blob, "ssh-ed25519", sig));
    assert.equal((await reply(v.peer)).type, "userauthFailure");
  }
  await v.peer.send(password());
  assert.equal((await reply(v.peer)).type, "userauthSuccess");
});

// --- endless loops, bounded ----------------------------------------------------------------

test("server: endless `none` requests end at MaxAuthTries (the first is not counted)", async () => {
  const v = await attackServer();
  await inAuth(v.peer);
  let failures = 0;
  for (let i = 0; i < 1000 && !v.peer.ended; i++) {
    await v.peer.send(none()).catch(() => {});
  }
  for (const m of [...v.peer.seen]) if (m.type === "userauthFailure") failures++;
  await assertDisconnect(
    v,
    NO_MORE_AUTH_METHODS_AVAILABLE,
    /Too many authentication failures \(6\)/,
  );
  for (const m of v.peer.seen) if (m.type === "userauthFailure") failures++;
  assert.ok(failures <= 6, `${failures} failures answered`);
});

test("server: endless queries for an authorized key (each PK_OK) end at maxRequests", async () => {
  const v = await attackServer(await keyAndPassword({ maxRequests: 40 }));
  await inAuth(v.peer);
  const alice = await aliceKey();
  for (let i = 0; i < 500 && !v.peer.ended; i++) {
    await v.peer.send(query(alice.publicKey.blob)).catch(() => {});
  }
  await assertDisconnect(
    v,
    NO_MORE_AUTH_METHODS_AVAILABLE,
    /Too many authentication requests \(40\)/,
  );
  assert.equal(
    v.peer.seen.filter((m) => m.type === "unknown" || m.type === "userauthPkOk").length,
    40,
  );
});

test("server: the default maxRequests (128) bounds endless PK_OK probes", async () => {
  const v = await attackServer(await keyAndPassword());
  await inAuth(v.peer);
  const alice = await aliceKey();
  for (let i = 0; i < 1000 && !v.peer.ended; i++) {
    await v.peer.send(query(alice.publicKey.blob)).catch(() => {});
  }
  await assertDisconnect(
    v,
    NO_MORE_AUTH_METHODS_AVAILABLE,
    /Too many authentication requests \(128\)/,
  );
});

test("server: an endless partial-success loop (switching users between two halves) ends at maxRequests", async () => {
  const v = await attackServer(
    await keyAndPassword({
      required: [["publickey", "password"]],
      users: (u: string) => u === USER || u === "carol",
      authorizedKeys: async () => (await aliceKey()).publicKey.toString(),
    }),
  );
  await inAuth(v.peer);
  const alice = await aliceKey();
  const requests = await Promise.all(
    [USER, "carol"].map((user) => publickey(v.peer, alice, { user })),
  );
  let partials = 0;
  for (let i = 0; i < 1000 && !v.peer.ended; i++) {
    await v.peer.send(requests[i % 2]).catch(() => {});
  }
  await assertDisconnect(v, NO_MORE_AUTH_METHODS_AVAILABLE, /Too many authentication requests/);
  for (const m of v.peer.seen) {
    if (m.type === "userauthFailure" && m.partialSuccess) partials++;
  }
  assert.ok(partials <= 128, `${partials} partial successes`);
});

test("server: abandoned keyboard-interactive rounds count as failures", async () => {
  const v = await attackServer({
    authenticate: {
      keyboardInteractive: async (_user, ask) =>
        (await ask({ prompts: [{ prompt: "Code: ", echo: true }] }))[0] === "42",
    },
  });
  await inAuth(v.peer);
  for (let i = 0; i < 100 && !v.peer.ended; i++) {
    await v.peer.send({
      type: "userauthRequest",
      user: USER,
      service: "ssh-connection",
      method: "keyboard-interactive",
      language: "",
      submethods: "",
    }).catch(() => {});
  }
  await assertDisconnect(v, NO_MORE_AUTH_METHODS_AVAILABLE, /Too many authentication failures/);
});

// --- huge counts and lengths --------------------------------------------------------------

async function kbdint(extra: object = {}) {
  const v = await attackServer({
    authenticate: {
      keyboardInteractive: async (_user: string, ask: InfoAsk) =>
        (await ask({ prompts: [{ prompt: "Code: ", echo: true }] }))[0] === "42",
      ...extra,
    },
  });
  await inAuth(v.peer);
  await v.peer.send({
    type: "userauthRequest",
    user: USER,
    service: "ssh-connection",
    method: "keyboard-interactive",
    language: "",
    submethods: "",
  });
  assert.equal((await reply(v.peer, "keyboard-interactive")).type, "userauthInfoRequest");
  return v;
}

/** An INFO_RESPONSE claiming `count` responses, followed by `strings`. */
function infoResponse(count: number, strings: (string | Uint8Array)[] = []): Uint8Array {
  const w = new SshWriter().byte(61).uint32(count);
  for (const s of strings) w.string(s);
  return w.finish();
}

test("server: an INFO_RESPONSE claiming 2^32-1 responses is refused before any is read", async () => {
  const v = await kbdint();
  await v.peer.sendPayload(infoResponse(0xffff_ffff, ["42"]));
  await assertDisconnect(v, PROTOCOL_ERROR, /Too many responses|limit/i);
});

test(`server: an INFO_RESPONSE with ${LIST_LIMIT + 1} responses is refused, one answer per prompt is required`, async () => {
  const v = await kbdint();
  await v.peer.sendPayload(infoResponse(LIST_LIMIT + 1, Array(LIST_LIMIT + 1).fill("42")));
  await assertDisconnect(v, PROTOCOL_ERROR);
  const w = await kbdint();
  await w.peer.sendPayload(infoResponse(2, ["42", "42"]));
  await assertDisconnect(w, PROTOCOL_ERROR, /2 keyboard-interactive answers for 1 prompts/);
});

test("server: an INFO_RESPONSE whose count says more than it holds is refused", async () => {
  const v = await kbdint();
  await v.peer.sendPayload(infoResponse(3, ["42"]));
  await assertDisconnect(v, PROTOCOL_ERROR);
});

test("server: a 200 KiB answer is handed to the application, which refuses it; the login goes on", async () => {
  let longest = 0;
  const v = await kbdint({
    keyboardInteractive: async (_user: string, ask: InfoAsk) => {
      const [answer] = await ask({ prompts: [{ prompt: "Code: ", echo: true }] });
      longest = Math.max(longest, answer.length);
      return answer === "42";
    },
  });
  await v.peer.sendPayload(infoResponse(1, ["x".repeat(200 * 1024)]));
  assert.equal((await reply(v.peer, "keyboard-interactive")).type, "userauthFailure");
  assert.equal(longest, 200 * 1024);
});

test("server: a 200 KiB user name, method name and service name fail or end cleanly", async () => {
  const v = await attackServer();
  await inAuth(v.peer);
  const huge = "u".repeat(200 * 1024);
  await v.peer.send(password(huge));
  assert.equal((await reply(v.peer)).type, "userauthFailure");
  await v.peer.send({
    type: "userauthRequest",
    user: USER,
    service: "ssh-connection",
    method: "other",
    name: "m".repeat(200 * 1024),
    data: new Uint8Array(0),
  } as Message);
  assert.equal((await reply(v.peer)).type, "userauthFailure");
  await v.peer.send(password(USER));
  assert.equal((await reply(v.peer)).type, "userauthSuccess");
  const w = await attackServer();
  await inAuth(w.peer);
  await w.peer.send(password(USER, PASSWORD, "s".repeat(200 * 1024)));
  const outcome = await assertDisconnect(w, SERVICE_NOT_AVAILABLE);
  assert.ok(outcome.error!.message.length < 2048, "the whole name went into the error message");
});

test("server: user names with NUL, control bytes, '/' or '..' never reach the application", async () => {
  const asked: string[] = [];
  const v = await attackServer({
    authenticate: {
      password: (user: string) => {
        asked.push(user);
        return false;
      },
      maxAuthTries: 20,
    },
  });
  await inAuth(v.peer);
  for (const user of ["al\0ice", "al\x1bice", "../../etc/passwd", "a/b", "-oProxyCommand=x", ""]) {
    await v.peer.send(password(user));
    assert.equal((await reply(v.peer)).type, "userauthFailure", JSON.stringify(user));
  }
  assert.deepEqual(asked, []);
});

// --- the client ---------------------------------------------------------------------------

/** INFO_REQUEST with `count` prompts claimed and `prompts` written. */
function infoRequest(count: number, prompts: string[], name = "", instruction = ""): Uint8Array {
  const w = new SshWriter().byte(60).string(name).string(instruction).string("").uint32(count);
  for (const p of prompts) w.string(p).boolean(false);
  return w.finish();
}

async function kbdintClient(answers = (n: number) => Array(n).fill("42")) {
  let rounds = 0;
  let biggest = 0;
  const v = attackClient({
    password: undefined,
    keyboardInteractive: (req) => {
      rounds++;
      biggest = Math.max(biggest, req.prompts.length);
      return Promise.resolve(answers(req.prompts.length));
    },
  });
  await acceptService(v.peer);
  await v.peer.expect("userauthRequest"); // none
  await v.peer.send({
    type: "userauthFailure",
    methods: ["keyboard-interactive"],
    partialSuccess: false,
  });
  await v.peer.expect("userauthRequest");
  return { v, rounds: () => rounds, biggest: () => biggest };
}

test("client: an INFO_REQUEST claiming 2^32-1 prompts is refused before any is read", async () => {
  const { v, rounds } = await kbdintClient();
  await v.peer.sendPayload(infoRequest(0xffff_ffff, ["a"]));
  await assertRejects(v.connecting, PROTOCOL_ERROR, /limit|Too many/i);
  assert.equal(rounds(), 0);
});

test(`client: ${LIST_LIMIT} prompts are asked, ${LIST_LIMIT + 1} refused`, async () => {
  {
    const { v, biggest } = await kbdintClient();
    await v.peer.sendPayload(infoRequest(LIST_LIMIT, Array(LIST_LIMIT).fill("p: ".repeat(1000))));
    const r = await v.peer.next({ auth: "keyboard-interactive" });
    assert.equal(r?.type, "userauthInfoResponse");
    assert.equal(biggest(), LIST_LIMIT);
  }
  {
    const { v, rounds } = await kbdintClient();
    await v.peer.sendPayload(infoRequest(LIST_LIMIT + 1, Array(LIST_LIMIT + 1).fill("p: ")));
    await assertRejects(v.connecting, PROTOCOL_ERROR);
    assert.equal(rounds(), 0);
  }
});

test("client: PK_OK for a key it did not offer is refused", async () => {
  const alice = await aliceKey();
  const v = attackClient({ password: undefined, identities: [alice] });
  await acceptService(v.peer);
  await v.peer.expect("userauthRequest"); // none
  await v.peer.send({ type: "userauthFailure", methods: ["publickey"], partialSuccess: false });
  await v.peer.expect("userauthRequest");
  const mallory = await malloryKey();
  await v.peer.send({
    type: "userauthPkOk",
    algorithm: "ssh-ed25519",
    publicKey: mallory.publicKey.blob,
  });
  await assertRejects(v.connecting, PROTOCOL_ERROR, /not offered/);
});

test("client: USERAUTH_SUCCESS in reply to an unsigned query is refused", async () => {
  const alice = await aliceKey();
  const v = attackClient({ password: undefined, identities: [alice] });
  await acceptService(v.peer);
  await v.peer.expect("userauthRequest"); // none
  await v.peer.send({ type: "userauthFailure", methods: ["publickey"], partialSuccess: false });
  await v.peer.expect("userauthRequest");
  await v.peer.send({ type: "userauthSuccess" });
  await assertRejects(v.connecting, PROTOCOL_ERROR, /unsigned publickey query/);
});

test("client: a server that answers every password with partial success is given up on", async () => {
  const v = attackClient();
  await acceptService(v.peer);
  let requests = 0;
  for (;;) {
    const m = await v.peer.next();
    if (!m || m.type === "disconnect") break;
    if (m.type !== "userauthRequest") continue;
    requests++;
    await v.peer.send({ type: "userauthFailure", methods: ["password"], partialSuccess: true })
      .catch(() => {});
  }
  await assertRejects(v.connecting, NO_MORE_AUTH_METHODS_AVAILABLE, /Permission denied/);
  assert.ok(requests <= 4, `${requests} requests`); // none, then at most three passwords
});

test("client: endless USERAUTH_BANNERs are shown and the login still ends", async () => {
  const banners: string[] = [];
  const v = attackClient({ onBanner: (b) => banners.push(b) });
  await acceptService(v.peer);
  await v.peer.expect("userauthRequest");
  for (let i = 0; i < 2000; i++) {
    await v.peer.send({ type: "userauthBanner", message: `line ${i}\n`, language: "" });
  }
  await v.peer.send({ type: "userauthSuccess" });
  const client = await v.connecting;
  assert.equal(banners.length, 2000);
  await client.close();
});

test("after all of the above, a well-behaved client still logs in", async () => {
  await assertServerServes();
});
