/**
 * A known_hosts file on disk, through a small injected file system interface, so the core
 * stays free of runtime APIs: packages/ssh supplies Deno, Node and Bun implementations.
 * @module
 */
import { HostKeyError } from "./errors.ts";
import type { KnownHostsStorage } from "./storage.ts";

/**
 * What a file's `stat` must report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KnownHostsFileStat } from "@hush/hostkeys";
 * const st: KnownHostsFileStat = { mode: 0o100644, mtimeMs: Date.now() };
 * assert.equal((st.mode & 0o7777).toString(8), "644");
 * ```
 */
export interface KnownHostsFileStat {
  /** The permission bits (`mode & 0o7777` is kept on rewrite). */
  mode: number;
  /** Last modification time in milliseconds (used to break stale lock files). */
  mtimeMs?: number;
}

/**
 * The file operations {@linkcode FileStorage} needs. Paths are strings as the runtime takes them.
 * Every method rejects on I/O errors, except where `undefined` is documented for "missing".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileStorage, type KnownHostsFs } from "@hush/hostkeys";
 * // A toy in-memory file system; runtime adapters wrap node:fs or Deno's file APIs the same way.
 * const files = new Map<string, { data: Uint8Array; mode: number }>();
 * const fs: KnownHostsFs = {
 *   readFile: (p) => Promise.resolve(files.get(p)?.data),
 *   writeFile: (p, data, { mode, exclusive }) => {
 *     if (exclusive && files.has(p)) return Promise.reject(new Error("EEXIST"));
 *     files.set(p, { data, mode });
 *     return Promise.resolve();
 *   },
 *   rename: (from, to) => {
 *     files.set(to, files.get(from)!);
 *     files.delete(from);
 *     return Promise.resolve();
 *   },
 *   remove: (p) => Promise.resolve(void files.delete(p)),
 *   stat: (p) => Promise.resolve(files.has(p) ? { mode: files.get(p)!.mode } : undefined),
 * };
 * const storage = new FileStorage("/home/me/.ssh/known_hosts", fs);
 * await storage.update((text) => text + "# first line\n");
 * assert.deepEqual([...files.keys()], ["/home/me/.ssh/known_hosts"]);
 * assert.equal(files.get("/home/me/.ssh/known_hosts")?.mode.toString(8), "600");
 * ```
 */
export interface KnownHostsFs {
  /** The file's bytes, or `undefined` when it does not exist. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /**
   * Writes a whole file with exactly `mode` (chmod after creating if the runtime applies a
   * umask). With `exclusive`, rejects when the file already exists (used for the lock file).
   * Should flush the data to disk (fsync) before resolving unless `fsync` is given.
   */
  writeFile(
    path: string,
    data: Uint8Array,
    options: { mode: number; exclusive: boolean },
  ): Promise<void>;
  /** Flushes a written file to disk; when absent `writeFile` is trusted to have done so. */
  fsync?(path: string): Promise<void>;
  /** Renames `from` to `to`, replacing `to` atomically. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file; a missing file is not an error. */
  remove(path: string): Promise<void>;
  /** The file's mode, or `undefined` when it does not exist. */
  stat(path: string): Promise<KnownHostsFileStat | undefined>;
  /**
   * Takes an exclusive lock on `path` (e.g. flock on a lock file) and resolves to its release.
   * When absent, {@linkcode FileStorage} uses an exclusively created `path + ".lock"` file.
   */
  lock?(path: string): Promise<() => Promise<void>>;
}

/**
 * Options for {@linkcode FileStorage}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FileStorageOptions } from "@hush/hostkeys";
 * const options: FileStorageOptions = { mode: 0o644, lockTimeout: 2_000 };
 * assert.equal(options.mode?.toString(8), "644");
 * ```
 */
export interface FileStorageOptions {
  /** Mode of a file created by the first update (`0o600`). */
  mode?: number;
  /** How long to wait for another writer's lock in milliseconds (10 000). */
  lockTimeout?: number;
  /** A lock file older than this many milliseconds is taken to be left over and broken (30 000). */
  staleLockAge?: number;
  /** Clock for lock ages (`Date.now`). */
  now?: () => number;
}

/** The text and how to write it back (lossless for files that are not UTF-8). */
function decodeText(bytes: Uint8Array): { text: string; utf8: boolean } {
  try {
    return {
      text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes),
      utf8: true,
    };
  } catch {
    let text = "";
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return { text, utf8: false };
  }
}

/** Encodes text as UTF-8, or byte per character for files read that way. */
function encodeText(text: string, utf8: boolean): Uint8Array {
  if (utf8) return new TextEncoder().encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) {
      // The file was not UTF-8 and new text is not Latin-1: fall back to UTF-8 for it all.
      return new TextEncoder().encode(text);
    }
    out[i] = c;
  }
  return out;
}

/** `st_mode` file type bits, and the type of a regular file. */
const FILE_TYPE_MASK = 0o170000;
const REGULAR_FILE = 0o100000;

function randomSuffix(): string {
  const b = crypto.getRandomValues(new Uint8Array(6));
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/**
 * A known_hosts file on disk. Updates are atomic and never lose a concurrent writer's entry:
 * under a lock (the fs's own, or an exclusively created `<path>.lock` file), the file is read
 * again, changed, written to a temporary file beside it with the original mode, flushed, and
 * renamed over the original. Files that are not valid UTF-8 are kept byte for byte.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileStorage, type KnownHostsFs, KnownHosts } from "@hush/hostkeys";
 * // `fs` comes from a runtime adapter (see KnownHostsFs); a read-only stub here.
 * const fs = {
 *   readFile: () => Promise.resolve(new TextEncoder().encode("# no hosts yet\n")),
 * } as unknown as KnownHostsFs;
 * const store = new KnownHosts([new FileStorage("/home/me/.ssh/known_hosts", fs)]);
 * assert.equal((await store.lookup("example.org")).length, 0);
 * ```
 */
export class FileStorage implements KnownHostsStorage {
  /** The file path. */
  readonly name: string;
  readonly #fs: KnownHostsFs;
  readonly #mode: number;
  readonly #lockTimeout: number;
  readonly #staleLockAge: number;
  readonly #now: () => number;
  #queue: Promise<void> = Promise.resolve();

  /**
   * Creates a storage for one file.
   * @param path The known_hosts file path.
   * @param fs The file operations of the runtime.
   * @param options Mode for a new file, lock timing.
   */
  constructor(path: string, fs: KnownHostsFs, options: FileStorageOptions = {}) {
    this.name = path;
    this.#fs = fs;
    this.#mode = options.mode ?? 0o600;
    this.#lockTimeout = options.lockTimeout ?? 10_000;
    this.#staleLockAge = options.staleLockAge ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Reads the file.
   * @returns The text, or `undefined` when the file does not exist.
   */
  async read(): Promise<string | undefined> {
    const bytes = await this.#fs.readFile(this.name);
    return bytes === undefined ? undefined : decodeText(bytes).text;
  }

  /**
   * Atomically replaces the file's text with `fn(current text)`.
   * @param fn Computes the new text from the current one (`""` for a missing file).
   */
  update(fn: (text: string) => string): Promise<void> {
    const run = this.#queue.then(() => this.#locked(fn));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #locked(fn: (text: string) => string): Promise<void> {
    // A path that is not a regular file (`/dev/null`, a FIFO) is never rewritten: the rename
    // below would replace the device node with a plain file (as root, /dev/null itself).
    const before = await this.#fs.stat(this.name);
    const type = before ? before.mode & FILE_TYPE_MASK : 0;
    if (type !== 0 && type !== REGULAR_FILE) {
      throw new HostKeyError(`${this.name} is not a regular file; it is not written to`);
    }
    const release = this.#fs.lock ? await this.#fs.lock(this.name) : await this.#lockFile();
    try {
      const bytes = await this.#fs.readFile(this.name);
      const { text, utf8 } = bytes === undefined ? { text: "", utf8: true } : decodeText(bytes);
      const next = fn(text);
      if (next === text) return;
      const st = await this.#fs.stat(this.name);
      const mode = st ? st.mode & 0o7777 : this.#mode;
      const temp = `${this.name}.${randomSuffix()}.tmp`;
      try {
        await this.#fs.writeFile(temp, encodeText(next, utf8), { mode, exclusive: true });
        await this.#fs.fsync?.(temp);
        await this.#fs.rename(temp, this.name);
      } catch (e) {
        await this.#fs.remove(temp).catch(() => {});
        throw e;
      }
    } finally {
      await release();
    }
  }

  async #lockFile(): Promise<() => Promise<void>> {
    const lock = `${this.name}.lock`;
    const deadline = this.#now() + this.#lockTimeout;
    let delay = 2;
    for (;;) {
      try {
        await this.#fs.writeFile(lock, new Uint8Array(0), { mode: 0o600, exclusive: true });
        return () => this.#fs.remove(lock);
      } catch (e) {
        const st = await this.#fs.stat(lock);
        if (this.#now() >= deadline) {
          throw new HostKeyError(`Cannot lock ${this.name}: cannot create ${lock}`, { cause: e });
        }
        if (st === undefined) continue; // released meanwhile
        if (st.mtimeMs !== undefined && this.#now() - st.mtimeMs > this.#staleLockAge) {
          await this.#fs.remove(lock);
          continue;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 50);
      }
    }
  }
}
