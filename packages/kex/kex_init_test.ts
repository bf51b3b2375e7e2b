import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason, encodeMessage } from "@hush/wire";
import { createKexInit, DEFAULT_KEX, KexError, parseKexInit, PseudoAlgorithm } from "./mod.ts";

const prefs = {
  kex: ["curve25519-sha256", "diffie-hellman-group14-sha256"],
  hostKey: ["ssh-ed25519", "rsa-sha2-512"],
  ciphers: ["chacha20-poly1305@openssh.com", "aes128-ctr"],
  macs: ["hmac-sha2-256-etm@openssh.com"],
  compression: ["none"],
};

test("DEFAULT_KEX is OpenSSH 10's order without the SHA-1 groups", () => {
  assert.deepEqual(DEFAULT_KEX, [
    "mlkem768x25519-sha256",
    "sntrup761x25519-sha512",
    "sntrup761x25519-sha512@openssh.com",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
  ]);
  assert.ok(Object.isFrozen(DEFAULT_KEX));
});

test("first client KEXINIT appends ext-info-c and kex-strict-c; cookie comes from random", () => {
  const cookie = new Uint8Array(16).fill(0xab);
  const init = createKexInit(prefs, { role: "client", first: true, random: () => cookie });
  assert.deepEqual(init.kexAlgorithms, [
    "curve25519-sha256",
    "diffie-hellman-group14-sha256",
    PseudoAlgorithm.EXT_INFO_CLIENT,
    PseudoAlgorithm.STRICT_KEX_CLIENT,
  ]);
  assert.deepEqual(init.cookie, cookie);
  assert.notEqual(init.cookie, cookie); // copied
  assert.deepEqual(init.encryptionClientToServer, prefs.ciphers);
  assert.deepEqual(init.encryptionServerToClient, prefs.ciphers);
  assert.deepEqual(init.macServerToClient, prefs.macs);
  assert.deepEqual(init.languagesClientToServer, []);
  assert.equal(init.firstKexPacketFollows, false);
  assert.equal(init.reserved, 0);
});

test("first server KEXINIT appends ext-info-s and kex-strict-s", () => {
  const init = createKexInit(prefs, { role: "server", first: true });
  assert.deepEqual(init.kexAlgorithms.slice(-2), ["ext-info-s", "kex-strict-s-v00@openssh.com"]);
  assert.equal(init.cookie.length, 16);
});

test("later KEXINITs carry no pseudo-algorithms, and given ones are dropped", () => {
  for (const role of ["client", "server"] as const) {
    const init = createKexInit(
      { ...prefs, kex: ["ext-info-c", ...prefs.kex, "kex-strict-c-v00@openssh.com"] },
      { role, first: false },
    );
    assert.deepEqual(init.kexAlgorithms, prefs.kex);
  }
});

test("two KEXINITs get different random cookies", () => {
  const a = createKexInit(prefs, { role: "client", first: true });
  const b = createKexInit(prefs, { role: "client", first: true });
  assert.notDeepEqual(a.cookie, b.cookie);
});

test("createKexInit rejects empty preference lists with TypeError", () => {
  for (const key of ["kex", "hostKey", "ciphers", "compression"] as const) {
    assert.throws(
      () => createKexInit({ ...prefs, [key]: [] }, { role: "client", first: true }),
      TypeError,
    );
  }
  assert.throws(
    () => createKexInit({ ...prefs, kex: ["ext-info-c"] }, { role: "client", first: true }),
    TypeError,
  );
  assert.throws(
    () => createKexInit(prefs, { role: "client", first: true, random: () => new Uint8Array(8) }),
    TypeError,
  );
});

test("parseKexInit round-trips an encoded KEXINIT", () => {
  const init = createKexInit(prefs, { role: "client", first: true });
  assert.deepEqual(parseKexInit(encodeMessage(init)), init);
});

function assertProtocolError(f: () => unknown): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof KexError, String(e));
    assert.equal(e.reason, DisconnectReason.PROTOCOL_ERROR);
    return true;
  });
}

test("parseKexInit: truncated cookie is a PROTOCOL_ERROR KexError", () => {
  const payload = encodeMessage(createKexInit(prefs, { role: "client", first: true }));
  for (const n of [1, 5, 16]) assertProtocolError(() => parseKexInit(payload.subarray(0, n)));
});

test("parseKexInit: truncated lists, trailing bytes, wrong message are PROTOCOL_ERROR", () => {
  const payload = encodeMessage(createKexInit(prefs, { role: "client", first: true }));
  assertProtocolError(() => parseKexInit(payload.subarray(0, 40)));
  assertProtocolError(() => parseKexInit(payload.subarray(0, payload.length - 1)));
  const longer = new Uint8Array(payload.length + 1);
  longer.set(payload);
  assertProtocolError(() => parseKexInit(longer));
  assertProtocolError(() => parseKexInit(new Uint8Array([21])));
  assertProtocolError(() => parseKexInit(new Uint8Array(0)));
});

/** A KEXINIT payload with a raw kex name-list string. */
function withKexList(list: string): Uint8Array {
  const enc = new TextEncoder();
  const names = enc.encode(list);
  const rest = encodeMessage(createKexInit(prefs, { role: "client", first: false }));
  // 1 type byte + 16 cookie + (4 + len) kex list, then the rest of the original
  const oldLen = new DataView(rest.buffer).getUint32(17);
  const tail = rest.subarray(17 + 4 + oldLen);
  const out = new Uint8Array(17 + 4 + names.length + tail.length);
  out.set(rest.subarray(0, 17));
  new DataView(out.buffer).setUint32(17, names.length);
  out.set(names, 21);
  out.set(tail, 21 + names.length);
  return out;
}

test("parseKexInit: malformed name-lists are PROTOCOL_ERROR", () => {
  assert.deepEqual(parseKexInit(withKexList("a,b")).kexAlgorithms, ["a", "b"]);
  for (const bad of [",", "a,,b", "a,", ",a", "a\u0001b", "caf\u00e9"]) {
    assertProtocolError(() => parseKexInit(withKexList(bad)));
  }
});

test("parseKexInit: an empty kex list parses (negotiation then fails)", () => {
  assert.deepEqual(parseKexInit(withKexList("")).kexAlgorithms, []);
});
