/**
 * How an ssh_config line splits into words, as OpenSSH splits it: the keyword ends at
 * whitespace or one `=`; arguments are whitespace-separated, `"…"` and `'…'` quote, a
 * backslash escapes a quote, a backslash or (outside quotes) a space, and a `#` at the start
 * of a word ends the line. `Match` criteria are split the older way (`strdelim`: only double
 * quotes, and one `=` also separates).
 * @module
 */

/** Whitespace as OpenSSH's config reader counts it. */
const WHITESPACE = " \t\r\n";

/** A line cut into its keyword and the text after it. */
export interface KeywordSplit {
  /** The keyword as written (not lowercased), or "" for a blank or comment line. */
  keyword: string;
  /** Everything after the keyword and its separator (whitespace, or one `=` and whitespace). */
  rest: string;
}

/**
 * Cuts a line into its keyword and the rest; trailing whitespace (and form feeds) go first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitKeyword } from "./ssh_config_words.ts";
 * assert.deepEqual(splitKeyword("  Port = 2222"), { keyword: "Port", rest: "2222" });
 * assert.equal(splitKeyword("# a comment").keyword, "");
 * ```
 */
export function splitKeyword(line: string): KeywordSplit {
  const text = line.replace(/[ \t\r\n\f]+$/, "");
  let i = 0;
  while (i < text.length && WHITESPACE.includes(text[i])) i++;
  if (i >= text.length || text[i] === "#") return { keyword: "", rest: "" };
  const start = i;
  while (i < text.length && !WHITESPACE.includes(text[i]) && text[i] !== "=") i++;
  const keyword = text.slice(start, i);
  // one '=' may stand between keyword and value, with whitespace on either side
  while (i < text.length && WHITESPACE.includes(text[i])) i++;
  if (text[i] === "=") i++;
  while (i < text.length && WHITESPACE.includes(text[i])) i++;
  return { keyword, rest: text.slice(i) };
}

/**
 * Splits arguments as OpenSSH's `argv_split` does; `undefined` when a quote is not closed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitArguments } from "./ssh_config_words.ts";
 * assert.deepEqual(splitArguments(`a "b c" d\\ e # comment`), ["a", "b c", "d e"]);
 * assert.equal(splitArguments(`"open`), undefined);
 * ```
 */
export function splitArguments(text: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#") break;
    let arg = "";
    let quote = "";
    for (; i < text.length; i++) {
      const ch = text[i];
      if (ch === "\\") {
        const next = text[i + 1];
        if (next === "'" || next === '"' || next === "\\" || (quote === "" && next === " ")) {
          arg += next;
          i++;
        } else {
          arg += ch;
        }
      } else if (quote === "" && (ch === " " || ch === "\t")) {
        break;
      } else if (quote === "" && (ch === '"' || ch === "'")) {
        quote = ch;
      } else if (quote !== "" && ch === quote) {
        quote = "";
      } else {
        arg += ch;
      }
    }
    if (quote !== "") return undefined;
    args.push(arg);
  }
  return args;
}

/**
 * Splits `Match` criteria as OpenSSH's `strdelim` does: words end at whitespace or one `=`,
 * and a word starting with `"` runs to the next `"`. `undefined` when a quote is not closed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitMatchWords } from "./ssh_config_words.ts";
 * assert.deepEqual(
 *   splitMatchWords(`host a,b exec "test -f x"`),
 *   ["host", "a,b", "exec", "test -f x"],
 * );
 * ```
 */
export function splitMatchWords(text: string): string[] | undefined {
  const words: string[] = [];
  let s = text;
  while (s.length > 0) {
    if (s[0] === '"') {
      const end = s.indexOf('"', 1);
      if (end === -1) return undefined;
      words.push(s.slice(1, end));
      s = trimStart(s.slice(end + 1));
      continue;
    }
    let end = 0;
    while (end < s.length && !WHITESPACE.includes(s[end]) && s[end] !== "=" && s[end] !== '"') {
      end++;
    }
    if (s[end] === '"') {
      // a quote inside a word starts a quoted rest that joins it, as strdelim leaves it
      const close = s.indexOf('"', end + 1);
      if (close === -1) return undefined;
      words.push(s.slice(0, end) + s.slice(end + 1, close));
      s = trimStart(s.slice(close + 1));
      continue;
    }
    words.push(s.slice(0, end));
    let rest = s.slice(end);
    const equals = rest[0] === "=";
    rest = trimStart(rest.slice(1));
    if (!equals && rest[0] === "=") rest = trimStart(rest.slice(1));
    s = rest;
  }
  return words;
}

function trimStart(s: string): string {
  let i = 0;
  while (i < s.length && WHITESPACE.includes(s[i])) i++;
  return s.slice(i);
}
