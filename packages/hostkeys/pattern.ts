/**
 * Host pattern matching as in OpenSSH's known_hosts and ssh_config: `*` and `?` wildcards,
 * comma-separated lists and `!` negation, compared without regard to ASCII case.
 *
 * Matching never backtracks across `*`: the pattern is cut at each `*` into literal segments
 * (which may hold `?`), the first is anchored at the start, the last at the end, and the ones
 * between are found leftmost-first, which is exact for this pattern language. Literal segments
 * are found with `indexOf`; segments holding `?` by ANDing per-character bitmaps of the name,
 * shifted by each literal's offset (32 positions per step). So a pathological pattern like
 * `*a*a*a…b` costs one pass over the name, not an exponential search, and a whole line costs
 * O(line length × name length / 32), with names bounded by `HOST_NAME_LIMIT` (1025).
 * @module
 */

/** Lowercases ASCII letters only, as OpenSSH's `tolower` does in the C locale. */
function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/**
 * How a pattern is compared. OpenSSH compares host names without regard to ASCII case, but
 * ssh_config's `Host` patterns and `Match user` lists exactly (`match_pattern`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchHostPattern, type PatternOptions } from "@hush/hostkeys";
 * const exact: PatternOptions = { caseSensitive: true };
 * assert.equal(matchHostPattern("Alice", "alice", exact), false);
 * ```
 */
export interface PatternOptions {
  /** Compare letters exactly instead of ignoring ASCII case (default false). */
  caseSensitive?: boolean;
}

/** Whether `segment` (literal characters and `?`) matches `name` at `at`. */
function segmentAt(name: string, at: number, segment: string): boolean {
  if (at + segment.length > name.length) return false;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c !== 0x3f && c !== name.charCodeAt(at + i)) return false;
  }
  return true;
}

/**
 * A lowercased name with, per character, a bitmap of where it occurs: segments holding `?` are
 * searched by ANDing shifted bitmaps, 32 positions per step, instead of trying every position.
 */
class IndexedName {
  readonly text: string;
  readonly #words: number;
  readonly #maps = new Map<number, Uint32Array>();
  readonly #cand: Uint32Array;

  constructor(text: string) {
    this.text = text;
    // Room for reads up to twice the name's length, so shifted reads never leave the array.
    this.#words = 2 * ((text.length >>> 5) + 1) + 1;
    this.#cand = new Uint32Array((text.length >>> 5) + 1);
  }

  #map(c: number): Uint32Array {
    let m = this.#maps.get(c);
    if (m === undefined) {
      m = new Uint32Array(this.#words);
      const t = this.text;
      for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) === c) m[i >>> 5] |= 1 << (i & 31);
      this.#maps.set(c, m);
    }
    return m;
  }

  /** The leftmost index in `[from, last]` where `segment` matches, or -1. */
  find(segment: string, from: number, last: number): number {
    if (from > last) return -1;
    if (!segment.includes("?")) {
      const i = this.text.indexOf(segment, from);
      return i !== -1 && i <= last ? i : -1;
    }
    const w0 = from >>> 5;
    const w1 = last >>> 5;
    const cand = this.#cand.subarray(0, w1 - w0 + 1).fill(0xffffffff);
    cand[0] &= 0xffffffff << (from & 31);
    if ((last & 31) !== 31) cand[w1 - w0] &= (1 << ((last & 31) + 1)) - 1;
    for (let i = 0; i < segment.length; i++) {
      const c = segment.charCodeAt(i);
      if (c === 0x3f) continue;
      const m = this.#map(c);
      const q = i >>> 5;
      const r = i & 31;
      let any = 0;
      for (let w = w0; w <= w1; w++) {
        const shifted = r === 0 ? m[w + q] : (m[w + q] >>> r) | (m[w + q + 1] << (32 - r));
        const v = cand[w - w0] & shifted;
        cand[w - w0] = v;
        any |= v;
      }
      if (any === 0) return -1;
    }
    for (let w = 0; w < cand.length; w++) {
      const v = cand[w];
      if (v !== 0) return ((w0 + w) << 5) + (31 - Math.clz32(v & -v));
    }
    return -1;
  }
}

/**
 * Matches one host pattern (no commas, no `!`) against a name. `*` matches any run of
 * characters, `?` exactly one; letters compare case-insensitively (ASCII).
 *
 * @param name The host name, e.g. `"server.example.org"` or `"[10.0.0.1]:2222"`.
 * @param pattern The pattern, e.g. `"*.example.org"`.
 * @param options `caseSensitive` to compare letters exactly.
 * @returns Whether the whole name matches the whole pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchHostPattern } from "@hush/hostkeys";
 * assert.equal(matchHostPattern("www.Example.org", "*.example.???"), true);
 * assert.equal(matchHostPattern("example.org", "*.example.org"), false);
 * ```
 */
export function matchHostPattern(
  name: string,
  pattern: string,
  options: PatternOptions = {},
): boolean {
  const exact = options.caseSensitive === true;
  return matchIndexed(new IndexedName(exact ? name : asciiLower(name)), pattern, exact);
}

/** {@linkcode matchHostPattern} for a name already lowercased (unless `exact`) and indexed. */
function matchIndexed(name: IndexedName, pattern: string, exact: boolean): boolean {
  const n = name.text;
  const p = exact ? pattern : asciiLower(pattern);
  const star = p.indexOf("*");
  if (star === -1) return p.length === n.length && segmentAt(n, 0, p);
  const segments = p.split("*");
  const first = segments[0];
  const lastSeg = segments[segments.length - 1];
  if (first.length + lastSeg.length > n.length) return false;
  if (!segmentAt(n, 0, first)) return false;
  const tail = n.length - lastSeg.length;
  if (!segmentAt(n, tail, lastSeg)) return false;
  let pos = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const seg = segments[i];
    if (seg.length === 0) continue;
    const at = name.find(seg, pos, tail - seg.length);
    if (at === -1) return false;
    pos = at + seg.length;
  }
  return true;
}

/**
 * The outcome of matching a name against a pattern list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchHostPatternList, type PatternListMatch } from "@hush/hostkeys";
 * const m: PatternListMatch = matchHostPatternList("10.0.0.1", "10.0.0.*,!10.0.0.2");
 * assert.equal(m, "match");
 * ```
 */
export type PatternListMatch = "match" | "negated" | "none";

/**
 * Matches a comma-separated pattern list, as on a known_hosts line. A name that matches any
 * `!`-negated pattern is `"negated"` (the line does not apply, whatever else matches);
 * otherwise `"match"` if any plain pattern matches, else `"none"`.
 *
 * @param name The host name as looked up (see {@linkcode knownHostsName}).
 * @param list The host field, e.g. `"*.example.org,!bad.example.org"`.
 * @param options `caseSensitive` to compare letters exactly.
 * @returns `"match"`, `"negated"` or `"none"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchHostPatternList } from "@hush/hostkeys";
 * assert.equal(matchHostPatternList("a.example.org", "*.example.org,!b.example.org"), "match");
 * assert.equal(matchHostPatternList("b.example.org", "*.example.org,!b.example.org"), "negated");
 * assert.equal(matchHostPatternList("example.com", "*.example.org"), "none");
 * ```
 */
export function matchHostPatternList(
  name: string,
  list: string,
  options: PatternOptions = {},
): PatternListMatch {
  const exact = options.caseSensitive === true;
  const n = new IndexedName(exact ? name : asciiLower(name));
  let positive = false;
  let start = 0;
  while (start <= list.length) {
    let end = list.indexOf(",", start);
    if (end === -1) end = list.length;
    const sub = list.slice(start, end);
    if (sub.startsWith("!")) {
      if (matchIndexed(n, sub.slice(1), exact)) return "negated";
    } else if (!positive && matchIndexed(n, sub, exact)) {
      positive = true;
    }
    start = end + 1;
  }
  return positive ? "match" : "none";
}
