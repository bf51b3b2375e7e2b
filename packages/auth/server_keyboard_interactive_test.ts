import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason } from "@hush/wire";
import { AuthError } from "./mod.ts";
import { isAuthError } from "./testdata/outcomes.ts";
import { start } from "./testdata/scripted_client.ts";

test("keyboard-interactive: rounds of prompts through ask()", async () => {
  const { c, reply, request, result } = start({
    keyboardInteractive: async (user, ask, submethods) => {
      assert.equal(submethods, "pam");
      const [pw] = await ask({
        instruction: `Hello ${user}`,
        prompts: [{ prompt: "Password: ", echo: false }],
      });
      const [code] = await ask({ name: "2FA", prompts: [{ prompt: "Code: ", echo: true }] });
      return pw === "pw" && code === "123456";
    },
  });
  await request({ method: "keyboard-interactive", language: "", submethods: "pam" });
  assert.deepEqual(await reply("keyboard-interactive"), {
    type: "userauthInfoRequest",
    name: "",
    instruction: "Hello alice",
    language: "",
    prompts: [{ prompt: "Password: ", echo: false }],
  });
  await c.send({ type: "userauthInfoResponse", responses: ["pw"] });
  const second = await reply("keyboard-interactive");
  assert.ok(
    second?.type === "userauthInfoRequest" && second.name === "2FA" && second.prompts[0].echo,
  );
  await c.send({ type: "userauthInfoResponse", responses: ["123456"] });
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  assert.equal((await result).method, "keyboard-interactive");
});

test("keyboard-interactive: the wrong number of answers is a protocol error", async () => {
  const { c, reply, request, result } = start({
    keyboardInteractive: async (
      _u,
      ask,
    ) => (await ask({ prompts: [{ prompt: "Code: ", echo: true }] }), true),
  });
  await request({ method: "keyboard-interactive", language: "", submethods: "" });
  await reply("keyboard-interactive");
  await c.send({ type: "userauthInfoResponse", responses: ["1", "2"] });
  await assert.rejects(result, isAuthError(DisconnectReason.PROTOCOL_ERROR));
  assert.equal(c.disconnected?.reason, DisconnectReason.PROTOCOL_ERROR);
});

test("keyboard-interactive: a new request abandons the method and is answered", async () => {
  let rejected: unknown;
  const { reply, request, result } = start({
    password: (_u, pw) => pw === "pw",
    keyboardInteractive: async (_u, ask) => {
      try {
        await ask({ prompts: [{ prompt: "Code: ", echo: true }] });
      } catch (e) {
        rejected = e;
        throw e;
      }
      return true;
    },
  });
  await request({ method: "keyboard-interactive", language: "", submethods: "" });
  assert.equal((await reply("keyboard-interactive"))?.type, "userauthInfoRequest");
  await request({ method: "password", password: "pw" });
  assert.deepEqual(await reply(), { type: "userauthSuccess" });
  assert.ok(rejected instanceof AuthError);
  assert.equal((await result).method, "password");
});
