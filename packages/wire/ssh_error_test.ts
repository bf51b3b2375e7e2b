import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason, SshError, SshReader, WireError } from "./mod.ts";

test("SshError: a code, a name, a message and a cause", () => {
  const cause = new RangeError("underneath");
  const e = new SshError("ERR_SSH_TEST", "Something broke", { cause });
  assert.ok(e instanceof Error);
  assert.equal(e.name, "SshError");
  assert.equal(e.code, "ERR_SSH_TEST");
  assert.equal(e.message, "Something broke");
  assert.equal(e.cause, cause);
});

test("WireError: a truncated field from the peer is an SshError with code ERR_SSH_WIRE", () => {
  assert.throws(() => new SshReader(new Uint8Array([0, 0, 0, 9])).string(), (e) => {
    assert.ok(e instanceof WireError && e instanceof SshError);
    assert.equal(e.name, "WireError");
    assert.equal(e.code, "ERR_SSH_WIRE");
    assert.equal(e.reason, DisconnectReason.PROTOCOL_ERROR);
    return true;
  });
});
