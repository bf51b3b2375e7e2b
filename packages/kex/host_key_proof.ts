/**
 * The host key's proof of the exchange: the server signs H, the client checks that signature
 * against K_S with `@hush/keys`.
 * @module
 */
import { parsePublicKey, type Signer } from "@hush/keys";
import { kexFailed } from "./errors.ts";

/** Server: signs H with the host key under the negotiated algorithm. */
export async function signExchangeHash(
  signer: Signer,
  algorithm: string,
  exchangeHash: Uint8Array,
): Promise<Uint8Array> {
  if (!signer.publicKey.signatureAlgorithms.includes(algorithm)) {
    throw new TypeError(`Host key ${signer.publicKey.type} cannot sign with ${algorithm}`);
  }
  return await signer.sign(exchangeHash, algorithm);
}

/**
 * Client: parses K_S and verifies the signature over H with the negotiated algorithm. A host
 * key that does not parse, does not fit the algorithm, or a signature that does not verify is
 * a KEY_EXCHANGE_FAILED {@linkcode KexError}.
 */
export async function verifyExchangeHash(
  hostKey: Uint8Array,
  algorithm: string,
  signature: Uint8Array,
  exchangeHash: Uint8Array,
): Promise<void> {
  let key;
  try {
    key = parsePublicKey(hostKey);
  } catch (e) {
    throw kexFailed("Server host key blob is invalid", e);
  }
  if (!key.signatureAlgorithms.includes(algorithm)) {
    throw kexFailed(`Server host key ${key.type} does not fit the negotiated ${algorithm}`);
  }
  let ok: boolean;
  try {
    ok = await key.verify(algorithm, signature, exchangeHash);
  } catch (e) {
    throw kexFailed("Server host key signature is malformed", e);
  }
  if (!ok) {
    throw kexFailed(
      `Server host key signature (${algorithm}) over the exchange hash does not verify`,
    );
  }
}
