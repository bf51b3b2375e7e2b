/**
 * Invalid key exchange values at the protocol level, against a running Hush server and client
 * (packages/kex/bad_input_test.ts checks the same values one method call at a time): X25519
 * low-order points and wrong lengths, NIST points off the curve, at infinity or compressed,
 * DH values outside 1 < v < p-1, GEX ranges that make no sense, ML-KEM and sntrup761 hybrid
 * values of the wrong length or invalid, and a server whose host key or signature is garbage.
 * Each ends the handshake with KEY_EXCHANGE_FAILED (or PROTOCOL_ERROR for a message out of
 * order), the DISCONNECT in the clear, before any key is used.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DisconnectReason, type Message, SshWriter } from "@hush/wire";
import { type HostilePeer, testKey } from "./peer.ts";
import {
  assertDisconnect,
  assertRejects,
  assertServerServes,
  attackClient,
  attackServer,
} from "./victim.ts";

const { KEY_EXCHANGE_FAILED, PROTOCOL_ERROR } = DisconnectReason;

function hex(s: string): Uint8Array {
  return new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));
}
function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** X25519 public values that are refused: low order, or of the wrong length. */
const X25519_BAD: [string, Uint8Array][] = [
  ["zero", new Uint8Array(32)],
  ["one", hex("01" + "00".repeat(31))],
  ["a point of order 8", hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")],
  ["p-1 (order 2)", hex("ec" + "ff".repeat(30) + "7f")],
  ["31 bytes", new Uint8Array(31).fill(9)],
  ["33 bytes", new Uint8Array(33).fill(9)],
  ["nothing", new Uint8Array(0)],
];

const P256_BAD: [string, Uint8Array][] = [
  ["off the curve", cat(new Uint8Array([4]), new Uint8Array(64).fill(1))],
  ["at infinity", new Uint8Array([0])],
  ["compressed", cat(new Uint8Array([2]), new Uint8Array(32).fill(7))],
  ["64 bytes", new Uint8Array(64).fill(4)],
  ["coordinates of 2^256-1", cat(new Uint8Array([4]), new Uint8Array(64).fill(0xff))],
];

/** RFC 3526 group 14's prime. */
const MODP_2048 = BigInt(
  "0x" +
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF",
);

const DH_BAD: [string, bigint][] = [
  ["0", 0n],
  ["1", 1n],
  ["p-1", MODP_2048 - 1n],
  ["p", MODP_2048],
  ["p+1", MODP_2048 + 1n],
  ["2^4096", 1n << 4096n],
  ["-5", -5n],
];

/** Versions and KEXINITs exchanged for `kex`: the method's first message comes next. */
async function upTo(peer: HostilePeer): Promise<void> {
  await peer.sendVersion();
  await peer.readVersion();
  await peer.sendKexInit();
  await peer.readKexInit();
}

/** A server victim, the hostile client offering only `kex`, up to the method's first message. */
async function server(kex: string) {
  const v = await attackServer({}, { kex: [kex] });
  await upTo(v.peer);
  return v;
}

// --- a client's values, to the server -------------------------------------------------------

for (const kex of ["curve25519-sha256", "curve25519-sha256@libssh.org"]) {
  for (const [name, q] of X25519_BAD) {
    test(`server, ${kex}: a client value of ${name} is KEY_EXCHANGE_FAILED`, async () => {
      const v = await server(kex);
      await v.peer.send({ type: "kexEcdhInit", publicKey: q });
      await assertDisconnect(v, KEY_EXCHANGE_FAILED);
    });
  }
}

for (const kex of ["ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521"]) {
  test(`server, ${kex}: points off the curve, at infinity, compressed or too long are KEY_EXCHANGE_FAILED`, async () => {
    for (const [name, q] of P256_BAD) {
      const v = await server(kex);
      await v.peer.send({ type: "kexEcdhInit", publicKey: q });
      await assertDisconnect(v, KEY_EXCHANGE_FAILED).catch((e) => {
        throw new Error(`${name}: ${e.message}`);
      });
    }
  });
}

test("server, diffie-hellman-group14-sha256: e outside 1 < e < p-1 is KEY_EXCHANGE_FAILED", async () => {
  for (const [name, e] of DH_BAD) {
    const v = await server("diffie-hellman-group14-sha256");
    await v.peer.send({ type: "kexDhInit", e });
    await assertDisconnect(v, KEY_EXCHANGE_FAILED).catch((err) => {
      throw new Error(`e = ${name}: ${err.message}`);
    });
  }
});

test("server, diffie-hellman-group-exchange-sha256: nonsensical ranges are KEY_EXCHANGE_FAILED", async () => {
  for (
    const [min, n, max] of [
      [4096, 3072, 2048], // min > max
      [2048, 1024, 8192], // n < min
      [2048, 9000, 8192], // n > max
      [512, 768, 1024], // below every group we have
      [16384, 16384, 16384], // above every group we have
      [0xffff_ffff, 0xffff_ffff, 0], // min > max at the extremes
    ]
  ) {
    const v = await server("diffie-hellman-group-exchange-sha256");
    await v.peer.send({ type: "kexDhGexRequest", min, n, max });
    await assertDisconnect(v, KEY_EXCHANGE_FAILED).catch((e) => {
      throw new Error(`${min}/${n}/${max}: ${e.message}`);
    });
  }
});

test("server, diffie-hellman-group-exchange-sha256: the widest range gets a group; then a bad e fails", async () => {
  const v = await server("diffie-hellman-group-exchange-sha256");
  await v.peer.send({ type: "kexDhGexRequest", min: 0, n: 0xffff_ffff, max: 0xffff_ffff });
  const group = await v.peer.next();
  assert.equal(group?.type, "kexDhGexGroup");
  const p = (group as { p: bigint }).p;
  assert.ok(p.toString(2).length <= 8192);
  await v.peer.send({ type: "kexDhGexInit", e: p - 1n });
  await assertDisconnect(v, KEY_EXCHANGE_FAILED, /out of range/);
});

test("server, diffie-hellman-group-exchange-sha256: GEX_REQUEST_OLD, a second request, INIT first are PROTOCOL_ERROR", async () => {
  {
    const v = await server("diffie-hellman-group-exchange-sha256");
    await v.peer.send({ type: "kexDhGexRequestOld", n: 2048 });
    await assertDisconnect(v, PROTOCOL_ERROR);
  }
  {
    const v = await server("diffie-hellman-group-exchange-sha256");
    await v.peer.send({ type: "kexDhGexRequest", min: 2048, n: 2048, max: 8192 });
    await v.peer.send({ type: "kexDhGexRequest", min: 2048, n: 2048, max: 8192 });
    await assertDisconnect(v, PROTOCOL_ERROR, /Repeated/);
  }
  {
    const v = await server("diffie-hellman-group-exchange-sha256");
    await v.peer.send({ type: "kexDhGexInit", e: 5n });
    await assertDisconnect(v, PROTOCOL_ERROR);
  }
});

/** ML-KEM-768 encapsulation key bytes, X25519 bytes. */
const MLKEM_EK = 1184;
const SNTRUP_PK = 1158;

for (
  const [kex, pkLength] of [
    ["mlkem768x25519-sha256", MLKEM_EK],
    ["sntrup761x25519-sha512", SNTRUP_PK],
    ["sntrup761x25519-sha512@openssh.com", SNTRUP_PK],
  ] as const
) {
  test(`server, ${kex}: client values of the wrong length or with a low-order X25519 half are KEY_EXCHANGE_FAILED`, async () => {
    const real = await (async () => {
      const v = await server(kex);
      const [init] = await v.peer.exchangeStart();
      return (init as { publicKey: Uint8Array }).publicKey;
    })();
    assert.equal(real.length, pkLength + 32);
    for (
      const [name, q] of [
        ["nothing", new Uint8Array(0)],
        ["one byte short", real.subarray(0, real.length - 1)],
        ["one byte long", cat(real, new Uint8Array(1))],
        ["the KEM half alone", real.subarray(0, pkLength)],
        ["a zero X25519 half", cat(real.subarray(0, pkLength), new Uint8Array(32))],
      ] as const
    ) {
      const v = await server(kex);
      await v.peer.send({ type: "kexEcdhInit", publicKey: q });
      await assertDisconnect(v, KEY_EXCHANGE_FAILED).catch((e) => {
        throw new Error(`${name}: ${e.message}`);
      });
    }
  });
}

test("server, mlkem768x25519-sha256: an encapsulation key with coefficients of q or more is KEY_EXCHANGE_FAILED", async () => {
  const v = await server("mlkem768x25519-sha256");
  const bad = cat(new Uint8Array(MLKEM_EK).fill(0xff), new Uint8Array(32).fill(9));
  await v.peer.send({ type: "kexEcdhInit", publicKey: bad });
  await assertDisconnect(v, KEY_EXCHANGE_FAILED);
});

// --- a server's values, to the client -------------------------------------------------------

/** A client victim offering `kex`, and the hostile server with its ECDH_INIT (or GEX request) read. */
async function client(kex: string) {
  const v = attackClient({ algorithms: { kex: [kex] } }, { kex: [kex] });
  await upTo(v.peer);
  const init = await v.peer.next();
  return { v, init: init! };
}

async function hostKeyBlob(): Promise<Uint8Array> {
  return (await testKey("ssh-ed25519")).publicKey.blob;
}

type EcdhReply = Extract<Message, { type: "kexEcdhReply" }>;

function ecdhReply(
  hostKey: Uint8Array,
  publicKey: Uint8Array,
  signature = new Uint8Array(83),
): Message {
  return { type: "kexEcdhReply", hostKey, publicKey, signature };
}

test("client, curve25519-sha256: low-order and wrong-length server values are KEY_EXCHANGE_FAILED", async () => {
  for (const [name, q] of X25519_BAD) {
    const { v } = await client("curve25519-sha256");
    await v.peer.send(ecdhReply(await hostKeyBlob(), q));
    await assertRejects(v.connecting, KEY_EXCHANGE_FAILED).catch((e) => {
      throw new Error(`${name}: ${e.message}`);
    });
  }
});

test("client, ecdh-sha2-nistp256: bad server points are KEY_EXCHANGE_FAILED", async () => {
  for (const [name, q] of P256_BAD) {
    const { v } = await client("ecdh-sha2-nistp256");
    await v.peer.send(ecdhReply(await hostKeyBlob(), q));
    await assertRejects(v.connecting, KEY_EXCHANGE_FAILED).catch((e) => {
      throw new Error(`${name}: ${e.message}`);
    });
  }
});

test("client, diffie-hellman-group14-sha256: f outside 1 < f < p-1 is KEY_EXCHANGE_FAILED", async () => {
  for (const [name, f] of DH_BAD) {
    const { v, init } = await client("diffie-hellman-group14-sha256");
    assert.equal(init.type, "kexDhInit");
    await v.peer.send({
      type: "kexDhReply",
      hostKey: await hostKeyBlob(),
      f,
      signature: new Uint8Array(83),
    });
    await assertRejects(v.connecting, KEY_EXCHANGE_FAILED).catch((e) => {
      throw new Error(`f = ${name}: ${e.message}`);
    });
  }
});

test("client, diffie-hellman-group-exchange-sha256: groups too small, too large, composite or with a bad generator", async () => {
  const small = BigInt("0x" + "ff".repeat(128)) - 158n; // 1024 bits (not checked for primality)
  for (
    const [name, p, g, pattern] of [
      ["1024 bits", small, 2n, /outside the 2048-8192 bits/],
      ["16384 bits", (1n << 16384n) - 1n, 2n, /outside the 2048-8192 bits/],
      ["composite", MODP_2048 * 3n, 2n, /outside|not prime/],
      ["even", MODP_2048 + 1n, 2n, /not prime/],
      ["generator 1", MODP_2048, 1n, /generator/],
      ["generator p-1", MODP_2048, MODP_2048 - 1n, /generator/],
    ] as const
  ) {
    const { v, init } = await client("diffie-hellman-group-exchange-sha256");
    assert.equal(init.type, "kexDhGexRequest");
    await v.peer.send({ type: "kexDhGexGroup", p, g });
    await assertRejects(v.connecting, KEY_EXCHANGE_FAILED, pattern).catch((e) => {
      throw new Error(`${name}: ${e.message}`);
    });
  }
});

test("client, mlkem768x25519-sha256: a ciphertext of the wrong length is KEY_EXCHANGE_FAILED", async () => {
  for (const n of [0, 1088, 1088 + 31, 1088 + 33]) {
    const { v } = await client("mlkem768x25519-sha256");
    await v.peer.send(ecdhReply(await hostKeyBlob(), new Uint8Array(n).fill(3)));
    await assertRejects(v.connecting, KEY_EXCHANGE_FAILED);
  }
});

test("client: a server whose signature over H is garbage, made by another key, or whose K_S is garbage fails", async () => {
  const other = await testKey("ssh-ed25519", "not-the-host");
  for (
    const [name, tamper] of [
      [
        "a garbage signature",
        (r: EcdhReply): EcdhReply => ({
          ...r,
          signature: new Uint8Array(83).fill(1),
        }),
      ],
      [
        "a cut signature",
        (r: EcdhReply): EcdhReply => ({
          ...r,
          signature: r.signature.subarray(0, 40),
        }),
      ],
      [
        "another key's host key blob",
        (r: EcdhReply): EcdhReply => ({ ...r, hostKey: other.publicKey.blob }),
      ],
      [
        "a garbage host key blob",
        (r: EcdhReply): EcdhReply => ({ ...r, hostKey: new Uint8Array(51).fill(7) }),
      ],
      [
        "an empty host key blob",
        (r: EcdhReply): EcdhReply => ({ ...r, hostKey: new Uint8Array(0) }),
      ],
      [
        "a 200 KiB host key blob",
        (r: EcdhReply): EcdhReply => ({ ...r, hostKey: new Uint8Array(200 * 1024) }),
      ],
    ] as const
  ) {
    const { v, init } = await client("curve25519-sha256");
    const [reply] = await v.peer.receiveKex(init);
    await v.peer.send(tamper(reply as EcdhReply));
    await assertRejects(v.connecting, KEY_EXCHANGE_FAILED).catch((e) => {
      throw new Error(`${name}: ${e.message}`);
    });
  }
});

test("client: a signature blob naming another algorithm is KEY_EXCHANGE_FAILED", async () => {
  const { v, init } = await client("curve25519-sha256");
  const [reply] = await v.peer.receiveKex(init) as EcdhReply[];
  const raw = reply.signature.subarray(4 + 11 + 4); // past string "ssh-ed25519", the length
  const sig = new SshWriter().string("rsa-sha2-512").string(raw).finish();
  await v.peer.send({ ...reply, signature: sig });
  await assertRejects(v.connecting, KEY_EXCHANGE_FAILED);
});

test("after all of the above, a well-behaved client still logs in", async () => {
  await assertServerServes();
});
