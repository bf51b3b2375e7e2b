/**
 * Private key files as the command-line tools meet them: loading with a passphrase asked for
 * on the terminal only while one can help, and OpenSSH's words for a file that will not load.
 * @module
 */
import { KeyError, parsePrivateKey, type PrivateKey } from "@hush/keys";

/**
 * The reason in OpenSSH's `Load key "PATH": reason` for an error from loading a key file: its
 * words for a wrong passphrase, otherwise what `@hush/keys` found wrong (a conversion command's
 * `FILE` replaced by the path).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePrivateKey } from "@hush/keys";
 * import { loadKeyFailure } from "./ssh_identity.ts";
 * const e = await parsePrivateKey("-----BEGIN EC PRIVATE KEY-----\n").catch((e) => e);
 * assert.equal(loadKeyFailure(e, "id"), "truncated PEM: no \"-----END EC PRIVATE KEY-----\" line");
 * ```
 */
export function loadKeyFailure(e: unknown, path: string): string {
  if (e instanceof KeyError && e.passphrase !== undefined) {
    return "incorrect passphrase supplied to decrypt private key";
  }
  const message = e instanceof Error ? e.message : String(e);
  const named = message.replaceAll("-f FILE", `-f ${path}`);
  // sentence case to OpenSSH's lower case, leaving names such as "PuTTY" alone
  return /^[A-Z][a-z]/.test(named) ? named[0].toLowerCase() + named.slice(1) : named;
}

/**
 * OpenSSH's warning for a private key file others may access (`sshkey_perm_ok`), without the
 * `Load key …: bad permissions` line that follows it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unprotectedKeyWarning } from "./ssh_identity.ts";
 * assert.equal(
 *   unprotectedKeyWarning("id", 0o644).split("\n")[3],
 *   "Permissions 0644 for 'id' are too open.",
 * );
 * ```
 */
export function unprotectedKeyWarning(path: string, mode: number): string {
  const rule = "@".repeat(59);
  return [
    rule,
    "@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @",
    rule,
    `Permissions 0${mode.toString(8).padStart(3, "0")} for '${path}' are too open.`,
    "It is required that your private key files are NOT accessible by others.",
    "This private key will be ignored.",
  ].join("\n");
}

/**
 * Loads a private key, asking for the passphrase through `ask` while a passphrase is what
 * fails (up to `tries`, default three, as ssh; an empty answer gives up). A file no passphrase
 * can load fails at once, without asking. Throws the last `KeyError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, serializePrivateKey } from "@hush/keys";
 * import { loadPrivateKey } from "./ssh_identity.ts";
 * const text = await serializePrivateKey(await generateKey("ssh-ed25519"), { passphrase: "pw", rounds: 1 });
 * const answers = ["wrong", "pw"];
 * const key = await loadPrivateKey(text, { ask: () => Promise.resolve(answers.shift()) });
 * assert.equal(key.publicKey.type, "ssh-ed25519");
 * assert.equal(answers.length, 0);
 * ```
 */
export async function loadPrivateKey(
  text: string,
  options: { passphrase?: string; ask?: () => Promise<string | undefined>; tries?: number } = {},
): Promise<PrivateKey> {
  try {
    return await parsePrivateKey(text, { passphrase: options.passphrase });
  } catch (e) {
    if (!(e instanceof KeyError) || e.passphrase === undefined) throw e;
    if (options.passphrase !== undefined || !options.ask) throw e;
    let last: KeyError = e;
    for (let i = 0; i < (options.tries ?? 3); i++) {
      const passphrase = await options.ask();
      if (passphrase === undefined || passphrase === "") break; // as ssh: empty gives up
      try {
        return await parsePrivateKey(text, { passphrase });
      } catch (e) {
        if (!(e instanceof KeyError) || e.passphrase === undefined) throw e;
        last = e;
      }
    }
    throw last;
  }
}
