/**
 * The registry of key exchange methods: each SSH name maps to its message family, hash and
 * the two sides' constructors.
 * @module
 */
import type { Signer } from "@hush/keys";
import { x25519Agreement } from "./curve25519.ts";
import { DhClientExchange, DhServerExchange } from "./dh_exchange.ts";
import { type DhGroup, MODP_2048, MODP_4096, MODP_8192 } from "./dh_groups.ts";
import {
  EcdhClientExchange,
  EcdhServerExchange,
  type EphemeralAgreement,
} from "./ecdh_exchange.ts";
import type { ExchangeInputs, KexExchange } from "./exchange.ts";
import { encodeMpintSecret, encodeStringSecret } from "./exchange_hash.ts";
import { GexClientExchange, GexServerExchange } from "./gex_exchange.ts";
import type { KexHash } from "./hash.ts";
import { hybridClient, hybridServer } from "./mlkem768x25519.ts";
import { ecdhKeyPair, ecdhSharedSecret, type NIST_CURVES } from "./nist_ecdh.ts";
import { sntrupHybridClient, sntrupHybridServer } from "./sntrup761x25519.ts";

interface MethodEntry {
  family: "ecdh" | "dh" | "gex";
  hash: KexHash;
  client(inputs: ExchangeInputs): KexExchange;
  server(inputs: ExchangeInputs, signer: Signer): KexExchange;
}

const curve25519: EphemeralAgreement = {
  hash: "sha256",
  async client(random, { x25519 }) {
    const keys = await x25519Agreement(x25519, random);
    return {
      publicValue: keys.publicKey,
      async finish(peer) {
        const raw = await keys.sharedSecret(peer);
        const k = encodeMpintSecret(raw);
        raw.fill(0);
        return k;
      },
    };
  },
  async server(peer, random, { x25519 }) {
    const keys = await x25519Agreement(x25519, random);
    const raw = await keys.sharedSecret(peer);
    const sharedSecret = encodeMpintSecret(raw);
    raw.fill(0);
    return { publicValue: keys.publicKey, sharedSecret };
  },
};

function nist(curve: keyof typeof NIST_CURVES, hash: KexHash): EphemeralAgreement {
  return {
    hash,
    client(random) {
      const keys = ecdhKeyPair(curve, random);
      return Promise.resolve({
        publicValue: keys.publicKey,
        finish(peer: Uint8Array) {
          try {
            return Promise.resolve(
              encodeMpintSecret(ecdhSharedSecret(curve, keys.privateKey, peer)),
            );
          } catch (e) {
            return Promise.reject(e);
          } finally {
            keys.privateKey.fill(0);
          }
        },
      });
    },
    server(peer, random) {
      try {
        const keys = ecdhKeyPair(curve, random);
        const sharedSecret = encodeMpintSecret(ecdhSharedSecret(curve, keys.privateKey, peer));
        keys.privateKey.fill(0);
        return Promise.resolve({ publicValue: keys.publicKey, sharedSecret });
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}

const mlkem768x25519: EphemeralAgreement = {
  hash: "sha256",
  async client(random, { x25519 }) {
    const keys = await hybridClient(random, x25519);
    return {
      publicValue: keys.init,
      async finish(peer) {
        const raw = await keys.finish(peer);
        const k = encodeStringSecret(raw);
        raw.fill(0);
        return k;
      },
    };
  },
  async server(peer, random, { x25519 }) {
    const { reply, secret } = await hybridServer(peer, random, x25519);
    const sharedSecret = encodeStringSecret(secret);
    secret.fill(0);
    return { publicValue: reply, sharedSecret };
  },
};

const sntrup761x25519: EphemeralAgreement = {
  hash: "sha512",
  async client(random, { x25519, sntrup761 }) {
    const keys = await sntrupHybridClient(random, x25519, sntrup761);
    return {
      publicValue: keys.init,
      async finish(peer) {
        const raw = await keys.finish(peer);
        const k = encodeStringSecret(raw);
        raw.fill(0);
        return k;
      },
    };
  },
  async server(peer, random, { x25519, sntrup761 }) {
    const { reply, secret } = await sntrupHybridServer(peer, random, x25519, sntrup761);
    const sharedSecret = encodeStringSecret(secret);
    secret.fill(0);
    return { publicValue: reply, sharedSecret };
  },
};

function ecdhMethod(name: string, agreement: EphemeralAgreement): MethodEntry {
  return {
    family: "ecdh",
    hash: agreement.hash,
    client: (inputs) => new EcdhClientExchange(name, agreement, inputs),
    server: (inputs, signer) => new EcdhServerExchange(name, agreement, inputs, signer),
  };
}

function dhMethod(name: string, p: bigint, hash: KexHash): MethodEntry {
  const group: DhGroup = { p, g: 2n, bits: p.toString(2).length };
  return {
    family: "dh",
    hash,
    client: (inputs) => new DhClientExchange(name, group, hash, inputs),
    server: (inputs, signer) => new DhServerExchange(name, group, hash, inputs, signer),
  };
}

const METHODS: Record<string, MethodEntry> = {
  "mlkem768x25519-sha256": ecdhMethod("mlkem768x25519-sha256", mlkem768x25519),
  "sntrup761x25519-sha512": ecdhMethod("sntrup761x25519-sha512", sntrup761x25519),
  "sntrup761x25519-sha512@openssh.com": ecdhMethod(
    "sntrup761x25519-sha512@openssh.com",
    sntrup761x25519,
  ),
  "curve25519-sha256": ecdhMethod("curve25519-sha256", curve25519),
  "curve25519-sha256@libssh.org": ecdhMethod("curve25519-sha256@libssh.org", curve25519),
  "ecdh-sha2-nistp256": ecdhMethod("ecdh-sha2-nistp256", nist("nistp256", "sha256")),
  "ecdh-sha2-nistp384": ecdhMethod("ecdh-sha2-nistp384", nist("nistp384", "sha384")),
  "ecdh-sha2-nistp521": ecdhMethod("ecdh-sha2-nistp521", nist("nistp521", "sha512")),
  "diffie-hellman-group-exchange-sha256": {
    family: "gex",
    hash: "sha256",
    client: (inputs) => new GexClientExchange("sha256", inputs),
    server: (inputs, signer) => new GexServerExchange("sha256", inputs, signer),
  },
  "diffie-hellman-group16-sha512": dhMethod("diffie-hellman-group16-sha512", MODP_4096, "sha512"),
  "diffie-hellman-group18-sha512": dhMethod("diffie-hellman-group18-sha512", MODP_8192, "sha512"),
  "diffie-hellman-group14-sha256": dhMethod("diffie-hellman-group14-sha256", MODP_2048, "sha256"),
};

/**
 * Every key exchange method Hush implements, by SSH name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KEX_METHODS } from "@hush/kex";
 * assert.equal(KEX_METHODS.includes("curve25519-sha256@libssh.org"), true);
 * ```
 */
export const KEX_METHODS: readonly string[] = Object.freeze(Object.keys(METHODS));

/**
 * What a key exchange method is: its message family (the wire's decode context) and hash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kexMethodInfo } from "@hush/kex";
 * assert.deepEqual(kexMethodInfo("ecdh-sha2-nistp384"), { family: "ecdh", hash: "sha384" });
 * ```
 */
export function kexMethodInfo(kex: string): { family: "ecdh" | "dh" | "gex"; hash: KexHash } {
  const m = lookup(kex);
  return { family: m.family, hash: m.hash };
}

function lookup(kex: string): MethodEntry {
  const m = Object.hasOwn(METHODS, kex) ? METHODS[kex] : undefined;
  if (!m) throw new TypeError(`Unsupported key exchange method: ${kex}`);
  return m;
}

/**
 * The client side of the negotiated key exchange method. `start()` gives the first message
 * (KEX_ECDH_INIT, KEXDH_INIT or DH_GEX_REQUEST); `receive` checks the server's values,
 * computes K and H and verifies the host key's signature over H (with `@hush/keys`) before it
 * returns the result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createClientExchange, createServerExchange } from "@hush/kex";
 * import { generateKey } from "@hush/keys";
 * const hostKey = await generateKey("ssh-ed25519");
 * const inputs = {
 *   clientVersion: "SSH-2.0-client",
 *   serverVersion: "SSH-2.0-server",
 *   clientKexInit: new Uint8Array([20]), // the real KEXINIT payloads in a connection
 *   serverKexInit: new Uint8Array([20]),
 *   hostKeyAlgorithm: "ssh-ed25519",
 * };
 * const client = createClientExchange("curve25519-sha256", inputs);
 * const server = createServerExchange("curve25519-sha256", { ...inputs, hostKey });
 * const [init] = await client.start();
 * const { reply } = await server.receive(init);
 * const { result } = await client.receive(reply[0]);
 * assert.equal(result?.exchangeHash.length, 32);
 * ```
 */
export function createClientExchange(kex: string, inputs: ExchangeInputs): KexExchange {
  checkInputs(inputs);
  return lookup(kex).client(inputs);
}

/**
 * The server side of the negotiated key exchange method; it signs H with `hostKey` under
 * `inputs.hostKeyAlgorithm`. Its `receive` returns the REPLY together with the result. A host
 * key that cannot sign with that algorithm is a TypeError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createClientExchange, createServerExchange } from "@hush/kex";
 * import { generateKey } from "@hush/keys";
 * const hostKey = await generateKey("ecdsa-sha2-nistp256");
 * const inputs = {
 *   clientVersion: "SSH-2.0-client",
 *   serverVersion: "SSH-2.0-server",
 *   clientKexInit: new Uint8Array([20]),
 *   serverKexInit: new Uint8Array([20]),
 *   hostKeyAlgorithm: "ecdsa-sha2-nistp256",
 * };
 * const server = createServerExchange("diffie-hellman-group14-sha256", { ...inputs, hostKey });
 * const client = createClientExchange("diffie-hellman-group14-sha256", inputs);
 * assert.deepEqual(await server.start(), []);
 * const { reply, result } = await server.receive((await client.start())[0]);
 * assert.equal(reply[0].type, "kexDhReply");
 * assert.equal(result?.hash, "sha256");
 * ```
 */
export function createServerExchange(
  kex: string,
  inputs: ExchangeInputs & { hostKey: Signer },
): KexExchange {
  checkInputs(inputs);
  if (!inputs.hostKey?.publicKey?.signatureAlgorithms?.includes(inputs.hostKeyAlgorithm)) {
    throw new TypeError(`The host key cannot sign with ${inputs.hostKeyAlgorithm}`);
  }
  return lookup(kex).server(inputs, inputs.hostKey);
}

function checkInputs(inputs: ExchangeInputs): void {
  for (const k of ["clientVersion", "serverVersion", "hostKeyAlgorithm"] as const) {
    if (typeof inputs[k] !== "string") {
      throw new TypeError(`Exchange inputs: ${k} must be a string`);
    }
  }
  for (const k of ["clientKexInit", "serverKexInit"] as const) {
    if (!(inputs[k] instanceof Uint8Array)) {
      throw new TypeError(`Exchange inputs: ${k} must be bytes`);
    }
  }
}
