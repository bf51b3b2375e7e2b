/**
 * Hostile OpenSSH certificates (PROTOCOL.certkeys): a client logging in with user certificates
 * that are well-formed but wrong (untrusted or nested CA, broken CA signature, expired, a host
 * certificate, another user's, too many principals) or malformed inside (counts past the end,
 * trailing bytes), and a server presenting a garbage host certificate. The server refuses each
 * with a FAILURE and stays usable; the client ends the key exchange; nothing crashes. A valid
 * certificate built the same way logs in, so every refusal is for the reason the case names.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { PrivateKey } from "@hush/keys";
import { DisconnectReason, type Message, SshReader, SshWriter } from "@hush/wire";
import { testKey } from "./peer.ts";
import {
  assertRejects,
  attackClient,
  attackServer,
  PASSWORD,
  type ServerVictim,
  USER,
} from "./victim.ts";

const CERT_TYPE = "ssh-ed25519-cert-v01@openssh.com";
const USER_CERT = 1;
const HOST_CERT = 2;
const NOW = BigInt(Math.floor(Date.now() / 1000));

/** What a test certificate holds; each field can be spoiled. */
interface CertFields {
  key: PrivateKey;
  ca: PrivateKey;
  certType?: number;
  principals?: string[];
  /** The packed principals field verbatim (overrides `principals`). */
  principalsField?: Uint8Array;
  validAfter?: bigint;
  validBefore?: bigint;
  /** The signature key blob verbatim (overrides the CA's public key). */
  signatureKey?: Uint8Array;
  /** Flips a byte of the CA signature after signing. */
  breakSignature?: boolean;
  /** Bytes appended after the signature. */
  trailing?: Uint8Array;
}

/** The 32 bytes of an Ed25519 public key, out of its blob. */
function ed25519Point(key: PrivateKey): Uint8Array {
  const r = new SshReader(key.publicKey.blob);
  r.string();
  return r.string().slice();
}

/** An ed25519 certificate blob, signed by `ca` over everything before the signature. */
async function certificate(f: CertFields): Promise<Uint8Array> {
  const principals = f.principalsField ?? (() => {
    const w = new SshWriter();
    for (const p of f.principals ?? [USER]) w.string(p);
    return w.finish();
  })();
  const body = new SshWriter()
    .string(CERT_TYPE)
    .string(new Uint8Array(32).fill(9)) // nonce
    .string(ed25519Point(f.key))
    .uint64(7n)
    .uint32(f.certType ?? USER_CERT)
    .string("hostile")
    .string(principals)
    .uint64(f.validAfter ?? 0n)
    .uint64(f.validBefore ?? 0xffffffffffffffffn)
    .string(new Uint8Array(0)) // critical options
    .string(new Uint8Array(0)) // extensions
    .string(new Uint8Array(0)) // reserved
    .string(f.signatureKey ?? f.ca.publicKey.blob)
    .finish();
  const signature = await f.ca.sign(body);
  if (f.breakSignature) signature[signature.length - 1] ^= 1;
  return new SshWriter().raw(body).string(signature).raw(f.trailing ?? new Uint8Array(0))
    .finish();
}

/** A publickey login with `cert`, signed by the certified key (RFC 4252 §7). */
async function certLogin(v: ServerVictim, key: PrivateKey, cert: Uint8Array): Promise<Message> {
  const data = new SshWriter()
    .string(v.peer.sessionId!)
    .byte(50)
    .string(USER)
    .string("ssh-connection")
    .string("publickey")
    .boolean(true)
    .string(CERT_TYPE)
    .string(cert)
    .finish();
  return {
    type: "userauthRequest",
    user: USER,
    service: "ssh-connection",
    method: "publickey",
    algorithm: CERT_TYPE,
    publicKey: cert,
    signature: await key.sign(data),
  } as Message;
}

/** The server's answer to one authentication request (banners and IGNOREs skipped). */
async function answer(v: ServerVictim): Promise<Message> {
  for (;;) {
    const m = await v.peer.next({ auth: "publickey" });
    if (!m) throw new Error("The victim closed");
    if (m.type !== "userauthBanner" && m.type !== "ignore") return m;
  }
}

/** A server that trusts `ca` for user certificates, and takes the password. */
async function serverTrusting(ca: PrivateKey): Promise<ServerVictim> {
  const v = await attackServer({
    authenticate: {
      authorizedKeys: `cert-authority ${ca.publicKey.toString()}`,
      password: (user: string, password: string) => user === USER && password === PASSWORD,
    },
  });
  await v.peer.handshake();
  await v.peer.send({ type: "serviceRequest", service: "ssh-userauth" });
  await v.peer.expect("serviceAccept");
  return v;
}

test("server: a valid user certificate from the trusted CA logs in (the control)", async () => {
  const [key, ca] = [await testKey("ssh-ed25519", "alice"), await testKey("ssh-ed25519", "ca")];
  const v = await serverTrusting(ca);
  await v.peer.send(await certLogin(v, key, await certificate({ key, ca })));
  assert.equal((await answer(v)).type, "userauthSuccess");
  v.peer.hangUp();
});

test("server: wrong, spoiled and malformed user certificates are refused; the password still logs in", async () => {
  const key = await testKey("ssh-ed25519", "alice");
  const ca = await testKey("ssh-ed25519", "ca");
  const otherCa = await testKey("ssh-ed25519", "mallory");
  const nestedCa = await certificate({ key: ca, ca: otherCa });
  const tooMany = Array.from({ length: 257 }, (_, i) => (i === 256 ? USER : `p${i}`));
  const cases: [string, () => Promise<Uint8Array>][] = [
    ["signed by a CA the server does not trust", () => certificate({ key, ca: otherCa })],
    ["whose CA signature is broken", () => certificate({ key, ca, breakSignature: true })],
    [
      "whose CA key is itself a certificate",
      () => certificate({ key, ca, signatureKey: nestedCa }),
    ],
    ["that expired", () => certificate({ key, ca, validAfter: 1n, validBefore: NOW - 3600n })],
    ["not valid yet", () => certificate({ key, ca, validAfter: NOW + 3600n })],
    ["that is a host certificate", () => certificate({ key, ca, certType: HOST_CERT })],
    ["for another principal", () => certificate({ key, ca, principals: ["bob"] })],
    ["with 257 principals", () => certificate({ key, ca, principals: tooMany })],
    [
      "whose principals claim 2^32-1 bytes",
      () => certificate({ key, ca, principalsField: new Uint8Array([0xff, 0xff, 0xff, 0xff]) }),
    ],
    [
      "with bytes after its signature",
      () => certificate({ key, ca, trailing: new Uint8Array([0, 0, 0, 1, 0]) }),
    ],
  ];
  for (const [name, make] of cases) {
    const v = await serverTrusting(ca);
    await v.peer.send(await certLogin(v, key, await make()));
    const m = await answer(v);
    assert.equal(m.type, "userauthFailure", `a certificate ${name}: ${m.type}`);
    await v.peer.send({
      type: "userauthRequest",
      user: USER,
      service: "ssh-connection",
      method: "password",
      password: PASSWORD,
    });
    assert.equal((await answer(v)).type, "userauthSuccess", `after a certificate ${name}`);
    v.peer.hangUp();
  }
});

test("client: a server whose host key is a garbage, cut or oversized certificate fails the key exchange", async () => {
  const host = await testKey("ssh-ed25519");
  const ca = await testKey("ssh-ed25519", "ca");
  const good = await certificate({ key: host, ca, certType: HOST_CERT, principals: ["x"] });
  const cases: [string, Uint8Array][] = [
    // parsed, then refused for the exchange hash's signature this test does not make
    ["valid (the control)", good],
    ["garbage inside", new SshWriter().string(CERT_TYPE).raw(new Uint8Array(60).fill(7)).finish()],
    ["cut short", good.subarray(0, good.length - 20)],
    [
      "with a broken CA signature",
      (() => {
        const b = good.slice();
        b[b.length - 1] ^= 1;
        return b;
      })(),
    ],
    ["of 200 KiB", new SshWriter().string(CERT_TYPE).raw(new Uint8Array(200 * 1024)).finish()],
  ];
  for (const [name, blob] of cases) {
    const v = attackClient(
      { algorithms: { kex: ["curve25519-sha256"], hostKey: [CERT_TYPE] } },
      { kex: ["curve25519-sha256"], hostKey: [CERT_TYPE] },
    );
    await v.peer.sendVersion();
    await v.peer.readVersion();
    await v.peer.sendKexInit();
    assert.equal((await v.peer.next())?.type, "kexInit");
    await v.peer.nextPacket(); // the victim's ECDH init (message 30), its value unused
    // K_S is read before the exchange hash's signature is checked, so neither need be real
    await v.peer.send({
      type: "kexEcdhReply",
      hostKey: blob,
      publicKey: new Uint8Array(32).fill(0x55),
      signature: new SshWriter().string("ssh-ed25519").string(new Uint8Array(64)).finish(),
    });
    const e0 = await assertRejects(v.connecting, DisconnectReason.KEY_EXCHANGE_FAILED).catch(
      (e) => {
        throw new Error(`a host certificate ${name}: ${e.message}`);
      },
    );
    if (name === "valid (the control)") {
      assert.doesNotMatch(e0.message, /blob is invalid/, "the valid certificate parses");
    } else assert.match(e0.message, /Server host key blob is invalid/, name);
  }
});
