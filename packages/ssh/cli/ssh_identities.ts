/**
 * The keys `ssh` offers: its identity files (an encrypted one's passphrase asked only once the
 * server would take the key) and the agent's keys, both kept to PubkeyAcceptedAlgorithms.
 * @module
 */
import type { AgentClient, AgentIdentity } from "@hush/auth";
import {
  inspectPrivateKey,
  KeyError,
  keyTypeLabel,
  parsePrivateKey,
  parsePublicKeyLine,
  type PrivateKey,
  type PrivateKeyFileInfo,
  type PublicKey,
  type Signer,
} from "@hush/keys";
import { installDefaultEd25519 } from "../adapters/curve_backends.ts";
import { tooOpenKeyFileMode } from "../adapters/identity_file.ts";
import { connectAgent } from "../adapters/unix.ts";
import type { SshSettings } from "./ssh_config.ts";
import { SSH_FAILURE } from "./ssh_failure.ts";
import { loadKeyFailure, loadPrivateKey, unprotectedKeyWarning } from "./ssh_identity.ts";
import { err, type Io } from "./ssh_io.ts";
import { PromptInterrupted, readLine } from "./ssh_tty.ts";

/** Keys from identity files, and a way to wipe the ones that were loaded. */
export interface Identities {
  signers: Signer[];
  dispose(): void;
}

/**
 * What a failed read says, as `strerror` words it ("No such file or directory", "Permission
 * denied"): Deno's message without its "(os error N): readfile 'PATH'" tail.
 */
function systemError(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  const message = (e as Error).message;
  const at = message.indexOf(" (os error ");
  return at > 0 ? message.slice(0, at) : message;
}

/** The public key of `PATH.pub`, as ssh reads it for a key file that carries none in clear. */
async function publicKeyBeside(path: string): Promise<PublicKey | undefined> {
  try {
    const line = (await Deno.readTextFile(`${path}.pub`)).split("\n")[0];
    return parsePublicKeyLine(line).key;
  } catch {
    return undefined;
  }
}

/**
 * Loads the identity files `ssh` would offer, skipping those the agent holds or that the
 * settings refuse. A file that cannot be used is named once with what is wrong with it, in
 * OpenSSH's words (`Load key "PATH": …`, its UNPROTECTED PRIVATE KEY FILE warning for a file
 * others may read), and never makes ssh ask for a passphrase that cannot help.
 */
export async function loadIdentities(
  s: SshSettings,
  io: Io,
  agentKeys: AgentIdentity[],
): Promise<Identities> {
  const loaded: PrivateKey[] = [];
  const signers: Signer[] = [];
  const identities = { signers, dispose: () => loaded.forEach((k) => k.dispose()) };
  if (!s.pubkeyAuthentication) return identities;
  // before the first key is looked at: deriving an Ed25519 public key on noble in a fresh
  // process builds its tables first (≈ 30 ms of the command's start-up), WebCrypto's does not
  await installDefaultEd25519();
  const accepted = (key: PublicKey, path: string) => {
    if (key.signatureAlgorithms.some((a) => s.pubkeyAlgorithms.includes(a))) {
      io.trace(`Will attempt key: ${path} ${keyTypeLabel(key)} ${key.fingerprint()} explicit`);
      return true;
    }
    io.trace(`Skipping ${keyTypeLabel(key)} key ${path}: not in PubkeyAcceptedAlgorithms`);
    return false;
  };
  const ask = (path: string) => () =>
    readLine(`Enter passphrase for key '${path}': `, { echo: false });
  // as ssh: what is wrong with a file is said once, at error level (-q hides it)
  const say = (line: string) => {
    if (!s.silent) err(line + "\n");
  };
  const failed = (path: string, e: unknown) => {
    if (e instanceof PromptInterrupted) throw e;
    say(`Load key "${path}": ${loadKeyFailure(e, path)}`);
  };
  for (const { path, explicit } of s.identityFiles) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (explicit && !s.quiet) {
        err(`Warning: Identity file ${path} not accessible: ${systemError(e)}.\n`);
      }
      io.trace(`identity file ${path} type -1`);
      continue;
    }
    const mode = await tooOpenKeyFileMode(path);
    if (mode !== undefined) {
      say(unprotectedKeyWarning(path, mode));
      say(`Load key "${path}": bad permissions`);
      continue;
    }
    let info: PrivateKeyFileInfo | undefined;
    try {
      info = inspectPrivateKey(text);
    } catch (e) {
      failed(path, e); // no passphrase would help: say so without asking for one
      continue;
    }
    if (!info) {
      say(`Load key "${path}": invalid format`);
      continue;
    }
    if (!info.encrypted) {
      try {
        const key = await parsePrivateKey(text);
        loaded.push(key);
        if (accepted(key.publicKey, path)) signers.push(key);
      } catch (e) {
        failed(path, e);
      }
      continue;
    }
    if (s.batchMode) {
      io.trace(`identity file ${path} is encrypted and BatchMode is on: skipped`);
      continue;
    }
    const publicKey = info.publicKey ?? await publicKeyBeside(path);
    if (!publicKey) {
      // PEM keys carry no public key: as ssh without a .pub, ask for the passphrase now
      try {
        const key = await loadPrivateKey(text, { ask: ask(path) });
        loaded.push(key);
        if (accepted(key.publicKey, path)) signers.push(key);
      } catch (e) {
        if (!(e instanceof KeyError && e.passphrase !== undefined)) failed(path, e);
      }
      continue;
    }
    if (agentKeys.some((k) => k.key.equals(publicKey))) {
      io.trace(`identity file ${path}: the agent holds this key`);
      continue;
    }
    if (!accepted(publicKey, path)) continue;
    // as ssh: the passphrase is asked only once the server would take the key
    let key: Promise<PrivateKey> | undefined;
    signers.push({
      publicKey,
      async sign(data: Uint8Array, algorithm?: string): Promise<Uint8Array> {
        key ??= loadPrivateKey(text, { ask: ask(path) }).then((k) => {
          loaded.push(k);
          return k;
        }).catch((e) => {
          if (e instanceof PromptInterrupted) Deno.exit(SSH_FAILURE);
          // a wrong passphrase three times: as ssh, nothing more is said
          if (!(e instanceof KeyError && e.passphrase !== undefined)) failed(path, e);
          throw e;
        });
        return await (await key).sign(data, algorithm);
      },
    });
  }
  return identities;
}

/**
 * Connects to the agent unless the settings rule it out, its identities kept to
 * PubkeyAcceptedAlgorithms.
 */
export async function openAgent(s: SshSettings, io: Io): Promise<AgentClient | undefined> {
  if (!s.agentSocket || s.identitiesOnly || !s.pubkeyAuthentication) return undefined;
  try {
    const agent = await connectAgent(s.agentSocket);
    const list = agent.identities.bind(agent);
    agent.identities = async () =>
      (await list()).filter((id) =>
        id.key.signatureAlgorithms.some((a) => s.pubkeyAlgorithms.includes(a))
      );
    return agent;
  } catch (e) {
    io.trace(`get_agent_identities: ssh_get_authentication_socket: ${(e as Error).message}`);
    return undefined;
  }
}
