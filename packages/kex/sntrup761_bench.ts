// Streamlined NTRU Prime 761 operations one by one, next to ML-KEM-768 (noble) and X25519, the
// other halves of Hush's hybrids:
//   deno bench -A packages/kex/sntrup761_bench.ts
// The whole key exchange, both sides, per method: bench/kex_bench.ts.
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { randomBytes } from "@hush/wire";
import { x25519KeyPair, x25519SharedSecret } from "./curve25519.ts";
import { sntrup761Decapsulate, sntrup761Encapsulate, sntrup761KeyPair } from "./sntrup761.ts";

const { publicKey, secretKey } = sntrup761KeyPair(randomBytes);
const { cipherText } = sntrup761Encapsulate(publicKey, randomBytes);
const tampered = cipherText.slice();
tampered[0] ^= 1;

Deno.bench("sntrup761 key pair", { group: "keygen", baseline: true }, () => {
  sntrup761KeyPair(randomBytes);
});
Deno.bench("sntrup761 encapsulate", { group: "encapsulate", baseline: true }, () => {
  sntrup761Encapsulate(publicKey, randomBytes);
});
Deno.bench("sntrup761 decapsulate", { group: "decapsulate", baseline: true }, () => {
  sntrup761Decapsulate(cipherText, secretKey);
});
Deno.bench("sntrup761 decapsulate (implicit rejection)", { group: "decapsulate" }, () => {
  sntrup761Decapsulate(tampered, secretKey);
});

const kem = ml_kem768.keygen(randomBytes(64));
const encapsulated = ml_kem768.encapsulate(kem.publicKey, randomBytes(32));
Deno.bench("ML-KEM-768 key pair", { group: "keygen" }, () => {
  ml_kem768.keygen(randomBytes(64));
});
Deno.bench("ML-KEM-768 encapsulate", { group: "encapsulate" }, () => {
  ml_kem768.encapsulate(kem.publicKey, randomBytes(32));
});
Deno.bench("ML-KEM-768 decapsulate", { group: "decapsulate" }, () => {
  ml_kem768.decapsulate(encapsulated.cipherText, kem.secretKey);
});

const peer = x25519KeyPair(randomBytes).publicKey;
Deno.bench("X25519 key pair", { group: "keygen" }, () => {
  x25519KeyPair(randomBytes);
});
Deno.bench("X25519 shared secret", { group: "decapsulate" }, () => {
  x25519SharedSecret(randomBytes(32), peer);
});
