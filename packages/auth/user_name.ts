/**
 * The user name a client asks to log in as is the first peer-chosen string a server acts on:
 * it reaches file paths (`AuthorizedKeysFile %u`), logs and the application's callbacks. The
 * authenticator refuses a name that could leave a directory or forge a log line before anything
 * else sees it, as OpenSSH's sshd answers "Invalid user" for a name it cannot look up.
 * @module
 */

/**
 * The longest user name accepted, in UTF-8 bytes (Linux's `LOGIN_NAME_MAX` less its NUL).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { USER_NAME_LIMIT } from "@hush/auth";
 * assert.equal(USER_NAME_LIMIT, 255);
 * ```
 */
export const USER_NAME_LIMIT = 255;

const encoder = new TextEncoder();

/**
 * Why `user` cannot be a user name, or `undefined` when it can. Refused: the empty name, names
 * over {@linkcode USER_NAME_LIMIT} bytes, path separators (`/`, `\`), `..` anywhere, a leading
 * `-` (it would read as an option on a command line), and control characters (C0, DEL, C1),
 * NUL among them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { userNameProblem } from "@hush/auth";
 * assert.equal(userNameProblem("alice"), undefined);
 * assert.equal(userNameProblem("../../tmp/keys"), "it contains a path separator");
 * ```
 */
export function userNameProblem(user: string): string | undefined {
  if (user.length === 0) return "it is empty";
  // A UTF-16 length over the limit is over it in UTF-8 too: no need to encode a huge name.
  if (user.length > USER_NAME_LIMIT || encoder.encode(user).length > USER_NAME_LIMIT) {
    return `it is longer than ${USER_NAME_LIMIT} bytes`;
  }
  if (/[/\\]/.test(user)) return "it contains a path separator";
  if (user.includes("..")) return "it contains '..'";
  if (user.startsWith("-")) return "it starts with '-'";
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f-\x9f]/.test(user)) return "it contains a control character";
  return undefined;
}

/**
 * A peer-chosen string made safe for one log line or a terminal: control characters become
 * escapes (`\n`, `\x1b`) and anything past `max` characters becomes `…`, as OpenSSH passes
 * what it logs and prints through strnvis. Applying it twice changes nothing more.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printable } from "@hush/auth";
 * assert.equal(printable("root\nFake log line"), "root\\nFake log line"); // one line, escaped
 * ```
 */
export function printable(text: string, max = 256): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  // deno-lint-ignore no-control-regex
  const escaped = cut.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => {
    switch (c) {
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
    }
  });
  return cut.length < text.length ? `${escaped}…` : escaped;
}
