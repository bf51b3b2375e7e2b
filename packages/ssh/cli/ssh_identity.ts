/**
 * Private key files as the command-line tools meet them: the public half of an OpenSSH key file
 * (readable without the passphrase), whether a file is encrypted, and loading with a passphrase
 * asked for on the terminal.
 * @module
 */
import { parsePrivateKey, parsePublicKey, type PrivateKey, type PublicKey } from "@hush/keys";
import { SshReader } from "@hush/wire";

const OPENSSH_BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
const OPENSSH_END = "-----END OPENSSH PRIVATE KEY-----";
const MAGIC = "openssh-key-v1\0";

/** What the unencrypted header of a private key file tells. */
export interface PrivateKeyFileInfo {
  /** Whether a passphrase is needed. */
  encrypted: boolean;
  /** The public key, when the format carries it outside the encrypted part (OpenSSH format). */
  publicKey?: PublicKey;
}

/**
 * Reads the header of a private key file: encrypted or not, and the public key of an OpenSSH
 * format file. `undefined` when the text is not a private key file.
 *
 * @example
 * ```ts
 * import { generateKey, serializePrivateKey } from "@hush/keys";
 * import { privateKeyFileInfo } from "./ssh_identity.ts";
 * const key = await generateKey("ssh-ed25519");
 * const info = privateKeyFileInfo(await serializePrivateKey(key, { passphrase: "x", rounds: 1 }));
 * console.log(info?.encrypted, info?.publicKey?.equals(key.publicKey)); // true true
 * ```
 */
export function privateKeyFileInfo(text: string): PrivateKeyFileInfo | undefined {
  const begin = text.indexOf(OPENSSH_BEGIN);
  if (begin >= 0) {
    const end = text.indexOf(OPENSSH_END, begin);
    if (end < 0) return undefined;
    try {
      const b64 = text.slice(begin + OPENSSH_BEGIN.length, end).replace(/\s+/g, "");
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      for (let i = 0; i < MAGIC.length; i++) {
        if (bytes[i] !== MAGIC.charCodeAt(i)) return undefined;
      }
      const r = new SshReader(bytes.subarray(MAGIC.length));
      const cipher = r.ascii();
      r.string(); // kdf name
      r.string(); // kdf options
      const count = r.uint32();
      if (count < 1) return undefined;
      const publicKey = parsePublicKey(r.string());
      return { encrypted: cipher !== "none", publicKey };
    } catch {
      return undefined;
    }
  }
  const pem = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----/.exec(text);
  if (!pem) return undefined;
  return { encrypted: pem[1] === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(text) };
}

/**
 * Loads a private key, asking for the passphrase through `ask` when the file is encrypted (up to
 * three tries, as ssh). Throws the last `KeyError` when no passphrase is given or none fits.
 *
 * @example
 * ```ts
 * import { generateKey, serializePrivateKey } from "@hush/keys";
 * import { loadPrivateKey } from "./ssh_identity.ts";
 * const text = await serializePrivateKey(await generateKey("ssh-ed25519"), { passphrase: "pw", rounds: 1 });
 * const key = await loadPrivateKey(text, { ask: () => Promise.resolve("pw") });
 * console.log(key.publicKey.type); // ssh-ed25519
 * ```
 */
export async function loadPrivateKey(
  text: string,
  options: { passphrase?: string; ask?: () => Promise<string | undefined>; tries?: number } = {},
): Promise<PrivateKey> {
  const info = privateKeyFileInfo(text);
  if (!info?.encrypted || options.passphrase !== undefined || !options.ask) {
    return await parsePrivateKey(text, { passphrase: options.passphrase });
  }
  let last: unknown;
  for (let i = 0; i < (options.tries ?? 3); i++) {
    const passphrase = await options.ask();
    if (passphrase === undefined) break;
    try {
      return await parsePrivateKey(text, { passphrase });
    } catch (e) {
      last = e;
    }
  }
  throw last ?? new Error("No passphrase given for an encrypted key");
}
