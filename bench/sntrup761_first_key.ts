/**
 * A fresh process's first sntrup761 key pair, encapsulation and decapsulation, on the TypeScript
 * or the WebAssembly ring (`deno run -A bench/sntrup761_first_key.ts js|wasm`). Cold start is what
 * a one-shot client pays, so each ring needs its own process; `deno bench` would warm it up.
 * Node and Bun: `deno bundle --platform=node -o /tmp/first_key.mjs bench/sntrup761_first_key.ts`.
 */
import { jsSntrup761, loadSntrup761Wasm } from "../packages/kex/mod.ts";
import {
  sntrup761Decapsulate,
  sntrup761Encapsulate,
  sntrup761KeyPair,
} from "../packages/kex/sntrup761.ts";

const which = (globalThis as { process?: { argv: string[] } }).process?.argv.at(-1) ??
  "wasm";
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const t0 = performance.now();
const ring = which === "js" ? jsSntrup761 : await loadSntrup761Wasm();
const t1 = performance.now();
const { publicKey, secretKey } = sntrup761KeyPair(random, ring);
const t2 = performance.now();
const { cipherText } = sntrup761Encapsulate(publicKey, random, ring);
const t3 = performance.now();
sntrup761Decapsulate(cipherText, secretKey, ring);
const t4 = performance.now();
const ms = (x: number) => x.toFixed(1).padStart(5);
console.log(
  `${ring.name.padEnd(4)} load ${ms(t1 - t0)}  key pair ${ms(t2 - t1)}  encapsulate ${
    ms(t3 - t2)
  }  decapsulate ${ms(t4 - t3)} ms`,
);
