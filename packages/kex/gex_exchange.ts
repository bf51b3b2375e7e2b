/**
 * Diffie-Hellman group exchange (RFC 4419): the client asks for a group size, the server picks
 * a safe prime from {@linkcode GEX_GROUPS}, then a DH round in that group.
 * H = HASH(V_C || V_S || I_C || I_S || K_S || uint32 min || uint32 n || uint32 max || mpint p ||
 * mpint g || mpint e || mpint f || mpint K).
 * @module
 */
import { type DecodeContext, type Message, randomBytes } from "@hush/wire";
import type { Signer } from "@hush/keys";
import { kexFailed, protocolError } from "./errors.ts";
import type { ExchangeInputs, KexExchange, KexResult } from "./exchange.ts";
import { encodeBigIntSecret, exchangeHash } from "./exchange_hash.ts";
import type { KexHash } from "./hash.ts";
import { signExchangeHash, verifyExchangeHash } from "./host_key_proof.ts";
import { bitLength, checkDhPublic, dhPrivateExponent, isProbablePrime, modPow } from "./dh.ts";
import { type DhGroup, GEX_GROUPS } from "./dh_groups.ts";
import { exponentBytes } from "./dh_exchange.ts";

/**
 * The group sizes a Hush client asks for and accepts, and the range a Hush server serves
 * (OpenSSH's DH_GRP_MIN / preferred / DH_GRP_MAX).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GEX_BITS } from "@hush/kex";
 * assert.equal(GEX_BITS.min, 2048);
 * assert.equal(GEX_BITS.preferred, 3072);
 * assert.equal(GEX_BITS.max, 8192);
 * ```
 */
export const GEX_BITS = { min: 2048, preferred: 3072, max: 8192 } as const;

const CONTEXT: DecodeContext = Object.freeze({ kex: "gex" as const });

const KNOWN_PRIMES: ReadonlySet<bigint> = new Set(GEX_GROUPS.map((g) => g.p));

/** How many peer primes that passed the probable-prime test are remembered (oldest dropped). */
const PASSED_PRIMES_LIMIT = 32;
const PASSED_PRIMES = new Set<bigint>();

/**
 * Server: the group for a GEX_REQUEST. A request with min > max or n outside [min, max] is a
 * protocol error; the range is then clamped to {@linkcode GEX_BITS} and the smallest group of
 * at least n bits is chosen (else the largest that fits); none fitting fails the exchange.
 */
export function chooseGexGroup(min: number, n: number, max: number): DhGroup {
  if (min > max || n < min || n > max) {
    throw kexFailed(`Bad DH_GEX_REQUEST: min ${min}, n ${n}, max ${max}`);
  }
  const lo = Math.max(min, GEX_BITS.min);
  const hi = Math.min(max, GEX_BITS.max);
  const fits = GEX_GROUPS.filter((g) => g.bits >= lo && g.bits <= hi);
  if (fits.length === 0) {
    throw kexFailed(
      `No DH group between ${min} and ${max} bits (we have ${GEX_BITS.min}-${GEX_BITS.max})`,
    );
  }
  return fits.find((g) => g.bits >= n) ?? fits[fits.length - 1];
}

/**
 * Client: checks the group the server sent: p's size within what we asked, p odd and
 * probably prime (trial division and Miller-Rabin to bases 2 and 3), 1 < g < p − 1.
 */
export function checkGexGroup(p: bigint, g: bigint, min: number, max: number): void {
  const bits = bitLength(p);
  if (bits < min || bits > max) {
    throw kexFailed(`DH group of ${bits} bits is outside the ${min}-${max} bits asked for`);
  }
  if (g <= 1n || g >= p - 1n) throw kexFailed("DH group generator is out of range");
  // RFC 3526's groups are known safe primes; anything else (an /etc/ssh/moduli prime) is tested
  // once, and remembered so that a rekey with the same server does not test it again
  if (KNOWN_PRIMES.has(p) || PASSED_PRIMES.has(p)) return;
  if (!isProbablePrime(p)) throw kexFailed("DH group modulus is not prime");
  if (PASSED_PRIMES.size >= PASSED_PRIMES_LIMIT) {
    PASSED_PRIMES.delete(PASSED_PRIMES.values().next().value!);
  }
  PASSED_PRIMES.add(p);
}

/** Client side of group exchange. */
export class GexClientExchange implements KexExchange {
  readonly decodeContext: DecodeContext = CONTEXT;
  #hash: KexHash;
  #inputs: ExchangeInputs;
  #state: "new" | "awaitGroup" | "awaitReply" | "done" = "new";
  #group?: { p: bigint; g: bigint };
  #x = 0n;
  #e = 0n;

  constructor(hash: KexHash, inputs: ExchangeInputs) {
    this.#hash = hash;
    this.#inputs = inputs;
  }

  start(): Promise<Message[]> {
    if (this.#state !== "new") return Promise.reject(protocolError("Key exchange already started"));
    this.#state = "awaitGroup";
    const { min, preferred: n, max } = GEX_BITS;
    return Promise.resolve([{ type: "kexDhGexRequest", min, n, max }]);
  }

  async receive(msg: Message): Promise<{ reply: Message[]; result?: KexResult }> {
    if (this.#state === "awaitGroup" && msg.type === "kexDhGexGroup") {
      checkGexGroup(msg.p, msg.g, GEX_BITS.min, GEX_BITS.max);
      this.#group = { p: msg.p, g: msg.g };
      this.#x = dhPrivateExponent(
        msg.p,
        exponentBytes(this.#hash),
        this.#inputs.random ?? randomBytes,
      );
      this.#e = modPow(msg.g, this.#x, msg.p);
      this.#state = "awaitReply";
      return { reply: [{ type: "kexDhGexInit", e: this.#e }] };
    }
    if (this.#state === "awaitReply" && msg.type === "kexDhGexReply") {
      this.#state = "done";
      const { p, g } = this.#group!;
      checkDhPublic(msg.f, p, "f");
      const k = encodeBigIntSecret(modPow(msg.f, this.#x, p));
      this.#x = 0n;
      const hostKey = msg.hostKey.slice();
      const e = this.#e;
      const h = exchangeHash(this.#hash, this.#inputs, hostKey, (w) => {
        w.uint32(GEX_BITS.min).uint32(GEX_BITS.preferred).uint32(GEX_BITS.max);
        w.mpint(p).mpint(g).mpint(e).mpint(msg.f);
      }, k);
      await verifyExchangeHash(hostKey, this.#inputs.hostKeyAlgorithm, msg.signature, h);
      return { reply: [], result: { exchangeHash: h, sharedSecret: k, hash: this.#hash, hostKey } };
    }
    throw protocolError(`Unexpected ${msg.type} in diffie-hellman-group-exchange key exchange`);
  }
}

/** Server side of group exchange. */
export class GexServerExchange implements KexExchange {
  readonly decodeContext: DecodeContext = CONTEXT;
  #hash: KexHash;
  #inputs: ExchangeInputs;
  #signer: Signer;
  #state: "awaitRequest" | "awaitInit" | "done" = "awaitRequest";
  #request?: { min: number; n: number; max: number; group: DhGroup };

  constructor(hash: KexHash, inputs: ExchangeInputs, signer: Signer) {
    this.#hash = hash;
    this.#inputs = inputs;
    this.#signer = signer;
  }

  start(): Promise<Message[]> {
    return Promise.resolve([]);
  }

  async receive(msg: Message): Promise<{ reply: Message[]; result?: KexResult }> {
    if (msg.type === "kexDhGexRequest") {
      if (this.#state !== "awaitRequest") throw protocolError("Repeated DH_GEX_REQUEST");
      const group = chooseGexGroup(msg.min, msg.n, msg.max);
      this.#request = { min: msg.min, n: msg.n, max: msg.max, group };
      this.#state = "awaitInit";
      return { reply: [{ type: "kexDhGexGroup", p: group.p, g: group.g }] };
    }
    if (msg.type === "kexDhGexInit" && this.#state === "awaitInit") {
      this.#state = "done";
      const { min, n, max, group: { p, g } } = this.#request!;
      checkDhPublic(msg.e, p, "e");
      const y = dhPrivateExponent(p, exponentBytes(this.#hash), this.#inputs.random ?? randomBytes);
      const f = modPow(g, y, p);
      const k = encodeBigIntSecret(modPow(msg.e, y, p));
      const hostKey = this.#signer.publicKey.blob.slice();
      const h = exchangeHash(this.#hash, this.#inputs, hostKey, (w) => {
        w.uint32(min).uint32(n).uint32(max).mpint(p).mpint(g).mpint(msg.e).mpint(f);
      }, k);
      const signature = await signExchangeHash(this.#signer, this.#inputs.hostKeyAlgorithm, h);
      return {
        reply: [{ type: "kexDhGexReply", hostKey, f, signature }],
        result: { exchangeHash: h, sharedSecret: k, hash: this.#hash, hostKey },
      };
    }
    if (msg.type === "kexDhGexRequestOld") {
      throw protocolError("DH_GEX_REQUEST_OLD is not supported; send DH_GEX_REQUEST");
    }
    throw protocolError(`Unexpected ${msg.type} in diffie-hellman-group-exchange key exchange`);
  }
}
