/**
 * Parses ssh_config(5) text into its entries: `Host` and `Match` lines, `Include` lines (whose
 * files {@linkcode loadSshConfig} reads), and options with their values read and checked. No
 * I/O: text in, typed entries out. A bad line is an {@linkcode SshConfigError} naming file and
 * line; an unknown keyword is kept, for the resolver to refuse unless `IgnoreUnknown` lists it.
 * @module
 */
import { configError, type SshConfigLocation } from "./ssh_config_error.ts";
import { lookupKeyword, type SshConfigKeyword } from "./ssh_config_keywords.ts";
import { type MatchCriterion, parseMatchCriteria } from "./ssh_config_match.ts";
import { type SshConfigLineValues, VALUE_READERS } from "./ssh_config_values.ts";
import { splitArguments, splitKeyword, splitMatchWords } from "./ssh_config_words.ts";

/**
 * A parsed configuration file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshConfig, type SshConfigFile } from "@hush/ssh";
 * const f: SshConfigFile = parseSshConfig("Host db\n  Port 2222\n", { file: "cfg" });
 * assert.deepEqual(f.entries.map((e) => e.kind), ["host", "option"]);
 * ```
 */
export interface SshConfigFile {
  /** The file's name (`command-line` for `-o` options). */
  file: string;
  /** A user's file (~/.ssh/config, `-F`): relative Includes are under ~/.ssh, `~` allowed. */
  user: boolean;
  /** Options given with `-o`: no Host, Match or Include; line numbers 0. */
  commandLine: boolean;
  /** Its lines that say something, in order. */
  entries: SshConfigEntry[];
}

/**
 * One meaningful line of a configuration file.
 *
 * @example
 * ```ts
 * import type { SshConfigEntry } from "@hush/ssh";
 * const describe = (e: SshConfigEntry) => e.kind === "option" ? e.keyword : e.kind;
 * ```
 */
export type SshConfigEntry =
  | SshConfigHostEntry
  | SshConfigMatchEntry
  | SshConfigIncludeEntry
  | SshConfigOptionEntry;

/** A `Host` line: the block after it applies when a pattern matches. */
export interface SshConfigHostEntry {
  /** A `Host` line. */
  kind: "host";
  /** Its patterns, as written (`!` to exclude). */
  patterns: string[];
  /** Where it is. */
  where: SshConfigLocation;
}

/** A `Match` line: the block after it applies when all criteria hold. */
export interface SshConfigMatchEntry {
  /** A `Match` line. */
  kind: "match";
  /** Its criteria. */
  criteria: MatchCriterion[];
  /** Where it is. */
  where: SshConfigLocation;
}

/** An `Include` line, with the files its patterns named once they are read. */
export interface SshConfigIncludeEntry {
  /** An `Include` line. */
  kind: "include";
  /** The paths or glob patterns, as written. */
  paths: string[];
  /** The files they matched, in order ({@linkcode loadSshConfig} fills this in). */
  files: SshConfigFile[];
  /** Where it is. */
  where: SshConfigLocation;
}

/** An option line. */
export interface SshConfigOptionEntry {
  /** An option line. */
  kind: "option";
  /** The keyword, lowercased, as written (an alias stays an alias). */
  keyword: string;
  /** What it is, or `undefined` for a keyword OpenSSH does not know. */
  info?: SshConfigKeyword;
  /** Its value, read and checked, for an option Hush acts on. */
  value?: SshConfigLineValues[keyof SshConfigLineValues];
  /** Where it is. */
  where: SshConfigLocation;
}

/** Options for {@linkcode parseSshConfig}. */
export interface ParseSshConfigOptions {
  /** The file's name, for messages (`command-line` for `-o` options). */
  file?: string;
  /** A user's configuration file (default true): see {@linkcode SshConfigFile.user}. */
  user?: boolean;
  /** `-o` options: each line is one, numbered 0, and Host, Match and Include are refused. */
  commandLine?: boolean;
  /** Environment, to check `${VAR}` in IdentityAgent and ForwardAgent as OpenSSH does. */
  env?: Record<string, string | undefined>;
}

/** A configuration file may hold at most this many lines (a bound on what is read). */
export const SSH_CONFIG_LINE_LIMIT = 100_000;

/**
 * Parses ssh_config text. Throws an {@linkcode SshConfigError} for the first bad line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSshConfig } from "@hush/ssh";
 * const f = parseSshConfig([
 *   "IgnoreUnknown UseKeychain",
 *   "Host *.example.org !bastion.example.org",
 *   "  ProxyJump bastion.example.org",
 *   "Match host db.* user admin",
 *   "  Port=2222",
 * ].join("\n"), { file: "~/.ssh/config" });
 * const host = f.entries[1];
 * assert.deepEqual(
 *   host.kind === "host" && host.patterns,
 *   ["*.example.org", "!bastion.example.org"],
 * );
 * const port = f.entries[4];
 * assert.equal(port.kind === "option" && port.value, 2222);
 * assert.equal(port.where.line, 5);
 * ```
 */
export function parseSshConfig(text: string, options: ParseSshConfigOptions = {}): SshConfigFile {
  const file = options.file ?? "ssh_config";
  const commandLine = options.commandLine ?? false;
  const lines = text.split("\n");
  if (lines.length > SSH_CONFIG_LINE_LIMIT) {
    throw configError(
      { file, line: SSH_CONFIG_LINE_LIMIT + 1 },
      `more than ${SSH_CONFIG_LINE_LIMIT} lines`,
    );
  }
  const entries: SshConfigEntry[] = [];
  for (const [i, raw] of lines.entries()) {
    const where = { file, line: commandLine ? 0 : i + 1 };
    const entry = parseLine(raw, where, options);
    if (entry) entries.push(entry);
  }
  return { file, user: options.user ?? true, commandLine, entries };
}

function parseLine(
  raw: string,
  where: SshConfigLocation,
  options: ParseSshConfigOptions,
): SshConfigEntry | undefined {
  const { keyword: written, rest } = splitKeyword(raw);
  if (written === "") return undefined;
  const keyword = written.toLowerCase();
  if (rest === "") throw configError(where, `no argument after keyword "${keyword}"`);
  const info = lookupKeyword(keyword);
  const commandLine = options.commandLine ?? false;
  if (keyword === "host" || keyword === "match") {
    if (commandLine) {
      throw configError(where, "Host directive not supported as a command-line option");
    }
  }
  if (keyword === "match") {
    const words = splitMatchWords(rest);
    if (!words) throw configError(where, "invalid quotes");
    return { kind: "match", criteria: parseMatchCriteria(words, where), where };
  }
  const args = splitArguments(rest);
  if (!args) throw configError(where, "invalid quotes");
  if (keyword === "host") {
    for (const p of args) {
      if (p === "") throw configError(where, `keyword ${keyword} empty argument`);
    }
    return { kind: "host", patterns: args, where };
  }
  if (keyword === "include") {
    if (commandLine) {
      throw configError(where, "Include directive not supported as a command-line option");
    }
    return { kind: "include", paths: args, files: [], where };
  }
  const entry: SshConfigOptionEntry = { kind: "option", keyword, info, where };
  if (info?.status === "supported") {
    const read = VALUE_READERS[info.name as keyof SshConfigLineValues];
    if (read) entry.value = read({ args, rest, where, keyword, env: options.env });
  }
  return entry;
}
