// Known-answer vectors for @hush/kex, computed independently of it with node:crypto only
// (createECDH, createDiffieHellman/getDiffieHellman, X25519 and Ed25519 KeyObjects,
// crypto.diffieHellman, createHash, sign). The exchange hash, the KEXINIT encoding and the
// RFC 4253 §7.2 key derivation are written out by hand below.
//   node packages/kex/testdata/generate_kat.mjs > packages/kex/testdata/kat.json
// The ML-KEM-768 values come from mlkem768_inputs.json (see mlkem_inputs.ts: Node 20 has no
// ML-KEM); everything around them (X25519, K = SHA-256(K_PQ || K_CL), H, keys) is done here.
// The sntrup761 values are vector 0 of sntrup761_kat.json (made by OpenSSH's own sntrup761.c,
// see README.md); the random bytes it drew are recomputed here from its labels, and X25519,
// K = SHA-512(sntrup761 key || X25519 secret), H and the keys are done here.
import {
  createDiffieHellman,
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  getDiffieHellman,
  sign,
} from "node:crypto";
import { readFileSync } from "node:fs";

const hex = (b) => Buffer.from(b).toString("hex");
const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const str = (b) => Buffer.concat([u32(b.length), Buffer.from(b)]);
const mpintFromUnsigned = (b) => {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  let body = Buffer.from(b.subarray(i));
  if (body.length && body[0] & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return str(body);
};
const nameList = (names) => str(Buffer.from(names.join(","), "ascii"));
const pattern = (n, mul, add) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * mul + add) & 0xff));

const V_C = "SSH-2.0-HushKAT_client";
const V_S = "SSH-2.0-HushKAT_server";
const CIPHERS = ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr"];
const MACS = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512"];
// SSH_MSG_KEXINIT as RFC 4253 §7.1 lays it out; pseudo-algorithms appended in the first kex
function kexinit(cookie, kex) {
  return Buffer.concat([
    Buffer.from([20]),
    cookie,
    nameList(kex),
    nameList(["ssh-ed25519"]),
    nameList(CIPHERS),
    nameList(CIPHERS),
    nameList(MACS),
    nameList(MACS),
    nameList(["none"]),
    nameList(["none"]),
    nameList([]),
    nameList([]),
    Buffer.from([0]),
    u32(0),
  ]);
}

// throwaway Ed25519 host key from a fixed seed
const hostSeed = pattern(32, 5, 1);
const hostPriv = createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), hostSeed]),
  format: "der",
  type: "pkcs8",
});
const hostPub = Buffer.from(createPublicKey(hostPriv).export({ format: "jwk" }).x, "base64url");
const K_S = Buffer.concat([str(Buffer.from("ssh-ed25519")), str(hostPub)]);
const signH = (h) => Buffer.concat([str(Buffer.from("ssh-ed25519")), str(sign(null, h, hostPriv))]);

const LENGTHS = {
  ivClientToServer: 16,
  keyClientToServer: 32,
  macKeyClientToServer: 32,
  ivServerToClient: 12,
  keyServerToClient: 100,
  macKeyServerToClient: 64,
};
// RFC 4253 §7.2: K1 = HASH(K || H || X || session_id), Kn+1 = HASH(K || H || K1 || ... || Kn)
function derive(hash, K, H, letter, length) {
  let out = createHash(hash).update(K).update(H).update(letter).update(H).digest();
  while (out.length < length) {
    out = Buffer.concat([out, createHash(hash).update(K).update(H).update(out).digest()]);
  }
  return out.subarray(0, length);
}
function deriveAll(hash, K, H) {
  const L = LENGTHS;
  return {
    clientToServer: {
      iv: hex(derive(hash, K, H, "A", L.ivClientToServer)),
      key: hex(derive(hash, K, H, "C", L.keyClientToServer)),
      macKey: hex(derive(hash, K, H, "E", L.macKeyClientToServer)),
    },
    serverToClient: {
      iv: hex(derive(hash, K, H, "B", L.ivServerToClient)),
      key: hex(derive(hash, K, H, "D", L.keyServerToClient)),
      macKey: hex(derive(hash, K, H, "F", L.macKeyServerToClient)),
    },
  };
}

function common(method, hash) {
  const I_C = kexinit(pattern(16, 1, 0), [method, "ext-info-c", "kex-strict-c-v00@openssh.com"]);
  const I_S = kexinit(pattern(16, 1, 16), [method, "ext-info-s", "kex-strict-s-v00@openssh.com"]);
  const prefix = Buffer.concat([
    str(Buffer.from(V_C)),
    str(Buffer.from(V_S)),
    str(I_C),
    str(I_S),
    str(K_S),
  ]);
  return { I_C, I_S, prefix, hash };
}

function finish(name, c, fields, K, messages, clientRandom, serverRandom) {
  const H = createHash(c.hash).update(Buffer.concat([c.prefix, fields, K])).digest();
  return {
    method: name,
    hash: c.hash,
    clientRandom: hex(clientRandom),
    serverRandom: hex(serverRandom),
    clientKexInit: hex(c.I_C),
    serverKexInit: hex(c.I_S),
    messages: messages(H).map(hex),
    sharedSecret: hex(K),
    exchangeHash: hex(H),
    keys: deriveAll(c.hash, K, H),
  };
}

const vectors = [];

// curve25519-sha256 (RFC 8731): K = mpint of the 32 X25519 bytes read as a big-endian integer
for (const name of ["curve25519-sha256", "curve25519-sha256@libssh.org"]) {
  const c = common(name, "sha256");
  const a = pattern(32, 3, 0x41), b = pattern(32, 11, 0x07);
  const pkcs8 = (k) =>
    createPrivateKey({
      key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), k]),
      format: "der",
      type: "pkcs8",
    });
  const pub = (k) => Buffer.from(createPublicKey(k).export({ format: "jwk" }).x, "base64url");
  const spki = (p) =>
    createPublicKey({
      key: Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), p]),
      format: "der",
      type: "spki",
    });
  const ka = pkcs8(a), kb = pkcs8(b);
  const Q_C = pub(ka), Q_S = pub(kb);
  const shared = diffieHellman({ privateKey: ka, publicKey: spki(Q_S) });
  const K = mpintFromUnsigned(shared);
  vectors.push(finish(
    name,
    c,
    Buffer.concat([str(Q_C), str(Q_S)]),
    K,
    (H) => [
      Buffer.concat([Buffer.from([30]), str(Q_C)]),
      Buffer.concat([Buffer.from([31]), str(K_S), str(Q_S), str(signH(H))]),
    ],
    a,
    b,
  ));
}

// ecdh-sha2-nistp* (RFC 5656): Q as uncompressed points, K = mpint of the x coordinate
for (
  const [name, curve, hash, len] of [
    ["ecdh-sha2-nistp256", "prime256v1", "sha256", 32],
    ["ecdh-sha2-nistp384", "secp384r1", "sha384", 48],
    ["ecdh-sha2-nistp521", "secp521r1", "sha512", 66],
  ]
) {
  const c = common(name, hash);
  const a = pattern(len, 7, 0x23), b = pattern(len, 17, 0x5a);
  if (len === 66) {
    a[0] &= 1;
    b[0] &= 1;
  } // what the implementation masks to the order's bits
  const ea = createECDH(curve), eb = createECDH(curve);
  ea.setPrivateKey(a);
  eb.setPrivateKey(b);
  const Q_C = ea.getPublicKey(), Q_S = eb.getPublicKey();
  const K = mpintFromUnsigned(ea.computeSecret(Q_S));
  vectors.push(finish(
    name,
    c,
    Buffer.concat([str(Q_C), str(Q_S)]),
    K,
    (H) => [
      Buffer.concat([Buffer.from([30]), str(Q_C)]),
      Buffer.concat([Buffer.from([31]), str(K_S), str(Q_S), str(signH(H))]),
    ],
    a,
    b,
  ));
}

// fixed groups (RFC 8268): exponents of twice the hash length; e, f, K as mpints
for (
  const [name, group, hash, expLen] of [
    ["diffie-hellman-group14-sha256", "modp14", "sha256", 64],
    ["diffie-hellman-group16-sha512", "modp16", "sha512", 128],
    ["diffie-hellman-group18-sha512", "modp18", "sha512", 128],
  ]
) {
  const c = common(name, hash);
  const prime = getDiffieHellman(group).getPrime();
  const x = pattern(expLen, 29, 0x11), y = pattern(expLen, 31, 0x2b);
  const da = createDiffieHellman(prime, Buffer.from([2])),
    db = createDiffieHellman(prime, Buffer.from([2]));
  da.setPrivateKey(x);
  db.setPrivateKey(y);
  const e = da.generateKeys(), f = db.generateKeys();
  const K = mpintFromUnsigned(da.computeSecret(f));
  vectors.push(
    finish(
      name,
      c,
      Buffer.concat([mpintFromUnsigned(e), mpintFromUnsigned(f)]),
      K,
      (H) => [
        Buffer.concat([Buffer.from([30]), mpintFromUnsigned(e)]),
        Buffer.concat([Buffer.from([31]), str(K_S), mpintFromUnsigned(f), str(signH(H))]),
      ],
      x,
      y,
    ),
  );
}

// group exchange (RFC 4419): client asks 2048/3072/8192, the server answers with RFC 3526's
// 3072-bit group; H covers min, n, max, p, g, e, f, K
{
  const name = "diffie-hellman-group-exchange-sha256";
  const c = common(name, "sha256");
  const prime = getDiffieHellman("modp15").getPrime();
  const x = pattern(64, 37, 0x09), y = pattern(64, 41, 0x33);
  const da = createDiffieHellman(prime, Buffer.from([2])),
    db = createDiffieHellman(prime, Buffer.from([2]));
  da.setPrivateKey(x);
  db.setPrivateKey(y);
  const e = da.generateKeys(), f = db.generateKeys();
  const K = mpintFromUnsigned(da.computeSecret(f));
  const sizes = Buffer.concat([u32(2048), u32(3072), u32(8192)]);
  const pg = Buffer.concat([mpintFromUnsigned(prime), mpintFromUnsigned(Buffer.from([2]))]);
  vectors.push(
    finish(
      name,
      c,
      Buffer.concat([sizes, pg, mpintFromUnsigned(e), mpintFromUnsigned(f)]),
      K,
      (H) => [
        Buffer.concat([Buffer.from([34]), sizes]),
        Buffer.concat([Buffer.from([31]), pg]),
        Buffer.concat([Buffer.from([32]), mpintFromUnsigned(e)]),
        Buffer.concat([Buffer.from([33]), str(K_S), mpintFromUnsigned(f), str(signH(H))]),
      ],
      x,
      y,
    ),
  );
}

// mlkem768x25519-sha256: C_INIT = C_PK2 || C_PK1, S_REPLY = S_CT2 || S_PK1,
// K = string(SHA-256(K_PQ || K_CL)); client random = ML-KEM seed (64) then X25519 key (32),
// server random = X25519 key (32) then the encapsulation message m (32)
{
  const name = "mlkem768x25519-sha256";
  const c = common(name, "sha256");
  const kem = JSON.parse(readFileSync(new URL("./mlkem768_inputs.json", import.meta.url), "utf8"));
  const a = pattern(32, 3, 0x41), b = pattern(32, 11, 0x07);
  const pkcs8 = (k) =>
    createPrivateKey({
      key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), k]),
      format: "der",
      type: "pkcs8",
    });
  const pub = (k) => Buffer.from(createPublicKey(k).export({ format: "jwk" }).x, "base64url");
  const spki = (p) =>
    createPublicKey({
      key: Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), p]),
      format: "der",
      type: "spki",
    });
  const ka = pkcs8(a), kb = pkcs8(b);
  const C_INIT = Buffer.concat([Buffer.from(kem.publicKey, "hex"), pub(ka)]);
  const S_REPLY = Buffer.concat([Buffer.from(kem.cipherText, "hex"), pub(kb)]);
  const K_CL = diffieHellman({ privateKey: kb, publicKey: spki(pub(ka)) });
  const K = str(
    createHash("sha256").update(Buffer.from(kem.sharedSecret, "hex")).update(K_CL).digest(),
  );
  vectors.push(finish(
    name,
    c,
    Buffer.concat([str(C_INIT), str(S_REPLY)]),
    K,
    (H) => [
      Buffer.concat([Buffer.from([30]), str(C_INIT)]),
      Buffer.concat([Buffer.from([31]), str(K_S), str(S_REPLY), str(signH(H))]),
    ],
    Buffer.concat([Buffer.from(kem.seed, "hex"), a]),
    Buffer.concat([b, Buffer.from(kem.m, "hex")]),
  ));
}

// sntrup761x25519-sha512 and its @openssh.com name (OpenSSH's kexsntrup761x25519.c): the
// client's value = sntrup761 pk || X25519 public, the server's = ciphertext || X25519 public,
// K = string(SHA-512(sntrup761 key || X25519 secret)), H with SHA-512. Client random = the
// sntrup761 key pair's bytes then the X25519 key (32); server random = the encapsulation's
// bytes then the X25519 key (32).
for (const name of ["sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"]) {
  const c = common(name, "sha512");
  const kat = JSON.parse(readFileSync(new URL("./sntrup761_kat.json", import.meta.url), "utf8"));
  const kem = kat.vectors[0];
  // the vectors' random stream: SHA-512(label || be32(0)) || SHA-512(label || be32(1)) || …
  const stream = (label, n) => {
    const blocks = [];
    for (let i = 0; 64 * i < n; i++) {
      blocks.push(createHash("sha512").update(label).update(u32(i)).digest());
    }
    return Buffer.concat(blocks).subarray(0, n);
  };
  const a = pattern(32, 3, 0x41), b = pattern(32, 11, 0x07);
  const pkcs8 = (k) =>
    createPrivateKey({
      key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), k]),
      format: "der",
      type: "pkcs8",
    });
  const pub = (k) => Buffer.from(createPublicKey(k).export({ format: "jwk" }).x, "base64url");
  const spki = (p) =>
    createPublicKey({
      key: Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), p]),
      format: "der",
      type: "spki",
    });
  const ka = pkcs8(a), kb = pkcs8(b);
  const clientValue = Buffer.concat([Buffer.from(kem.publicKey, "hex"), pub(ka)]);
  const serverValue = Buffer.concat([Buffer.from(kem.cipherText, "hex"), pub(kb)]);
  const kEcdh = diffieHellman({ privateKey: kb, publicKey: spki(pub(ka)) });
  const K = str(
    createHash("sha512").update(Buffer.from(kem.sharedSecret, "hex")).update(kEcdh).digest(),
  );
  vectors.push(finish(
    name,
    c,
    Buffer.concat([str(clientValue), str(serverValue)]),
    K,
    (H) => [
      Buffer.concat([Buffer.from([30]), str(clientValue)]),
      Buffer.concat([Buffer.from([31]), str(K_S), str(serverValue), str(signH(H))]),
    ],
    Buffer.concat([stream(kem.keygenLabel, kem.keygenRandomBytes), a]),
    Buffer.concat([stream(kem.encapLabel, kem.encapRandomBytes), b]),
  ));
}

console.log(JSON.stringify(
  {
    clientVersion: V_C,
    serverVersion: V_S,
    ciphers: CIPHERS,
    macs: MACS,
    hostKeySeed: hex(hostSeed),
    hostKey: hex(K_S),
    lengths: LENGTHS,
    vectors,
  },
  null,
  1,
));
