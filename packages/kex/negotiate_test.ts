import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason, type KexInit } from "@hush/wire";
import { createKexInit, DEFAULT_KEX, KexError, negotiate } from "./mod.ts";

const isAead = (c: string) =>
  c === "chacha20-poly1305@openssh.com" || c.endsWith("-gcm@openssh.com");

const base = {
  kex: [...DEFAULT_KEX],
  hostKey: ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512"],
  ciphers: ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr"],
  macs: ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512"],
  compression: ["none"],
};

function init(role: "client" | "server", first = true, over: Partial<typeof base> = {}): KexInit {
  return createKexInit({ ...base, ...over }, { role, first });
}

function raw(over: Partial<KexInit> = {}): KexInit {
  return { ...init("client", false), ...over };
}

function assertKexFailed(f: () => unknown, ...parts: string[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof KexError, String(e));
    assert.equal(e.reason, DisconnectReason.KEY_EXCHANGE_FAILED);
    for (const p of parts) assert.ok(e.message.includes(p), `${e.message} lacks ${p}`);
    return true;
  });
}

test("same defaults both sides: each list's first entry, strict kex and ext-info on", () => {
  const n = negotiate(init("client"), init("server"), { isAead, first: true });
  assert.deepEqual(n, {
    kex: "mlkem768x25519-sha256",
    hostKey: "ssh-ed25519",
    cipherClientToServer: "chacha20-poly1305@openssh.com",
    cipherServerToClient: "chacha20-poly1305@openssh.com",
    macClientToServer: undefined,
    macServerToClient: undefined,
    compressionClientToServer: "none",
    compressionServerToClient: "none",
    strictKex: true,
    clientWantsExtInfo: true,
    serverWantsExtInfo: true,
    guessWrong: false,
  });
});

test("the client's first choice that the server supports wins, per direction", () => {
  const client = raw({
    kexAlgorithms: ["diffie-hellman-group14-sha256", "curve25519-sha256"],
    serverHostKeyAlgorithms: ["rsa-sha2-512", "ssh-ed25519"],
    encryptionClientToServer: ["aes128-ctr", "aes256-gcm@openssh.com"],
    encryptionServerToClient: ["aes256-gcm@openssh.com", "aes128-ctr"],
    macClientToServer: ["hmac-sha2-512", "hmac-sha2-256-etm@openssh.com"],
  });
  const server = raw({
    kexAlgorithms: ["curve25519-sha256", "diffie-hellman-group14-sha256"],
    serverHostKeyAlgorithms: ["ssh-ed25519", "rsa-sha2-512"],
    encryptionClientToServer: ["aes256-gcm@openssh.com", "aes128-ctr"],
    encryptionServerToClient: ["aes128-ctr", "aes256-gcm@openssh.com"],
    macClientToServer: ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512"],
  });
  const n = negotiate(client, server, { isAead, first: false });
  assert.equal(n.kex, "diffie-hellman-group14-sha256");
  assert.equal(n.hostKey, "rsa-sha2-512");
  assert.equal(n.cipherClientToServer, "aes128-ctr");
  assert.equal(n.macClientToServer, "hmac-sha2-512");
  assert.equal(n.cipherServerToClient, "aes256-gcm@openssh.com");
  assert.equal(n.macServerToClient, undefined);
  assert.equal(n.strictKex, false);
});

test("pseudo-algorithms are never chosen as the kex method", () => {
  const client = raw({
    kexAlgorithms: ["ext-info-c", "kex-strict-c-v00@openssh.com", "curve25519-sha256"],
  });
  const server = raw({
    kexAlgorithms: ["ext-info-c", "kex-strict-c-v00@openssh.com", "curve25519-sha256"],
  });
  assert.equal(negotiate(client, server, { isAead, first: true }).kex, "curve25519-sha256");
  const onlyPseudo = raw({ kexAlgorithms: ["ext-info-c", "kex-strict-c-v00@openssh.com"] });
  assertKexFailed(() => negotiate(onlyPseudo, onlyPseudo, { isAead, first: true }), "key exchange");
});

test("no common kex: KEY_EXCHANGE_FAILED naming both sides' lists", () => {
  const client = init("client", true, { kex: ["curve25519-sha256"] });
  const server = init("server", true, { kex: ["diffie-hellman-group14-sha256"] });
  assertKexFailed(
    () => negotiate(client, server, { isAead, first: true }),
    "No matching key exchange algorithm",
    "client offered [curve25519-sha256,ext-info-c,kex-strict-c-v00@openssh.com]",
    "server offered [diffie-hellman-group14-sha256,ext-info-s,kex-strict-s-v00@openssh.com]",
  );
});

test("no common host key, cipher, MAC or compression: KEY_EXCHANGE_FAILED naming the lists", () => {
  const cases: [Partial<KexInit>, string][] = [
    [{ serverHostKeyAlgorithms: ["ssh-dss"] }, "host key"],
    [{ encryptionClientToServer: ["3des-cbc"] }, "cipher (client to server)"],
    [{ encryptionServerToClient: ["3des-cbc"] }, "cipher (server to client)"],
    [
      { encryptionClientToServer: ["aes128-ctr"], macClientToServer: ["hmac-md5"] },
      "MAC (client to server)",
    ],
    [
      { encryptionServerToClient: ["aes128-ctr"], macServerToClient: ["hmac-md5"] },
      "MAC (server to client)",
    ],
    [{ compressionClientToServer: ["zlib"] }, "compression (client to server)"],
    [{ compressionServerToClient: ["zlib"] }, "compression (server to client)"],
  ];
  for (const [over, what] of cases) {
    const firstKey = Object.keys(over)[Object.keys(over).length - 1] as keyof KexInit;
    const offered = (over[firstKey] as string[]).join(",");
    assertKexFailed(
      () => negotiate(raw(over), raw(), { isAead, first: false }),
      what,
      `client offered [${offered}]`,
    );
  }
});

test("an AEAD cipher needs no common MAC", () => {
  const client = raw({ macClientToServer: [], macServerToClient: ["hmac-md5"] });
  const n = negotiate(client, raw(), { isAead, first: false });
  assert.equal(n.macClientToServer, undefined);
  assert.equal(n.macServerToClient, undefined);
});

test("empty kex or host key list: KEY_EXCHANGE_FAILED", () => {
  assertKexFailed(
    () => negotiate(raw({ kexAlgorithms: [] }), raw(), { isAead, first: false }),
    "client offered []",
  );
  assertKexFailed(
    () => negotiate(raw(), raw({ serverHostKeyAlgorithms: [] }), { isAead, first: false }),
    "server offered []",
  );
});

test("strict kex and ext-info only count in the first key exchange", () => {
  const client = init("client", true);
  const server = init("server", true);
  const later = negotiate(client, server, { isAead, first: false });
  assert.equal(later.strictKex, false);
  assert.equal(later.clientWantsExtInfo, false);
  assert.equal(later.serverWantsExtInfo, false);
  // rekey KEXINITs carry no flags at all
  const n = negotiate(init("client", false), init("server", false), { isAead, first: true });
  assert.equal(n.strictKex, false);
  assert.equal(n.clientWantsExtInfo, false);
});

test("strict kex needs both sides; the c/s names must be on the right side", () => {
  const client = init("client", true);
  const server = init("server", true);
  const plainServer = {
    ...server,
    kexAlgorithms: server.kexAlgorithms.filter((n) => !n.startsWith("kex-strict")),
  };
  assert.equal(negotiate(client, plainServer, { isAead, first: true }).strictKex, false);
  // a server that (wrongly) sends the client's name does not turn strict kex on
  const swapped = {
    ...server,
    kexAlgorithms: [...plainServer.kexAlgorithms, "kex-strict-c-v00@openssh.com"],
  };
  assert.equal(negotiate(client, swapped, { isAead, first: true }).strictKex, false);
  const noExtInfo = {
    ...client,
    kexAlgorithms: client.kexAlgorithms.filter((n) => n !== "ext-info-c"),
  };
  const n = negotiate(noExtInfo, server, { isAead, first: true });
  assert.equal(n.clientWantsExtInfo, false);
  assert.equal(n.serverWantsExtInfo, true);
  assert.equal(n.strictKex, true);
});

test("guesses: right when both first kex and first host key match, wrong otherwise", () => {
  const server = init("server", true);
  const guess = (over: Partial<KexInit>) =>
    negotiate({ ...init("client", true), firstKexPacketFollows: true, ...over }, server, {
      isAead,
      first: true,
    });
  assert.equal(guess({}).guessWrong, false);
  // first kex differs, even though the negotiated kex is still the server's first
  const n = guess({ kexAlgorithms: ["curve25519-sha256", "mlkem768x25519-sha256"] });
  assert.equal(n.guessWrong, true);
  assert.equal(n.kex, "curve25519-sha256");
  // first host key differs
  assert.equal(
    guess({ serverHostKeyAlgorithms: ["rsa-sha2-512", "ssh-ed25519"] }).guessWrong,
    true,
  );
  // the server guessed
  const m = negotiate(
    init("client", true, { kex: ["curve25519-sha256", "mlkem768x25519-sha256"] }),
    { ...server, firstKexPacketFollows: true },
    { isAead, first: true },
  );
  assert.equal(m.guessWrong, true);
  assert.equal(m.kex, "curve25519-sha256");
  // nobody guessed: never wrong
  assert.equal(
    negotiate(
      init("client", true, { kex: ["curve25519-sha256", "mlkem768x25519-sha256"] }),
      server,
      {
        isAead,
        first: true,
      },
    ).guessWrong,
    false,
  );
});

test("malformed names or cookie in a KEXINIT value: PROTOCOL_ERROR", () => {
  const bad: Partial<KexInit>[] = [
    { kexAlgorithms: ["curve25519-sha256", ""] },
    { serverHostKeyAlgorithms: ["ssh-ed25519,rsa-sha2-512"] },
    { macClientToServer: ["hmac sha1"] },
    { compressionServerToClient: ["n\u00f6ne"] },
    { languagesClientToServer: ["\u0000"] },
    { cookie: new Uint8Array(15) },
  ];
  for (const over of bad) {
    for (const side of ["client", "server"]) {
      assert.throws(
        () =>
          side === "client"
            ? negotiate(raw(over), raw(), { isAead, first: true })
            : negotiate(raw(), raw(over), { isAead, first: true }),
        (e: unknown) =>
          e instanceof KexError && e.reason === DisconnectReason.PROTOCOL_ERROR &&
          e.message.includes(side),
        JSON.stringify(over),
      );
    }
  }
});
