/**
 * known_hosts files on disk: a {@linkcode KnownHostsFs} over the runtime's file APIs (Deno,
 * Node, Bun) and {@linkcode fileKnownHosts}, a `KnownHosts` over those files.
 * @module
 */
import {
  FileStorage,
  type FileStorageOptions,
  KnownHosts,
  type KnownHostsFs,
} from "@hush/hostkeys";
import {
  expandHome,
  makeDirectory,
  readBytesFile,
  removeFile,
  renameFile,
  statFile,
  writeBytesFile,
} from "./files.ts";

/** The files OpenSSH reads by default: the user's (written to), then the global one. */
export const DEFAULT_KNOWN_HOSTS_FILES: readonly string[] = Object.freeze([
  "~/.ssh/known_hosts",
  "/etc/ssh/ssh_known_hosts",
]);

function parentOf(path: string): string | undefined {
  const i = path.lastIndexOf("/");
  return i > 0 ? path.slice(0, i) : undefined;
}

/**
 * The file operations `FileStorage` needs, on Deno's APIs or `node:fs`. Writes are flushed to
 * disk before they resolve; a missing parent directory (a fresh `~/.ssh`) is created with mode
 * 0700 as OpenSSH does. There is no `lock` method on purpose: every runtime then uses the
 * same exclusively created `<file>.lock`, so Deno, Node and Bun processes exclude each other.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownHostsFs } from "@hush/ssh/adapters";
 * assert.equal(await knownHostsFs.readFile("/surely/not/there"), undefined);
 * ```
 */
export const knownHostsFs: KnownHostsFs = {
  readFile: (path) => readBytesFile(path),
  async writeFile(path, data, { mode, exclusive }) {
    try {
      await writeBytesFile(path, data, { mode, exclusive });
    } catch (e) {
      const parent = parentOf(path);
      if (!parent || (await statFile(parent)) !== undefined) throw e;
      await makeDirectory(parent, 0o700);
      await writeBytesFile(path, data, { mode, exclusive });
    }
  },
  rename: (from, to) => renameFile(from, to),
  remove: (path) => removeFile(path),
  stat: (path) => statFile(path),
};

/**
 * A `KnownHosts` over known_hosts files: the first is the user's file, where new keys are
 * recorded (atomically: lock file, temporary file, fsync, rename); the others are only read.
 * `~/` is expanded. Without arguments: `~/.ssh/known_hosts` and `/etc/ssh/ssh_known_hosts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileKnownHosts } from "@hush/ssh";
 * const store = fileKnownHosts("/tmp/hush-example-known-hosts-missing");
 * assert.equal((await store.lookup("example.org", 22)).length, 0);
 * ```
 */
export function fileKnownHosts(
  paths: string | readonly string[] = DEFAULT_KNOWN_HOSTS_FILES,
  options: FileStorageOptions = {},
): KnownHosts {
  const list = typeof paths === "string" ? [paths] : paths;
  if (list.length === 0) throw new TypeError("fileKnownHosts needs at least one path");
  return new KnownHosts(list.map((p) => new FileStorage(expandHome(p), knownHostsFs, options)));
}
