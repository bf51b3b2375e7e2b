// Writes the ML-KEM-768 half of the mlkem768x25519-sha256 known-answer test: Node 20 has no
// ML-KEM, so this step uses @noble/post-quantum directly (never @hush/kex). The rest of the
// vector (X25519, K, H, keys) is computed by generate_kat.mjs with node:crypto.
//   deno run -A packages/kex/testdata/mlkem_inputs.ts > packages/kex/testdata/mlkem768_inputs.json
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const seed = new Uint8Array(64).map((_, i) => (i * 7 + 3) & 0xff); // d || z
const m = new Uint8Array(32).map((_, i) => (i * 13 + 5) & 0xff);
const { publicKey, secretKey } = ml_kem768.keygen(seed);
const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, m);
const back = ml_kem768.decapsulate(cipherText, secretKey);
if (hex(back) !== hex(sharedSecret)) throw new Error("ML-KEM round trip failed");
console.log(JSON.stringify(
  {
    seed: hex(seed),
    m: hex(m),
    publicKey: hex(publicKey),
    cipherText: hex(cipherText),
    sharedSecret: hex(sharedSecret),
  },
  null,
  2,
));
