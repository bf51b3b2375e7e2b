import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason } from "@hush/wire";
import { authenticateServer, AuthError } from "./mod.ts";
import { connPair, testSigner } from "./test_peer.ts";
import { failure, isAuthError } from "./testdata/outcomes.ts";
import { sessionId, signedRequest, start } from "./testdata/scripted_client.ts";

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
