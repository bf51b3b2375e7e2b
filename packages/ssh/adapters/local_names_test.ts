import assert from "node:assert/strict";
import { hostname, userInfo } from "node:os";
import { test } from "node:test";
import { nativeLocalNames } from "./files.ts";
import { localSshIdentity } from "./ssh_config_file.ts";

test("the local user and host names are node:os's, found without it on Deno", () => {
  const native = nativeLocalNames();
  if ("Deno" in globalThis) assert.ok(native, "Deno has its own way");
  else assert.equal(native, undefined);
  const os = userInfo();
  const local = localSshIdentity();
  assert.equal(local.localUser, os.username);
  assert.equal(local.uid, os.uid);
  assert.equal(local.localHostname, hostname());
  if (native) {
    assert.equal(native.username, os.username);
    assert.equal(native.hostname, hostname());
  }
});
