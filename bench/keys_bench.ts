// Sign/verify and parse timings of @hush/keys: deno bench -A bench/keys_bench.ts
import { generateKey, parsePrivateKey, parsePublicKey, type PrivateKey } from "@hush/keys";

const data = crypto.getRandomValues(new Uint8Array(32)); // an exchange hash
const keys: [string, PrivateKey][] = [
  ["ssh-ed25519", await generateKey("ssh-ed25519")],
  ["ecdsa-sha2-nistp256", await generateKey("ecdsa-sha2-nistp256")],
  ["ecdsa-sha2-nistp384", await generateKey("ecdsa-sha2-nistp384")],
  ["ecdsa-sha2-nistp521", await generateKey("ecdsa-sha2-nistp521")],
  ["rsa-2048", await generateKey("ssh-rsa", { bits: 2048 })],
  ["rsa-3072", await generateKey("ssh-rsa", { bits: 3072 })],
];

for (const [name, key] of keys) {
  const alg = key.publicKey.signatureAlgorithms.at(-1)!; // rsa-sha2-256 for RSA
  const sig = await key.sign(data, alg);
  await key.publicKey.verify(alg, sig, data); // warm WebCrypto imports
  Deno.bench(`sign ${name}`, { group: "sign" }, async () => {
    await key.sign(data, alg);
  });
  Deno.bench(`verify ${name}`, { group: "verify" }, async () => {
    if (!(await key.publicKey.verify(alg, sig, data))) throw new Error("bad signature");
  });
  Deno.bench(`parse + first verify ${name}`, { group: "parse+verify" }, async () => {
    const pub = parsePublicKey(key.publicKey.blob);
    if (!(await pub.verify(alg, sig, data))) throw new Error("bad signature");
  });
}

// Decrypting an OpenSSH private key: bcrypt_pbkdf at ssh-keygen's default 16 rounds dominates.
const encrypted = await Deno.readTextFile(
  new URL("../packages/keys/testdata/formats/ed25519.aes256-ctr", import.meta.url),
);
Deno.bench("decrypt ed25519 key (bcrypt_pbkdf, 16 rounds)", { group: "decrypt" }, async () => {
  await parsePrivateKey(encrypted, { passphrase: "hush passphrase" });
});
