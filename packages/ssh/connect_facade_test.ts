import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { HostKeyError, KnownHosts, MemoryStorage } from "@hush/hostkeys";
import {
  generateKey,
  KeyError,
  parsePublicKeyLine,
  type PrivateKey,
  type PublicKey,
  serializePrivateKey,
} from "@hush/keys";
import type { ByteDuplex } from "@hush/transport";
import { DisconnectReason } from "@hush/wire";
import { memoryDuplexPair } from "./adapters/memory.ts";
import { accept } from "./accept.ts";
import { connect } from "./connect.ts";
import type { ConnectOptions } from "./connect_options.ts";
import type { HostVerifierInfo } from "./host_verifier.ts";
import { serve } from "./server.ts";

interface Server {
  duplex: ByteDuplex;
  hostKey: PrivateKey;
  /** Settles when the server side ends: its context, or why it failed. */
  served: Promise<unknown>;
  /** The user keys the server was offered, as fingerprints. */
  offered: string[];
}

/** A server that lets `userKey` in, on one end of an in-memory duplex. */
async function server(userKey: PrivateKey | PublicKey): Promise<Server> {
  const allowed = "publicKey" in userKey ? userKey.publicKey : userKey;
  const hostKey = await generateKey("ssh-ed25519");
  const offered: string[] = [];
  const [a, b] = memoryDuplexPair();
  const served = accept(b, {
    hostKeys: [hostKey],
    authenticate: {
      publickey: (_user, key) => {
        offered.push(key.fingerprint());
        return key.equals(allowed);
      },
    },
  }).then((ctx) => ctx, (e) => e);
  return { duplex: a, hostKey, served, offered };
}

/** A duplex that fails the test if anything reads or writes it. */
function untouchable(): ByteDuplex {
  return {
    get readable(): ReadableStream<Uint8Array> {
      throw new Error("connect() read the connection");
    },
    get writable(): WritableStream<Uint8Array> {
      throw new Error("connect() wrote to the connection");
    },
  };
}

const base: ConnectOptions = { hostname: "test", username: "me", policy: "no" };

test("connect: privateKey as text or bytes, with its passphrase, is offered after identities", async () => {
  const userKey = await generateKey("ssh-ed25519");
  const other = await generateKey("ssh-ed25519");
  const text = await serializePrivateKey(userKey, { passphrase: "right", rounds: 2 });
  for (const privateKey of [text, new TextEncoder().encode(text)]) {
    const s = await server(userKey);
    const client = await connect({
      ...base,
      duplex: s.duplex,
      identities: [other],
      privateKey,
      passphrase: "right",
    });
    // the other identity first (refused), then the private key (asked about, then signed with)
    assert.deepEqual([...new Set(s.offered)], [
      other.publicKey.fingerprint(),
      userKey.publicKey.fingerprint(),
    ]);
    await client.close();
  }
  // an unencrypted key needs no passphrase (and ignores one)
  const plain = await serializePrivateKey(userKey);
  for (const passphrase of [undefined, "unused"]) {
    const s = await server(userKey);
    const client = await connect({ ...base, duplex: s.duplex, privateKey: plain, passphrase });
    await client.close();
  }
});

test("connect: privateKey from PuTTY (.ppk v2 and v3) and encrypted PEM files", async () => {
  // Keys made by puttygen and openssl (packages/keys/testdata/make_thirdparty.sh; keys.tsv).
  const dir = new URL("../keys/testdata/thirdparty/", import.meta.url);
  const file = (name: string) => readFileSync(new URL(name, dir));
  const cases = [
    ["putty/ed25519.v3enc.ppk", "putty/ed25519.pub"],
    ["putty/rsa2048.v2enc.ppk", "putty/rsa2048.pub"],
    ["openssl/ecdsa384.aes256.pem", "openssl/ecdsa384.pub"],
  ];
  for (const [keyFile, pubFile] of cases) {
    const publicKey = parsePublicKeyLine(file(pubFile).toString()).key;
    const s = await server(publicKey);
    const client = await connect({
      ...base,
      duplex: s.duplex,
      privateKey: new Uint8Array(file(keyFile)),
      passphrase: "hush passphrase",
    });
    assert.deepEqual([...new Set(s.offered)], [publicKey.fingerprint()], keyFile);
    await client.close();
  }
});

test("connect: a wrong or missing passphrase is the KeyError, before anything connects", async () => {
  const userKey = await generateKey("ssh-ed25519");
  const privateKey = await serializePrivateKey(userKey, { passphrase: "right", rounds: 2 });
  for (
    const [passphrase, expected] of [["wrong", "wrong"], [undefined, "required"]] as const
  ) {
    const e = await connect({ ...base, duplex: untouchable(), privateKey, passphrase })
      .then(() => assert.fail("connected"), (e) => e);
    assert.ok(e instanceof KeyError, String(e));
    assert.equal(e.passphrase, expected);
  }
  // not a key at all
  await assert.rejects(
    connect({ ...base, duplex: untouchable(), privateKey: "-----BEGIN NONSENSE-----\n" }),
    (e) => e instanceof KeyError && e.passphrase === undefined,
  );
  await assert.rejects(
    connect({ ...base, duplex: untouchable(), privateKey: 42 as unknown as string }),
    TypeError,
  );
});

test("connect: hostVerifier decides the host key in place of known_hosts", async () => {
  const userKey = await generateKey("ssh-ed25519");
  const s = await server(userKey);
  const seen: HostVerifierInfo[] = [];
  // an empty store under `yes` would refuse any key: the verifier replaces that check
  const storage = new MemoryStorage("", "known_hosts");
  const trace: string[] = [];
  const client = await connect({
    hostname: "test",
    port: 2222,
    username: "me",
    identities: [userKey],
    duplex: s.duplex,
    knownHosts: new KnownHosts([storage]),
    policy: "yes",
    trace: (l) => trace.push(l),
    hostVerifier: (info) => {
      seen.push(info);
      return Promise.resolve(true);
    },
  });
  assert.equal(seen.length, 1);
  const [info] = seen;
  assert.equal(info.host, "test");
  assert.equal(info.port, 2222);
  assert.equal(info.keyType, "ssh-ed25519");
  assert.equal(info.fingerprint, s.hostKey.publicKey.fingerprint("sha256"));
  assert.match(info.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  assert.ok(info.key.equals(s.hostKey.publicKey));
  assert.ok(trace.includes("Host key accepted by hostVerifier."));
  assert.equal(await storage.read(), "", "nothing recorded in known_hosts");
  await client.close();
});

test("connect: hostVerifier false ends the connection with HOST_KEY_NOT_VERIFIABLE", async () => {
  const userKey = await generateKey("ssh-ed25519");
  const s = await server(userKey);
  const e = await connect({
    ...base,
    policy: undefined,
    duplex: s.duplex,
    identities: [userKey],
    hostVerifier: () => false,
  }).then(() => assert.fail("connected"), (e) => e);
  assert.ok(e instanceof HostKeyError, String(e));
  assert.equal(e.reason, DisconnectReason.HOST_KEY_NOT_VERIFIABLE);
  const fingerprint = s.hostKey.publicKey.fingerprint();
  assert.equal(
    e.message,
    `Host key verification failed: hostVerifier refused the ssh-ed25519 key ${fingerprint} of test port 22`,
  );
  // the server was told why
  const ended = await s.served as Error & { reason?: number };
  assert.equal(ended.reason, DisconnectReason.HOST_KEY_NOT_VERIFIABLE);
  assert.deepEqual(s.offered, [], "no authentication was tried");

  // a verifier that throws refuses too, with its own error
  const t = await server(userKey);
  const mine = new Error("pin store unavailable");
  await assert.rejects(
    connect({
      ...base,
      duplex: t.duplex,
      identities: [userKey],
      hostVerifier: () => {
        throw mine;
      },
    }),
    (e) => e === mine,
  );
});

test("await using: the client and the server close on leaving the block", async () => {
  const userKey = await generateKey("ssh-ed25519");
  const s = await server(userKey);
  const client = await connect({ ...base, duplex: s.duplex, identities: [userKey] });
  let closed = false;
  client.transport.closed.then(() => (closed = true));
  await client[Symbol.asyncDispose]();
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(closed, "the connection is closed");
  await client[Symbol.asyncDispose](); // again: nothing to do
  const listening = await serve({
    port: 0,
    hostKeys: [await generateKey("ssh-ed25519")],
    authenticate: {},
  });
  await listening[Symbol.asyncDispose]();
  await listening.close(); // again: nothing to do
});

test("await using: the syntax closes the client (where the runtime has it)", async (t) => {
  // Node 20 has Symbol.asyncDispose but not the syntax; a bundle using it would not even load.
  let block: (make: () => Promise<unknown>) => Promise<unknown>;
  try {
    const AsyncFunction = (async () => {}).constructor as new (
      ...args: string[]
    ) => (make: () => Promise<unknown>) => Promise<unknown>;
    block = new AsyncFunction("make", "{ await using client = await make(); return client; }");
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    t.skip("this runtime does not parse `await using` (Node 20)");
    return;
  }
  const userKey = await generateKey("ssh-ed25519");
  const s = await server(userKey);
  let closed = false;
  const client = await block(async () => {
    const c = await connect({ ...base, duplex: s.duplex, identities: [userKey] });
    c.transport.closed.then(() => (closed = true));
    return c;
  }) as Awaited<ReturnType<typeof connect>>;
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(closed, "closed on leaving the block");
  await assert.rejects(client.exec("true"));
});
