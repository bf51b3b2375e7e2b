/**
 * `privateKey` and `passphrase` of `connect()`: key text or bytes, parsed before connecting and
 * offered after the host's `identities`.
 * @module
 */
import { parsePrivateKey, type PrivateKey, type Signer } from "@hush/keys";
import type { ConnectOptions, JumpHostOptions } from "./connect_options.ts";

/**
 * The options with every `privateKey` (the destination's and each jump host's) parsed and added
 * to that host's `identities`, and the keys parsed, for the caller to dispose of once connected.
 * All are parsed before any connection is made, so a wrong passphrase or a bad key fails at
 * once with the `KeyError` of `@hush/keys` (its `passphrase` field says `"required"` or
 * `"wrong"`). A jump host without its own `identities` inherits the destination's, its
 * `privateKey` included.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, serializePrivateKey } from "@hush/keys";
 * import { withPrivateKeys } from "./private_key_option.ts";
 * const key = await generateKey("ssh-ed25519");
 * const privateKey = await serializePrivateKey(key, { passphrase: "pw", rounds: 1 });
 * const { options, keys } = await withPrivateKeys({
 *   hostname: "example.org",
 *   username: "me",
 *   privateKey,
 *   passphrase: "pw",
 * });
 * assert.equal(options.identities?.length, 1);
 * assert.equal(options.privateKey, undefined);
 * for (const k of keys) k.dispose();
 * ```
 */
export async function withPrivateKeys(
  options: ConnectOptions,
): Promise<{ options: ConnectOptions; keys: PrivateKey[] }> {
  const keys: PrivateKey[] = [];
  try {
    const parse = async (source: ConnectOptions | JumpHostOptions, inherited?: Signer[]) => {
      const { privateKey, passphrase } = source;
      const identities = source.identities ?? inherited;
      if (privateKey === undefined) return identities;
      if (typeof privateKey !== "string" && !(privateKey instanceof Uint8Array)) {
        throw new TypeError("privateKey must be a string or a Uint8Array");
      }
      const key = await parsePrivateKey(privateKey, { passphrase });
      keys.push(key);
      return [...(identities ?? []), key];
    };
    if (
      options.privateKey === undefined &&
      !options.proxyJump?.some((h) => h.privateKey !== undefined)
    ) {
      return { options, keys };
    }
    const identities = await parse(options);
    const proxyJump: JumpHostOptions[] = [];
    for (const hop of options.proxyJump ?? []) {
      if (hop.privateKey === undefined) proxyJump.push(hop);
      else {
        const own = await parse(hop, identities);
        proxyJump.push({ ...hop, identities: own, privateKey: undefined, passphrase: undefined });
      }
    }
    return {
      options: {
        ...options,
        identities,
        privateKey: undefined,
        passphrase: undefined,
        proxyJump: options.proxyJump && proxyJump,
      },
      keys,
    };
  } catch (e) {
    for (const k of keys) k.dispose();
    throw e;
  }
}
