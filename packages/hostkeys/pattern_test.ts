import { test } from "node:test";
import assert from "node:assert/strict";
import { matchHostPattern, matchHostPatternList } from "./pattern.ts";

test("pattern: literal names compare whole and ignore ASCII case", () => {
  assert.equal(matchHostPattern("example.org", "example.org"), true);
  assert.equal(matchHostPattern("EXAMPLE.org", "example.ORG"), true);
  assert.equal(matchHostPattern("example.org", "example.or"), false);
  assert.equal(matchHostPattern("example.or", "example.org"), false);
  assert.equal(matchHostPattern("", ""), true);
  assert.equal(matchHostPattern("a", ""), false);
});

test("pattern: * matches any run, including an empty one", () => {
  assert.equal(matchHostPattern("anything", "*"), true);
  assert.equal(matchHostPattern("", "*"), true);
  assert.equal(matchHostPattern("www.example.org", "*.example.org"), true);
  assert.equal(matchHostPattern("example.org", "*.example.org"), false);
  assert.equal(matchHostPattern("a.b.c", "a*c"), true);
  assert.equal(matchHostPattern("ac", "a*c"), true);
  assert.equal(matchHostPattern("abcabc", "*bc*bc"), true);
  assert.equal(matchHostPattern("abcab", "*bc*bc"), false);
  assert.equal(matchHostPattern("aXbXc", "a**b***c"), true);
  // The last segment is anchored at the end even when it also occurs earlier.
  assert.equal(matchHostPattern("abab", "*ab"), true);
  assert.equal(matchHostPattern("aba", "*ab"), false);
  // Prefix and suffix may not overlap.
  assert.equal(matchHostPattern("ab", "ab*ab"), false);
  assert.equal(matchHostPattern("abab", "ab*ab"), true);
});

test("pattern: ? matches exactly one character", () => {
  assert.equal(matchHostPattern("a.single.example.org", "?.single.example.org"), true);
  assert.equal(matchHostPattern("ab.single.example.org", "?.single.example.org"), false);
  assert.equal(matchHostPattern(".single.example.org", "?.single.example.org"), false);
  assert.equal(matchHostPattern("10.0.0.7", "10.0.0.?"), true);
  assert.equal(matchHostPattern("xaybzc", "*a?b?c"), true);
  assert.equal(matchHostPattern("axbyc", "*a?b*?c"), true);
  assert.equal(matchHostPattern("aab", "*a?b"), true);
});

test("pattern: brackets and ports are plain characters", () => {
  assert.equal(matchHostPattern("[host]:2222", "[host]:2222"), true);
  assert.equal(matchHostPattern("[host]:2222", "[host]:*"), true);
  assert.equal(matchHostPattern("host", "[host]:*"), false);
  assert.equal(matchHostPattern("[10.0.0.1]:2222", "*"), true);
});

test("pattern list: comma lists and negation", () => {
  const list = "*.example.org,!bad.example.org,192.0.2.?";
  assert.equal(matchHostPatternList("www.example.org", list), "match");
  assert.equal(matchHostPatternList("bad.example.org", list), "negated");
  assert.equal(matchHostPatternList("192.0.2.7", list), "match");
  assert.equal(matchHostPatternList("192.0.2.77", list), "none");
  // A negated pattern alone never makes a positive match.
  assert.equal(matchHostPatternList("x", "!y"), "none");
  assert.equal(matchHostPatternList("y", "!y"), "negated");
  // Negation wins wherever it stands in the list.
  assert.equal(matchHostPatternList("a.example.org", "!a.example.org,*.example.org"), "negated");
  assert.equal(matchHostPatternList("a", "a,,b"), "match");
});

test("pattern: pathological wildcards stay linear", () => {
  const name = "a".repeat(10_000);
  const pattern = "*a".repeat(5_000) + "*b";
  const t0 = performance.now();
  assert.equal(matchHostPattern(name, pattern), false);
  assert.equal(matchHostPattern(name + "b", pattern), true);
  assert.equal(matchHostPattern(name, "*?".repeat(5_000) + "*b"), false);
  assert.equal(matchHostPattern(name, "*" + "a".repeat(9_000) + "b*"), false);
  const ms = performance.now() - t0;
  assert.ok(ms < 500, `took ${ms} ms`);
});

test("pattern list: thousands of patterns", () => {
  const list = Array.from({ length: 20_000 }, (_, i) => `host${i}.example.org`).join(",");
  const t0 = performance.now();
  assert.equal(matchHostPatternList("host19999.example.org", list), "match");
  assert.equal(matchHostPatternList("nothere", list), "none");
  assert.equal(matchHostPatternList("x", list + ",!x"), "negated");
  const ms = performance.now() - t0;
  assert.ok(ms < 500, `took ${ms} ms`);
});

test("pattern: agrees with a reference matcher on random cases", () => {
  // A small dynamic-programming matcher, exact by construction, for cross-checking.
  const reference = (n: string, p: string): boolean => {
    let prev = new Array<boolean>(n.length + 1).fill(false);
    prev[0] = true;
    for (let i = 1; i <= p.length; i++) {
      const cur = new Array<boolean>(n.length + 1).fill(false);
      const c = p[i - 1];
      if (c === "*") cur[0] = prev[0];
      for (let j = 1; j <= n.length; j++) {
        if (c === "*") cur[j] = prev[j] || cur[j - 1];
        else cur[j] = prev[j - 1] && (c === "?" || c === n[j - 1]);
      }
      prev = cur;
    }
    return prev[n.length];
  };
  let seed = 12345;
  const rand = (k: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };
  const pick = (alphabet: string, max: number) => {
    let s = "";
    const len = rand(max + 1);
    for (let i = 0; i < len; i++) s += alphabet[rand(alphabet.length)];
    return s;
  };
  for (let i = 0; i < 20_000; i++) {
    const n = pick("ab", 8);
    const p = pick("ab*?", 7);
    assert.equal(matchHostPattern(n, p), reference(n, p), `${n} vs ${p}`);
  }
});

test("pattern: agrees with the reference on long names and long ?-segments", () => {
  const reference = (n: string, p: string): boolean => {
    let prev = new Array<boolean>(n.length + 1).fill(false);
    prev[0] = true;
    for (const c of p) {
      const cur = new Array<boolean>(n.length + 1).fill(false);
      if (c === "*") cur[0] = prev[0];
      for (let j = 1; j <= n.length; j++) {
        cur[j] = c === "*" ? prev[j] || cur[j - 1] : prev[j - 1] && (c === "?" || c === n[j - 1]);
      }
      prev = cur;
    }
    return prev[n.length];
  };
  let seed = 987654321;
  const rand = (k: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };
  const word = (alphabet: string, len: number) => {
    let s = "";
    for (let i = 0; i < len; i++) s += alphabet[rand(alphabet.length)];
    return s;
  };
  let matches = 0;
  for (let i = 0; i < 5_000; i++) {
    const n = word("ab", 20 + rand(100));
    const segments = Array.from({ length: 2 + rand(3) }, () => word("ab???", rand(45)));
    // Half the time take a real piece of the name, so that matches happen too.
    if (rand(2) === 0) {
      segments[1] = n.slice(rand(20), 20 + rand(40)).replace(/a/g, (c) => rand(3) ? c : "?");
    }
    const p = segments.join("*");
    const want = reference(n, p);
    if (want) matches++;
    assert.equal(matchHostPattern(n, p), want, `${n} vs ${p}`);
  }
  assert.ok(matches > 100, `${matches} matches`);
});

test("caseSensitive compares letters exactly (ssh_config Host patterns, Match user)", () => {
  const exact = { caseSensitive: true };
  assert.equal(matchHostPattern("Example.org", "example.org", exact), false);
  assert.equal(matchHostPattern("Example.org", "Example.*", exact), true);
  assert.equal(matchHostPattern("Example.org", "?xample.org", exact), true);
  assert.equal(matchHostPatternList("Root", "root,admin", exact), "none");
  assert.equal(matchHostPatternList("Root", "R*,!Ro?t", exact), "negated");
  assert.equal(matchHostPatternList("Root", "root,admin"), "match");
});
