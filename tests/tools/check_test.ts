import { test } from "node:test";
import assert from "node:assert/strict";
import { graphProblems } from "./check.ts";

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
