/**
 * Private key files (`ssh -i`): read from disk on Deno, Node or Bun and parsed by `@hush/keys`.
 * @module
 */
import { installDefaultEd25519 } from "./curve_backends.ts";
import { KeyError, parsePrivateKey, type PrivateKey } from "@hush/keys";
import { currentUserId, expandHome, readBytesFile, statFile } from "./files.ts";

/** Options for {@linkcode loadIdentityFile}. */
export interface LoadIdentityOptions {
  /**
   * The passphrase of an encrypted key, or a callback asked for it only when the key turns out
   * to be encrypted (return `undefined` to give up).
   */
  passphrase?: string | (() => string | undefined | Promise<string | undefined>);
  /**
   * Refuse a key file that others may read or write, as OpenSSH does: one owned by this user
   * with any group or other permission bit (`mode & 0o077`). Off by default; the `ssh` and
   * `keygen` commands turn it on.
   */
  checkPermissions?: boolean;
}

/**
 * The permission bits of a private key file that is too open, as OpenSSH judges it: owned by
 * the user running this process and accessible by group or others (`mode & 0o077`). `undefined`
 * when the file is private enough, is someone else's, or the system has no such modes
 * (Windows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tooOpenKeyFileMode } from "./identity_file.ts";
 * const path = `${Deno.makeTempDirSync()}/id`;
 * Deno.writeTextFileSync(path, "", { mode: 0o644 });
 * Deno.chmodSync(path, 0o644);
 * assert.equal((await tooOpenKeyFileMode(path))?.toString(8), "644");
 * Deno.chmodSync(path, 0o600);
 * assert.equal(await tooOpenKeyFileMode(path), undefined);
 * ```
 */
export async function tooOpenKeyFileMode(path: string): Promise<number | undefined> {
  const st = await statFile(path);
  if (!st || st.uid === undefined) return undefined;
  const me = currentUserId();
  if (me !== undefined && st.uid !== me) return undefined;
  return (st.mode & 0o077) !== 0 ? st.mode & 0o777 : undefined;
}

/**
 * Loads a private key file (OpenSSH, PKCS#8, PKCS#1, SEC1 or legacy encrypted PEM, PuTTY
 * `.ppk`; `~/` is expanded) for the `identities` of `connect()`. Throws a `KeyError` for a
 * file that is not a usable key, a wrong or missing passphrase (its `passphrase` field says
 * which; the callback is asked only then) and, with `checkPermissions`, a file others may read;
 * an `Error` naming the file when it does not exist. Call `dispose()` on the key when done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, serializePrivateKey } from "@hush/keys";
 * import { loadIdentityFile } from "@hush/ssh";
 * import { writeTextFile } from "@hush/ssh/adapters";
 * const key = await generateKey("ssh-ed25519", { comment: "me@example" });
 * const path = `${Deno.makeTempDirSync()}/id_ed25519`;
 * await writeTextFile(path, await serializePrivateKey(key, { passphrase: "pw", rounds: 2 }));
 * const loaded = await loadIdentityFile(path, { passphrase: "pw", checkPermissions: true });
 * assert.equal(loaded.publicKey.equals(key.publicKey), true);
 * assert.equal(loaded.comment, "me@example");
 * ```
 */
export async function loadIdentityFile(
  path: string,
  options: LoadIdentityOptions = {},
): Promise<PrivateKey> {
  await installDefaultEd25519();
  const bytes = await readBytesFile(path);
  if (bytes === undefined) {
    throw new KeyError(`Cannot load identity: ${expandHome(path)} does not exist`);
  }
  if (options.checkPermissions) {
    const mode = await tooOpenKeyFileMode(path);
    if (mode !== undefined) {
      throw new KeyError(
        `Permissions 0${mode.toString(8)} for '${expandHome(path)}' are too open: ` +
          "private key files must not be accessible by others",
      );
    }
  }
  const { passphrase } = options;
  if (typeof passphrase !== "function") return await parsePrivateKey(bytes, { passphrase });
  try {
    return await parsePrivateKey(bytes);
  } catch (e) {
    if (!(e instanceof KeyError) || e.passphrase !== "required") throw e;
    const answer = await passphrase();
    if (answer === undefined) throw e;
    return await parsePrivateKey(bytes, { passphrase: answer });
  }
}
