import { test } from "node:test";
import assert from "node:assert/strict";
import type { PublicKey, Signer } from "@hush/keys";
import { DisconnectReason } from "@hush/wire";
import { AuthError, publickeySignedData } from "./mod.ts";
import type { AgentClient } from "./agent_client.ts";
import { testSigner } from "./test_peer.ts";
import { failure, isAuthError } from "./testdata/outcomes.ts";
import { expectRequest, sessionId, start } from "./testdata/scripted_server.ts";

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
