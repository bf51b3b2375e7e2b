/**
 * The state machine and EXT_INFO (RFC 8308): where each end may send it, one rejection per test,
 * against another Hush transport made to send it out of place.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { authenticated, pair, read, victimCloses } from "./testdata/transport_pair.ts";

test("server: EXT_INFO from the client later than right after its first NEWKEYS disconnects", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await c.send({ type: "extInfo", extensions: [{ name: "x", value: new Uint8Array(0) }] });
  await victimCloses(s, c, /EXT_INFO is only allowed/);
});

test("client: EXT_INFO from the server after authentication disconnects", async () => {
  const [c, s] = await authenticated();
  await s.send({ type: "extInfo", extensions: [{ name: "x", value: new Uint8Array(0) }] });
  await victimCloses(c, s, /EXT_INFO is only allowed/);
});

test("client: EXT_INFO during authentication must be followed by USERAUTH_SUCCESS", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await s.send({ type: "extInfo", extensions: [{ name: "x", value: new Uint8Array(0) }] });
  await s.send({ type: "userauthFailure", methods: ["publickey"], partialSuccess: false });
  await victimCloses(c, s, /userauthFailure after EXT_INFO/);
});

test("client: EXT_INFO right before USERAUTH_SUCCESS is accepted (RFC 8308 §2.4)", async () => {
  const [c, s] = await pair();
  await c.requestService("ssh-userauth");
  await s.send({
    type: "extInfo",
    extensions: [{ name: "server-sig-algs", value: new TextEncoder().encode("ssh-ed25519") }],
  });
  await s.authenticated(); // USERAUTH_SUCCESS, and the hand-off to the connection protocol
  assert.equal((await read(c)).type, "userauthSuccess");
  assert.deepEqual(c.serverSigAlgs, ["ssh-ed25519"]);
  await c.disconnect();
  assert.equal(await s.closed, undefined);
});
