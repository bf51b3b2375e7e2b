/**
 * Reads a configuration file and every file its `Include` lines name (globs, `~`, relative
 * paths under ~/.ssh for a user's file and /etc/ssh for the system's), to at most 16 levels,
 * as OpenSSH reads them: all of them, whether their block applies or not, since OpenSSH
 * checks every line it reads. Reading goes through an injected {@linkcode SshConfigReader},
 * so this runs in a browser as well as on a disk.
 * @module
 */
import { configError, SshConfigError } from "./ssh_config_error.ts";
import { expandGlob } from "./ssh_config_glob.ts";
import { parseSshConfig, type SshConfigEntry, type SshConfigFile } from "./ssh_config_parse.ts";
import { expandTilde } from "./ssh_config_tokens.ts";

/**
 * Where configuration files come from.
 *
 * @example
 * ```ts
 * import type { SshConfigReader } from "@hush/ssh";
 * const files: Record<string, string> = { "/home/me/.ssh/config": "Host *\n  User me\n" };
 * const reader: SshConfigReader = {
 *   readFile: async (path) => files[path],
 *   listDirectory: async () => undefined,
 * };
 * ```
 */
export interface SshConfigReader {
  /**
   * A file's text, or `undefined` when it does not exist. `private` files (a user's own
   * configuration and every included file) should be refused, with an error, when others may
   * write to them, as OpenSSH refuses them.
   */
  readFile(path: string, options: { private: boolean }): Promise<string | undefined>;
  /** The names in a directory, or `undefined` when there is no such directory. */
  listDirectory(path: string): Promise<string[] | undefined>;
}

/** Options for {@linkcode loadSshConfig}. */
export interface LoadSshConfigOptions {
  /** Reads the files. */
  reader: SshConfigReader;
  /** The home directory, for `~` and for relative Includes in a user's file. */
  home: string;
  /** The local user (`~user` is expanded for this user only). */
  localUser?: string;
  /** A user's file (~/.ssh/config, `-F`; default true) or the system's. */
  user?: boolean;
  /** Where relative Includes of the system's file are (`/etc/ssh`). */
  systemDirectory?: string;
  /** Refuse the file itself if others may write to it (true for a user's ~/.ssh/config). */
  private?: boolean;
  /** Environment, for `${VAR}` checks in some values. */
  env?: Record<string, string | undefined>;
}

/** Includes may nest this deep, as OpenSSH's `READCONF_MAX_DEPTH`. */
export const SSH_CONFIG_INCLUDE_DEPTH = 16;

/**
 * Reads and parses a configuration file with its Includes; `undefined` when the file does not
 * exist. Throws an {@linkcode SshConfigError} for a bad line anywhere, or Includes nested
 * deeper than {@linkcode SSH_CONFIG_INCLUDE_DEPTH}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSshConfig } from "@hush/ssh";
 * const files: Record<string, string> = {
 *   "/home/me/.ssh/config": "Include conf.d/*\nHost *\n  User me\n",
 *   "/home/me/.ssh/conf.d/work": "Host db\n  HostName db.internal\n",
 * };
 * const config = await loadSshConfig("~/.ssh/config", {
 *   home: "/home/me",
 *   reader: {
 *     readFile: async (path) => files[path],
 *     listDirectory: async (dir) => dir === "/home/me/.ssh/conf.d" ? ["work"] : undefined,
 *   },
 * });
 * const include = config?.entries[0];
 * assert.equal(include?.kind === "include" && include.files[0].file, "/home/me/.ssh/conf.d/work");
 * ```
 */
export async function loadSshConfig(
  path: string,
  options: LoadSshConfigOptions,
): Promise<SshConfigFile | undefined> {
  const file = expandTilde(path, { home: options.home, user: options.localUser });
  return await loadFile(file, options.user ?? true, options.private ?? false, 0, options);
}

async function loadFile(
  file: string,
  user: boolean,
  isPrivate: boolean,
  depth: number,
  options: LoadSshConfigOptions,
): Promise<SshConfigFile | undefined> {
  const text = await options.reader.readFile(file, { private: isPrivate });
  if (text === undefined) return undefined;
  const parsed = parseSshConfig(text, { file, user, env: options.env });
  for (const entry of parsed.entries) {
    if (entry.kind === "include") await loadInclude(entry, parsed, depth, options);
  }
  return parsed;
}

async function loadInclude(
  entry: SshConfigEntry & { kind: "include" },
  parent: SshConfigFile,
  depth: number,
  options: LoadSshConfigOptions,
): Promise<void> {
  if (depth + 1 > SSH_CONFIG_INCLUDE_DEPTH) {
    throw new SshConfigError(
      `${entry.where.file} line ${entry.where.line}: Too many recursive configuration includes`,
      entry.where,
    );
  }
  for (const arg of entry.paths) {
    if (arg.startsWith("~") && !parent.user) {
      throw configError(entry.where, `bad include path ${arg}.`);
    }
    const anchored = arg.startsWith("/") || arg.startsWith("~")
      ? arg
      : `${parent.user ? "~/.ssh" : options.systemDirectory ?? "/etc/ssh"}/${arg}`;
    const pattern = expandTilde(anchored, { home: options.home, user: options.localUser });
    for (const path of await expandGlob(pattern, options.reader.listDirectory)) {
      const included = await loadFile(path, parent.user, true, depth + 1, options);
      if (included) entry.files.push(included);
    }
  }
}
