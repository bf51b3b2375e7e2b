/**
 * Test support (not published): what the scripted client and the scripted server both look for,
 * a USERAUTH_FAILURE message and an {@linkcode AuthError} with a given disconnect reason.
 * @module
 */
import assert from "node:assert/strict";
import { type Message, SshError } from "@hush/wire";
import { AuthError } from "../mod.ts";

/** USERAUTH_FAILURE naming the methods that can continue, with the partial success flag. */
export const failure = (methods: string[], partialSuccess = false): Message => ({
  type: "userauthFailure",
  methods,
  partialSuccess,
});

/** An `assert.rejects` check: the error is an {@linkcode AuthError} with disconnect `reason`. */
export function isAuthError(reason: number): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof AuthError, String(e));
    assert.ok(e instanceof SshError);
    assert.equal(e.code, "ERR_SSH_AUTH");
    assert.equal(e.reason, reason);
    return true;
  };
}
