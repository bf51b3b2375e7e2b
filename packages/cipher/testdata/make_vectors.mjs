// Known-answer vectors for @hush/cipher, computed independently of it: node:crypto (OpenSSL)
// for ChaCha20, AES-GCM, AES-CTR and HMAC, a BigInt Poly1305 written here from RFC 8439 §2.5,
// and the `openssl` command line re-checking every AES-CTR ciphertext and HMAC.
//
//   node packages/cipher/testdata/make_vectors.mjs > packages/cipher/testdata/vectors.json
//
// Every key is a throwaway derived from a public label; nothing here is secret.
import { createCipheriv, createHash, createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";

const hex = (b) => Buffer.from(b).toString("hex");

/** Deterministic bytes: SHA-256 in counter mode over a label. */
function material(label, n) {
  const out = Buffer.alloc(n);
  for (let i = 0, off = 0; off < n; i++) {
    const block = createHash("sha256").update(`${label}/${i}`).digest();
    block.copy(out, off);
    off += block.length;
  }
  return out;
}

const be32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

// --- Poly1305 (RFC 8439 §2.5.1), BigInt, independent of noble -------------------------------
function poly1305(key, msg) {
  const le = (b) => BigInt("0x" + (hex(Buffer.from(b).reverse()) || "0"));
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = le(key.subarray(16, 32));
  const p = (1n << 130n) - 5n;
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const chunk = Buffer.concat([msg.subarray(i, i + 16), Buffer.from([1])]);
    acc = ((acc + le(chunk)) * r) % p;
  }
  acc = (acc + s) & ((1n << 128n) - 1n);
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = Number((acc >> BigInt(8 * i)) & 0xffn);
  return out;
}
// RFC 8439 §2.5.2 test vector, so the Poly1305 above is known good.
{
  const key = Buffer.from(
    "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b",
    "hex",
  );
  const tag = poly1305(key, Buffer.from("Cryptographic Forum Research Group"));
  if (hex(tag) !== "a8061dc1305136c6c22b8baf0c0127a9") throw new Error("Poly1305 self-test");
}

// --- Framing (RFC 4253 §6) ------------------------------------------------------------------
function padLength(payloadLength, blockSize, lengthInClear) {
  const covered = (lengthInClear ? 0 : 4) + 1 + payloadLength;
  let pad = blockSize - (covered % blockSize);
  if (pad < 4) pad += blockSize;
  return pad;
}

function plainPacket(payload, padding) {
  return Buffer.concat([
    be32(1 + payload.length + padding.length),
    Buffer.from([padding.length]),
    payload,
    padding,
  ]);
}

// --- Suites -----------------------------------------------------------------------------------
const SUITES = [
  ["chacha20-poly1305@openssh.com"],
  ["aes128-gcm@openssh.com"],
  ["aes256-gcm@openssh.com"],
  ["aes128-ctr", "hmac-sha2-256-etm@openssh.com"],
  ["aes128-ctr", "hmac-sha2-256"],
  ["aes192-ctr", "hmac-sha2-512-etm@openssh.com"],
  ["aes192-ctr", "hmac-sha1"],
  ["aes256-ctr", "hmac-sha2-512"],
  ["aes256-ctr", "hmac-sha1-etm@openssh.com"],
];
const MAC = {
  "hmac-sha2-256": ["sha256", 32],
  "hmac-sha2-512": ["sha512", 64],
  "hmac-sha1": ["sha1", 20],
};
const PAYLOAD_LENGTHS = [1, 31, 200, 1500];
const FIRST_SEQUENCE = 0xfffffffe; // the MAC/nonce sequence number wraps inside each vector

function sealer(cipher, mac, keys) {
  if (cipher.startsWith("chacha20")) {
    const k2 = keys.key.subarray(0, 32);
    const k1 = keys.key.subarray(32, 64);
    return {
      blockSize: 8,
      lengthInClear: true,
      seal(seq, plain) {
        const nonce = Buffer.alloc(8);
        nonce.writeUInt32BE(seq >>> 0, 4);
        const iv = (counter) => Buffer.concat([Buffer.from([counter, 0, 0, 0, 0, 0, 0, 0]), nonce]);
        const encLength = createCipheriv("chacha20", k1, iv(0)).update(plain.subarray(0, 4));
        const polyKey = createCipheriv("chacha20", k2, iv(0)).update(Buffer.alloc(32));
        const encBody = createCipheriv("chacha20", k2, iv(1)).update(plain.subarray(4));
        const enc = Buffer.concat([encLength, encBody]);
        return Buffer.concat([enc, poly1305(polyKey, enc)]);
      },
    };
  }
  if (cipher.includes("gcm")) {
    const iv = Buffer.from(keys.iv);
    return {
      blockSize: 16,
      lengthInClear: true,
      seal(_seq, plain) {
        const c = createCipheriv(`aes-${keys.key.length * 8}-gcm`, keys.key, iv);
        c.setAAD(plain.subarray(0, 4));
        const body = Buffer.concat([c.update(plain.subarray(4)), c.final()]);
        const out = Buffer.concat([plain.subarray(0, 4), body, c.getAuthTag()]);
        // invocation counter: the last 8 bytes, big-endian, +1 per packet
        iv.writeBigUInt64BE((iv.readBigUInt64BE(4) + 1n) & 0xffffffffffffffffn, 4);
        return out;
      },
    };
  }
  const etm = mac.endsWith("-etm@openssh.com");
  const [hash] = MAC[mac.replace("-etm@openssh.com", "")];
  const stream = createCipheriv(`aes-${keys.key.length * 8}-ctr`, keys.key, keys.iv);
  return {
    blockSize: 16,
    lengthInClear: etm,
    seal(seq, plain) {
      const hmac = (data) => createHmac(hash, keys.macKey).update(be32(seq)).update(data).digest();
      if (etm) {
        const enc = Buffer.concat([plain.subarray(0, 4), stream.update(plain.subarray(4))]);
        return Buffer.concat([enc, hmac(enc)]);
      }
      return Buffer.concat([stream.update(plain), hmac(plain)]);
    },
  };
}

/** Re-checks an AES-CTR + HMAC vector with the openssl command line. */
function opensslCheck(cipher, mac, keys, packets) {
  const etm = mac.endsWith("-etm@openssh.com");
  const [hash, tagLength] = MAC[mac.replace("-etm@openssh.com", "")];
  // The CTR keystream runs on across packets: encrypt all plaintext that went under it at once.
  const encrypted = packets.map((p) => Buffer.from(p.plain, "hex").subarray(etm ? 4 : 0));
  const all = execFileSync("openssl", [
    "enc",
    `-aes-${keys.key.length * 8}-ctr`,
    "-K",
    hex(keys.key),
    "-iv",
    hex(keys.iv),
    "-nopad",
  ], { input: Buffer.concat(encrypted) });
  let at = 0;
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i];
    const packet = Buffer.from(p.packet, "hex");
    const plain = Buffer.from(p.plain, "hex");
    const ct = all.subarray(at, at + encrypted[i].length);
    at += encrypted[i].length;
    const enc = etm ? Buffer.concat([plain.subarray(0, 4), ct]) : ct;
    if (!enc.equals(packet.subarray(0, enc.length))) throw new Error(`openssl enc ${cipher} ${i}`);
    const macInput = Buffer.concat([be32(p.sequence), etm ? enc : plain]);
    const line = execFileSync("openssl", [
      "dgst",
      `-${hash}`,
      "-mac",
      "HMAC",
      "-macopt",
      `hexkey:${hex(keys.macKey)}`,
      "-hex",
    ], { input: macInput }).toString();
    const tag = line.trim().split(/\s+/).pop();
    if (tag !== hex(packet.subarray(packet.length - tagLength))) {
      throw new Error(`openssl dgst ${mac} ${i}`);
    }
  }
}

const vectors = [];
for (const [cipher, mac] of SUITES) {
  const label = `hush cipher vectors ${cipher} ${mac ?? ""}`;
  const keyLength = cipher.startsWith("chacha20") ? 64 : Number(cipher.match(/aes(\d+)/)[1]) / 8;
  const ivLength = cipher.startsWith("chacha20") ? 0 : cipher.includes("gcm") ? 12 : 16;
  const macKeyLength = mac ? MAC[mac.replace("-etm@openssh.com", "")][1] : 0;
  const keys = {
    iv: material(label + " iv", ivLength),
    key: material(label + " key", keyLength),
    macKey: material(label + " mac", macKeyLength),
  };
  if (cipher.includes("gcm")) keys.iv.writeBigUInt64BE(0xfffffffffffffffen, 4); // counter wraps too
  const s = sealer(cipher, mac, keys);
  const packets = PAYLOAD_LENGTHS.map((n, i) => {
    const sequence = (FIRST_SEQUENCE + i) >>> 0;
    const payload = material(`${label} payload ${i}`, n);
    const padding = material(`${label} padding ${i}`, padLength(n, s.blockSize, s.lengthInClear));
    const plain = plainPacket(payload, padding);
    return {
      sequence,
      payload: hex(payload),
      padding: hex(padding),
      plain: hex(plain),
      packet: hex(s.seal(sequence, plain)),
    };
  });
  if (mac) opensslCheck(cipher, mac, keys, packets);
  vectors.push({
    cipher,
    ...(mac ? { mac } : {}),
    iv: hex(keys.iv),
    key: hex(keys.key),
    macKey: hex(keys.macKey),
    firstSequence: FIRST_SEQUENCE,
    packets,
  });
}
console.log(JSON.stringify(
  {
    comment: "Made by `node packages/cipher/testdata/make_vectors.mjs`; see README.md.",
    vectors,
  },
  null,
  1,
));
