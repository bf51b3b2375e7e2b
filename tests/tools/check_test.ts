import { test } from "node:test";
import assert from "node:assert/strict";
import { graphProblems, plainErrorProblems } from "./check.ts";

test("check: core packages neither use runtime APIs nor look for a runtime", () => {
  assert.deepEqual(graphProblems("packages/cipher/x.ts", `export const a = 1;`), []);
  for (
    const code of [
      `const nc = process.getBuiltinModule("node:crypto");`,
      `if (globalThis.Deno) {}`,
      `const v = process.versions.node;`,
      `const ua = navigator.userAgent;`,
      `if (typeof Bun !== "undefined") {}`,
      `Deno.exit(1);`,
      `import { spawn } from "node:child_process";`,
    ]
  ) {
    assert.equal(graphProblems("packages/cipher/x.ts", code).length, 1, code);
    // The facade's adapters, tests and benches may.
    assert.deepEqual(graphProblems("packages/ssh/adapters/x.ts", code), [], code);
    assert.deepEqual(graphProblems("packages/cipher/x_test.ts", code), [], code);
  }
});

test("check: a package imports only the siblings the graph allows, through @hush/", () => {
  assert.equal(graphProblems("packages/wire/x.ts", `import "@hush/keys";`).length, 1);
  assert.equal(graphProblems("packages/kex/x.ts", `import "../keys/mod.ts";`).length, 1);
  assert.deepEqual(graphProblems("packages/kex/x.ts", `import { a } from "@hush/keys";`), []);
});

test("check: library code throws its package's error class, never a plain Error", () => {
  for (
    const code of [
      `throw new Error("x");`,
      `return Promise.reject(new Error("closed"));`,
      `controller.error(new Error("bad"));`,
      `throw Error("x");`,
      `const e = new Error ("x");`,
    ]
  ) {
    assert.equal(plainErrorProblems("packages/kex/x.ts", code).length, 1, code);
    // Tests, benches, testdata and test support may.
    for (const path of ["x_test.ts", "x_bench.ts", "testdata/x.ts", "testing.ts", "test_peer.ts"]) {
      assert.deepEqual(plainErrorProblems(`packages/kex/${path}`, code), [], path);
    }
  }
  for (
    const code of [
      `throw new KexError("x");`,
      `throw new SshError("ERR_SSH_X", "x");`,
      `throw new TypeError("bad argument");`,
      `class A extends Error {}`,
      `if (e instanceof Error) throw e;`,
      `/**\n * @example\n * new Error("in a doc example")\n */`,
      `// new Error("in a comment")`,
      `// allow-plain-error: errno-style, as fs errors are\nreturn Object.assign(new Error("x"), { code: "ENOENT" });`,
    ]
  ) {
    assert.deepEqual(plainErrorProblems("packages/kex/x.ts", code), [], code);
  }
  assert.deepEqual(
    plainErrorProblems("packages/kex/x.ts", `const a = 1;\nthrow new Error("x");`),
    ["packages/kex/x.ts:2: a plain Error; throw the package's error class (an SshError)"],
  );
});

test("check: a core package's JSDoc examples may import node:assert/strict; its code may not", () => {
  const example = [
    "/**",
    " * @example",
    " * ```ts",
    ' * import assert from "node:assert/strict";',
    ' * import { DisconnectReason } from "@hush/wire";',
    " * assert.equal(DisconnectReason.PROTOCOL_ERROR, 2);",
    " * ```",
    " */",
    "export const a = 1;",
  ].join("\n");
  for (
    const pkg of [
      "wire",
      "cipher",
      "keys",
      "kex",
      "hostkeys",
      "auth",
      "transport",
      "channels",
      "sftp",
    ]
  ) {
    assert.deepEqual(graphProblems(`packages/${pkg}/x.ts`, example), [], pkg);
  }
  assert.equal(
    graphProblems("packages/wire/x.ts", `import assert from "node:assert/strict";`).length,
    1,
  );
});
