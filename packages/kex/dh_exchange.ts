/**
 * Diffie-Hellman over fixed groups (RFC 4253 §8, RFC 8268): KEXDH_INIT carries e, KEXDH_REPLY
 * carries K_S, f and the signature. H = HASH(V_C || V_S || I_C || I_S || K_S || mpint e ||
 * mpint f || mpint K).
 * @module
 */
import { type DecodeContext, type Message, randomBytes } from "@hush/wire";
import type { Signer } from "@hush/keys";
import { protocolError } from "./errors.ts";
import type { ExchangeInputs, KexExchange, KexResult } from "./exchange.ts";
import { encodeBigIntSecret, exchangeHash } from "./exchange_hash.ts";
import { digestLength, type KexHash } from "./hash.ts";
import { signExchangeHash, verifyExchangeHash } from "./host_key_proof.ts";
import { checkDhPublic, dhPrivateExponent, modPow } from "./dh.ts";
import type { DhGroup } from "./dh_groups.ts";

const CONTEXT: DecodeContext = Object.freeze({ kex: "dh" as const });

/** Private exponent size: twice the hash length (as OpenSSH sizes it), in bytes. */
export function exponentBytes(hash: KexHash): number {
  return 2 * digestLength(hash);
}

/** Client side of a fixed-group exchange. */
export class DhClientExchange implements KexExchange {
  readonly decodeContext: DecodeContext = CONTEXT;
  #name: string;
  #group: DhGroup;
  #hash: KexHash;
  #inputs: ExchangeInputs;
  #state: "new" | "awaitReply" | "done" = "new";
  #x = 0n;
  #e = 0n;

  constructor(name: string, group: DhGroup, hash: KexHash, inputs: ExchangeInputs) {
    this.#name = name;
    this.#group = group;
    this.#hash = hash;
    this.#inputs = inputs;
  }

  start(): Promise<Message[]> {
    try {
      if (this.#state !== "new") throw protocolError("Key exchange already started");
      const { p, g } = this.#group;
      this.#x = dhPrivateExponent(p, exponentBytes(this.#hash), this.#inputs.random ?? randomBytes);
      this.#e = modPow(g, this.#x, p);
      this.#state = "awaitReply";
      return Promise.resolve([{ type: "kexDhInit", e: this.#e }]);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async receive(msg: Message): Promise<{ reply: Message[]; result?: KexResult }> {
    if (this.#state !== "awaitReply" || msg.type !== "kexDhReply") {
      throw protocolError(`Unexpected ${msg.type} in ${this.#name} key exchange`);
    }
    this.#state = "done";
    const { p } = this.#group;
    checkDhPublic(msg.f, p, "f");
    const k = encodeBigIntSecret(modPow(msg.f, this.#x, p));
    this.#x = 0n;
    const hostKey = msg.hostKey.slice();
    const e = this.#e;
    const h = exchangeHash(this.#hash, this.#inputs, hostKey, (w) => {
      w.mpint(e).mpint(msg.f);
    }, k);
    await verifyExchangeHash(hostKey, this.#inputs.hostKeyAlgorithm, msg.signature, h);
    return { reply: [], result: { exchangeHash: h, sharedSecret: k, hash: this.#hash, hostKey } };
  }
}

/** Server side of a fixed-group exchange. */
export class DhServerExchange implements KexExchange {
  readonly decodeContext: DecodeContext = CONTEXT;
  #name: string;
  #group: DhGroup;
  #hash: KexHash;
  #inputs: ExchangeInputs;
  #signer: Signer;
  #state: "new" | "awaitInit" | "done" = "new";

  constructor(name: string, group: DhGroup, hash: KexHash, inputs: ExchangeInputs, signer: Signer) {
    this.#name = name;
    this.#group = group;
    this.#hash = hash;
    this.#inputs = inputs;
    this.#signer = signer;
  }

  start(): Promise<Message[]> {
    if (this.#state !== "new") return Promise.reject(protocolError("Key exchange already started"));
    this.#state = "awaitInit";
    return Promise.resolve([]);
  }

  async receive(msg: Message): Promise<{ reply: Message[]; result?: KexResult }> {
    if (this.#state === "new") this.#state = "awaitInit";
    if (this.#state !== "awaitInit" || msg.type !== "kexDhInit") {
      throw protocolError(`Unexpected ${msg.type} in ${this.#name} key exchange`);
    }
    this.#state = "done";
    const { p, g } = this.#group;
    checkDhPublic(msg.e, p, "e");
    const y = dhPrivateExponent(p, exponentBytes(this.#hash), this.#inputs.random ?? randomBytes);
    const f = modPow(g, y, p);
    const k = encodeBigIntSecret(modPow(msg.e, y, p));
    const hostKey = this.#signer.publicKey.blob.slice();
    const h = exchangeHash(this.#hash, this.#inputs, hostKey, (w) => {
      w.mpint(msg.e).mpint(f);
    }, k);
    const signature = await signExchangeHash(this.#signer, this.#inputs.hostKeyAlgorithm, h);
    return {
      reply: [{ type: "kexDhReply", hostKey, f, signature }],
      result: { exchangeHash: h, sharedSecret: k, hash: this.#hash, hostKey },
    };
  }
}
