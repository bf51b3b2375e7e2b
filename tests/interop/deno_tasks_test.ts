import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { CLIENT_DENO_FLAGS, ROOT, SSHD_DENO_FLAGS } from "./server_fixture.ts";

// The tests and benches start the commands with these flags; `deno task …` must run them alike.
test("deno task sshd/ssh/sftp/scp run with the flags the tests and benches use", () => {
  const { tasks } = JSON.parse(readFileSync(`${ROOT}/deno.json`, "utf8"));
  const expected = (flags: string[], name: string) =>
    `deno run -A ${flags.join(" ")} packages/ssh/cli/${name}.ts`;
  assert.equal(tasks.sshd, expected(SSHD_DENO_FLAGS, "sshd"));
  for (const name of ["ssh", "sftp", "scp"]) {
    assert.equal(tasks[name], expected(CLIENT_DENO_FLAGS, name));
  }
});
