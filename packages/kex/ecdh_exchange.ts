/**
 * The one-round exchanges that carry byte strings in KEX_ECDH_INIT / KEX_ECDH_REPLY
 * (messages 30/31): ECDH over the NIST curves (RFC 5656 §4), curve25519-sha256 (RFC 8731) and
 * the ML-KEM hybrid. H = HASH(V_C || V_S || I_C || I_S || K_S || string Q_C || string Q_S || K).
 * @module
 */
import { type DecodeContext, type Message, randomBytes, type RandomSource } from "@hush/wire";
import type { Signer } from "@hush/keys";
import { protocolError } from "./errors.ts";
import type { ExchangeInputs, KexExchange, KexResult } from "./exchange.ts";
import { exchangeHash } from "./exchange_hash.ts";
import type { KexHash } from "./hash.ts";
import { signExchangeHash, verifyExchangeHash } from "./host_key_proof.ts";
import { nobleX25519, type X25519Backend } from "./x25519_backend.ts";
import { jsSntrup761, type Sntrup761Backend } from "./sntrup761_backend.ts";

/** Where an agreement's primitives run: what the caller handed in, or the defaults. */
export interface AgreementBackends {
  /** X25519 (curve25519 and the hybrids). */
  x25519: X25519Backend;
  /** sntrup761's ring arithmetic. */
  sntrup761: Sntrup761Backend;
}

function backendsOf(inputs: ExchangeInputs): AgreementBackends {
  return { x25519: inputs.x25519 ?? nobleX25519, sntrup761: inputs.sntrup761 ?? jsSntrup761 };
}

/** A key agreement whose public values are byte strings. */
export interface EphemeralAgreement {
  /** The method's hash. */
  hash: KexHash;
  /** Client: ephemeral keys; `finish` takes the server's value and returns K encoded. */
  client(
    random: RandomSource,
    backends: AgreementBackends,
  ): Promise<{ publicValue: Uint8Array; finish(peer: Uint8Array): Promise<Uint8Array> }>;
  /** Server: takes the client's value, returns its own and K encoded. */
  server(
    peer: Uint8Array,
    random: RandomSource,
    backends: AgreementBackends,
  ): Promise<{ publicValue: Uint8Array; sharedSecret: Uint8Array }>;
}

const CONTEXT: DecodeContext = Object.freeze({ kex: "ecdh" as const });

/** Client side of an ECDH-style exchange: INIT → REPLY. */
export class EcdhClientExchange implements KexExchange {
  readonly decodeContext: DecodeContext = CONTEXT;
  #name: string;
  #agreement: EphemeralAgreement;
  #inputs: ExchangeInputs;
  #state: "new" | "awaitReply" | "done" = "new";
  #keys?: { publicValue: Uint8Array; finish(peer: Uint8Array): Promise<Uint8Array> };

  constructor(name: string, agreement: EphemeralAgreement, inputs: ExchangeInputs) {
    this.#name = name;
    this.#agreement = agreement;
    this.#inputs = inputs;
  }

  async start(): Promise<Message[]> {
    if (this.#state !== "new") throw protocolError("Key exchange already started");
    this.#state = "awaitReply";
    this.#keys = await this.#agreement.client(
      this.#inputs.random ?? randomBytes,
      backendsOf(this.#inputs),
    );
    return [{ type: "kexEcdhInit", publicKey: this.#keys.publicValue }];
  }

  async receive(msg: Message): Promise<{ reply: Message[]; result?: KexResult }> {
    if (this.#state !== "awaitReply" || msg.type !== "kexEcdhReply") {
      throw protocolError(`Unexpected ${msg.type} in ${this.#name} key exchange`);
    }
    this.#state = "done";
    const qc = this.#keys!.publicValue;
    const k = await this.#keys!.finish(msg.publicKey);
    const hostKey = msg.hostKey.slice();
    const h = exchangeHash(this.#agreement.hash, this.#inputs, hostKey, (w) => {
      w.string(qc).string(msg.publicKey);
    }, k);
    await verifyExchangeHash(hostKey, this.#inputs.hostKeyAlgorithm, msg.signature, h);
    return {
      reply: [],
      result: { exchangeHash: h, sharedSecret: k, hash: this.#agreement.hash, hostKey },
    };
  }
}

/** Server side of an ECDH-style exchange: INIT → REPLY. */
export class EcdhServerExchange implements KexExchange {
  readonly decodeContext: DecodeContext = CONTEXT;
  #name: string;
  #agreement: EphemeralAgreement;
  #inputs: ExchangeInputs;
  #signer: Signer;
  #state: "new" | "awaitInit" | "done" = "new";

  constructor(name: string, agreement: EphemeralAgreement, inputs: ExchangeInputs, signer: Signer) {
    this.#name = name;
    this.#agreement = agreement;
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
    if (this.#state !== "awaitInit" || msg.type !== "kexEcdhInit") {
      throw protocolError(`Unexpected ${msg.type} in ${this.#name} key exchange`);
    }
    this.#state = "done";
    const qc = msg.publicKey;
    const { publicValue: qs, sharedSecret: k } = await this.#agreement.server(
      qc,
      this.#inputs.random ?? randomBytes,
      backendsOf(this.#inputs),
    );
    const hostKey = this.#signer.publicKey.blob.slice();
    const h = exchangeHash(this.#agreement.hash, this.#inputs, hostKey, (w) => {
      w.string(qc).string(qs);
    }, k);
    const signature = await signExchangeHash(this.#signer, this.#inputs.hostKeyAlgorithm, h);
    return {
      reply: [{ type: "kexEcdhReply", hostKey, publicKey: qs, signature }],
      result: { exchangeHash: h, sharedSecret: k, hash: this.#agreement.hash, hostKey },
    };
  }
}
