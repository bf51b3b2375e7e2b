/**
 * The known_hosts files of the `ssh` command. A path that is not a regular file — above all
 * `UserKnownHostsFile=/dev/null`, the usual "remember nothing" idiom — must never be written
 * through the atomic temp-file-and-rename update: as root that would replace the device node
 * with a plain file. Such a path reads as empty (it is not read: a FIFO would block) and takes
 * no updates, as appending to /dev/null does for OpenSSH.
 * @module
 */
import { FileStorage, KnownHosts, type KnownHostsStorage } from "@hush/hostkeys";
import { knownHostsFs } from "../adapters/known_hosts_file.ts";

/**
 * A known_hosts "file" that is not a regular file: empty, updates dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DiscardStorage } from "./ssh_known_hosts.ts";
 * const devNull = new DiscardStorage("/dev/null");
 * await devNull.update((text) => text + "host ssh-ed25519 AAAA\n");
 * assert.equal(await devNull.read(), undefined);
 * ```
 */
export class DiscardStorage implements KnownHostsStorage {
  /** The path, for messages. */
  readonly name: string;
  /** Creates the storage for a path. */
  constructor(name: string) {
    this.name = name;
  }
  /** Nothing: the path is not read. */
  read(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
  /** Drops the update (`fn` is not even called). */
  update(_fn: (text: string) => string): Promise<void> {
    return Promise.resolve();
  }
}

/** Whether a path exists and is something other than a regular file (a device, a FIFO, …). */
async function special(path: string): Promise<boolean> {
  try {
    // Deno's own stat where there is one: node:fs/promises costs ~25 ms to load on Deno
    if ("Deno" in globalThis) return !(await Deno.stat(path)).isFile;
    const { stat } = await import("node:fs/promises");
    return !(await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The `KnownHosts` for `ssh`'s known_hosts paths (expanded already), the first one written to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sshKnownHosts } from "./ssh_known_hosts.ts";
 * const store = await sshKnownHosts(["/dev/null"]);
 * assert.equal(store.files[0].name, "/dev/null");
 * ```
 */
export async function sshKnownHosts(paths: readonly string[]): Promise<KnownHosts> {
  const files: KnownHostsStorage[] = [];
  for (const path of paths) {
    files.push(
      (await special(path)) ? new DiscardStorage(path) : new FileStorage(path, knownHostsFs),
    );
  }
  return new KnownHosts(files);
}
