import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSshArgs } from "./ssh_args.ts";
import { resolveSshSettings } from "./ssh_config.ts";
import { parseSetEnv, sessionEnvironment } from "./ssh_env.ts";

test("parseSetEnv: NAME=VALUE words, quotes keep spaces, the first value of a name wins", () => {
  assert.deepEqual(parseSetEnv(""), {});
  assert.deepEqual(parseSetEnv('A=1  B="two words" "C=x y" D='), {
    A: "1",
    B: "two words",
    C: "x y",
    D: "",
  });
  assert.deepEqual(parseSetEnv("A=1 A=2"), { A: "1" });
  assert.throws(() => parseSetEnv("A"), /Invalid SetEnv 'A'/);
  assert.throws(() => parseSetEnv("=1"), /Invalid SetEnv/);
  assert.throws(() => parseSetEnv('A="1'), /Unterminated quote/);
});

test("sessionEnvironment: LANG and LC_*, SendEnv wildcards, SetEnv wins", () => {
  const local = {
    LANG: "C.UTF-8",
    LC_TIME: "C",
    HOME: "/h",
    EDITOR: "vi",
    EDIT_X: "1",
    A: "local",
  };
  assert.deepEqual(sessionEnvironment(local, [], {}), { LANG: "C.UTF-8", LC_TIME: "C" });
  assert.deepEqual(sessionEnvironment(local, ["EDIT?R", "A"], { A: "set", B: "2" }), {
    LANG: "C.UTF-8",
    LC_TIME: "C",
    EDITOR: "vi",
    A: "set",
    B: "2",
  });
  assert.deepEqual(Object.keys(sessionEnvironment(local, ["EDIT*"], {})).sort(), [
    "EDITOR",
    "EDIT_X",
    "LANG",
    "LC_TIME",
  ]);
});

test("ssh -o SendEnv adds up across options; SetEnv's first option wins", () => {
  const s = resolveSshSettings(
    parseSshArgs([
      "-o",
      "SendEnv=A*",
      "-o",
      "SendEnv B",
      "-o",
      "SetEnv=X=1",
      "-o",
      "SetEnv=X=2",
      "host",
    ]),
    { home: "/h", env: {}, terminal: false },
  );
  assert.deepEqual(s.sendEnv, ["A*", "B"]);
  assert.deepEqual(s.setEnv, { X: "1" });
});
