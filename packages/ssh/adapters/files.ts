/**
 * Reading key files and the user's home directory, through node:fs (Deno, Node and Bun).
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The user's home directory (`$HOME`, else the OS's idea of it).
 *
 * @example
 * ```ts
 * import { homeDirectory } from "@hush/ssh";
 * console.log(typeof homeDirectory()); // "string"
 * ```
 */
export function homeDirectory(): string {
  return process.env.HOME || homedir();
}

/**
 * Expands a leading `~/` to the home directory.
 *
 * @example
 * ```ts
 * import { expandHome } from "@hush/ssh";
 * console.log(expandHome("/etc/ssh")); // "/etc/ssh"
 * ```
 */
export function expandHome(path: string): string {
  if (path === "~") return homeDirectory();
  return path.startsWith("~/") ? join(homeDirectory(), path.slice(2)) : path;
}

/**
 * Reads a text file, or `undefined` when it does not exist.
 *
 * @example
 * ```ts ignore
 * import { readTextFile } from "@hush/ssh";
 * const key = await readTextFile("~/.ssh/id_ed25519");
 * ```
 */
export async function readTextFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(expandHome(path), "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * Writes a text file with the given mode (0600 by default, as private keys need).
 *
 * @example
 * ```ts ignore
 * import { writeTextFile } from "@hush/ssh";
 * await writeTextFile("/tmp/key", "...", 0o600);
 * ```
 */
export async function writeTextFile(path: string, text: string, mode = 0o600): Promise<void> {
  await writeFile(expandHome(path), text, { mode });
}
