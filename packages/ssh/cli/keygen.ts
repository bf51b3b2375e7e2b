/**
 * `keygen`: makes, fingerprints and converts SSH keys the way `ssh-keygen(1)` does, writing files
 * OpenSSH reads (private key 0600 in the OpenSSH format, `.pub` 0644), and makes password hashes
 * for the Hush server's `PasswordFile`.
 *
 * ```sh
 * deno task keygen -- -t ed25519 -N "" -C me@laptop -f ~/.ssh/id_ed25519
 * deno task keygen -- -l -f ~/.ssh/id_ed25519.pub
 * deno task keygen -- -y -f ~/.ssh/id_ed25519
 * deno task keygen -- -i -f key.ppk > ~/.ssh/id_ed25519   # PuTTY (or PEM) key to OpenSSH format
 * deno task keygen -- -p -f ~/.ssh/id_ed25519             # change the passphrase
 * deno task keygen -- --password alice >> passwords
 * ```
 * @module
 */
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { hostname, userInfo } from "node:os";
import {
  generateKey,
  inspectPrivateKey,
  keyBits,
  keyTypeLabel,
  parsePublicKeyLine,
  type PrivateKey,
  type PrivateKeyFileInfo,
  type PublicKey,
  randomart,
  serializePrivateKey,
} from "@hush/keys";
import { SshError } from "@hush/wire";
import { expandHome } from "../adapters/files.ts";
import { tooOpenKeyFileMode } from "../adapters/identity_file.ts";
import { hashPassword } from "../password_hash.ts";
import { type KeygenArgs, keyTypeName, parseKeygenArgs } from "./keygen_args.ts";
import { UsageError } from "./ssh_args.ts";
import { loadKeyFailure, loadPrivateKey, unprotectedKeyWarning } from "./ssh_identity.ts";
import { readLine } from "./ssh_tty.ts";

/**
 * Exit status of a failed `keygen` (ssh-keygen exits 255 on fatal errors, 1 on refusals).
 * Extends `SshError` with the stable `code` `"ERR_SSH_KEYGEN"`.
 */
export class KeygenFailure extends SshError {
  /** The exit status. */
  readonly status: number;
  /** Creates the failure. */
  constructor(message: string, status = 255) {
    super("ERR_SSH_KEYGEN", message);
    this.name = "KeygenFailure";
    this.status = status;
  }
}

/** Where `keygen` writes; injectable for tests. */
export interface KeygenIo {
  out(text: string): void;
  err(text: string): void;
  /** Asks a question on the terminal (`undefined` when there is none). */
  ask(prompt: string, echo: boolean): Promise<string | undefined>;
}

/**
 * The line `ssh-keygen -l` prints for a key: `256 SHA256:… comment (ED25519)`; an undefined
 * comment reads `no comment`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey } from "@hush/keys";
 * import { fingerprintLine } from "./keygen.ts";
 * const key = await generateKey("ssh-ed25519");
 * assert.equal(fingerprintLine(key.publicKey, "me").endsWith(" me (ED25519)"), true);
 * ```
 */
export function fingerprintLine(
  key: PublicKey,
  comment: string | undefined,
  hash: "sha256" | "md5" = "sha256",
): string {
  return `${keyBits(key)} ${key.fingerprint(hash)} ${comment ?? "no comment"} (${
    keyTypeLabel(key)
  })`;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") throw new KeygenFailure(`keygen: ${path}: No such file or directory`);
    if (code === "EACCES") throw new KeygenFailure(`${path}: Permission denied`);
    throw new KeygenFailure(`${path}: ${(e as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function publicKeyLines(text: string): { key: PublicKey; comment: string }[] {
  const keys: { key: PublicKey; comment: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      const { key, comment } = parsePublicKeyLine(line);
      keys.push({ key, comment });
    } catch { /* not a key line */ }
  }
  return keys;
}

async function fingerprint(a: KeygenArgs, io: KeygenIo): Promise<void> {
  const path = expandHome(a.file!);
  const text = await readText(path);
  const show = (key: PublicKey, comment: string | undefined) => {
    io.out(fingerprintLine(key, comment, a.hash) + "\n");
    if (a.verbose) io.out(randomart(key, a.hash) + "\n");
  };
  let info: PrivateKeyFileInfo | undefined;
  let unreadable: unknown;
  try {
    info = inspectPrivateKey(text);
  } catch (e) {
    unreadable = e;
  }
  if (!info && unreadable === undefined) {
    // public keys, one a line (a .pub or an authorized_keys file); no comment says so
    const keys = publicKeyLines(text);
    if (keys.length === 0) throw new KeygenFailure(`${a.file} is not a public key file.`);
    for (const k of keys) show(k.key, k.comment || undefined);
    return;
  }
  // as ssh-keygen: the .pub beside a private key gives the key and its comment, else the
  // .pub's name stands for the comment
  if (await exists(path + ".pub")) {
    const keys = publicKeyLines(await readText(path + ".pub"));
    if (keys.length) return show(keys[0].key, keys[0].comment || `${a.file}.pub`);
  }
  if (!info) throw new KeygenFailure(`Load key "${path}": ${loadKeyFailure(unreadable, path)}`);
  if (!info.encrypted) {
    const key = await loadPrivateKey(text).catch(() => undefined);
    if (key) {
      show(key.publicKey, key.comment);
      key.dispose();
      return;
    }
  }
  if (info.publicKey) return show(info.publicKey, info.comment);
  throw new KeygenFailure(`${a.file} is not a public key file.`);
}

/**
 * Reads a private key file as ssh-keygen does before using it: refused when others may read
 * it, when it is no key file, and when no passphrase can load it, each with OpenSSH's words
 * after `prefix` (`Load key "PATH"` or `Failed to load key PATH`); the passphrase from `-P` or
 * asked once.
 */
async function loadKeyFile(
  a: KeygenArgs,
  io: KeygenIo,
  path: string,
  prefix: string,
  prompt: string,
): Promise<{ key: PrivateKey; passphrase: string | undefined }> {
  const text = await readText(path);
  const mode = await tooOpenKeyFileMode(path);
  if (mode !== undefined) {
    io.err(unprotectedKeyWarning(a.file!, mode) + "\n");
    throw new KeygenFailure(`${prefix}: bad permissions`);
  }
  let info: PrivateKeyFileInfo | undefined;
  try {
    info = inspectPrivateKey(text);
  } catch (e) {
    throw new KeygenFailure(`${prefix}: ${loadKeyFailure(e, path)}`);
  }
  if (!info) throw new KeygenFailure(`${prefix}: invalid format`);
  let passphrase = a.oldPassphrase;
  if (info.encrypted && passphrase === undefined) passphrase = await io.ask(prompt, false);
  try {
    return { key: await loadPrivateKey(text, { passphrase: passphrase ?? "" }), passphrase };
  } catch (e) {
    throw new KeygenFailure(`${prefix}: ${loadKeyFailure(e, path)}`);
  }
}

async function publicFromPrivate(a: KeygenArgs, io: KeygenIo): Promise<void> {
  const path = expandHome(a.file!);
  const { key } = await loadKeyFile(a, io, path, `Load key "${path}"`, "Enter passphrase: ");
  io.out(key.publicKey.toString(key.comment || undefined) + "\n");
  key.dispose();
}

/** Asks for a new passphrase twice unless `-N` gave it. */
async function newPassphrase(a: KeygenArgs, io: KeygenIo): Promise<string> {
  if (a.passphrase !== undefined) return a.passphrase;
  const first = await io.ask("Enter new passphrase (empty for no passphrase): ", false);
  if (first === undefined) return "";
  const again = await io.ask("Enter same passphrase again: ", false);
  if (again !== first) throw new KeygenFailure("Pass phrases do not match.  Try again.", 1);
  return first;
}

/**
 * `-p`: changes the passphrase of a key file, rewriting it in the OpenSSH format whatever it
 * was (PEM, PKCS#8, PuTTY .ppk), as ssh-keygen does.
 */
async function changePassphrase(a: KeygenArgs, io: KeygenIo): Promise<void> {
  const path = expandHome(a.file!);
  const { key } = await loadKeyFile(
    a,
    io,
    path,
    `Failed to load key ${path}`,
    "Enter old passphrase: ",
  );
  try {
    io.out(`Key has comment '${key.comment}'\n`);
    const passphrase = await newPassphrase(a, io);
    await writeKeyFile(path, await serializePrivateKey(key, { passphrase }), 0o600);
    io.out("Your identification has been saved with the new passphrase.\n");
  } finally {
    key.dispose();
  }
}

/**
 * `-i`: prints a private key file of another format (a PuTTY .ppk, PEM, PKCS#8) in the OpenSSH
 * format, as `puttygen -O private-openssh-new` writes it: encrypted with the same passphrase
 * unless `-N` gives another (`-N ""`: none).
 */
async function convertPrivate(a: KeygenArgs, io: KeygenIo): Promise<void> {
  const path = expandHome(a.file!);
  const { key, passphrase } = await loadKeyFile(
    a,
    io,
    path,
    `Load key "${path}"`,
    "Enter passphrase: ",
  );
  try {
    const out = a.passphrase ?? passphrase ?? "";
    io.out(await serializePrivateKey(key, out ? { passphrase: out } : {}));
  } finally {
    key.dispose();
  }
}

async function generate(a: KeygenArgs, io: KeygenIo): Promise<void> {
  const type = keyTypeName(a.type, a.bits);
  if (!a.quiet) io.out(`Generating public/private ${a.type} key pair.\n`);
  let file = a.file;
  const home = expandHome(`~/.ssh/id_${a.type}`);
  if (file === undefined) {
    const answer = await io.ask(`Enter file in which to save the key (${home}): `, true);
    file = answer ? answer : home;
  }
  file = expandHome(file);
  // as ssh-keygen: the default place gets its ~/.ssh made (0700)
  const sshDir = expandHome("~/.ssh");
  if (dirname(file) === sshDir && !(await exists(sshDir))) {
    await mkdir(sshDir, { mode: 0o700 });
    io.out(`Created directory '${sshDir}'.\n`);
  }
  if (await exists(file)) {
    io.out(`${file} already exists.\n`);
    const answer = await io.ask("Overwrite (y/n)? ", true);
    if (!answer || !/^y/i.test(answer)) throw new KeygenFailure("", 1);
  }
  let passphrase = a.passphrase;
  if (passphrase === undefined) {
    const first = await io.ask("Enter passphrase (empty for no passphrase): ", false);
    if (first === undefined) {
      passphrase = "";
    } else {
      const again = await io.ask("Enter same passphrase again: ", false);
      if (again !== first) throw new KeygenFailure("Passphrases do not match.  Try again.", 1);
      passphrase = first;
    }
  }
  const comment = a.comment ?? `${userName()}@${hostname()}`;
  let key: PrivateKey;
  try {
    key = await generateKey(type, { bits: a.bits, comment });
  } catch (e) {
    throw new KeygenFailure(`Key generation failed: ${(e as Error).message}`);
  }
  try {
    const text = await serializePrivateKey(key, passphrase ? { passphrase } : {});
    await writeKeyFile(file, text, 0o600);
    await writeKeyFile(`${file}.pub`, key.publicKey.toString(comment) + "\n", 0o644);
    if (!a.quiet) {
      io.out(`Your identification has been saved in ${file}\n`);
      io.out(`Your public key has been saved in ${file}.pub\n`);
      io.out("The key fingerprint is:\n");
      io.out(`${key.publicKey.fingerprint()} ${comment}\n`);
      io.out("The key's randomart image is:\n");
      io.out(randomart(key.publicKey) + "\n");
    }
  } finally {
    key.dispose();
  }
}

async function writeKeyFile(path: string, text: string, mode: number): Promise<void> {
  try {
    await writeFile(path, text, { mode });
    await chmod(path, mode); // an existing file keeps its old mode otherwise
  } catch (e) {
    throw new KeygenFailure(`Saving key "${path}" failed: ${(e as Error).message}`);
  }
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "user";
  }
}

async function password(a: KeygenArgs, io: KeygenIo): Promise<void> {
  const first = await io.ask("New password: ", false);
  if (first === undefined) throw new KeygenFailure("No terminal to read the password from");
  const again = await io.ask("Retype new password: ", false);
  if (again !== first) throw new KeygenFailure("Passwords do not match.", 1);
  io.out(`${a.user ?? userName()}:${await hashPassword(first)}\n`);
}

/**
 * Runs `keygen` with these arguments; resolves with the exit status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey } from "@hush/ssh";
 * import { keygenMain } from "./keygen.ts";
 * const key = await generateKey("ssh-ed25519");
 * const path = `${Deno.makeTempDirSync()}/ssh_host_ed25519_key.pub`; // /etc/ssh/… on a server
 * Deno.writeTextFileSync(path, `${key.publicKey.toString()} root@host\n`);
 * let out = "";
 * const io = { out: (text: string) => void (out += text), err: () => {}, ask: async () => undefined };
 * assert.equal(await keygenMain(["-l", "-f", path], io), 0); // `Deno.exit(…)` in a script
 * assert.equal(out, `256 ${key.publicKey.fingerprint()} root@host (ED25519)\n`);
 * ```
 */
export async function keygenMain(argv: string[], io: KeygenIo = terminalIo()): Promise<number> {
  try {
    const a = parseKeygenArgs(argv);
    switch (a.mode) {
      case "generate":
        await generate(a, io);
        break;
      case "fingerprint":
        await fingerprint(a, io);
        break;
      case "public":
        await publicFromPrivate(a, io);
        break;
      case "change-passphrase":
        await changePassphrase(a, io);
        break;
      case "convert":
        await convertPrivate(a, io);
        break;
      case "password":
        await password(a, io);
        break;
    }
    return 0;
  } catch (e) {
    if (e instanceof KeygenFailure) {
      if (e.message) io.err(e.message + "\n");
      return e.status;
    }
    if (e instanceof UsageError) {
      io.err(e.message + "\n");
      return 255;
    }
    io.err(`keygen: ${(e as Error).message ?? e}\n`);
    return 255;
  }
}

function terminalIo(): KeygenIo {
  const enc = new TextEncoder();
  return {
    out: (t) => Deno.stdout.writeSync(enc.encode(t)),
    err: (t) => Deno.stderr.writeSync(enc.encode(t)),
    ask: async (prompt, echo) => {
      // a secret piped into stdin (scripts: printf 'pw\npw\n' | keygen --password) wins over
      // the terminal; otherwise ask on the terminal as ssh-keygen does
      if (!echo && !Deno.stdin.isTerminal()) return await stdinLine();
      return await readLine(prompt, { echo });
    },
  };
}

let stdinLines: string[] | undefined;
async function stdinLine(): Promise<string | undefined> {
  if (!stdinLines) {
    const text = await new Response(Deno.stdin.readable).text();
    stdinLines = text.split(/\r?\n/);
    if (stdinLines.at(-1) === "") stdinLines.pop();
  }
  return stdinLines.shift();
}

if (import.meta.main) {
  // `deno task keygen -- …` passes the `--` through
  Deno.exit(await keygenMain(Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args));
}
