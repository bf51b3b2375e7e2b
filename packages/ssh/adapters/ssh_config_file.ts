/**
 * OpenSSH's client configuration on disk (Deno, Node, Bun): the files `ssh` reads
 * (~/.ssh/config then /etc/ssh/ssh_config, or the one `-F` names), a reader that refuses a
 * user's file others may write to, the local user and host name for `%` tokens, and
 * `Match exec` through the shell for callers that allow it.
 * @module
 */
import { SshConfigError } from "../ssh_config_error.ts";
import { loadSshConfig, type SshConfigReader } from "../ssh_config_load.ts";
import { parseSshConfig, type SshConfigFile } from "../ssh_config_parse.ts";
import { resolveSshConfig, type SshConfig } from "../ssh_config_resolve.ts";
import {
  environmentVariable,
  environmentVariables,
  homeDirectory,
  listDirectory,
  nativeLocalNames,
  readTextFile,
  statFile,
} from "./files.ts";

/**
 * A `node:` module (Deno, Node, Bun) reached on first use through `process.getBuiltinModule`,
 * not a static import: loading `node:child_process` costs `ssh` ~30 ms of start-up on Deno,
 * and only `Match exec` needs it.
 */
function builtin<T>(id: string): T {
  const proc = (globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
  }).process;
  const m = proc?.getBuiltinModule?.(id) as T | undefined;
  if (!m) throw new TypeError(`${id} is not available on this runtime`);
  return m;
}

/**
 * An {@linkcode SshConfigReader} over the local files. A private file (a user's own
 * configuration, any included file) that others may write to is refused, as OpenSSH refuses
 * it ("Bad owner or permissions").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileSshConfigReader } from "@hush/ssh/adapters";
 * const reader = fileSshConfigReader();
 * assert.equal(await reader.readFile("/surely/not/there", { private: true }), undefined);
 * ```
 */
export function fileSshConfigReader(): SshConfigReader {
  return {
    async readFile(path, options) {
      const text = await readTextFile(path);
      if (text === undefined || !options.private) return text;
      const info = await statFile(path);
      // others may write to it: anyone could make ssh run their ProxyCommand
      if (info && (info.mode & 0o002) !== 0) {
        throw new SshConfigError(`Bad owner or permissions on ${path}`, { file: path, line: 0 });
      }
      return text;
    },
    listDirectory,
  };
}

/**
 * Who and where the local side is, for `%u`, `%d`, `%i`, `%l` and `~`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localSshIdentity } from "@hush/ssh/adapters";
 * assert.equal(typeof localSshIdentity().localUser, "string");
 * ```
 */
export function localSshIdentity(): {
  localUser: string;
  home: string;
  uid?: number;
  localHostname: string;
} {
  let user: { username?: string; uid?: number } | undefined;
  let host = "";
  const native = nativeLocalNames();
  if (native) {
    user = native;
    host = native.hostname;
  } else {
    try {
      user = builtin<typeof import("node:os")>("node:os").userInfo();
    } catch { /* no passwd entry */ }
    try {
      host = builtin<typeof import("node:os")>("node:os").hostname();
    } catch { /* not allowed */ }
  }
  return {
    localUser: user?.username ?? environmentVariable("USER") ?? environmentVariable("USERNAME") ??
      "root",
    home: homeDirectory(),
    uid: user?.uid !== undefined && user.uid >= 0 ? user.uid : undefined,
    localHostname: host,
  };
}

/**
 * Runs a `Match exec` command as OpenSSH does: through the user's shell (`$SHELL`, else
 * `/bin/sh`) with stdin and stdout on /dev/null; true when it exits 0. Pass it as the `exec`
 * of {@linkcode resolveSshConfig} only for configuration files you trust to run commands.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shellMatchExec } from "@hush/ssh/adapters";
 * assert.equal(shellMatchExec("true"), true);
 * assert.equal(shellMatchExec("false"), false);
 * ```
 */
export function shellMatchExec(command: string): boolean {
  const shell = environmentVariable("SHELL") || "/bin/sh";
  const { spawnSync } = builtin<typeof import("node:child_process")>("node:child_process");
  const r = spawnSync(shell, ["-c", command], { stdio: ["ignore", "ignore", "inherit"] });
  return r.status === 0;
}

/** Options for {@linkcode readSshConfigFiles}. */
export interface ReadSshConfigFilesOptions {
  /** `ssh -F`: this file instead of the user's and the system's; `none` for no file at all. */
  configFile?: string;
  /** The user's file (`~/.ssh/config`). */
  userFile?: string;
  /** The system's file (`/etc/ssh/ssh_config`). */
  systemFile?: string;
  /** The home directory (`$HOME`). */
  home?: string;
  /** The local user, for `~user`. */
  localUser?: string;
  /** Environment, for `${VAR}` checks. */
  env?: Record<string, string | undefined>;
}

/**
 * Reads the configuration files `ssh` reads, with their Includes: the `-F` file alone (an
 * error when it is missing, as in OpenSSH; `none` reads nothing), else ~/.ssh/config and
 * /etc/ssh/ssh_config, each only when it exists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSshConfigFiles } from "@hush/ssh/adapters";
 * assert.deepEqual(await readSshConfigFiles({ configFile: "none" }), []);
 * ```
 */
export async function readSshConfigFiles(
  options: ReadSshConfigFilesOptions = {},
): Promise<SshConfigFile[]> {
  const reader = fileSshConfigReader();
  const home = options.home ?? homeDirectory();
  const common = { reader, home, localUser: options.localUser, env: options.env };
  if (options.configFile !== undefined) {
    if (options.configFile.toLowerCase() === "none") return [];
    const file = await loadSshConfig(options.configFile, { ...common, user: true });
    if (!file) {
      throw new SshConfigError(
        `Can't open user config file ${options.configFile}: No such file or directory`,
        { file: options.configFile, line: 0 },
      );
    }
    return [file];
  }
  const user = await loadSshConfig(options.userFile ?? "~/.ssh/config", {
    ...common,
    user: true,
    private: true,
  });
  const system = await loadSshConfig(options.systemFile ?? "/etc/ssh/ssh_config", {
    ...common,
    user: false,
  });
  return [user, system].filter((f): f is SshConfigFile => f !== undefined);
}

/** Options for {@linkcode readSshConfig}. */
export interface ReadSshConfigOptions extends ReadSshConfigFilesOptions {
  /** `-o` options, in order (`"Port 2222"`, `"User=me"`), which come before the files. */
  options?: string[];
  /** Let `Match exec` run commands through the shell (off: such a line is an error). */
  allowExec?: boolean;
}

/**
 * The settings OpenSSH's `ssh` would use for `host`: the configuration files read and
 * resolved for it, with the local user, home and host name filled in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSshConfig, sshConfigConnectOptions } from "@hush/ssh";
 * import { writeTextFile } from "@hush/ssh/adapters";
 * const file = `${Deno.makeTempDirSync()}/config`;
 * await writeTextFile(file, "Host db\n  HostName db.internal\n  Port 2222\n");
 * const config = await readSshConfig("db", { configFile: file }); // as ssh -F file db
 * const options = sshConfigConnectOptions(config); // for connect(), with your keys added
 * assert.equal(options.hostname, "db.internal");
 * assert.equal(options.port, 2222);
 * ```
 */
export async function readSshConfig(
  host: string,
  options: ReadSshConfigOptions = {},
): Promise<SshConfig> {
  const local = localSshIdentity();
  const home = options.home ?? local.home;
  const env = options.env ?? environmentVariables();
  const files = await readSshConfigFiles({ ...options, home, localUser: local.localUser, env });
  const commandLine = options.options?.length
    ? parseSshConfig(options.options.join("\n"), {
      file: "command-line",
      commandLine: true,
      env,
    })
    : undefined;
  return resolveSshConfig({
    host,
    files,
    commandLine,
    ...local,
    home,
    env,
    exec: options.allowExec ? shellMatchExec : undefined,
  });
}
