import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason, type Message } from "@hush/wire";
import { authenticateClient, AuthError } from "./mod.ts";
import { connPair, type TestConn, testSigner } from "./test_peer.ts";
import { failure, isAuthError } from "./testdata/outcomes.ts";
import { expectRequest, sessionId, start } from "./testdata/scripted_server.ts";

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
