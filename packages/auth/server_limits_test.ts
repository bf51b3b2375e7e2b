import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason } from "@hush/wire";
import { AuthError } from "./mod.ts";
import { fakeTimers, testSigner } from "./test_peer.ts";
import { failure, isAuthError } from "./testdata/outcomes.ts";
import { signedRequest, start } from "./testdata/scripted_client.ts";

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
