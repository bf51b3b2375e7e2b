/**
 * `@hush/hostkeys`: the known_hosts store. Parses and writes OpenSSH's known_hosts files
 * without losing a byte, matches host patterns (wildcards, negation, `[host]:port`, hashed
 * names), honours `@cert-authority` and `@revoked`, verifies a server's host key against
 * several files and records new keys atomically.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KnownHosts, MemoryStorage, parseKnownHosts } from "@hush/hostkeys";
 * const text = "# comment\nexample.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz\n";
 * assert.equal(parseKnownHosts(text).toString() === text, true);
 * const store = new KnownHosts([new MemoryStorage(text, "~/.ssh/known_hosts")]);
 * assert.equal((await store.lookup("example.org", 22))[0].line, 2);
 * ```
 * @module
 */
export { DisconnectReason, type DisconnectReasonCode } from "@hush/wire";
export { HostKeyError, type HostKeyErrorOptions, type HostKeyRefusal } from "./errors.ts";
export {
  matchHostPattern,
  matchHostPatternList,
  type PatternListMatch,
  type PatternOptions,
} from "./pattern.ts";
export { HOST_NAME_LIMIT, knownHostsName } from "./host_name.ts";
export {
  HASHED_HOST_PREFIX,
  type HashedHost,
  hashHostName,
  matchHashedHost,
  parseHashedHost,
} from "./hashed_host.ts";
export { blobKeyType, CERT_SUFFIX, KEY_TYPE_LABELS, labelOfKeyType } from "./key_types.ts";
export {
  entryAppliesTo,
  type KnownHostsDiagnostic,
  type KnownHostsEntry,
  KnownHostsFile,
  type KnownHostsLine,
  type KnownHostsLineKind,
  type KnownHostsMarker,
  type LineEnding,
  parseKnownHosts,
} from "./known_hosts_file.ts";
export {
  appendKnownHostsLine,
  formatKnownHostsLine,
  type KnownHostsLineFields,
  removeKnownHost,
  type RemoveResult,
} from "./known_hosts_edit.ts";
export { type KnownHostsStorage, MemoryStorage } from "./storage.ts";
export {
  FileStorage,
  type FileStorageOptions,
  type KnownHostsFileStat,
  type KnownHostsFs,
} from "./file_storage.ts";
export {
  type AddOptions,
  type HostKeyRecord,
  KnownHosts,
  type KnownHostsOptions,
  type VerifyResult,
  type VerifyStatus,
} from "./known_hosts.ts";
export {
  checkHostKey,
  type CheckHostKeyOptions,
  type CheckHostKeyResult,
  type HostKeyPolicy,
  type HostKeyPrompt,
} from "./check_host_key.ts";
