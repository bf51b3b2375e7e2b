/**
 * Command-line parsing for `hush keygen`, following OpenSSH's `ssh-keygen(1)` where the flags
 * overlap.
 * @module
 */
import { UsageError } from "./ssh_args.ts";

/** What `keygen` was asked to do. */
export type KeygenMode =
  | "generate"
  | "fingerprint"
  | "public"
  | "change-passphrase"
  | "convert"
  | "password";

/** What `keygen [-q] [-t type] [-b bits] [-N pass] [-C comment] [-f file]` asked for. */
export interface KeygenArgs {
  mode: KeygenMode;
  /** `-t`: `ed25519`, `ecdsa` or `rsa` (default ed25519). */
  type: "ed25519" | "ecdsa" | "rsa";
  /** `-b`: RSA modulus size or ECDSA curve size. */
  bits?: number;
  /** `-f`: the key file. */
  file?: string;
  /** `-N`: the new passphrase (empty: none) of a generated key, `-p` or `-i`. */
  passphrase?: string;
  /** `-P`: the passphrase of an existing key (`-y`, `-p`, `-i`). */
  oldPassphrase?: string;
  /** `-C`: the comment. */
  comment?: string;
  /** `-E`: fingerprint hash for `-l`. */
  hash: "sha256" | "md5";
  quiet: boolean;
  /** `-v` with `-l`: also draw the randomart. */
  verbose: number;
  /** `--password [user]`: the user name to put before the hash. */
  user?: string;
}

const USAGE = "usage: keygen [-q] [-t ed25519 | ecdsa | rsa] [-b bits] [-N new_passphrase] " +
  "[-C comment] [-f output_keyfile]\n       keygen -l [-v] [-E fingerprint_hash] [-f input_keyfile]\n" +
  "       keygen -y [-P passphrase] [-f input_keyfile]\n" +
  "       keygen -p [-P old_passphrase] [-N new_passphrase] [-f keyfile]\n" +
  "       keygen -i [-P passphrase] [-N new_passphrase] -f input_keyfile\n" +
  "       keygen --password [user]";

/**
 * Parses `keygen`'s command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKeygenArgs } from "./keygen_args.ts";
 * const a = parseKeygenArgs(["-t", "rsa", "-b", "4096", "-N", "", "-f", "/tmp/k"]);
 * assert.equal(a.mode, "generate");
 * assert.equal(a.type, "rsa");
 * assert.equal(a.bits, 4096);
 * assert.equal(a.passphrase, "");
 * assert.equal(a.file, "/tmp/k");
 * ```
 */
export function parseKeygenArgs(argv: string[]): KeygenArgs {
  const a: KeygenArgs = {
    mode: "generate",
    type: "ed25519",
    hash: "sha256",
    quiet: false,
    verbose: 0,
  };
  let i = 0;
  const value = (flag: string) => {
    if (i + 1 >= argv.length) throw new UsageError(`Option ${flag} needs an argument\n${USAGE}`);
    return argv[++i];
  };
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--password") {
      a.mode = "password";
      continue;
    }
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    for (let j = 1; j < arg.length; j++) {
      const f = arg[j];
      const rest = arg.slice(j + 1);
      const take = (flag: string) => {
        j = arg.length;
        return rest ? rest : value(flag);
      };
      switch (f) {
        case "q":
          a.quiet = true;
          break;
        case "v":
          a.verbose++;
          break;
        case "l":
          a.mode = "fingerprint";
          break;
        case "y":
          a.mode = "public";
          break;
        case "p":
          a.mode = "change-passphrase";
          break;
        case "i":
          a.mode = "convert";
          break;
        case "t": {
          const t = take("-t").toLowerCase();
          if (t !== "ed25519" && t !== "ecdsa" && t !== "rsa") {
            throw new UsageError(`unknown key type ${t}`);
          }
          a.type = t;
          break;
        }
        case "b": {
          const b = take("-b");
          if (!/^\d+$/.test(b)) throw new UsageError(`Bits has bad value ${b} (invalid)`);
          a.bits = Number(b);
          break;
        }
        case "f":
          a.file = take("-f");
          break;
        case "N":
          a.passphrase = take("-N");
          break;
        case "P":
          a.oldPassphrase = take("-P");
          break;
        case "C":
          a.comment = take("-C");
          break;
        case "E": {
          const h = take("-E").toLowerCase();
          if (h !== "sha256" && h !== "md5") throw new UsageError(`Invalid hash algorithm "${h}"`);
          a.hash = h;
          break;
        }
        default:
          throw new UsageError(`unknown option -- ${f}\n${USAGE}`);
      }
    }
  }
  const rest = argv.slice(i);
  if (a.mode === "password" && rest.length <= 1) {
    a.user = rest[0];
  } else if (rest.length) {
    throw new UsageError(`Too many arguments.\n${USAGE}`);
  }
  const flag = { fingerprint: "l", public: "y", "change-passphrase": "p", convert: "i" } as const;
  if (a.mode in flag && a.file === undefined) {
    throw new UsageError(`-${flag[a.mode as keyof typeof flag]} needs -f file\n${USAGE}`);
  }
  if (a.mode === "generate" && a.bits !== undefined) keyTypeName(a.type, a.bits);
  return a;
}

/**
 * The SSH key type name for `-t` and `-b`, checking the size as ssh-keygen does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyTypeName } from "./keygen_args.ts";
 * assert.equal(keyTypeName("ecdsa", 384), "ecdsa-sha2-nistp384");
 * ```
 */
export function keyTypeName(
  type: "ed25519" | "ecdsa" | "rsa",
  bits?: number,
):
  | "ssh-ed25519"
  | "ecdsa-sha2-nistp256"
  | "ecdsa-sha2-nistp384"
  | "ecdsa-sha2-nistp521"
  | "ssh-rsa" {
  switch (type) {
    case "ed25519":
      return "ssh-ed25519";
    case "ecdsa": {
      const b = bits ?? 256;
      if (b !== 256 && b !== 384 && b !== 521) {
        throw new UsageError("Invalid ECDSA key length: valid lengths are 256, 384 or 521 bits");
      }
      return `ecdsa-sha2-nistp${b}`;
    }
    case "rsa":
      if (bits !== undefined && (bits < 1024 || bits > 16384)) {
        throw new UsageError(
          `Invalid RSA key length: ${bits < 1024 ? "minimum is 1024" : "maximum is 16384"}`,
        );
      }
      return "ssh-rsa";
  }
}
