/**
 * The client's host key decision, after OpenSSH's StrictHostKeyChecking: verify against the
 * known_hosts files, then trust, record, ask or refuse, with ssh(1)-like messages.
 * @module
 */
import { keyTypeLabel, parsePublicKey, type PublicKey, randomart } from "@hush/keys";
import { HostKeyError } from "./errors.ts";
import { knownHostsName } from "./host_name.ts";
import { blobKeyType, labelOfKeyType } from "./key_types.ts";
import type { KnownHosts, VerifyResult } from "./known_hosts.ts";

/**
 * StrictHostKeyChecking: `yes` refuses unknown keys; `accept-new` records and trusts them;
 * `ask` lets a callback decide; `no` records them without asking (for tests). A changed or
 * revoked key is refused under every policy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HostKeyPolicy } from "@hush/hostkeys";
 * const policy: HostKeyPolicy = "accept-new";
 * assert.equal(policy, "accept-new");
 * ```
 */
export type HostKeyPolicy = "yes" | "accept-new" | "ask" | "no";

/**
 * What the `ask` callback is shown about an unknown host key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { checkHostKey, type HostKeyPrompt, KnownHosts, MemoryStorage } from "@hush/hostkeys";
 * const ask = (p: HostKeyPrompt) => {
 *   assert.equal(p.message.split("\n")[0], "The authenticity of host 'h' can't be established.");
 *   return false;
 * };
 * const store = new KnownHosts([new MemoryStorage()]);
 * const hostKey = decodeBase64("AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz")!;
 * await assert.rejects(checkHostKey({ store, policy: "ask", host: "h", port: 22, hostKey, ask }), {
 *   message: "Host key verification failed.",
 * });
 * ```
 */
export interface HostKeyPrompt {
  /** The host as given. */
  host: string;
  /** The port. */
  port: number;
  /** The SHA256 fingerprint, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** The randomart picture, as `ssh-keygen -lv` draws it. */
  randomart: string;
  /** The key type label (`ED25519`, `ECDSA`, `RSA`, …). */
  keyType: string;
  /** The question ssh(1) asks, ready to print (several lines). */
  message: string;
}

/**
 * Options for {@linkcode checkHostKey}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { checkHostKey, type CheckHostKeyOptions, KnownHosts, MemoryStorage } from "@hush/hostkeys";
 * const options: CheckHostKeyOptions = {
 *   store: new KnownHosts([new MemoryStorage()]),
 *   policy: "accept-new",
 *   host: "example.org",
 *   port: 22,
 *   hostKey: decodeBase64("AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz")!,
 *   hashHosts: true,
 * };
 * assert.equal((await checkHostKey(options)).status, "added");
 * ```
 */
export interface CheckHostKeyOptions {
  /** The known_hosts store; without one only the `no` policy accepts a key. */
  store?: KnownHosts;
  /** What to do with a key that is not known. */
  policy: HostKeyPolicy;
  /** The host as given by the user. */
  host: string;
  /** The port connected to. */
  port: number;
  /** The server's host key blob (K_S). */
  hostKey: Uint8Array;
  /** Decides about an unknown key under the `ask` policy. */
  ask?: (prompt: HostKeyPrompt) => Promise<boolean> | boolean;
  /** Record new keys with hashed host names (HashKnownHosts). */
  hashHosts?: boolean;
}

/**
 * What {@linkcode checkHostKey} decided when it accepted the key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { checkHostKey, type CheckHostKeyResult } from "@hush/hostkeys";
 * const r: CheckHostKeyResult = await checkHostKey({ policy: "no", host: "h", port: 22, hostKey: decodeBase64("AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz")! });
 * assert.equal(r.status, "accepted");
 * ```
 */
export interface CheckHostKeyResult {
  /**
   * `trusted`: known and matching; `added`: unknown, accepted and recorded; `accepted`:
   * unknown and accepted without being recorded (no store, or recording failed).
   */
  status: "trusted" | "added" | "accepted";
  /** `ssh -v` style lines to show the user. */
  messages: string[];
  /** The known_hosts verdict, when a store was consulted. */
  verdict?: VerifyResult;
}

const BANNER = "@".repeat(59);

function publicKeyOf(blob: Uint8Array): PublicKey | undefined {
  try {
    return parsePublicKey(blob);
  } catch {
    return undefined;
  }
}

function changedMessage(v: VerifyResult, label: string, fingerprint: string): string {
  const file = v.found!.file;
  const lines = [
    BANNER,
    "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @",
    BANNER,
    "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!",
    "Someone could be eavesdropping on you right now (man-in-the-middle attack)!",
    "It is also possible that a host key has just been changed.",
    `The fingerprint for the ${label} key sent by the remote host is`,
    `${fingerprint}.`,
    "Please contact your system administrator.",
    `Add correct host key in ${file} to get rid of this message.`,
  ];
  for (const r of v.offending ?? [v.found!]) {
    lines.push(`Offending ${labelOfKeyType(r.keyType)} key in ${r.file}:${r.line}`);
  }
  lines.push(
    "  remove with:",
    `  ssh-keygen -f "${file}" -R "${v.name}"`,
    `Host key for ${v.name} has changed and you have requested strict checking.`,
    "Host key verification failed.",
  );
  return lines.join("\n");
}

function revokedMessage(v: VerifyResult, label: string): string {
  return [
    BANNER,
    "@       WARNING: REVOKED HOST KEY DETECTED!               @",
    BANNER,
    `The ${label} host key for ${v.name} is marked as revoked.`,
    "This could mean that a stolen key is being used to",
    "impersonate this host.",
    `Revoked key in ${v.found!.file}:${v.found!.line}`,
    `${label} host key for ${v.name} was revoked and you have requested strict checking.`,
    "Host key verification failed.",
  ].join("\n");
}

/**
 * Decides whether to go on with a server whose host key is `hostKey`, as ssh(1) does under
 * StrictHostKeyChecking. Returns when the key is accepted (recording it when it was new and
 * the policy allows), with `ssh -v` style messages; throws {@linkcode HostKeyError}
 * (HOST_KEY_NOT_VERIFIABLE) with `status` set to refuse. A changed key is always refused with
 * OpenSSH's "REMOTE HOST IDENTIFICATION HAS CHANGED" warning naming the file and line; a
 * revoked key (or a certificate from a revoked CA) is always refused.
 *
 * @param options The store, policy, host, port, key and the `ask` callback.
 * @returns The decision and the messages to show.
 * @throws {HostKeyError} To refuse the key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { checkHostKey, KnownHosts, MemoryStorage } from "@hush/hostkeys";
 * const hostKey = decodeBase64("AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz")!;
 * const store = new KnownHosts([new MemoryStorage(undefined, "/home/me/.ssh/known_hosts")]);
 * const first = await checkHostKey({ store, policy: "accept-new", host: "127.0.0.1", port: 2222, hostKey });
 * assert.equal(
 *   first.messages[0],
 *   "Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts.",
 * );
 * const again = await checkHostKey({ store, policy: "yes", host: "127.0.0.1", port: 2222, hostKey });
 * assert.equal(again.status, "trusted");
 * assert.equal(again.messages[1], "Found key in /home/me/.ssh/known_hosts:1");
 * ```
 */
export async function checkHostKey(options: CheckHostKeyOptions): Promise<CheckHostKeyResult> {
  const { store, policy, host, port, hostKey } = options;
  const name = knownHostsName(host, port);
  const type = blobKeyType(hostKey);
  if (type === undefined) throw new HostKeyError("Host key is not a valid SSH public key blob");
  const key = publicKeyOf(hostKey);
  const label = key ? keyTypeLabel(key) : labelOfKeyType(type);
  const fingerprint = key ? key.fingerprint("sha256") : "(unknown key type)";

  if (!store) {
    if (policy !== "no") {
      throw new TypeError(`Host key policy "${policy}" needs a known_hosts store`);
    }
    return {
      status: "accepted",
      messages: [
        `Warning: ${label} host key for '${name}' accepted without checking (${fingerprint}).`,
      ],
    };
  }

  const v = await store.verify(host, port, hostKey);
  const what = v.viaCertificate ? "certificate" : "key";
  switch (v.status) {
    case "trusted":
      return {
        status: "trusted",
        verdict: v,
        messages: [
          `Host '${name}' is known and matches the ${label} host ${what}.`,
          `Found ${v.viaCertificate ? "CA key" : "key"} in ${v.found!.file}:${v.found!.line}`,
        ],
      };
    case "revoked":
      throw new HostKeyError(revokedMessage(v, label), { status: "revoked" });
    case "changed":
      throw new HostKeyError(changedMessage(v, labelOfKeyType(v.keyType), fingerprint), {
        status: "changed",
      });
  }

  // Unknown: decide by policy. A certificate without a trusted CA is judged as its plain key.
  const plainLabel = labelOfKeyType(v.keyType);
  const plain = v.blob === hostKey ? key : publicKeyOf(v.blob);
  if (policy === "yes") {
    throw new HostKeyError(
      `No ${plainLabel} host key is known for ${name} and you have requested strict checking.\n` +
        "Host key verification failed.",
      { status: "unknown" },
    );
  }
  if (policy === "ask") {
    if (!options.ask) {
      throw new HostKeyError("Host key verification failed: no way to ask about a new key.", {
        status: "unknown",
      });
    }
    if (!plain) {
      throw new HostKeyError(`Host key type ${v.keyType} is not supported.`, { status: "unknown" });
    }
    const fp = plain.fingerprint("sha256");
    const others = (v.otherKeys ?? []).map((r) =>
      `${labelOfKeyType(r.keyType)} key in ${r.file}:${r.line}`
    );
    const message = [
      `The authenticity of host '${name}' can't be established.`,
      `${plainLabel} key fingerprint is ${fp}.`,
      ...(others.length > 0
        ? ["Keys of other types are already known for this host:", ...others.map((o) => `    ${o}`)]
        : ["This key is not known by any other names."]),
      "Are you sure you want to continue connecting (yes/no/[fingerprint])?",
    ].join("\n");
    const yes = await options.ask({
      host,
      port,
      fingerprint: fp,
      randomart: randomart(plain),
      keyType: plainLabel,
      message,
    });
    if (!yes) {
      throw new HostKeyError("Host key verification failed.", { status: "unknown" });
    }
  }
  try {
    await store.add(host, port, v.blob, { hash: options.hashHosts });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      status: "accepted",
      verdict: v,
      messages: [
        `Failed to add the host to the list of known hosts (${store.files[0].name}): ${why}`,
      ],
    };
  }
  return {
    status: "added",
    verdict: v,
    messages: [`Warning: Permanently added '${name}' (${plainLabel}) to the list of known hosts.`],
  };
}
