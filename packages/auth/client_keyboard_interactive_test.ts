import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason } from "@hush/wire";
import { nextMessage } from "./test_peer.ts";
import { failure, isAuthError } from "./testdata/outcomes.ts";
import { expectRequest, start } from "./testdata/scripted_server.ts";

test("keyboard-interactive: rounds of prompts with echo flags reach the callback", async () => {
  const seen: unknown[] = [];
  const { s, reader, result } = start({
    keyboardInteractive: (challenge) => {
      seen.push(challenge);
      return Promise.resolve(challenge.prompts.map((p) => `answer to ${p.prompt}`));
    },
  });
  await expectRequest(reader);
  await s.send(failure(["keyboard-interactive"]));
  const r = await expectRequest(reader);
  assert.ok(r.method === "keyboard-interactive");
  assert.equal(r.submethods, "");
  await s.send({
    type: "userauthInfoRequest",
    name: "Login",
    instruction: "Two factors",
    language: "",
    prompts: [{ prompt: "Password: ", echo: false }, { prompt: "Code: ", echo: true }],
  });
  let m = await nextMessage(reader, "keyboard-interactive");
  assert.deepEqual(m, {
    type: "userauthInfoResponse",
    responses: ["answer to Password: ", "answer to Code: "],
  });
  await s.send({
    type: "userauthInfoRequest",
    name: "",
    instruction: "",
    language: "",
    prompts: [],
  });
  m = await nextMessage(reader, "keyboard-interactive");
  assert.deepEqual(m, { type: "userauthInfoResponse", responses: [] });
  await s.send({ type: "userauthSuccess" });
  assert.deepEqual(await result, { method: "keyboard-interactive" });
  assert.deepEqual(seen, [{
    name: "Login",
    instruction: "Two factors",
    prompts: [{ prompt: "Password: ", echo: false }, { prompt: "Code: ", echo: true }],
  }]);
});

test("a keyboard-interactive callback that throws cancels authentication", async () => {
  const { s, reader, result } = start({
    keyboardInteractive: () => Promise.reject(new Error("no tty")),
  });
  await expectRequest(reader);
  await s.send(failure(["keyboard-interactive"]));
  await expectRequest(reader);
  await s.send({
    type: "userauthInfoRequest",
    name: "",
    instruction: "",
    language: "",
    prompts: [{ prompt: "Code: ", echo: true }],
  });
  await assert.rejects(result, isAuthError(DisconnectReason.AUTH_CANCELLED_BY_USER));
});

test("keyboard-interactive is tried at most passwordPrompts (3) times", async () => {
  let rounds = 0;
  const { s, reader, result } = start({
    keyboardInteractive: () => Promise.resolve([`try${++rounds}`]),
  });
  await expectRequest(reader);
  await s.send(failure(["keyboard-interactive"]));
  for (let i = 0; i < 3; i++) {
    const r = await expectRequest(reader);
    assert.ok(r.method === "keyboard-interactive");
    await s.send({
      type: "userauthInfoRequest",
      name: "",
      instruction: "",
      language: "",
      prompts: [{ prompt: "Code: ", echo: true }],
    });
    assert.equal((await nextMessage(reader, "keyboard-interactive"))?.type, "userauthInfoResponse");
    await s.send(failure(["keyboard-interactive"]));
  }
  await assert.rejects(result, isAuthError(DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE));
  assert.equal(rounds, 3);
});
