/**
 * The keys `ssh` offers: its identity files (an encrypted one's passphrase asked only once the
 * server would take the key) and the agent's keys, both kept to PubkeyAcceptedAlgorithms.
 * @module
 */
import { readFile } from "node:fs/promises";
import type { AgentClient, AgentIdentity } from "@hush/auth";
import { keyTypeLabel, type PrivateKey, type PublicKey, type Signer } from "@hush/keys";
import { connectAgent } from "../adapters/unix.ts";
import type { SshSettings } from "./ssh_config.ts";
import { SSH_FAILURE } from "./ssh_failure.ts";
import { loadPrivateKey, privateKeyFileInfo } from "./ssh_identity.ts";
import { err, type Io } from "./ssh_io.ts";
import { PromptInterrupted, readLine } from "./ssh_tty.ts";

/** Keys from identity files, and a way to wipe the ones that were loaded. */
export interface Identities {
  signers: Signer[];
  dispose(): void;
}

/**
 * Loads the identity files `ssh` would offer, skipping those the agent holds or that the
 * settings refuse.
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
  for (const { path, explicit } of s.identityFiles) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (explicit && !s.quiet) {
        err(
          `Warning: Identity file ${path} not accessible: ${
            code === "ENOENT" ? "No such file or directory" : (e as Error).message
          }.\n`,
        );
      }
      io.trace(`identity file ${path} type -1`);
      continue;
    }
    const info = privateKeyFileInfo(text);
    if (!info) {
      io.trace(`identity file ${path} is not a private key`);
      continue;
    }
    const publicKey = info.publicKey;
    if (info.encrypted && publicKey) {
      if (agentKeys.some((k) => k.key.equals(publicKey))) {
        io.trace(`identity file ${path}: the agent holds this key`);
        continue;
      }
      if (s.batchMode) {
        io.trace(`identity file ${path} is encrypted and BatchMode is on: skipped`);
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
            throw e;
          });
          return await (await key).sign(data, algorithm);
        },
      });
      continue;
    }
    try {
      const key = await loadPrivateKey(text, { ask: s.batchMode ? undefined : ask(path) });
      loaded.push(key);
      if (accepted(key.publicKey, path)) signers.push(key);
    } catch (e) {
      if (e instanceof PromptInterrupted) throw e;
      io.trace(`Load key "${path}": ${(e as Error).message}`);
      if (explicit && !info.encrypted) err(`Load key "${path}": invalid format\n`);
    }
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
