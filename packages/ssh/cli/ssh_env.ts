/**
 * The environment `ssh` asks the server to set for a session (`env` requests, RFC 4254 §6.4):
 * LANG and LC_* as Debian's default `SendEnv` passes them, what `SendEnv` patterns pick from
 * the local environment, and `SetEnv` pairs, which win. The server decides what it accepts.
 * @module
 */
import { UsageError } from "./ssh_args.ts";

/** `*` and `?` wildcards, as ssh_config patterns. */
function wildcard(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(
    /\?/g,
    ".",
  );
  return new RegExp(`^${body}$`);
}

/**
 * Splits a `SetEnv` value into `NAME=VALUE` words; double quotes keep spaces in a word.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSetEnv } from "./ssh_env.ts";
 * assert.deepEqual(parseSetEnv('A=1 "B=two words"'), { A: "1", B: "two words" });
 * ```
 */
export function parseSetEnv(value: string): Record<string, string> {
  const words: string[] = [];
  let word: string | undefined;
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') {
      quoted = !quoted;
      word ??= "";
    } else if (!quoted && /\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? "") + ch;
    }
  }
  if (quoted) throw new UsageError(`Unterminated quote in SetEnv '${value}'`);
  if (word !== undefined) words.push(word);
  const env: Record<string, string> = {};
  for (const w of words) {
    const eq = w.indexOf("=");
    if (eq <= 0) throw new UsageError(`Invalid SetEnv '${w}' (NAME=VALUE)`);
    env[w.slice(0, eq)] ??= w.slice(eq + 1); // the first value of a name wins, as in ssh_config
  }
  return env;
}

/**
 * The variables to send: LANG and LC_*, those matching a `SendEnv` pattern, then `SetEnv`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sessionEnvironment } from "./ssh_env.ts";
 * const env = sessionEnvironment({ LANG: "C.UTF-8", EDITOR: "vi", HOME: "/h" }, ["ED*"], { A: "1" });
 * assert.deepEqual(env, { LANG: "C.UTF-8", EDITOR: "vi", A: "1" });
 * ```
 */
export function sessionEnvironment(
  local: Record<string, string | undefined>,
  sendEnv: readonly string[],
  setEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  const patterns = [/^LANG$/, /^LC_/, ...sendEnv.map(wildcard)];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(local)) {
    if (value !== undefined && patterns.some((p) => p.test(name))) env[name] = value;
  }
  return { ...env, ...setEnv };
}
