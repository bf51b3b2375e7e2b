/**
 * glob(7) for `Include`: `*`, `?` and `[…]` within one path component, a leading `.` matched
 * only by a `.`, results in byte order, as the glob(3) OpenSSH calls. The directory listing is
 * injected, so this runs wherever the files come from.
 * @module
 */

/** A directory's entry names, or `undefined` when it is not a readable directory. */
export type ListDirectory = (path: string) => Promise<string[] | undefined>;

/** Whether a pattern component holds a wildcard. */
function isMagic(component: string): boolean {
  return /[*?[]/.test(component);
}

/**
 * Matches one name against one glob component (fnmatch without FNM_PERIOD's exceptions: a
 * leading `.` needs a literal `.`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchGlobComponent } from "./ssh_config_glob.ts";
 * assert.equal(matchGlobComponent("a.conf", "*.conf"), true);
 * assert.equal(matchGlobComponent(".x.conf", "*.conf"), false);
 * assert.equal(matchGlobComponent("b1", "[a-c][!0]"), true);
 * ```
 */
export function matchGlobComponent(name: string, pattern: string): boolean {
  if (name.startsWith(".") && !pattern.startsWith(".")) return false;
  return matchFrom(name, pattern);
}

/** Wildcard matching without recursion: on a mismatch, the last `*` takes one more char. */
function matchFrom(name: string, pattern: string): boolean {
  let n = 0;
  let p = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    if (p < pattern.length) {
      if (pattern[p] === "*") {
        starP = ++p;
        starN = n;
        continue;
      }
      const next = matchOne(name[n], pattern, p);
      if (next !== -1) {
        n++;
        p = next;
        continue;
      }
    }
    if (starP === -1) return false;
    p = starP;
    n = ++starN;
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

/** Matches one character against the pattern element at `p`: the next `p`, or -1. */
function matchOne(ch: string, pattern: string, p: number): number {
  const c = pattern[p];
  if (c === "?") return p + 1;
  if (c === "[") {
    const cls = bracket(pattern, p);
    if (cls) return cls.test(ch) ? cls.end : -1;
  }
  if (c === "\\" && p + 1 < pattern.length) return pattern[p + 1] === ch ? p + 2 : -1;
  return c === ch ? p + 1 : -1;
}

/** A `[…]` class starting at `p`, or undefined when it is not closed (then `[` is literal). */
function bracket(
  pattern: string,
  p: number,
): { test: (ch: string) => boolean; end: number } | undefined {
  let i = p + 1;
  const negate = pattern[i] === "!" || pattern[i] === "^";
  if (negate) i++;
  const ranges: [string, string][] = [];
  let first = true;
  while (i < pattern.length && (first || pattern[i] !== "]")) {
    first = false;
    let lo = pattern[i];
    if (lo === "\\" && i + 1 < pattern.length) lo = pattern[++i];
    let hi = lo;
    if (pattern[i + 1] === "-" && i + 2 < pattern.length && pattern[i + 2] !== "]") {
      hi = pattern[i + 2];
      i += 2;
    }
    ranges.push([lo, hi]);
    i++;
  }
  if (i >= pattern.length) return undefined;
  return {
    test: (ch) => ranges.some(([lo, hi]) => ch >= lo && ch <= hi) !== negate,
    end: i + 1,
  };
}

/**
 * Expands an absolute glob pattern to the paths that match it, in byte order. A pattern with
 * no wildcard is returned as it is (the caller finds out whether it exists); a pattern that
 * matches nothing gives `[]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandGlob } from "./ssh_config_glob.ts";
 * const tree: Record<string, string[]> = { "/etc/ssh": ["ssh_config.d", "ssh_config"], "/etc/ssh/ssh_config.d": ["b.conf", "a.conf", "c.txt"] };
 * const paths = await expandGlob("/etc/ssh/ssh_config.d/*.conf", async (dir) => tree[dir]);
 * assert.deepEqual(paths, ["/etc/ssh/ssh_config.d/a.conf", "/etc/ssh/ssh_config.d/b.conf"]);
 * ```
 */
export async function expandGlob(pattern: string, list: ListDirectory): Promise<string[]> {
  const components = pattern.split("/");
  if (!components.some(isMagic)) return [pattern];
  let paths = [components[0]];
  for (const component of components.slice(1)) {
    if (!isMagic(component)) {
      paths = paths.map((p) => `${p}/${component}`);
      continue;
    }
    const next: string[] = [];
    for (const dir of paths) {
      const names = await list(dir === "" ? "/" : dir);
      for (const name of names ?? []) {
        if (matchGlobComponent(name, component)) next.push(`${dir}/${name}`);
      }
    }
    paths = next;
    if (paths.length === 0) return [];
  }
  return paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
