/**
 * Public key lines: the `.pub` file and `authorized_keys` formats
 * (`[options] type base64 [comment]`).
 * @module
 */
import { KeyError } from "./errors.ts";
import { parseBase64 } from "./encoding.ts";
import type { PublicKey } from "./public_key.ts";
import { parsePublicKey } from "./parse_public_key.ts";
import { CERTIFIED_KEY_TYPE, PLAIN_KEY_ALGORITHMS } from "./signature_algorithms.ts";

/**
 * A parsed public key line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, parsePublicKeyLine, type PublicKeyLine } from "@hush/keys";
 * const key = (await generateKey("ssh-ed25519")).publicKey;
 * const line: PublicKeyLine = parsePublicKeyLine(`no-pty ${key.toString("bob")}`);
 * assert.equal(line.options, "no-pty");
 * assert.equal(line.comment, "bob");
 * ```
 */
export interface PublicKeyLine {
  /** The key. */
  key: PublicKey;
  /** The comment after the key (may contain spaces), or `""`. */
  comment: string;
  /** The `authorized_keys` options before the key, verbatim (quotes kept), if any. */
  options?: string;
}

/**
 * Longest line accepted (as OpenSSH's authorized_keys reader, 16 KiB of RSA-16384 base64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KeyError, parsePublicKeyLine, PUBLIC_KEY_LINE_LIMIT } from "@hush/keys";
 * try {
 *   parsePublicKeyLine("x".repeat(PUBLIC_KEY_LINE_LIMIT + 1));
 * } catch (e) {
 *   assert.equal(e instanceof KeyError, true);
 * }
 * ```
 */
export const PUBLIC_KEY_LINE_LIMIT = 65536;

function isKeyType(name: string): boolean {
  return name in PLAIN_KEY_ALGORITHMS || name in CERTIFIED_KEY_TYPE;
}

function parseKeyPart(text: string): { key: PublicKey; comment: string } | undefined {
  const m = /^(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/s.exec(text);
  const type = m ? m[1] : text.split(/[ \t]/, 1)[0];
  if (!isKeyType(type)) return undefined;
  if (!m) throw new KeyError(`Invalid ${type} key line: missing base64 key`);
  const key = parsePublicKey(parseBase64(m[2], "key base64"));
  if (key.type !== type) {
    throw new KeyError(`Invalid key line: ${type} names a ${key.type} key`);
  }
  return { key, comment: (m[3] ?? "").trim() };
}

/**
 * Parses one `.pub` or `authorized_keys` line: optional options (comma-separated, with
 * double-quoted values that may hold commas, spaces and `\"`), the key type, the base64 blob
 * and an optional comment. The options string is returned verbatim; the comment keeps its
 * inner spaces. A blank or `#` line, an unknown key type, bad base64, a type that does not
 * match the blob, or an unterminated quote is a {@linkcode KeyError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey, parsePublicKeyLine } from "@hush/keys";
 * const key = (await generateKey("ssh-ed25519")).publicKey;
 * const line = `from="10.0.0.0/8,192.168.1.1",command="echo hi there" ${key.toString("me@host")}`;
 * const parsed = parsePublicKeyLine(line);
 * assert.equal(parsed.options, "from=\"10.0.0.0/8,192.168.1.1\",command=\"echo hi there\"");
 * assert.equal(parsed.comment, "me@host");
 * assert.equal(parsed.key.equals(key), true);
 * ```
 */
export function parsePublicKeyLine(line: string): PublicKeyLine {
  if (line.length > PUBLIC_KEY_LINE_LIMIT) {
    throw new KeyError(`Public key line is longer than ${PUBLIC_KEY_LINE_LIMIT} characters`);
  }
  const text = line.replace(/^[ \t]+/, "").replace(/[\r\n]+$/, "");
  if (text === "" || text.startsWith("#")) throw new KeyError("Not a public key line");
  const plain = parseKeyPart(text);
  if (plain) return plain;

  let i = 0;
  let quoted = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === "\\" && text[i + 1] === '"') {
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && (c === " " || c === "\t")) {
      break;
    }
  }
  if (quoted) throw new KeyError("Invalid key line: unterminated quoted option");
  const options = text.slice(0, i);
  const rest = text.slice(i).replace(/^[ \t]+/, "");
  const withOptions = rest ? parseKeyPart(rest) : undefined;
  if (!withOptions) {
    throw new KeyError("Invalid key line: no supported key type found");
  }
  return { ...withOptions, options };
}
