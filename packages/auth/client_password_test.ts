import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason } from "@hush/wire";
import { AuthError } from "./mod.ts";
import { failure, isAuthError } from "./testdata/outcomes.ts";
import { expectRequest, start } from "./testdata/scripted_server.ts";

test("password: a callback is asked again after a failure, up to three prompts", async () => {
  let asked = 0;
  const { s, reader, result } = start({ password: () => Promise.resolve(`guess${++asked}`) });
  await expectRequest(reader);
  await s.send(failure(["password"]));
  for (let i = 1; i <= 3; i++) {
    const r = await expectRequest(reader);
    assert.ok(r.method === "password");
    assert.equal(r.password, `guess${i}`);
    await s.send(failure(["password"]));
  }
  await assert.rejects(result, (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.deepEqual(e.tried, ["none", "password"]);
    assert.ok(!e.message.includes("guess"));
    return true;
  });
  assert.equal(asked, 3);
});

test("password change: PASSWD_CHANGEREQ asks the callback and sends old and new", async () => {
  const prompts: string[] = [];
  const { s, reader, result } = start({
    password: "old",
    changePassword: ({ prompt }) => {
      prompts.push(prompt);
      return Promise.resolve("new");
    },
  });
  await expectRequest(reader);
  await s.send(failure(["password"]));
  const r = await expectRequest(reader);
  assert.ok(r.method === "password" && r.password === "old");
  await s.send({ type: "userauthPasswdChangereq", prompt: "Password expired", language: "" });
  const change = await expectRequest(reader);
  assert.ok(change.method === "password");
  assert.equal(change.password, "old");
  assert.equal(change.newPassword, "new");
  await s.send({ type: "userauthSuccess" });
  assert.deepEqual(await result, { method: "password" });
  assert.deepEqual(prompts, ["Password expired"]);
});

test("password change without a callback gives up on passwords", async () => {
  const { s, reader, result } = start({ password: "old" });
  await expectRequest(reader);
  await s.send(failure(["password"]));
  await expectRequest(reader);
  await s.send({ type: "userauthPasswdChangereq", prompt: "Password expired", language: "" });
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
});

test("password change requests are answered at most passwordPrompts times", async () => {
  let asked = 0;
  const { s, reader, result } = start({
    password: "old",
    passwordPrompts: 2,
    changePassword: () => Promise.resolve(`new${++asked}`),
  });
  await expectRequest(reader);
  await s.send(failure(["password"]));
  await expectRequest(reader);
  for (let i = 0; i < 2; i++) {
    await s.send({ type: "userauthPasswdChangereq", prompt: "Choose another", language: "" });
    const r = await expectRequest(reader);
    assert.ok(r.method === "password" && r.newPassword === `new${i + 1}`);
  }
  await s.send({ type: "userauthPasswdChangereq", prompt: "Choose another", language: "" });
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
  assert.equal(asked, 2);
});
