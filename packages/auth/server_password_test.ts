import { test } from "node:test";
import assert from "node:assert/strict";
import { failure } from "./testdata/outcomes.ts";
import { start } from "./testdata/scripted_client.ts";

test("password: right, wrong, and a password change", async () => {
  const changes: string[][] = [];
  const { reply, request, result } = start({
    password: (
      user,
      pw,
    ) => (pw === "expired"
      ? { changePrompt: "Password expired, choose another" }
      : pw === `${user}-pw`),
    changePassword: (user, old, neu) => (changes.push([user, old, neu]), neu.length >= 8),
  });
  await request({ method: "password", password: "wrong" });
  assert.deepEqual(await reply(), failure(["password"]));
  await request({ method: "password", password: "expired" });
  assert.deepEqual(await reply("password"), {
    type: "userauthPasswdChangereq",
    prompt: "Password expired, choose another",
    language: "",
  });
  await request({ method: "password", password: "expired", newPassword: "short" });
  assert.deepEqual(await reply(), failure(["password"]));
  await request({ method: "password", password: "wrong", newPassword: "long enough" });
  assert.deepEqual(await reply(), failure(["password"]));
  await request({ method: "password", password: "expired", newPassword: "long enough" });
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  assert.equal((await result).method, "password");
  assert.deepEqual(changes, [["alice", "expired", "short"], ["alice", "expired", "long enough"]]);
});
