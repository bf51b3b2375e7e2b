import { test } from "node:test";
import assert from "node:assert/strict";
import { generatePrimeSync } from "node:crypto";
import { generateKey } from "@hush/keys";
import { DisconnectReason, type Message, SshError } from "@hush/wire";
import {
  createClientExchange,
  createServerExchange,
  KexError,
  type KexExchange,
  nobleX25519,
  webCryptoX25519,
} from "./mod.ts";
import { MODP_2048, MODP_3072 } from "./dh_groups.ts";
import { fromHex } from "./testing.ts";

const hostKey = await generateKey("ssh-ed25519");
const inputs = {
  clientVersion: "SSH-2.0-HushTest_client",
  serverVersion: "SSH-2.0-HushTest_server",
  clientKexInit: new Uint8Array([20, 1, 2, 3]),
  serverKexInit: new Uint8Array([20, 4, 5, 6]),
  hostKeyAlgorithm: "ssh-ed25519",
};
const server = (kex: string): KexExchange => createServerExchange(kex, { ...inputs, hostKey });
const client = async (kex: string): Promise<KexExchange> => {
  const c = createClientExchange(kex, inputs);
  await c.start();
  return c;
};

const { KEY_EXCHANGE_FAILED, PROTOCOL_ERROR } = DisconnectReason;

async function rejects(p: Promise<unknown>, reason: number, text?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof KexError, `not a KexError: ${e}`);
    assert.ok(e instanceof SshError);
    assert.equal(e.code, "ERR_SSH_KEX");
    assert.equal(e.reason, reason, e.message);
    if (text) assert.ok(e.message.includes(text), `"${e.message}" lacks "${text}"`);
    return true;
  });
}

/** A valid server reply for `kex`, from a real server, to tamper with. */
async function realReply(kex: string, init: Message[]): Promise<Message> {
  const s = server(kex);
  const { reply } = await s.receive(init[0]);
  return reply[0];
}

const X25519_BAD: [string, Uint8Array][] = [
  ["zero", new Uint8Array(32)],
  ["one", fromHex("01" + "00".repeat(31))],
  ["order 8 (a)", fromHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")],
  ["order 8 (b)", fromHex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157")],
  ["p-1", fromHex("ec" + "ff".repeat(30) + "7f")],
  ["p", fromHex("ed" + "ff".repeat(30) + "7f")],
  ["p+1", fromHex("ee" + "ff".repeat(30) + "7f")],
];

for (const kex of ["curve25519-sha256", "curve25519-sha256@libssh.org"]) {
  test(`${kex}: low-order client values are KEY_EXCHANGE_FAILED`, async () => {
    for (const [, q] of X25519_BAD) {
      await rejects(
        server(kex).receive({ type: "kexEcdhInit", publicKey: q }),
        KEY_EXCHANGE_FAILED,
      );
    }
  });
}

// The same values through the runtime's WebCrypto X25519 (what the facade hands in): refused
// the same way, with the same reason, both sides, in curve25519 and in the hybrids' X25519 half.
test("X25519 on WebCrypto: low-order and malformed values are KEY_EXCHANGE_FAILED, both sides", async () => {
  const x25519 = webCryptoX25519(crypto.subtle);
  for (const kex of ["curve25519-sha256", "sntrup761x25519-sha512", "mlkem768x25519-sha256"]) {
    // a real client value for the hybrids, its X25519 half replaced
    const init = await createClientExchange(kex, inputs).start();
    const real = (init[0] as { publicKey: Uint8Array }).publicKey;
    for (const [name, q] of [...X25519_BAD, ["31 bytes", new Uint8Array(31).fill(9)] as const]) {
      const value = new Uint8Array(real.length - 32 + q.length);
      value.set(real.subarray(0, real.length - 32));
      value.set(q, real.length - 32);
      const s = createServerExchange(kex, { ...inputs, hostKey, x25519 });
      await assert.rejects(s.receive({ type: "kexEcdhInit", publicKey: value }), (e: unknown) => {
        assert.ok(e instanceof KexError, `${kex}, ${name}: not a KexError: ${e}`);
        assert.equal(e.reason, KEY_EXCHANGE_FAILED, `${kex}, ${name}: ${e.message}`);
        return true;
      });
    }
  }
  for (const [name, q] of X25519_BAD) {
    const c = createClientExchange("curve25519-sha256", { ...inputs, x25519 });
    await c.start();
    const reply = { type: "kexEcdhReply", hostKey: hostKey.publicKey.blob, publicKey: q };
    await assert.rejects(
      c.receive({ ...reply, signature: new Uint8Array(0) } as Message),
      (e: unknown) => e instanceof KexError && e.reason === KEY_EXCHANGE_FAILED,
      name,
    );
  }
});

test("curve25519 and the hybrids agree across X25519 backends (noble ⇄ WebCrypto)", async () => {
  const web = webCryptoX25519(crypto.subtle);
  for (const kex of ["curve25519-sha256", "sntrup761x25519-sha512", "mlkem768x25519-sha256"]) {
    for (const [c, s] of [[nobleX25519, web], [web, nobleX25519], [web, web]]) {
      const cx = createClientExchange(kex, { ...inputs, x25519: c });
      const sx = createServerExchange(kex, { ...inputs, hostKey, x25519: s });
      const [init] = await cx.start();
      const { reply, result: sr } = await sx.receive(init);
      const { result: cr } = await cx.receive(reply[0]);
      assert.deepEqual(cr!.sharedSecret, sr!.sharedSecret, `${kex}: ${c.name} ⇄ ${s.name}`);
      assert.deepEqual(cr!.exchangeHash, sr!.exchangeHash);
    }
  }
});

test("curve25519: low-order server values and wrong lengths are KEY_EXCHANGE_FAILED", async () => {
  const kex = "curve25519-sha256";
  for (const [, q] of X25519_BAD) {
    const c = await client(kex);
    await rejects(
      c.receive({
        type: "kexEcdhReply",
        hostKey: hostKey.publicKey.blob,
        publicKey: q,
        signature: new Uint8Array(0),
      }),
      KEY_EXCHANGE_FAILED,
    );
  }
  for (const n of [0, 31, 33, 65]) {
    await rejects(
      server(kex).receive({ type: "kexEcdhInit", publicKey: new Uint8Array(n).fill(9) }),
      KEY_EXCHANGE_FAILED,
      "32 bytes",
    );
  }
});

for (
  const [kex, len] of [["ecdh-sha2-nistp256", 32], ["ecdh-sha2-nistp384", 48], [
    "ecdh-sha2-nistp521",
    66,
  ]] as const
) {
  test(`${kex}: points off the curve, at infinity, compressed or of wrong length are KEY_EXCHANGE_FAILED`, async () => {
    const c = createClientExchange(kex, inputs);
    const [init] = await c.start();
    const good = (init as { publicKey: Uint8Array }).publicKey;
    assert.equal(good.length, 1 + 2 * len);
    const offCurve = good.slice();
    offCurve[offCurve.length - 1] ^= 1;
    const compressed = new Uint8Array(1 + len);
    compressed[0] = 2 + (good[good.length - 1] & 1);
    compressed.set(good.subarray(1, 1 + len), 1);
    const bad = [
      offCurve,
      new Uint8Array([0]), // the point at infinity
      new Uint8Array(1 + 2 * len), // 0x00 prefix, all zero
      Uint8Array.of(4, ...new Uint8Array(2 * len)), // (0, 0)
      Uint8Array.of(4, ...new Uint8Array(2 * len).fill(0xff)), // coordinates ≥ p
      compressed,
      good.subarray(0, good.length - 1),
    ];
    for (const q of bad) {
      await rejects(
        server(kex).receive({ type: "kexEcdhInit", publicKey: q }),
        KEY_EXCHANGE_FAILED,
      );
    }
    // and the client checks the server's point the same way
    const reply = (await realReply(kex, [init])) as Extract<Message, { type: "kexEcdhReply" }>;
    await rejects(
      c.receive({ ...reply, publicKey: offCurve }),
      KEY_EXCHANGE_FAILED,
      "not a point on the curve",
    );
  });
}

test("fixed groups: e and f outside 1 < v < p-1 are KEY_EXCHANGE_FAILED", async () => {
  const kex = "diffie-hellman-group14-sha256";
  for (const e of [-5n, 0n, 1n, MODP_2048 - 1n, MODP_2048, MODP_2048 + 1n, 1n << 4096n]) {
    await rejects(
      server(kex).receive({ type: "kexDhInit", e }),
      KEY_EXCHANGE_FAILED,
      "out of range",
    );
  }
  for (const f of [0n, 1n, MODP_2048 - 1n, MODP_2048]) {
    const c = await client(kex);
    await rejects(
      c.receive({
        type: "kexDhReply",
        hostKey: hostKey.publicKey.blob,
        f,
        signature: new Uint8Array(0),
      }),
      KEY_EXCHANGE_FAILED,
      "out of range",
    );
  }
});

const GEX = "diffie-hellman-group-exchange-sha256";

test("group exchange server: bad GEX_REQUEST ranges are KEY_EXCHANGE_FAILED", async () => {
  const cases: [number, number, number][] = [
    [4096, 3072, 2048], // min > max
    [2048, 1024, 8192], // n < min
    [2048, 9000, 8192], // n > max
    [9000, 9000, 10000], // above every group we have
    [512, 1024, 1024], // below every group we have
  ];
  for (const [min, n, max] of cases) {
    await rejects(
      server(GEX).receive({ type: "kexDhGexRequest", min, n, max }),
      KEY_EXCHANGE_FAILED,
    );
  }
});

test("group exchange server: picks the smallest group of at least n bits within range", async () => {
  const pick = async (min: number, n: number, max: number) => {
    const { reply } = await server(GEX).receive({ type: "kexDhGexRequest", min, n, max });
    const m = reply[0] as Extract<Message, { type: "kexDhGexGroup" }>;
    return m.p.toString(2).length;
  };
  assert.equal(await pick(2048, 3072, 8192), 3072);
  assert.equal(await pick(2048, 2048, 2048), 2048);
  assert.equal(await pick(1024, 3500, 8192), 4096);
  assert.equal(await pick(1024, 5000, 5000), 4096); // nothing ≥ n fits: the largest that does
  assert.equal(await pick(1024, 1024, 16384), 2048);
});

test("group exchange server: repeated GEX_REQUEST, GEX_REQUEST_OLD, INIT first are PROTOCOL_ERROR", async () => {
  const s = server(GEX);
  await s.receive({ type: "kexDhGexRequest", min: 2048, n: 3072, max: 8192 });
  await rejects(
    s.receive({ type: "kexDhGexRequest", min: 2048, n: 3072, max: 8192 }),
    PROTOCOL_ERROR,
    "Repeated",
  );
  await rejects(server(GEX).receive({ type: "kexDhGexRequestOld", n: 2048 }), PROTOCOL_ERROR);
  await rejects(server(GEX).receive({ type: "kexDhGexInit", e: 5n }), PROTOCOL_ERROR);
  const s2 = server(GEX);
  await s2.receive({ type: "kexDhGexRequest", min: 2048, n: 2048, max: 8192 });
  await rejects(s2.receive({ type: "kexDhGexInit", e: 1n }), KEY_EXCHANGE_FAILED, "out of range");
});

test("group exchange client: groups too small, too large, not prime or with a bad generator", async () => {
  const small = generatePrimeSync(1024, { bigint: true });
  const composite = MODP_2048 * small; // 3071 or 3072 bits, no small factors
  assert.ok(composite.toString(2).length >= 3071);
  const cases: [bigint, bigint, string][] = [
    [small, 2n, "1024 bits is outside"],
    [(1n << 8200n) + 1n, 2n, "8201 bits is outside"],
    [composite, 2n, "not prime"],
    [MODP_3072 - 2n, 2n, "not prime"],
    [MODP_3072, 1n, "generator"],
    [MODP_3072, 0n, "generator"],
    [MODP_3072, MODP_3072 - 1n, "generator"],
  ];
  for (const [p, g, text] of cases) {
    const c = await client(GEX);
    await rejects(c.receive({ type: "kexDhGexGroup", p, g }), KEY_EXCHANGE_FAILED, text);
  }
  const c = await client(GEX);
  await rejects(
    c.receive({
      type: "kexDhGexReply",
      hostKey: new Uint8Array(0),
      f: 5n,
      signature: new Uint8Array(0),
    }),
    PROTOCOL_ERROR,
  );
});

test("group exchange client: accepts a prime that is not one of RFC 3526's (as from /etc/ssh/moduli)", async () => {
  const p = generatePrimeSync(2048, { bigint: true });
  for (let i = 0; i < 2; i++) { // the second time from the remembered primes
    const c = await client(GEX);
    const { reply } = await c.receive({ type: "kexDhGexGroup", p, g: 2n });
    assert.equal(reply[0].type, "kexDhGexInit");
  }
  // a composite is rejected every time (failures are never remembered)
  for (let i = 0; i < 2; i++) {
    const c = await client(GEX);
    await rejects(c.receive({ type: "kexDhGexGroup", p: p * 3n, g: 2n }), KEY_EXCHANGE_FAILED);
  }
});

const MLKEM = "mlkem768x25519-sha256";

test("mlkem768x25519: C_INIT and S_REPLY of the wrong length are KEY_EXCHANGE_FAILED", async () => {
  for (const n of [0, 32, 1184, 1215, 1217, 2432]) {
    await rejects(
      server(MLKEM).receive({ type: "kexEcdhInit", publicKey: new Uint8Array(n) }),
      KEY_EXCHANGE_FAILED,
      "C_INIT must be 1216 bytes",
    );
  }
  for (const n of [0, 1088, 1119, 1121]) {
    const c = await client(MLKEM);
    await rejects(
      c.receive({
        type: "kexEcdhReply",
        hostKey: hostKey.publicKey.blob,
        publicKey: new Uint8Array(n),
        signature: new Uint8Array(0),
      }),
      KEY_EXCHANGE_FAILED,
      "S_REPLY must be 1120 bytes",
    );
  }
});

test("mlkem768x25519: an invalid ML-KEM key or a low-order X25519 half is KEY_EXCHANGE_FAILED", async () => {
  const c = createClientExchange(MLKEM, inputs);
  const [init] = (await c.start()) as Extract<Message, { type: "kexEcdhInit" }>[];
  assert.equal(init.publicKey.length, 1216);
  const badKem = init.publicKey.slice();
  badKem.fill(0xff, 0, 384); // coefficients of 4095 ≥ q fail FIPS 203's modulus check
  await rejects(
    server(MLKEM).receive({ type: "kexEcdhInit", publicKey: badKem }),
    KEY_EXCHANGE_FAILED,
    "ML-KEM",
  );
  const lowOrder = init.publicKey.slice();
  lowOrder.fill(0, 1184);
  await rejects(
    server(MLKEM).receive({ type: "kexEcdhInit", publicKey: lowOrder }),
    KEY_EXCHANGE_FAILED,
    "X25519",
  );
  const reply = (await realReply(MLKEM, [init])) as Extract<Message, { type: "kexEcdhReply" }>;
  const zeroX = reply.publicKey.slice();
  zeroX.fill(0, 1088);
  await rejects(c.receive({ ...reply, publicKey: zeroX }), KEY_EXCHANGE_FAILED, "X25519");
});

for (const kex of ["sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"]) {
  test(`${kex}: client and server values of the wrong length are KEY_EXCHANGE_FAILED`, async () => {
    for (const n of [0, 32, 1158, 1189, 1191, 2380]) {
      await rejects(
        server(kex).receive({ type: "kexEcdhInit", publicKey: new Uint8Array(n) }),
        KEY_EXCHANGE_FAILED,
        "sntrup761x25519 client value must be 1190 bytes",
      );
    }
    for (const n of [0, 1039, 1070, 1072]) {
      const c = await client(kex);
      await rejects(
        c.receive({
          type: "kexEcdhReply",
          hostKey: hostKey.publicKey.blob,
          publicKey: new Uint8Array(n),
          signature: new Uint8Array(0),
        }),
        KEY_EXCHANGE_FAILED,
        "sntrup761x25519 server value must be 1071 bytes",
      );
    }
  });

  test(`${kex}: a low-order X25519 half is KEY_EXCHANGE_FAILED; a tampered ciphertext fails the signature`, async () => {
    const c = createClientExchange(kex, inputs);
    const [init] = (await c.start()) as Extract<Message, { type: "kexEcdhInit" }>[];
    assert.equal(init.publicKey.length, 1190);
    for (const [, q] of X25519_BAD) {
      const lowOrder = init.publicKey.slice();
      lowOrder.set(q, 1158);
      await rejects(
        server(kex).receive({ type: "kexEcdhInit", publicKey: lowOrder }),
        KEY_EXCHANGE_FAILED,
        "X25519",
      );
    }
    const reply = (await realReply(kex, [init])) as Extract<Message, { type: "kexEcdhReply" }>;
    assert.equal(reply.publicKey.length, 1071);
    const zeroX = reply.publicKey.slice();
    zeroX.fill(0, 1039);
    await rejects(c.receive({ ...reply, publicKey: zeroX }), KEY_EXCHANGE_FAILED, "X25519");
    // implicit rejection: the client derives another K, so the server's signature over H fails
    const c2 = createClientExchange(kex, inputs);
    const [init2] = await c2.start();
    const reply2 = (await realReply(kex, [init2])) as Extract<Message, { type: "kexEcdhReply" }>;
    const tampered = reply2.publicKey.slice();
    tampered[5] ^= 1;
    await rejects(c2.receive({ ...reply2, publicKey: tampered }), KEY_EXCHANGE_FAILED, "signature");
  });
}

test("host key proof: a bad signature, a foreign key type or a garbage K_S is KEY_EXCHANGE_FAILED", async () => {
  const kex = "curve25519-sha256";
  const tamper = async (
    f: (r: Extract<Message, { type: "kexEcdhReply" }>) => Message,
    text: string,
  ) => {
    const c = createClientExchange(kex, inputs);
    const init = await c.start();
    const reply = (await realReply(kex, init)) as Extract<Message, { type: "kexEcdhReply" }>;
    await rejects(c.receive(f(reply)), KEY_EXCHANGE_FAILED, text);
  };
  await tamper((r) => {
    const signature = r.signature.slice();
    signature[signature.length - 1] ^= 0x40;
    return { ...r, signature };
  }, "does not verify");
  const other = await generateKey("ecdsa-sha2-nistp256");
  await tamper((r) => ({ ...r, hostKey: other.publicKey.blob }), "does not fit");
  await tamper((r) => ({ ...r, hostKey: new Uint8Array([0, 0, 0, 1, 65]) }), "invalid");
  await tamper((r) => ({ ...r, signature: new Uint8Array([1, 2, 3]) }), "");
});

test("messages out of order are PROTOCOL_ERROR", async () => {
  const c = createClientExchange("curve25519-sha256", inputs);
  await rejects(
    c.receive({
      type: "kexEcdhReply",
      hostKey: new Uint8Array(0),
      publicKey: new Uint8Array(32),
      signature: new Uint8Array(0),
    }),
    PROTOCOL_ERROR,
  );
  await c.start();
  await rejects(c.start(), PROTOCOL_ERROR);
  await rejects(c.receive({ type: "kexEcdhInit", publicKey: new Uint8Array(32) }), PROTOCOL_ERROR);
  await rejects(
    c.receive({
      type: "kexDhReply",
      hostKey: new Uint8Array(0),
      f: 5n,
      signature: new Uint8Array(0),
    }),
    PROTOCOL_ERROR,
  );
  const s = server("curve25519-sha256");
  await rejects(
    s.receive({
      type: "kexEcdhReply",
      hostKey: new Uint8Array(0),
      publicKey: new Uint8Array(32),
      signature: new Uint8Array(0),
    }),
    PROTOCOL_ERROR,
  );
  const { reply } = await s.receive(
    (await createClientExchange("curve25519-sha256", inputs).start())[0],
  );
  assert.equal(reply.length, 1);
  await rejects(
    s.receive({ type: "kexEcdhInit", publicKey: new Uint8Array(32).fill(9) }),
    PROTOCOL_ERROR,
  );
  const d = server("diffie-hellman-group16-sha512");
  await rejects(d.receive({ type: "kexEcdhInit", publicKey: new Uint8Array(32) }), PROTOCOL_ERROR);
  await rejects(d.receive({ type: "newKeys" }), PROTOCOL_ERROR);
});

test("a random source that returns the same useless bytes is a TypeError, not a hang", async () => {
  const zeros = (n: number) => new Uint8Array(n);
  const c = createClientExchange("ecdh-sha2-nistp256", { ...inputs, random: zeros });
  await assert.rejects(c.start(), TypeError);
  const d = createClientExchange("diffie-hellman-group14-sha256", { ...inputs, random: zeros });
  await assert.rejects(d.start(), TypeError);
  const short = createClientExchange("curve25519-sha256", {
    ...inputs,
    random: (n) => new Uint8Array(n - 1),
  });
  await assert.rejects(short.start(), TypeError);
});
