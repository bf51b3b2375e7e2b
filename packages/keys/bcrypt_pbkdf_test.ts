import { test } from "node:test";
import assert from "node:assert/strict";
import { bcryptPbkdf, MAX_BCRYPT_ROUNDS } from "./bcrypt_pbkdf.ts";
import { KeyError } from "./errors.ts";

const pass = new TextEncoder().encode("password");
const salt = new TextEncoder().encode("salt");

// Correctness against ssh-keygen is covered by private_key_openssh_test.ts: every encrypted
// fixture (made by ssh-keygen) only decrypts if bcrypt_pbkdf matches OpenSSH byte for byte.

test("is deterministic and depends on passphrase, salt and rounds", () => {
  const a = bcryptPbkdf(pass, salt, 48, 2);
  assert.deepEqual(bcryptPbkdf(pass, salt, 48, 2), a);
  assert.notDeepEqual(bcryptPbkdf(pass, salt, 48, 3), a);
  assert.notDeepEqual(bcryptPbkdf(pass, new TextEncoder().encode("salu"), 48, 2), a);
  assert.notDeepEqual(bcryptPbkdf(new TextEncoder().encode("passwore"), salt, 48, 2), a);
  // Output bytes are interleaved across 32-byte blocks: a shorter output is not a prefix.
  assert.notDeepEqual(bcryptPbkdf(pass, salt, 16, 2), a.subarray(0, 16));
});

test(`rounds outside 1..${MAX_BCRYPT_ROUNDS} and empty inputs are KeyErrors`, () => {
  for (const rounds of [0, -1, 1.5, MAX_BCRYPT_ROUNDS + 1, 0xffffffff]) {
    assert.throws(() => bcryptPbkdf(pass, salt, 32, rounds), KeyError, `rounds ${rounds}`);
  }
  assert.throws(() => bcryptPbkdf(pass, new Uint8Array(0), 32, 1), KeyError);
  assert.throws(() => bcryptPbkdf(new Uint8Array(0), salt, 32, 1), KeyError);
  assert.throws(() => bcryptPbkdf(pass, new Uint8Array((1 << 20) + 1), 32, 1), KeyError);
  assert.throws(() => bcryptPbkdf(pass, salt, 1025, 1), RangeError);
});
