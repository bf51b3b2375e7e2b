/**
 * Text edits on known_hosts files that keep every other byte: appending a line and removing
 * the lines of a host (`ssh-keygen -R`).
 * @module
 */
import { encodeBase64 } from "@hush/wire";
import { blobKeyType } from "./key_types.ts";
import { hashHostName } from "./hashed_host.ts";
import {
  entryAppliesTo,
  type KnownHostsLine,
  type KnownHostsMarker,
  type LineEnding,
  parseKnownHosts,
} from "./known_hosts_file.ts";

/**
 * What {@linkcode formatKnownHostsLine} writes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { formatKnownHostsLine, type KnownHostsLineFields } from "@hush/hostkeys";
 * const fields: KnownHostsLineFields = { hosts: "*.example.org", blob: decodeBase64("AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz")!, marker: "cert-authority" };
 * assert.equal(
 *   formatKnownHostsLine(fields).split(" ").slice(0, 3).join(" "),
 *   "@cert-authority *.example.org ssh-ed25519",
 * );
 * ```
 */
export interface KnownHostsLineFields {
  /** The known_hosts name (see {@linkcode knownHostsName}) or a pattern list. */
  hosts: string;
  /** The public key blob; its type name is read from it. */
  blob: Uint8Array;
  /** Write the host as a hashed name `|1|salt|hash` (only for a single name). */
  hash?: boolean;
  /** A marker to put first. */
  marker?: KnownHostsMarker;
  /** A comment to put last (no line breaks). */
  comment?: string;
  /** The salt for hashing (20 bytes, random when omitted). */
  salt?: Uint8Array;
}

/**
 * Formats one known_hosts line (without a line ending): `[@marker ]hosts type base64[ comment]`.
 *
 * @param fields The host field, key, and options.
 * @returns The line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "@hush/wire";
 * import { formatKnownHostsLine } from "@hush/hostkeys";
 * const blob = decodeBase64("AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz")!;
 * assert.equal(
 *   formatKnownHostsLine({ hosts: "[example.org]:2222", blob }),
 *   "[example.org]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz",
 * );
 * ```
 */
export function formatKnownHostsLine(fields: KnownHostsLineFields): string {
  const type = blobKeyType(fields.blob);
  if (type === undefined) throw new TypeError("Key blob does not start with a key type name");
  if (/[\s]/.test(fields.hosts) || fields.hosts.length === 0) {
    throw new TypeError("Host field must be non-empty and contain no white space");
  }
  if (fields.hash && /[,*?!]/.test(fields.hosts)) {
    throw new TypeError("Only a single host name without wildcards can be hashed");
  }
  if (fields.comment !== undefined && /[\r\n]/.test(fields.comment)) {
    throw new TypeError("Comment must not contain line breaks");
  }
  const hosts = fields.hash ? hashHostName(fields.hosts, fields.salt) : fields.hosts;
  const marker = fields.marker ? `@${fields.marker} ` : "";
  const comment = fields.comment ? ` ${fields.comment}` : "";
  return `${marker}${hosts} ${type} ${encodeBase64(fields.blob)}${comment}`;
}

/** The line ending of a file's first line ("\n" for a file without one). */
function fileEnding(text: string): LineEnding {
  const nl = text.indexOf("\n");
  return nl > 0 && text.charCodeAt(nl - 1) === 0x0d ? "\r\n" : "\n";
}

/**
 * Appends a line to a known_hosts text. Everything before stays byte for byte; when the last
 * line has no line ending one is added first, and the new line ends with the file's usual
 * ending (CRLF when its first line ends with CRLF, LF otherwise).
 *
 * @param text The current file text ("" for a new file).
 * @param line The line to add, without a line ending.
 * @returns The new text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendKnownHostsLine } from "@hush/hostkeys";
 * assert.equal(appendKnownHostsLine("# a", "b ssh-ed25519 AAAA"), "# a\nb ssh-ed25519 AAAA\n");
 * ```
 */
export function appendKnownHostsLine(text: string, line: string): string {
  if (/[\r\n]/.test(line)) throw new TypeError("Line must not contain line breaks");
  const eol = fileEnding(text);
  const glue = text.length > 0 && !text.endsWith("\n") ? eol : "";
  return text + glue + line + eol;
}

/**
 * The outcome of {@linkcode removeKnownHost}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeKnownHost, type RemoveResult } from "@hush/hostkeys";
 * const r: RemoveResult = removeKnownHost("old ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz\n# kept\n", "old");
 * assert.equal(r.text, "# kept\n");
 * assert.equal(r.removed.length, 1);
 * ```
 */
export interface RemoveResult {
  /** The new file text. */
  readonly text: string;
  /** The lines taken out. */
  readonly removed: readonly KnownHostsLine[];
}

/**
 * Removes every key line that applies to a name, as `ssh-keygen -R` does: plain and hashed
 * lines whose host field matches (a line listing several hosts goes as a whole). Lines with
 * `@cert-authority` or `@revoked` markers, comments, blank and invalid lines stay, and every
 * line that stays keeps its exact bytes and line ending.
 *
 * @param text The file text.
 * @param name The known_hosts name (see {@linkcode knownHostsName}).
 * @returns The new text and the removed lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { removeKnownHost } from "@hush/hostkeys";
 * const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBGX6k3DrIAR0fhNHg5YGd5pYYrP5vwP9VR3sKv3YZJz";
 * const r = removeKnownHost(`# keep\r\na.example ${key}\r\nb.example ${key}`, "a.example");
 * assert.equal(r.text, `# keep\r\nb.example ${key}`);
 * assert.equal(r.removed[0].number, 2);
 * ```
 */
export function removeKnownHost(text: string, name: string): RemoveResult {
  const removed: KnownHostsLine[] = [];
  let out = "";
  for (const l of parseKnownHosts(text).lines) {
    if (l.entry && l.entry.marker === undefined && entryAppliesTo(l.entry, name)) {
      removed.push(l);
      continue;
    }
    out += l.text + l.eol;
  }
  return { text: removed.length === 0 ? text : out, removed };
}
