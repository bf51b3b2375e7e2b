/**
 * Private key files (`ssh -i`): read from disk on Deno, Node or Bun and parsed by `@hush/keys`.
 * @module
 */
import { parsePrivateKey, type PrivateKey } from "@hush/keys";
import { expandHome, readBytesFile } from "./files.ts";

/** Options for {@linkcode loadIdentityFile}. */
export interface LoadIdentityOptions {
  /**
   * The passphrase of an encrypted key, or a callback asked for it only when the key turns out
   * to be encrypted (return `undefined` to give up).
   */
  passphrase?: string | (() => string | undefined | Promise<string | undefined>);
}

/**
 * Loads a private key file (OpenSSH, PKCS#8, PKCS#1 or SEC1 PEM; `~/` is expanded) for the
 * `identities` of `connect()`. Throws a `KeyError` for a wrong or missing passphrase and an
 * `Error` naming the file when it does not exist. Call `dispose()` on the key when done.
 *
 * @example
 * ```ts
 * import { generateKey, serializePrivateKey } from "@hush/keys";
 * import { loadIdentityFile, writeTextFile } from "@hush/ssh";
 * const key = await generateKey("ssh-ed25519", { comment: "me@example" });
 * const path = `${Deno.makeTempDirSync()}/id_ed25519`;
 * await writeTextFile(path, await serializePrivateKey(key, { passphrase: "pw", rounds: 2 }));
 * const loaded = await loadIdentityFile(path, { passphrase: "pw" });
 * console.log(loaded.publicKey.equals(key.publicKey), loaded.comment); // true me@example
 * ```
 */
export async function loadIdentityFile(
  path: string,
  options: LoadIdentityOptions = {},
): Promise<PrivateKey> {
  const bytes = await readBytesFile(path);
  if (bytes === undefined) {
    throw new Error(`Cannot load identity: ${expandHome(path)} does not exist`);
  }
  const { passphrase } = options;
  if (typeof passphrase !== "function") return await parsePrivateKey(bytes, { passphrase });
  try {
    return await parsePrivateKey(bytes);
  } catch (e) {
    const answer = await passphrase();
    if (answer === undefined) throw e;
    return await parsePrivateKey(bytes, { passphrase: answer });
  }
}
