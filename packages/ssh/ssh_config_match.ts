/**
 * When a `Host` or `Match` block applies. `Host` takes whitespace-separated patterns (`*`,
 * `?`, `!` to exclude), compared exactly; `Match` takes criteria (`all`, `canonical`,
 * `final`, `host`, `originalhost`, `user`, `localuser`, `exec`), each negated by `!` and all
 * required, host lists compared without regard to case, as OpenSSH's `match_cfg_line`.
 * @module
 */
import { matchHostPattern, matchHostPatternList } from "@hush/hostkeys";
import { configError, SshConfigError, type SshConfigLocation } from "./ssh_config_error.ts";

/**
 * One `Match` criterion.
 *
 * @example
 * ```ts
 * import type { MatchCriterion } from "./ssh_config_match.ts";
 * const c: MatchCriterion = { attribute: "host", negate: false, argument: "*.example.org" };
 * ```
 */
export interface MatchCriterion {
  /** `all`, `canonical`, `final`, `host`, `originalhost`, `user`, `localuser` or `exec`. */
  attribute: MatchAttribute;
  /** Whether it was written with a leading `!`. */
  negate: boolean;
  /** The pattern list, or the `exec` command; "" for `all`, `canonical` and `final`. */
  argument: string;
}

/**
 * The `Match` attributes OpenSSH 9.2 knows.
 *
 * @example
 * ```ts
 * import type { MatchAttribute } from "./ssh_config_match.ts";
 * const a: MatchAttribute = "originalhost";
 * ```
 */
export type MatchAttribute =
  | "all"
  | "canonical"
  | "final"
  | "host"
  | "originalhost"
  | "user"
  | "localuser"
  | "exec";

const WITH_ARGUMENT = new Set(["host", "originalhost", "user", "localuser", "exec"]);

/**
 * Parses the words after `Match` (split by `splitMatchWords`). Throws an
 * {@linkcode SshConfigError} in OpenSSH's words for an unknown attribute, a missing argument,
 * `all` combined with others, or no attribute at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMatchCriteria } from "./ssh_config_match.ts";
 * const c = parseMatchCriteria(["!host", "a,b", "final"], { file: "cfg", line: 1 });
 * assert.deepEqual(
 *   c.map((x) => `${x.negate ? "!" : ""}${x.attribute} ${x.argument}`),
 *   ["!host a,b", "final "],
 * );
 * ```
 */
export function parseMatchCriteria(words: string[], where: SshConfigLocation): MatchCriterion[] {
  const criteria: MatchCriterion[] = [];
  let attributes = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word.startsWith("#")) break;
    const negate = word.startsWith("!");
    const attribute = (negate ? word.slice(1) : word).toLowerCase();
    if (attribute === "all") {
      const next = words[i + 1];
      if (attributes > 1 || (next !== undefined && next !== "" && !next.startsWith("#"))) {
        throw configError(where, `'${word}' cannot be combined with other Match attributes`);
      }
      criteria.push({ attribute: "all", negate, argument: "" });
      return criteria;
    }
    attributes++;
    if (attribute === "canonical" || attribute === "final") {
      criteria.push({ attribute, negate, argument: "" });
      continue;
    }
    const argument = words[i + 1];
    if (argument === undefined || argument === "" || argument.startsWith("#")) {
      throw configError(where, `Missing Match criteria for ${negate ? word.slice(1) : word}`);
    }
    if (!WITH_ARGUMENT.has(attribute)) {
      throw configError(where, `Unsupported Match attribute ${negate ? word.slice(1) : word}`);
    }
    criteria.push({ attribute: attribute as MatchAttribute, negate, argument });
    i++;
  }
  if (attributes === 0) throw configError(where, "One or more attributes required for Match");
  return criteria;
}

/** What `Match` criteria are checked against. */
export interface MatchContext {
  /** The target host: the host given, or HostName's value once set (lowercased in the final pass). */
  host: string;
  /** The host as given on the command line. */
  originalHost: string;
  /** The remote user so far (User's value, else the local user). */
  user: string;
  /** The local user. */
  localUser: string;
  /** Whether this is the final pass (after `Match final`). */
  finalPass: boolean;
  /**
   * Runs a `Match exec` command (its tokens already expanded) and says whether it exited 0;
   * without it a `Match exec` that has to run is an error.
   */
  exec?: (command: string) => boolean;
  /** Expands the `%` tokens of an `exec` command. */
  expandExec?: (command: string) => string;
}

/**
 * Evaluates parsed `Match` criteria: all must hold. An `exec` runs only when the criteria
 * before it hold, and only through `context.exec`; without one it is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchCriteria, parseMatchCriteria } from "./ssh_config_match.ts";
 * const where = { file: "cfg", line: 1 };
 * const c = parseMatchCriteria(["host", "*.EXAMPLE.org", "!user", "root"], where);
 * const context = { host: "db.example.org", originalHost: "db", user: "me", localUser: "me", finalPass: false };
 * assert.equal(matchCriteria(c, context, where), true);
 * ```
 */
export function matchCriteria(
  criteria: readonly MatchCriterion[],
  context: MatchContext,
  where: SshConfigLocation,
): boolean {
  let result = true;
  for (const c of criteria) {
    let hit: boolean;
    switch (c.attribute) {
      case "all":
        return result && !c.negate;
      case "canonical":
      case "final":
        hit = context.finalPass;
        break;
      case "host":
        hit = matchHostPatternList(context.host, c.argument) === "match";
        break;
      case "originalhost":
        hit = matchHostPatternList(context.originalHost, c.argument) === "match";
        break;
      case "user":
        hit = matchHostPatternList(context.user, c.argument, EXACT) === "match";
        break;
      case "localuser":
        hit = matchHostPatternList(context.localUser, c.argument, EXACT) === "match";
        break;
      case "exec": {
        if (!result) continue; // as OpenSSH: not run once a criterion before it failed
        const command = context.expandExec ? context.expandExec(c.argument) : c.argument;
        if (!context.exec) {
          throw new SshConfigError(
            `${where.file} line ${where.line}: Match exec is not enabled, refusing to run "${command}" (pass an exec function to allow it)`,
            where,
          );
        }
        hit = context.exec(command);
        break;
      }
    }
    if (hit === c.negate) result = false;
  }
  return result;
}

const EXACT = { caseSensitive: true };

/**
 * Whether a `Host` line applies to `host`: one of its patterns matches (exactly, as OpenSSH's
 * `match_pattern`) and none of its `!` patterns does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchHostLine } from "./ssh_config_match.ts";
 * assert.equal(matchHostLine(["*.example.org", "!bad.example.org"], "db.example.org"), true);
 * assert.equal(matchHostLine(["*.example.org", "!bad.example.org"], "bad.example.org"), false);
 * assert.equal(matchHostLine(["example.org"], "EXAMPLE.org"), false);
 * ```
 */
export function matchHostLine(patterns: readonly string[], host: string): boolean {
  let active = false;
  for (const p of patterns) {
    const negated = p.startsWith("!");
    if (matchHostPattern(host, negated ? p.slice(1) : p, EXACT)) {
      if (negated) return false;
      active = true;
    }
  }
  return active;
}
