import { test } from "node:test";
import assert from "node:assert/strict";
import { testSigner } from "./test_peer.ts";
import { failure } from "./testdata/outcomes.ts";
import { signedRequest, start } from "./testdata/scripted_client.ts";

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
