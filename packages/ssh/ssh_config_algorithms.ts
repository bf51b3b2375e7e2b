/**
 * The algorithm list options of ssh_config (Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms,
 * PubkeyAcceptedAlgorithms): a list replaces Hush's default, `+list` appends to it, `-list`
 * removes from it (wildcards allowed), `^list` puts the names first, as OpenSSH's
 * `kex_assemble_names`. A name OpenSSH knows but Hush does not implement (`aes128-cbc`,
 * `umac-64@openssh.com`, …) is accepted in a file and left out of the result, so one old
 * router's `Host` block does not break every other connection.
 * @module
 */
import { CIPHERS, DEFAULT_CIPHERS, DEFAULT_MACS, MACS } from "@hush/cipher";
import { matchHostPatternList } from "@hush/hostkeys";
import { DEFAULT_KEX, KEX_METHODS } from "@hush/kex";
import { CERTIFICATE_ALGORITHMS, SIGNATURE_ALGORITHMS } from "@hush/keys";
import { DEFAULT_HOST_KEY_ALGORITHMS, DEFAULT_SERVER_SIG_ALGS } from "@hush/transport";

/**
 * The five algorithm list options.
 *
 * @example
 * ```ts
 * import type { AlgorithmOption } from "./ssh_config_algorithms.ts";
 * const option: AlgorithmOption = "Ciphers";
 * ```
 */
export type AlgorithmOption =
  | "Ciphers"
  | "MACs"
  | "KexAlgorithms"
  | "HostKeyAlgorithms"
  | "PubkeyAcceptedAlgorithms";

const KEY_NAMES = [
  "ssh-ed25519",
  "ssh-ed25519-cert-v01@openssh.com",
  "sk-ssh-ed25519@openssh.com",
  "sk-ssh-ed25519-cert-v01@openssh.com",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp256-cert-v01@openssh.com",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp384-cert-v01@openssh.com",
  "ecdsa-sha2-nistp521",
  "ecdsa-sha2-nistp521-cert-v01@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
  "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
  "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
  "ssh-dss",
  "ssh-dss-cert-v01@openssh.com",
  "ssh-rsa",
  "ssh-rsa-cert-v01@openssh.com",
  "rsa-sha2-256",
  "rsa-sha2-256-cert-v01@openssh.com",
  "rsa-sha2-512",
  "rsa-sha2-512-cert-v01@openssh.com",
];

/** Every name OpenSSH knows for each option, in its order (`ssh -Q cipher`, …). */
const OPENSSH_NAMES: Record<AlgorithmOption, readonly string[]> = {
  Ciphers: [
    "3des-cbc",
    "aes128-cbc",
    "aes192-cbc",
    "aes256-cbc",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
  ],
  MACs: [
    "hmac-sha1",
    "hmac-sha1-96",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-md5",
    "hmac-md5-96",
    "umac-64@openssh.com",
    "umac-128@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "hmac-sha1-96-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-md5-etm@openssh.com",
    "hmac-md5-96-etm@openssh.com",
    "umac-64-etm@openssh.com",
    "umac-128-etm@openssh.com",
  ],
  KexAlgorithms: [
    "diffie-hellman-group1-sha1",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha1",
    "diffie-hellman-group-exchange-sha256",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "sntrup761x25519-sha512",
    "sntrup761x25519-sha512@openssh.com",
    "mlkem768x25519-sha256",
  ],
  HostKeyAlgorithms: KEY_NAMES,
  PubkeyAcceptedAlgorithms: KEY_NAMES,
};

const KEY_IMPLEMENTED = [
  ...Object.keys(SIGNATURE_ALGORITHMS),
  ...Object.keys(CERTIFICATE_ALGORITHMS),
];

/** What Hush implements for each option. */
const IMPLEMENTED: Record<AlgorithmOption, readonly string[]> = {
  Ciphers: Object.keys(CIPHERS),
  MACs: Object.keys(MACS),
  KexAlgorithms: KEX_METHODS,
  HostKeyAlgorithms: KEY_IMPLEMENTED,
  PubkeyAcceptedAlgorithms: KEY_IMPLEMENTED,
};

/**
 * Hush's default list for each option (OpenSSH 10's, less what Hush leaves out).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ALGORITHM_DEFAULTS } from "./ssh_config_algorithms.ts";
 * assert.equal(ALGORITHM_DEFAULTS.Ciphers[0], "chacha20-poly1305@openssh.com");
 * ```
 */
export const ALGORITHM_DEFAULTS: Readonly<Record<AlgorithmOption, readonly string[]>> = Object
  .freeze({
    Ciphers: DEFAULT_CIPHERS,
    MACs: DEFAULT_MACS,
    KexAlgorithms: DEFAULT_KEX,
    HostKeyAlgorithms: DEFAULT_HOST_KEY_ALGORITHMS,
    PubkeyAcceptedAlgorithms: [
      ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => a.includes("-cert-")),
      ...DEFAULT_SERVER_SIG_ALGS,
    ],
  });

/** The names a list may pick from, in OpenSSH's order, then those only Hush has. */
function universe(option: AlgorithmOption): string[] {
  const implemented = IMPLEMENTED[option];
  const ordered = OPENSSH_NAMES[option].filter((n) => implemented.includes(n));
  return [...ordered, ...implemented.filter((n) => !ordered.includes(n))];
}

/** How OpenSSH words a bad list for each option. */
const BAD_SPEC: Record<AlgorithmOption, string> = {
  Ciphers: "Bad SSH2 cipher spec",
  MACs: "Bad SSH2 MAC spec",
  KexAlgorithms: "Bad SSH2 KexAlgorithms",
  HostKeyAlgorithms: "Bad key types",
  PubkeyAcceptedAlgorithms: "Bad key types",
};

/**
 * Checks an algorithm list as OpenSSH does when it reads the line: without a leading `-`,
 * every name must be one OpenSSH or Hush knows (for the two key options a wildcard must match
 * one). Returns OpenSSH's complaint, or `undefined` when the list is good.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAlgorithmSpec } from "./ssh_config_algorithms.ts";
 * assert.equal(checkAlgorithmSpec("Ciphers", "+aes128-cbc"), undefined);
 * assert.equal(checkAlgorithmSpec("Ciphers", "aes*"), "Bad SSH2 cipher spec 'aes*'.");
 * ```
 */
export function checkAlgorithmSpec(option: AlgorithmOption, spec: string): string | undefined {
  if (spec.startsWith("-")) return undefined;
  const list = spec.startsWith("+") || spec.startsWith("^") ? spec.slice(1) : spec;
  const known = new Set([...OPENSSH_NAMES[option], ...IMPLEMENTED[option]]);
  const keys = option === "HostKeyAlgorithms" || option === "PubkeyAcceptedAlgorithms";
  // as OpenSSH's strsep loops, an empty name ends the check
  for (const name of list.split(",")) {
    if (name === "") break;
    if (known.has(name)) continue;
    if (keys && [...known].some((k) => matchHostPatternList(k, name, EXACT) !== "none")) continue;
    return `${BAD_SPEC[option]} '${spec}'.`;
  }
  return undefined;
}

const EXACT = { caseSensitive: true };

/** `a` then the names of `b` not already there (OpenSSH's `kex_names_cat`). */
function namesCat(a: string[], b: string[]): string[] {
  if (a.length === 0) return [...b];
  const out = [...a];
  for (const name of b) if (!out.includes(name)) out.push(name);
  return out;
}

/**
 * Resolves an algorithm list option against Hush's defaults and what Hush implements, as
 * OpenSSH's `kex_assemble_names`. Returns the names in order; an empty result is the
 * caller's error (nothing left to offer).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assembleAlgorithms } from "./ssh_config_algorithms.ts";
 * assert.deepEqual(assembleAlgorithms("Ciphers", "-aes*"), ["chacha20-poly1305@openssh.com"]);
 * assert.equal(assembleAlgorithms("MACs", "^hmac-sha1")[0], "hmac-sha1");
 * assert.deepEqual(assembleAlgorithms("Ciphers", "aes128-cbc,aes128-ctr"), ["aes128-ctr"]);
 * ```
 */
export function assembleAlgorithms(option: AlgorithmOption, spec?: string): string[] {
  const defaults = [...ALGORITHM_DEFAULTS[option]];
  if (spec === undefined || spec === "") return defaults;
  let list: string[];
  const names = spec.slice(1).split(",");
  if (spec.startsWith("+")) {
    list = namesCat(defaults, names.filter((n) => n !== ""));
  } else if (spec.startsWith("-")) {
    const filter = spec.slice(1);
    return defaults.filter((name) => matchHostPatternList(name, filter, EXACT) !== "match");
  } else if (spec.startsWith("^")) {
    list = namesCat(names.filter((n) => n !== ""), defaults);
  } else {
    list = spec.split(",");
  }
  const all = universe(option);
  let out: string[] = [];
  for (const pattern of list) {
    if (pattern.startsWith("!")) return []; // negation is not allowed here
    const matching = all.filter((name) => matchHostPatternList(name, pattern, EXACT) === "match");
    out = namesCat(out, matching);
  }
  return out;
}
