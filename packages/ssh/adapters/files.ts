/**
 * Files and the environment for Deno, Node and Bun: Deno's own APIs when `globalThis.Deno` is
 * there, otherwise `node:fs` loaded on first use (so importing `@hush/ssh` pulls in no runtime
 * module until a file is touched).
 * @module
 */

// deno-lint-ignore no-explicit-any
const Deno_ = (globalThis as any).Deno;

/** The metadata of a file that the adapters look at. */
export interface FileInfo {
  /** Mode bits including the file type (`st_mode`). */
  mode: number;
  /** Last modification, milliseconds since the epoch. */
  mtimeMs: number;
  /** The owner's user id (`undefined` where the system has none, as on Windows). */
  uid?: number;
}

/**
 * An environment variable, or `undefined` (Deno needs `--allow-env` for it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { environmentVariable } from "@hush/ssh/adapters";
 * assert.equal(environmentVariable("HUSH_SURELY_UNSET"), undefined);
 * ```
 */
export function environmentVariable(name: string): string | undefined {
  if (Deno_?.env) {
    try {
      return Deno_.env.get(name);
    } catch {
      return undefined; // no permission
    }
  }
  // deno-lint-ignore no-explicit-any
  return (globalThis as any).process?.env?.[name];
}

/**
 * All environment variables (an empty record where they cannot be read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { environmentVariables } from "@hush/ssh/adapters";
 * assert.equal(typeof environmentVariables(), "object");
 * ```
 */
export function environmentVariables(): Record<string, string> {
  if (Deno_?.env) {
    try {
      return Deno_.env.toObject();
    } catch {
      return {}; // no permission
    }
  }
  // deno-lint-ignore no-explicit-any
  const env = (globalThis as any).process?.env ?? {};
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

/**
 * The user's home directory (`$HOME`, or `%USERPROFILE%` on Windows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { homeDirectory } from "@hush/ssh/adapters";
 * assert.equal(typeof homeDirectory(), "string");
 * ```
 */
export function homeDirectory(): string {
  return environmentVariable("HOME") || environmentVariable("USERPROFILE") || "/";
}

/**
 * Expands a leading `~/` to the home directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandHome } from "@hush/ssh/adapters";
 * assert.equal(expandHome("/etc/ssh"), "/etc/ssh");
 * assert.equal(expandHome("~/.ssh/known_hosts").endsWith("/.ssh/known_hosts"), true);
 * ```
 */
export function expandHome(path: string): string {
  if (path === "~") return homeDirectory();
  if (!path.startsWith("~/")) return path;
  const home = homeDirectory();
  return (home.endsWith("/") ? home : home + "/") + path.slice(2);
}

function isNotFound(e: unknown): boolean {
  if (Deno_?.errors?.NotFound && e instanceof Deno_.errors.NotFound) return true;
  return (e as { code?: string })?.code === "ENOENT";
}

function isAlreadyExists(e: unknown): boolean {
  if (Deno_?.errors?.AlreadyExists && e instanceof Deno_.errors.AlreadyExists) return true;
  return (e as { code?: string })?.code === "EEXIST";
}

/**
 * Reads a whole file, or `undefined` when it does not exist (`~/` is expanded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBytesFile } from "@hush/ssh/adapters";
 * assert.equal(await readBytesFile("/surely/not/there"), undefined);
 * ```
 */
export async function readBytesFile(path: string): Promise<Uint8Array | undefined> {
  path = expandHome(path);
  try {
    if (Deno_?.readFile) return await Deno_.readFile(path);
    const fs = await import("node:fs/promises");
    const b = await fs.readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * Reads a text file (UTF-8), or `undefined` when it does not exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTextFile, writeTextFile } from "@hush/ssh/adapters";
 * const path = `${Deno.makeTempDirSync()}/id_ed25519`; // "~/.ssh/id_ed25519" works too
 * await writeTextFile(path, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
 * assert.equal(await readTextFile(path), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
 * assert.equal(await readTextFile(`${path}.missing`), undefined);
 * ```
 */
export async function readTextFile(path: string): Promise<string | undefined> {
  const bytes = await readBytesFile(path);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

/** Options for {@linkcode writeBytesFile}. */
export interface WriteFileOptions {
  /** Permission bits of the file (0600); set exactly, whatever the umask. */
  mode?: number;
  /** Fail when the file exists already (`O_EXCL`). */
  exclusive?: boolean;
  /** Flush to disk before resolving (true). */
  fsync?: boolean;
}

/**
 * Writes a whole file with exactly `mode`, flushed to disk (`~/` is expanded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBytesFile, writeBytesFile } from "@hush/ssh/adapters";
 * const path = `${Deno.makeTempDirSync()}/x`;
 * await writeBytesFile(path, new Uint8Array([1, 2]), { mode: 0o644 });
 * assert.deepEqual(await readBytesFile(path), new Uint8Array([1, 2]));
 * ```
 */
export async function writeBytesFile(
  path: string,
  data: Uint8Array,
  options: WriteFileOptions = {},
): Promise<void> {
  path = expandHome(path);
  const mode = options.mode ?? 0o600;
  const sync = options.fsync ?? true;
  if (Deno_?.open) {
    const file = await Deno_.open(path, {
      write: true,
      create: !options.exclusive,
      createNew: options.exclusive ?? false,
      truncate: !options.exclusive,
      mode,
    });
    try {
      let off = 0;
      while (off < data.length) off += await file.write(data.subarray(off));
      if (Deno_.build?.os !== "windows") await Deno_.chmod(path, mode);
      if (sync) await file.sync();
    } finally {
      file.close();
    }
    return;
  }
  const fs = await import("node:fs/promises");
  const handle = await fs.open(path, options.exclusive ? "wx" : "w", mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode).catch(() => {});
    if (sync) await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a text file with the given mode (0600 by default, as private keys need).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statFile, writeTextFile } from "@hush/ssh/adapters";
 * const path = `${Deno.makeTempDirSync()}/key`;
 * await writeTextFile(path, "...", 0o600);
 * assert.equal((await statFile(path))!.mode & 0o777, 0o600);
 * ```
 */
export async function writeTextFile(path: string, text: string, mode = 0o600): Promise<void> {
  await writeBytesFile(path, new TextEncoder().encode(text), { mode });
}

/**
 * The mode and modification time of a file, or `undefined` when it does not exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statFile } from "@hush/ssh/adapters";
 * assert.equal(await statFile("/surely/not/there"), undefined);
 * ```
 */
export async function statFile(path: string): Promise<FileInfo | undefined> {
  path = expandHome(path);
  try {
    if (Deno_?.stat) {
      const st = await Deno_.stat(path);
      return { mode: st.mode ?? 0, mtimeMs: st.mtime?.getTime() ?? 0, uid: st.uid ?? undefined };
    }
    const fs = await import("node:fs/promises");
    const st = await fs.stat(path);
    return { mode: st.mode, mtimeMs: st.mtimeMs, uid: st.uid };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * The user id this process runs as, or `undefined` where there is none (Windows) or Deno lacks
 * `--allow-sys`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { currentUserId } from "./files.ts";
 * const uid = currentUserId();
 * assert.equal(uid === undefined || Number.isInteger(uid), true);
 * ```
 */
export function currentUserId(): number | undefined {
  if (Deno_?.uid) {
    try {
      return Deno_.uid() ?? undefined;
    } catch {
      return undefined; // no permission
    }
  }
  // deno-lint-ignore no-explicit-any
  return (globalThis as any).process?.getuid?.();
}

/**
 * The local user and host names, where they can be had without Node's compatibility layer
 * (Deno: its own host name and /etc/passwd; reaching `process` or `node:os` there costs
 * 30–40 ms of a command's start-up). `undefined` on other runtimes, or when unknown: callers
 * then ask `node:os`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nativeLocalNames } from "./files.ts";
 * const names = nativeLocalNames();
 * assert.equal(names === undefined || typeof names.hostname === "string", true);
 * ```
 */
export function nativeLocalNames():
  | { username?: string; uid?: number; hostname: string }
  | undefined {
  if (!Deno_?.hostname) return undefined;
  let hostname = "";
  try {
    hostname = Deno_.hostname();
  } catch { /* no permission */ }
  const uid = currentUserId();
  let username: string | undefined;
  if (uid !== undefined) {
    try {
      // name:password:uid:… — the first entry with our uid, as getpwuid finds it in files
      for (const line of (Deno_.readTextFileSync("/etc/passwd") as string).split("\n")) {
        const fields = line.split(":");
        if (fields.length > 2 && fields[2] === String(uid) && fields[0] !== "") {
          username = fields[0];
          break;
        }
      }
    } catch { /* no /etc/passwd, or no permission */ }
  }
  return { username, uid, hostname };
}

/**
 * Renames `from` to `to`, atomically replacing `to`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTextFile, renameFile, writeTextFile } from "@hush/ssh/adapters";
 * const dir = Deno.makeTempDirSync();
 * await writeTextFile(`${dir}/known_hosts.tmp`, "# hosts\n");
 * await renameFile(`${dir}/known_hosts.tmp`, `${dir}/known_hosts`);
 * assert.equal(await readTextFile(`${dir}/known_hosts`), "# hosts\n");
 * ```
 */
export async function renameFile(from: string, to: string): Promise<void> {
  from = expandHome(from);
  to = expandHome(to);
  if (Deno_?.rename) return await Deno_.rename(from, to);
  const fs = await import("node:fs/promises");
  await fs.rename(from, to);
}

/**
 * Deletes a file; a missing file is not an error.
 *
 * @example
 * ```ts
 * import { removeFile } from "@hush/ssh/adapters";
 * await removeFile("/surely/not/there"); // no error
 * ```
 */
export async function removeFile(path: string): Promise<void> {
  path = expandHome(path);
  try {
    if (Deno_?.remove) return await Deno_.remove(path);
    const fs = await import("node:fs/promises");
    await fs.unlink(path);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/**
 * Creates a directory and its parents with `mode` (0700); an existing one is left alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeDirectory, statFile } from "@hush/ssh/adapters";
 * const dir = `${Deno.makeTempDirSync()}/.ssh`; // "~/.ssh" works too
 * await makeDirectory(dir);
 * assert.equal((await statFile(dir))!.mode & 0o777, 0o700);
 * ```
 */
export async function makeDirectory(path: string, mode = 0o700): Promise<void> {
  path = expandHome(path);
  try {
    if (Deno_?.mkdir) return await Deno_.mkdir(path, { recursive: true, mode });
    const fs = await import("node:fs/promises");
    await fs.mkdir(path, { recursive: true, mode });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

/**
 * The names in a directory (without `.` and `..`), or `undefined` when there is no such
 * directory (`~/` is expanded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listDirectory } from "@hush/ssh/adapters";
 * assert.equal(await listDirectory("/surely/not/there"), undefined);
 * ```
 */
export async function listDirectory(path: string): Promise<string[] | undefined> {
  path = expandHome(path);
  try {
    if (Deno_?.readDir) {
      const names: string[] = [];
      for await (const entry of Deno_.readDir(path)) names.push(entry.name);
      return names;
    }
    const fs = await import("node:fs/promises");
    return await fs.readdir(path);
  } catch (e) {
    if (isNotFound(e) || (e as { code?: string })?.code === "ENOTDIR") return undefined;
    if (Deno_?.errors?.NotADirectory && e instanceof Deno_.errors.NotADirectory) return undefined;
    throw e;
  }
}
