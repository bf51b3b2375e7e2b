/**
 * The authorized_keys format (sshd(8) AUTHORIZED_KEYS FILE FORMAT): parsing lines with their
 * options, and a `publickey` callback for the server authenticator that checks keys and user
 * certificates against such a file.
 * @module
 */
import { checkCertificate, parsePublicKeyLine, type PublicKey } from "@hush/keys";
import { matchAddressPatterns } from "./address_match.ts";

/**
 * The effective options of an authorized_keys line (after `restrict` and the options that
 * re-enable what it restricts), or of an accepted user certificate. The connection layer
 * enforces the `no*` flags, `command`, `environment`, `permitOpen` and `permitListen`.
 *
 * @example
 * ```ts
 * import type { AuthorizedKeyOptions } from "@hush/auth";
 * const forced: AuthorizedKeyOptions = { command: "backup --serve", noPty: true, noPortForwarding: true };
 * ```
 */
export interface AuthorizedKeyOptions {
  /** Forced command (`command="…"`, or a certificate's `force-command`). */
  command?: string;
  /** Refuse pty allocation. */
  noPty?: boolean;
  /** Refuse TCP forwarding (-L, -R, -D). */
  noPortForwarding?: boolean;
  /** Refuse agent forwarding. */
  noAgentForwarding?: boolean;
  /** Refuse X11 forwarding. */
  noX11Forwarding?: boolean;
  /** Do not run ~/.ssh/rc. */
  noUserRc?: boolean;
  /** `environment="NAME=value"` settings, in order. */
  environment?: string[];
  /** `permitopen="host:port"` destinations allowed for -L. */
  permitOpen?: string[];
  /** `permitlisten="[host:]port"` listeners allowed for -R. */
  permitListen?: string[];
  /** `from="…"` patterns the client address must match. */
  from?: string[];
  /** `principals="…"`: with `cert-authority`, names one of which a certificate must carry. */
  principals?: string[];
  /** `cert-authority`: the key is a CA trusted to sign user certificates. */
  certAuthority?: boolean;
  /** `expiry-time="YYYYMMDD[HHMM[SS]]"` as milliseconds since the epoch (read as UTC). */
  expiryTime?: number;
}

/**
 * One usable line of an authorized_keys file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AuthorizedKey, parseAuthorizedKeys } from "@hush/auth";
 * const [first]: AuthorizedKey[] = parseAuthorizedKeys(
 *   "no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMrcTV3+ZxotqMke6CbvLHQ+Lo/Xx2uwiDdXQ9hxevTG bob",
 * ).keys;
 * assert.equal(first.line, 1);
 * assert.equal(first.comment, "bob");
 * assert.deepEqual(first.options, { noPty: true });
 * ```
 */
export interface AuthorizedKey {
  /** The key (for `cert-authority` lines, the CA key). */
  key: PublicKey;
  /** The comment after the key. */
  comment: string;
  /** The line's effective options. */
  options: AuthorizedKeyOptions;
  /** 1-based line number. */
  line: number;
}

/**
 * What {@linkcode parseAuthorizedKeys} returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AuthorizedKeys, parseAuthorizedKeys } from "@hush/auth";
 * const file: AuthorizedKeys = parseAuthorizedKeys("# nothing yet\n");
 * assert.equal(file.keys.length, 0);
 * assert.equal(file.refused.length, 0);
 * ```
 */
export interface AuthorizedKeys {
  /** The usable lines, in file order. */
  keys: AuthorizedKey[];
  /** Lines that were refused (unknown option, bad quoting, unparseable key) and why. */
  refused: { line: number; reason: string }[];
}

/** Flags and the effective option each sets; `restrict` sets every `true` one. */
const FLAGS: Record<string, [keyof AuthorizedKeyOptions, boolean] | undefined> = {
  "no-pty": ["noPty", true],
  "pty": ["noPty", false],
  "no-port-forwarding": ["noPortForwarding", true],
  "port-forwarding": ["noPortForwarding", false],
  "no-agent-forwarding": ["noAgentForwarding", true],
  "agent-forwarding": ["noAgentForwarding", false],
  "no-x11-forwarding": ["noX11Forwarding", true],
  "x11-forwarding": ["noX11Forwarding", false],
  "no-user-rc": ["noUserRc", true],
  "user-rc": ["noUserRc", false],
};

/**
 * Longest authorized_keys line read, in characters (1 MiB): a longer line is refused unread.
 * It leaves room for {@linkcode AUTHORIZED_KEYS_MAX_PERMITS} `permitopen` and as many
 * `permitlisten` destinations of ordinary length; OpenSSH's sshd reads lines of any length, but
 * Hush serves every client from one process, so one file must not stall the others.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AUTHORIZED_KEYS_LINE_LIMIT, parseAuthorizedKeys } from "@hush/auth";
 * const { refused } = parseAuthorizedKeys("no-pty,".repeat(AUTHORIZED_KEYS_LINE_LIMIT / 7 + 1));
 * assert.equal(refused[0].reason, "Line is longer than 1048576 characters");
 * ```
 */
export const AUTHORIZED_KEYS_LINE_LIMIT = 1 << 20;

/**
 * Most `permitopen` destinations one line may list, and most `permitlisten` ones (4096 each, as
 * OpenSSH's `SSH_AUTHOPT_PERMIT_MAX`); a line with more is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AUTHORIZED_KEYS_MAX_PERMITS } from "@hush/auth";
 * assert.equal(AUTHORIZED_KEYS_MAX_PERMITS, 4096);
 * ```
 */
export const AUTHORIZED_KEYS_MAX_PERMITS = 4096;

/**
 * Most `environment` options one line may hold (1024, as OpenSSH's `SSH_AUTHOPT_ENV_MAX`); a
 * line with more is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AUTHORIZED_KEYS_MAX_ENVIRONMENT } from "@hush/auth";
 * assert.equal(AUTHORIZED_KEYS_MAX_ENVIRONMENT, 1024);
 * ```
 */
export const AUTHORIZED_KEYS_MAX_ENVIRONMENT = 1024;

/**
 * Parses an authorized_keys file. Blank lines and `#` comments are skipped. A line with an
 * option this parser does not understand is refused (listed in `refused`, never used), so that
 * a restriction is never silently dropped. So is a line past a bound: longer than
 * {@linkcode AUTHORIZED_KEYS_LINE_LIMIT}, more than {@linkcode AUTHORIZED_KEYS_MAX_PERMITS}
 * `permitopen` or `permitlisten` destinations, more than
 * {@linkcode AUTHORIZED_KEYS_MAX_ENVIRONMENT} `environment` options, or `command`, `from` or
 * `principals` more than once (as OpenSSH's sshd refuses them). Parsing takes time linear in
 * the file's length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAuthorizedKeys } from "@hush/auth";
 * const text = [
 *   'restrict,pty,from="10.0.0.0/8" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMrcTV3+ZxotqMke6CbvLHQ+Lo/Xx2uwiDdXQ9hxevTG alice',
 *   "tunnel=\"0\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMrcTV3+ZxotqMke6CbvLHQ+Lo/Xx2uwiDdXQ9hxevTG",
 * ].join("\n");
 * const { keys, refused } = parseAuthorizedKeys(text);
 * assert.equal(keys[0].options.noPty, false);
 * assert.equal(keys[0].options.noPortForwarding, true);
 * assert.deepEqual(refused, [{ line: 2, reason: "Unsupported option tunnel" }]);
 * ```
 */
export function parseAuthorizedKeys(text: string): AuthorizedKeys {
  const out: AuthorizedKeys = { keys: [], refused: [] };
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const result = line.length > AUTHORIZED_KEYS_LINE_LIMIT
      ? `Line is longer than ${AUTHORIZED_KEYS_LINE_LIMIT} characters`
      : parseLine(line);
    if (typeof result === "string") out.refused.push({ line: i + 1, reason: result });
    else out.keys.push({ ...result, line: i + 1 });
  }
  return out;
}

function parseLine(line: string): Omit<AuthorizedKey, "line"> | string {
  let parsed: { key: PublicKey; comment: string; options?: string } | undefined;
  try {
    parsed = parsePublicKeyLine(line);
  } catch {
    parsed = undefined;
  }
  let optionText = parsed?.options;
  if (parsed === undefined) {
    const split = splitOptions(line);
    if (typeof split === "string") return split;
    optionText = split.options;
    try {
      parsed = parsePublicKeyLine(split.rest);
    } catch {
      return "Cannot parse the key";
    }
  }
  const options = optionText === undefined || optionText === "" ? {} : parseOptions(optionText);
  if (typeof options === "string") return options;
  return { key: parsed.key, comment: parsed.comment, options };
}

/** Splits the leading options (up to the first space outside quotes) from the key. */
function splitOptions(line: string): { options: string; rest: string } | string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\" && quoted && line[i + 1] === '"') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === " " || c === "\t")) {
      return { options: line.slice(0, i), rest: line.slice(i + 1).trim() };
    }
  }
  return quoted ? "Unterminated quote in options" : "No key after the options";
}

/** An option name, matched where the previous option ended. */
const OPTION_NAME = /[A-Za-z0-9_-]+/y;

/**
 * Parses an option list into effective options, or returns why it is refused. One pass over
 * the text: values are cut with `indexOf`, lists grow in place.
 */
function parseOptions(text: string): AuthorizedKeyOptions | string {
  const options: AuthorizedKeyOptions = {};
  let i = 0;
  while (i < text.length) {
    OPTION_NAME.lastIndex = i;
    const nameMatch = OPTION_NAME.exec(text);
    if (!nameMatch) return `Malformed options at column ${i + 1}`;
    const name = nameMatch[0].toLowerCase();
    i = OPTION_NAME.lastIndex;
    let value: string | undefined;
    if (text[i] === "=") {
      if (text[i + 1] !== '"') return `Option ${name} needs a quoted value`;
      const quoted = quotedValue(text, i + 2);
      if (quoted === undefined) return `Unterminated quote in option ${name}`;
      [value, i] = quoted;
    }
    if (i < text.length) {
      if (text[i] !== ",") return `Malformed options after ${name}`;
      i++;
    }
    const problem = applyOption(options, name, value);
    if (problem) return problem;
  }
  return options;
}

/**
 * The value of a quoted option that starts at `start` (after its opening quote) with `\"` read
 * as `"`, and the index after its closing quote; `undefined` when it is not closed.
 */
function quotedValue(text: string, start: number): [string, number] | undefined {
  let value = "";
  let from = start;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return undefined;
    if (quote > start && text[quote - 1] === "\\") {
      value += text.slice(from, quote - 1) + '"';
      from = quote + 1;
    } else {
      return [value + text.slice(from, quote), quote + 1];
    }
  }
}

/** The options that take a value. */
const VALUED = new Set([
  "command",
  "from",
  "principals",
  "environment",
  "permitopen",
  "permitlisten",
  "expiry-time",
]);

function applyOption(
  o: AuthorizedKeyOptions,
  name: string,
  value: string | undefined,
): string | undefined {
  const flag = FLAGS[name];
  if (flag) {
    if (value !== undefined) return `Option ${name} takes no value`;
    (o as Record<string, unknown>)[flag[0]] = flag[1];
    return undefined;
  }
  if (name === "restrict" || name === "cert-authority") {
    if (value !== undefined) return `Option ${name} takes no value`;
    if (name === "cert-authority") o.certAuthority = true;
    else {o.noPty =
        o.noPortForwarding =
        o.noAgentForwarding =
        o.noX11Forwarding =
        o.noUserRc =
          true;}
    return undefined;
  }
  if (!VALUED.has(name)) return `Unsupported option ${name}`;
  if (value === undefined) return `Option ${name} needs a value`;
  switch (name) {
    case "command":
      if (o.command !== undefined) return "Option command given more than once";
      o.command = value;
      return undefined;
    case "from":
      if (o.from !== undefined) return "Option from given more than once";
      o.from = splitList(value) ?? [];
      return undefined;
    case "principals":
      if (o.principals !== undefined) return "Option principals given more than once";
      o.principals = splitList(value) ?? [];
      return undefined;
    case "environment":
      if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) return "Malformed environment option";
      o.environment ??= [];
      if (o.environment.length >= AUTHORIZED_KEYS_MAX_ENVIRONMENT) {
        return `More than ${AUTHORIZED_KEYS_MAX_ENVIRONMENT} environment options`;
      }
      o.environment.push(value);
      return undefined;
    case "permitopen":
      return addPermits(o.permitOpen ??= [], name, value);
    case "permitlisten":
      return addPermits(o.permitListen ??= [], name, value);
    case "expiry-time": {
      const time = parseExpiry(value);
      if (time === undefined) return "Malformed expiry-time option";
      o.expiryTime = o.expiryTime === undefined ? time : Math.min(o.expiryTime, time);
      return undefined;
    }
    default:
      return `Unsupported option ${name}`;
  }
}

/** Appends a `permitopen`/`permitlisten` value's destinations to `list`, within the bound. */
function addPermits(list: string[], name: string, value: string): string | undefined {
  for (const entry of value.split(",")) {
    const destination = entry.trim();
    if (destination === "") continue;
    if (list.length >= AUTHORIZED_KEYS_MAX_PERMITS) {
      return `More than ${AUTHORIZED_KEYS_MAX_PERMITS} ${name} destinations`;
    }
    list.push(destination);
  }
  return undefined;
}

function parseExpiry(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(t);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return t;
}

/**
 * Where a checker gets the authorized_keys text for a user.
 *
 * @example
 * ```ts
 * import type { AuthorizedKeysSource } from "@hush/auth";
 * const files = new Map<string, string>([["alice", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMrcTV3+ZxotqMke6CbvLHQ+Lo/Xx2uwiDdXQ9hxevTG"]]);
 * const source: AuthorizedKeysSource = (user) => files.get(user);
 * ```
 */
export type AuthorizedKeysSource =
  | string
  | AuthorizedKeys
  | ((
    user: string,
  ) => string | AuthorizedKeys | undefined | Promise<string | AuthorizedKeys | undefined>);

/**
 * What a `publickey` callback is told besides the user and the verified key.
 *
 * @example
 * ```ts
 * import type { PublickeyContext } from "@hush/auth";
 * const context: PublickeyContext = { remoteAddress: "192.0.2.7", now: Date.now() };
 * ```
 */
export interface PublickeyContext {
  /** The client's address, when the server knows it. */
  remoteAddress?: string;
  /** The current time in milliseconds since the epoch. */
  now: number;
  /**
   * `false` while the client only asks whether the key would be accepted (a query, answered
   * with PK_OK or a failure); `true` once its signature verified. Accept or refuse the same way
   * in both; only act on a login when `signed` is true.
   */
  signed?: boolean;
}

/**
 * Makes a `publickey` callback for {@linkcode authenticateServer} that accepts a key listed in
 * authorized_keys (or a user certificate signed by a `cert-authority` line) and returns the
 * line's options. Honours `from=` against the client address, `expiry-time=`, and for
 * certificates `principals=` (else the user name must be a principal), validity, type,
 * `source-address` and `force-command`. Lines are tried in order; the first that accepts wins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { authorizedKeysChecker } from "@hush/auth";
 * import { generateKey } from "@hush/keys";
 * const key = await generateKey("ssh-ed25519");
 * const check = authorizedKeysChecker(`from="10.0.0.0/8",no-pty ${key.publicKey.toString()}`);
 * assert.deepEqual(
 *   await check("alice", key.publicKey, { remoteAddress: "10.1.2.3", now: Date.now() }),
 *   { from: ["10.0.0.0/8"], noPty: true },
 * );
 * assert.equal(
 *   await check("alice", key.publicKey, { remoteAddress: "192.0.2.1", now: Date.now() }),
 *   false,
 * );
 * ```
 */
export function authorizedKeysChecker(
  source: AuthorizedKeysSource,
  options: { trace?: (line: string) => void } = {},
): (
  user: string,
  key: PublicKey,
  context?: PublickeyContext,
) => Promise<AuthorizedKeyOptions | false> {
  const trace = options.trace ?? (() => {});
  return async (user, key, context = { now: Date.now() }) => {
    const loaded = typeof source === "function" ? await source(user) : source;
    if (loaded === undefined) return false;
    const file = typeof loaded === "string" ? parseAuthorizedKeys(loaded) : loaded;
    for (const entry of file.keys) {
      const accepted = checkEntry(entry, user, key, context);
      if (typeof accepted === "string") {
        if (accepted !== "") trace(`authorized_keys line ${entry.line}: ${accepted}`);
        continue;
      }
      trace(`Matching key found: line ${entry.line}`);
      return accepted;
    }
    return false;
  };
}

/** The options that apply when `entry` accepts `key`; a string (empty: no match) otherwise. */
function checkEntry(
  entry: AuthorizedKey,
  user: string,
  key: PublicKey,
  context: PublickeyContext,
): AuthorizedKeyOptions | string {
  const o = entry.options;
  const cert = key.certificate;
  let result: AuthorizedKeyOptions = { ...o };
  if (o.certAuthority) {
    if (!cert || !cert.signatureKey.equals(entry.key)) return "";
    try {
      checkCertificate(cert, { type: "user", now: context.now });
    } catch (e) {
      return `certificate refused: ${e instanceof Error ? e.message : String(e)}`;
    }
    const names = new Set(o.principals ?? [user]);
    if (!cert.principals.some((p) => names.has(p))) {
      return "certificate principals do not match";
    }
    const sourceAddress = cert.sourceAddress ??
      splitList(cert.criticalOptions.get("source-address"));
    if (sourceAddress && !matchAddressPatterns(context.remoteAddress, sourceAddress)) {
      return "certificate source-address does not match the client";
    }
    const forced = cert.forceCommand ?? cert.criticalOptions.get("force-command");
    if (forced !== undefined) {
      if (o.command !== undefined && o.command !== forced) {
        return "certificate force-command conflicts with command=";
      }
      result.command = forced;
    }
    result = withExtensions(result, cert.extensions);
  } else {
    if (cert || !entry.key.equals(key)) return "";
  }
  if (o.from && !matchAddressPatterns(context.remoteAddress, o.from)) {
    return `from= does not match ${context.remoteAddress ?? "an unknown address"}`;
  }
  if (o.expiryTime !== undefined && context.now >= o.expiryTime) {
    return "key has expired (expiry-time)";
  }
  return result;
}

/** A certificate grants only the features its extensions permit. */
function withExtensions(
  o: AuthorizedKeyOptions,
  extensions: Map<string, string>,
): AuthorizedKeyOptions {
  const out = { ...o };
  if (!extensions.has("permit-pty")) out.noPty = true;
  if (!extensions.has("permit-port-forwarding")) out.noPortForwarding = true;
  if (!extensions.has("permit-agent-forwarding")) out.noAgentForwarding = true;
  if (!extensions.has("permit-X11-forwarding")) out.noX11Forwarding = true;
  if (!extensions.has("permit-user-rc")) out.noUserRc = true;
  return out;
}

function splitList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(",").map((s) => s.trim()).filter(Boolean);
}
