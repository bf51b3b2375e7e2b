import { test } from "node:test";
import assert from "node:assert/strict";
import type { PublicKey } from "@hush/keys";
import { DisconnectReason } from "@hush/wire";
import { testSigner } from "./test_peer.ts";
import { failure, isAuthError } from "./testdata/outcomes.ts";
import { signedRequest, start } from "./testdata/scripted_client.ts";

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
