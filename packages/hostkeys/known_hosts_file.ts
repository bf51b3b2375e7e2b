/**
 * One known_hosts file, parsed losslessly: every line keeps its exact text and line ending,
 * lines that cannot be used are kept and reported, and `toString()` gives back the input.
 * @module
 */
import { decodeBase64 } from "@hush/wire";
import { HASHED_HOST_PREFIX, type HashedHost, parseHashedHost } from "./hashed_host.ts";
import { blobKeyType, KEY_TYPE_LABELS } from "./key_types.ts";
import { matchHostPatternList } from "./pattern.ts";
import { matchHashedHost } from "./hashed_host.ts";

/**
 * A line marker: `@cert-authority` or `@revoked`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type KnownHostsMarker, parseKnownHosts } from "@hush/hostkeys";
 * const marker: KnownHostsMarker | undefined = parseKnownHosts("@revoked * ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz\n").lines[0].entry?.marker;
 * assert.equal(marker, "revoked");
 * ```
 */
export type KnownHostsMarker = "cert-authority" | "revoked";

/**
 * A usable key line of a known_hosts file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type KnownHostsEntry, parseKnownHosts } from "@hush/hostkeys";
 * const entry: KnownHostsEntry = parseKnownHosts("a,b ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz my key").lines[0].entry!;
 * assert.equal(entry.hosts, "a,b");
 * assert.equal(entry.keyType, "ssh-ed25519");
 * assert.equal(entry.blob.length, 51);
 * assert.equal(entry.comment, "my key");
 * ```
 */
export interface KnownHostsEntry {
  /** The marker, when the line has one. */
  readonly marker?: KnownHostsMarker;
  /** The host field exactly as written: a pattern list or a hashed name. */
  readonly hosts: string;
  /** The salt and hash when `hosts` is a hashed name (`|1|…|…`). */
  readonly hashed?: HashedHost;
  /** The key type name as written (and as found inside the blob). */
  readonly keyType: string;
  /** The base64 text of the key as written. */
  readonly keyBase64: string;
  /** The decoded public key blob. */
  readonly blob: Uint8Array;
  /** The comment after the key (may be empty). */
  readonly comment: string;
}

/**
 * What kind of line a known_hosts line is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type KnownHostsLineKind, parseKnownHosts } from "@hush/hostkeys";
 * const kinds: KnownHostsLineKind[] = parseKnownHosts("# c\n\nx\n").lines.map((l) => l.kind);
 * assert.deepEqual(kinds, ["comment", "blank", "invalid"]);
 * ```
 */
export type KnownHostsLineKind = "blank" | "comment" | "entry" | "invalid";

/**
 * A line ending as found in the file (`""` for a last line with none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LineEnding, parseKnownHosts } from "@hush/hostkeys";
 * const endings: LineEnding[] = parseKnownHosts("a\r\nb\nc").lines.map((l) => l.eol);
 * assert.deepEqual(endings, ["\r\n", "\n", ""]);
 * ```
 */
export type LineEnding = "" | "\n" | "\r\n";

/**
 * One line of a known_hosts file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type KnownHostsLine, parseKnownHosts } from "@hush/hostkeys";
 * const line: KnownHostsLine = parseKnownHosts("# first\r\nbroken line\r\n").lines[1];
 * assert.equal(line.number, 2);
 * assert.equal(line.kind, "invalid");
 * assert.equal(line.text + line.eol, "broken line\r\n");
 * assert.equal(line.problem, "Missing key data after type");
 * ```
 */
export interface KnownHostsLine {
  /** The 1-based line number. */
  readonly number: number;
  /** The line's text without its line ending, exactly as read. */
  readonly text: string;
  /** The line ending that followed it. */
  readonly eol: LineEnding;
  /** Blank, comment, a usable entry, or a line that cannot be used. */
  readonly kind: KnownHostsLineKind;
  /** The parsed entry when `kind` is `"entry"`. */
  readonly entry?: KnownHostsEntry;
  /** Why the line is invalid (or, for an entry with an unknown key type, a warning). */
  readonly problem?: string;
}

/**
 * A problem found on one line. The line itself is kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type KnownHostsDiagnostic, parseKnownHosts } from "@hush/hostkeys";
 * const [d]: readonly KnownHostsDiagnostic[] = parseKnownHosts("\nhost ssh-ed25519 !!!!\n").diagnostics;
 * assert.equal(d.line, 2);
 * assert.equal(d.severity, "error");
 * assert.equal(d.message, "Key data is not valid base64");
 * ```
 */
export interface KnownHostsDiagnostic {
  /** The 1-based line number. */
  readonly line: number;
  /** `error` for a line that is ignored, `warning` for one that is used but odd. */
  readonly severity: "error" | "warning";
  /** What is wrong, in sentence case. */
  readonly message: string;
}

/** Whether a character code is a space or a tab. */
function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** The index of the next space or tab at or after `i`, or the length. */
function fieldEnd(s: string, i: number): number {
  while (i < s.length && !isBlank(s.charCodeAt(i))) i++;
  return i;
}

/** The index of the next character that is not a space or tab at or after `i`. */
function skipBlanks(s: string, i: number): number {
  while (i < s.length && isBlank(s.charCodeAt(i))) i++;
  return i;
}

const MARKERS: Readonly<Record<string, KnownHostsMarker>> = {
  "@cert-authority": "cert-authority",
  "@revoked": "revoked",
};

/** The longest field shown inside a diagnostic message. */
const SHOWN_LIMIT = 40;

/** A field shortened for a message. */
function shown(s: string): string {
  return s.length > SHOWN_LIMIT ? `${s.slice(0, SHOWN_LIMIT)}…` : s;
}

/** Parses the text of one line (without its ending). */
function parseLineText(
  line: string,
): { kind: KnownHostsLineKind; entry?: KnownHostsEntry; problem?: string } {
  // A CR left at the end (a last line ending in a lone CR) counts as blank space.
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  let i = skipBlanks(text, 0);
  if (i === text.length) return { kind: "blank" };
  if (text.charCodeAt(i) === 0x23) return { kind: "comment" };

  let marker: KnownHostsMarker | undefined;
  while (text.charCodeAt(i) === 0x40) {
    const end = fieldEnd(text, i);
    const word = text.slice(i, end);
    if (marker !== undefined) return { kind: "invalid", problem: "Only one marker is allowed" };
    if (!Object.hasOwn(MARKERS, word)) {
      return { kind: "invalid", problem: `Unknown marker "${shown(word)}"` };
    }
    if (end === text.length) return { kind: "invalid", problem: "Missing host names" };
    marker = MARKERS[word];
    i = skipBlanks(text, end);
  }

  const hostsEnd = fieldEnd(text, i);
  const hosts = text.slice(i, hostsEnd);
  i = skipBlanks(text, hostsEnd);
  if (i >= text.length) return { kind: "invalid", problem: "Missing key" };
  let hashed: HashedHost | undefined;
  if (hosts.startsWith("|")) {
    hashed = parseHashedHost(hosts);
    if (!hashed) {
      return {
        kind: "invalid",
        problem: hosts.startsWith(HASHED_HOST_PREFIX)
          ? "Malformed hashed host name"
          : "Unsupported hashed host name type",
      };
    }
  }

  const typeEnd = fieldEnd(text, i);
  const keyType = text.slice(i, typeEnd);
  if (/^[0-9]+$/.test(keyType)) {
    return { kind: "invalid", problem: "SSH-1 RSA keys are not supported" };
  }
  i = skipBlanks(text, typeEnd);
  if (i >= text.length) return { kind: "invalid", problem: `Missing key data after type` };
  const keyEnd = fieldEnd(text, i);
  const keyBase64 = text.slice(i, keyEnd);
  const comment = text.slice(skipBlanks(text, keyEnd));

  const blob = decodeBase64(keyBase64);
  if (!blob) return { kind: "invalid", problem: "Key data is not valid base64" };
  const inner = blobKeyType(blob);
  if (inner === undefined) return { kind: "invalid", problem: "Key data is not an SSH key blob" };
  if (inner !== keyType) {
    return {
      kind: "invalid",
      problem: `Key type "${shown(keyType)}" does not match the key's own type "${inner}"`,
    };
  }
  const entry: KnownHostsEntry = {
    ...(marker ? { marker } : {}),
    hosts,
    ...(hashed ? { hashed } : {}),
    keyType,
    keyBase64,
    blob,
    comment,
  };
  const problem = Object.hasOwn(KEY_TYPE_LABELS, keyType)
    ? undefined
    : `Unknown key type "${shown(keyType)}"`;
  return { kind: "entry", entry, ...(problem ? { problem } : {}) };
}

/**
 * A parsed known_hosts file. Build one with {@linkcode parseKnownHosts}; `toString()` returns
 * the exact text it was parsed from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKnownHosts } from "@hush/hostkeys";
 * const text = "# hosts\r\nexample.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz\r\n@bogus x\r\n";
 * const file = parseKnownHosts(text);
 * assert.equal(file.toString() === text, true);
 * assert.deepEqual(
 *   file.diagnostics,
 *   [{ line: 3, severity: "error", message: 'Unknown marker "@bogus"' }],
 * );
 * assert.equal(file.match("example.org").length, 1);
 * ```
 */
export class KnownHostsFile {
  /** Every line, in order. */
  readonly lines: readonly KnownHostsLine[];
  /** The problems found, one per invalid line or odd entry. */
  readonly diagnostics: readonly KnownHostsDiagnostic[];

  /**
   * Wraps parsed lines; use {@linkcode parseKnownHosts} rather than calling this.
   * @param lines The lines.
   */
  constructor(lines: readonly KnownHostsLine[]) {
    this.lines = lines;
    const diagnostics: KnownHostsDiagnostic[] = [];
    for (const l of lines) {
      if (l.problem === undefined) continue;
      diagnostics.push({
        line: l.number,
        severity: l.kind === "invalid" ? "error" : "warning",
        message: l.problem,
      });
    }
    this.diagnostics = diagnostics;
  }

  /**
   * The entry lines whose host field applies to a name: a hashed name that hashes to it, or a
   * pattern list that matches it with no negated pattern matching.
   *
   * @param name The known_hosts name (see {@linkcode knownHostsName}).
   * @returns The matching entry lines, in file order.
   */
  match(name: string): KnownHostsLine[] {
    const out: KnownHostsLine[] = [];
    for (const l of this.lines) {
      if (l.entry && entryAppliesTo(l.entry, name)) out.push(l);
    }
    return out;
  }

  /**
   * The file's text, byte for byte as parsed.
   * @returns The text.
   */
  toString(): string {
    let s = "";
    for (const l of this.lines) s += l.text + l.eol;
    return s;
  }
}

/**
 * Whether a known_hosts entry applies to a name: its hashed name hashes to `name`, or its
 * pattern list matches `name` and no negated pattern in it does.
 *
 * @param entry The entry.
 * @param name The known_hosts name (see {@linkcode knownHostsName}).
 * @returns Whether the entry applies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { entryAppliesTo, parseKnownHosts } from "@hush/hostkeys";
 * const file = parseKnownHosts("*.example.org,!bad.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz\n");
 * const entry = file.lines[0].entry!;
 * assert.equal(entryAppliesTo(entry, "a.example.org"), true);
 * assert.equal(entryAppliesTo(entry, "bad.example.org"), false);
 * ```
 */
export function entryAppliesTo(entry: KnownHostsEntry, name: string): boolean {
  if (entry.hashed) return matchHashedHost(name, entry.hashed);
  return matchHostPatternList(name, entry.hosts) === "match";
}

/**
 * Parses the text of a known_hosts file (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"). Never throws
 * on content: lines that cannot be used become `"invalid"` lines with a diagnostic, and the
 * result serializes back to exactly `text` (CRLF endings and a missing final newline included).
 * Work is linear in the length of the text.
 *
 * @param text The file's text.
 * @returns The parsed file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKnownHosts } from "@hush/hostkeys";
 * const file = parseKnownHosts("# nothing yet\n\nnot a key line");
 * assert.deepEqual(file.lines.map((l) => l.kind), ["comment", "blank", "invalid"]);
 * assert.equal(file.toString(), "# nothing yet\n\nnot a key line");
 * ```
 */
export function parseKnownHosts(text: string): KnownHostsFile {
  const lines: KnownHostsLine[] = [];
  let start = 0;
  let number = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    let end: number;
    let eol: LineEnding;
    let next: number;
    if (nl === -1) {
      end = text.length;
      eol = "";
      next = text.length;
    } else if (nl > start && text.charCodeAt(nl - 1) === 0x0d) {
      end = nl - 1;
      eol = "\r\n";
      next = nl + 1;
    } else {
      end = nl;
      eol = "\n";
      next = nl + 1;
    }
    const lineText = text.slice(start, end);
    number++;
    lines.push({ number, text: lineText, eol, ...parseLineText(lineText) });
    start = next;
  }
  return new KnownHostsFile(lines);
}
