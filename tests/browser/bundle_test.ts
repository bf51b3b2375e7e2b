/**
 * The browser bundle of the client (`deno task build:browser`): one ES module without a single
 * import of a runtime module, that loads where only web APIs exist and exposes the client.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBrowser, runtimeImports } from "../tools/build_browser.ts";

test("runtimeImports: static, dynamic and require() imports of node:, deno: and bun: modules", () => {
  assert.deepEqual(runtimeImports('import x from "node:fs";'), ['from "node:fs"']);
  assert.deepEqual(runtimeImports("await import('node:net')"), ["import('node:net'"]);
  assert.deepEqual(runtimeImports('require("node:crypto")'), ['require("node:crypto"']);
  assert.deepEqual(runtimeImports('import "bun:sqlite";'), ['import "bun:sqlite"']);
  // reaching a built-in through process.getBuiltinModule is no import: browsers never run it
  assert.deepEqual(runtimeImports('process.getBuiltinModule?.("node:crypto")'), []);
  assert.deepEqual(runtimeImports('const table = { node: ["node:x"] };'), []);
});

test("build:browser: hush.js is one ES module with the client and no runtime imports", {
  timeout: 120_000,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), "hush-bundle-"));
  try {
    const build = await buildBrowser(out);
    const code = await Deno.readTextFile(join(out, "hush.js"));
    assert.deepEqual(runtimeImports(code), []);
    assert.doesNotMatch(code, /\bDeno\.|\bBun\./, "no Deno or Bun API in the client");
    assert.ok(build.client.gzipBytes < build.client.bytes);
    // one self-contained ES module (page_test.ts loads it in Chromium)
    const module = await import(`file://${out}/hush.js`);
    for (
      const name of ["connect", "connectWebSocket", "KnownHosts", "webCryptoSigner", "HostKeyError"]
    ) {
      assert.equal(typeof module[name], "function", `hush.js exports ${name}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
