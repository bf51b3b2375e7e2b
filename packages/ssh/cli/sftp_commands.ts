/**
 * The commands of interactive and batch `sftp`, as OpenSSH's `sftp(1)` has them: `ls`, `cd`,
 * `lcd`, `pwd`, `lpwd`, `get`/`reget`, `put`/`reput`, `mkdir`, `lmkdir`, `rmdir`, `rm`,
 * `rename`, `ln [-s]`/`symlink`, `chmod`, `df`, `version`, `progress`, `help`, `exit`; their
 * messages worded as OpenSSH words them.
 * @module
 */
import {
  FileType,
  isDirectoryMode,
  isRegularFileMode,
  longname,
  normalizePath,
  type SftpClient,
  type SftpDirEntry,
  SftpError,
  type SftpFileSystem,
  StatusCode,
  type StatVfs,
  type TransferProgress,
} from "@hush/sftp";
import { SshError } from "@hush/wire";
import { ProgressMeter } from "./progress_meter.ts";
import { UsageError } from "./ssh_args.ts";

/** What the commands work with: the session, both working directories, the output. */
export interface SftpShell {
  sftp: SftpClient;
  local: SftpFileSystem;
  /** The remote working directory (absolute). */
  remoteDir: string;
  /** Where `cd` with no argument goes. */
  remoteHome: string;
  /** The local working directory (absolute). */
  localDir: string;
  /** The local home, for `~` in local paths. */
  localHome: string;
  /** `-r`, `-p`, `-a`, `-f` given on the command line: defaults for get and put. */
  defaults: { recursive: boolean; preserve: boolean; resume: boolean; fsync: boolean };
  /** `-B` and `-R`. */
  chunkSize?: number;
  concurrency?: number;
  /** Draw the progress meter (a terminal, not batch, not -q). */
  progress: boolean;
  /** Say "Fetching …"/"Uploading …" (not in batch mode or with -q). */
  verbose: boolean;
  /** Terminal width. */
  width: number;
  out(text: string): void;
  err(text: string): void;
}

/** What a command did: go on (`ok` or `fail`), or end the session. */
export type CommandResult = "ok" | "fail" | "quit";

/** OpenSSH's words for each status code (fx2txt). */
const FX_TEXT = [
  "No error",
  "End of file",
  "No such file or directory",
  "Permission denied",
  "Failure",
  "Bad message",
  "No connection",
  "Connection lost",
  "Operation unsupported",
];

/** strerror for the codes a local file system throws. */
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EEXIST: "File exists",
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
  ENOTEMPTY: "Directory not empty",
  ENOSPC: "No space left on device",
  EROFS: "Read-only file system",
  ELOOP: "Too many levels of symbolic links",
};

/** The words for an error, as OpenSSH prints them after a colon. */
export function errorText(e: unknown): string {
  if (e instanceof SftpError) {
    if (e.cause && !(e.cause instanceof SshError) && (e.cause as { code?: string }).code) {
      return errorText(e.cause);
    }
    return FX_TEXT[e.statusCode] ?? `Unknown status ${e.statusCode}`;
  }
  const code = (e as { code?: string })?.code;
  if (code && ERRNO_TEXT[code]) return ERRNO_TEXT[code];
  return (e as Error)?.message ?? String(e);
}

/** The help text (`help`, `?`). */
export const SFTP_HELP = `Available commands:
bye                                Quit sftp
cd path                            Change remote directory to 'path'
chmod [-h] mode path               Change permissions of file 'path' to 'mode'
df [-hi] [path]                    Display statistics for current directory or
                                   filesystem containing 'path'
exit                               Quit sftp
get [-afpR] remote [local]         Download file
help                               Display this help text
lcd path                           Change local directory to 'path'
lmkdir path                        Create local directory
ln [-s] oldpath newpath            Link remote file (-s for symlink)
lpwd                               Print local working directory
ls [-1afhlnrSt] [path]             Display remote directory listing
mkdir path                         Create remote directory
progress                           Toggle display of progress meter
put [-afpR] local [remote]         Upload file
pwd                                Display remote working directory
quit                               Quit sftp
reget [-fpR] remote [local]        Resume download file
rename oldpath newpath             Rename remote file
reput [-fpR] local [remote]        Resume upload file
rm path                            Delete remote file
rmdir path                         Remove remote directory
symlink oldpath newpath            Symlink remote file
version                            Show SFTP version
?                                  Synonym for help
`;

/**
 * Splits a command line into words as OpenSSH's sftp does: blanks separate, `'…'` and `"…"`
 * quote, a backslash escapes the next character. An unterminated quote is an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitCommand } from "./sftp_commands.ts";
 * assert.deepEqual(
 *   splitCommand(`put "my file" 'dir/x y' a\\ b`),
 *   ["put", "my file", "dir/x y", "a b"],
 * );
 * ```
 */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
      continue;
    }
    if (c === " " || c === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'" || c === '"') quote = c;
    else if (c === "\\" && i + 1 < line.length) word += line[++i];
    else word += c;
  }
  if (quote) throw new UsageError("Unterminated quote");
  if (inWord) words.push(word);
  return words;
}

/** Whether a path holds glob characters. */
function hasGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/** A glob of one path segment as a regular expression (`*`, `?`, `[…]`). */
function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let set = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
        if (set.startsWith("!")) set = "^" + set.slice(1);
        re += `[${set}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1) || trimmed;
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** Parses `-x` flags of a command from `flags`; the rest are its operands. */
function commandFlags(words: string[], allowed: string): { flags: Set<string>; args: string[] } {
  const flags = new Set<string>();
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i];
    if (w === "--") {
      i++;
      break;
    }
    if (!w.startsWith("-") || w === "-") break;
    for (const f of w.slice(1)) {
      if (!allowed.includes(f)) throw new UsageError(`Invalid flag -${f}`);
      flags.add(f);
    }
  }
  return { flags, args: words.slice(i) };
}

/** A remote path made absolute against the working directory (`~` expanded by the server). */
async function remotePath(shell: SftpShell, path: string): Promise<string> {
  if (path === "~" || path.startsWith("~/") || /^~[^/]+/.test(path)) {
    return await shell.sftp.expandPath(path);
  }
  return path.startsWith("/") ? path : join(shell.remoteDir, path);
}

/** A local path made absolute against the local working directory (`~` is the home). */
function localPath(shell: SftpShell, path: string): string {
  if (path === "~" || path.startsWith("~/")) path = shell.localHome + path.slice(1);
  return normalizePath(path, shell.localDir);
}

/** Remote paths matching a glob in its last segment (sorted), or the path itself. */
async function remoteGlob(shell: SftpShell, path: string): Promise<string[]> {
  const abs = await remotePath(shell, path);
  if (!hasGlob(basename(abs))) return [abs];
  const dir = dirname(abs);
  const re = globRegExp(basename(abs));
  const names = (await shell.sftp.list(dir).catch(() => []))
    .map((e) => e.filename).filter((n) =>
      re.test(n) && (!n.startsWith(".") || basename(abs).startsWith("."))
    );
  return names.sort().map((n) => join(dir, n));
}

async function localGlob(shell: SftpShell, path: string): Promise<string[]> {
  const abs = localPath(shell, path);
  if (!hasGlob(basename(abs))) return [abs];
  const dir = dirname(abs);
  const re = globRegExp(basename(abs));
  const names = (await shell.local.readdir(dir).catch(() => [])).filter((n) => re.test(n));
  return names.sort().map((n) => join(dir, n));
}

/** A meter per file, started as progress arrives for it (recursive copies move many). */
function meters(shell: SftpShell, label: (path: string) => string) {
  let current: { path: string; meter: ProgressMeter } | undefined;
  return {
    onProgress: shell.progress
      ? (p: TransferProgress) => {
        if (current?.path !== p.path) {
          current?.meter.finish();
          current = {
            path: p.path,
            meter: new ProgressMeter(label(p.path), 0, p.total, {
              write: shell.out,
              width: shell.width,
            }),
          };
        }
        current.meter.update(p.transferred);
      }
      : undefined,
    done: () => {
      current?.meter.finish();
      current = undefined;
    },
  };
}

/**
 * Runs one command line. Errors are printed on `shell.err` in OpenSSH's words and give `fail`.
 *
 * @example Not run here: it needs an SFTP session to a server
 * ```ts ignore
 * const result = await runSftpCommand(shell, "get -p notes.txt");
 * ```
 */
export async function runSftpCommand(shell: SftpShell, line: string): Promise<CommandResult> {
  let words: string[];
  try {
    words = splitCommand(line.trim());
  } catch (e) {
    shell.err(`${(e as Error).message}\n`);
    return "fail";
  }
  if (words.length === 0 || words[0].startsWith("#")) return "ok";
  const [command, ...rest] = words;
  try {
    return await dispatch(shell, command, rest);
  } catch (e) {
    shell.err(`${(e as Error)?.message ?? e}\n`);
    return "fail";
  }
}

async function dispatch(
  shell: SftpShell,
  command: string,
  words: string[],
): Promise<CommandResult> {
  const { sftp } = shell;
  const fail = (message: string): CommandResult => {
    shell.err(message + "\n");
    return "fail";
  };
  switch (command) {
    case "bye":
    case "exit":
    case "quit":
      return "quit";
    case "help":
    case "?":
      shell.out(SFTP_HELP);
      return "ok";
    case "version":
      shell.out(`SFTP protocol version ${sftp.version}\n`);
      return "ok";
    case "progress":
      shell.progress = !shell.progress;
      shell.out(`Progress meter ${shell.progress ? "enabled" : "disabled"}\n`);
      return "ok";
    case "pwd":
      shell.out(`Remote working directory: ${shell.remoteDir}\n`);
      return "ok";
    case "lpwd":
      shell.out(`Local working directory: ${shell.localDir}\n`);
      return "ok";
    case "cd": {
      const target = words[0] === undefined ? shell.remoteHome : await remotePath(shell, words[0]);
      let resolved: string;
      try {
        resolved = await sftp.realpath(target);
      } catch (e) {
        return fail(`realpath ${target}: ${errorText(e)}`);
      }
      try {
        const attrs = await sftp.stat(resolved);
        if (!isDirectoryMode(attrs.mode)) {
          return fail(`Can't change directory: "${resolved}" is not a directory`);
        }
      } catch (e) {
        return fail(`stat remote: ${errorText(e)}`);
      }
      shell.remoteDir = resolved;
      return "ok";
    }
    case "lcd": {
      const target = words[0] === undefined ? shell.localHome : localPath(shell, words[0]);
      try {
        const s = await shell.local.stat(target);
        if (!isDirectoryMode(s.mode)) {
          return fail(`Couldn't change local directory to "${target}": ${ERRNO_TEXT.ENOTDIR}`);
        }
      } catch (e) {
        return fail(`Couldn't change local directory to "${target}": ${errorText(e)}`);
      }
      shell.localDir = target;
      return "ok";
    }
    case "lmkdir": {
      if (!words[0]) return fail("You must specify a path after a lmkdir command.");
      const target = localPath(shell, words[0]);
      try {
        await shell.local.mkdir(target, 0o777);
      } catch (e) {
        return fail(`Couldn't create local directory "${target}": ${errorText(e)}`);
      }
      return "ok";
    }
    case "ls":
    case "dir":
      return await list(shell, words);
    case "get":
    case "reget":
      return await get(shell, words, command === "reget");
    case "put":
    case "reput":
      return await put(shell, words, command === "reput");
    case "mkdir": {
      if (!words[0]) return fail("You must specify a path after a mkdir command.");
      const path = await remotePath(shell, words[0]);
      try {
        await sftp.mkdir(path, { mode: 0o777 });
      } catch (e) {
        return fail(`remote mkdir "${path}": ${errorText(e)}`);
      }
      return "ok";
    }
    case "rmdir": {
      if (!words[0]) return fail("You must specify a path after a rmdir command.");
      const path = await remotePath(shell, words[0]);
      try {
        await sftp.rmdir(path);
      } catch (e) {
        return fail(`remote rmdir "${path}": ${errorText(e)}`);
      }
      return "ok";
    }
    case "rm": {
      if (!words[0]) return fail("You must specify a path after a rm command.");
      const paths = await remoteGlob(shell, words[0]);
      if (paths.length === 0) return fail(`File "${words[0]}" not found.`);
      let result: CommandResult = "ok";
      for (const path of paths) {
        if (shell.verbose) shell.out(`Removing ${path}\n`);
        try {
          await sftp.remove(path);
        } catch (e) {
          result = fail(`remote delete ${path}: ${errorText(e)}`);
        }
      }
      return result;
    }
    case "rename": {
      if (words.length !== 2) return fail("You must specify two paths after a rename command.");
      const [from, to] = [await remotePath(shell, words[0]), await remotePath(shell, words[1])];
      try {
        // as OpenSSH's sftp: posix-rename (which replaces) when the server has it
        await sftp.rename(from, to, { overwrite: sftp.supports("posix-rename@openssh.com") });
      } catch (e) {
        return fail(`remote rename "${from}" to "${to}": ${errorText(e)}`);
      }
      return "ok";
    }
    case "ln":
    case "symlink": {
      const { flags, args } = commandFlags(words, "s");
      if (args.length !== 2) return fail(`You must specify two paths after a ${command} command.`);
      const symbolic = command === "symlink" || flags.has("s");
      const to = await remotePath(shell, args[1]);
      try {
        if (symbolic) await sftp.symlink(args[0], to);
        else await sftp.hardlink(await remotePath(shell, args[0]), to);
      } catch (e) {
        return fail(
          `remote ${symbolic ? "symlink" : "link"} file "${args[0]}" to "${to}": ${errorText(e)}`,
        );
      }
      return "ok";
    }
    case "chmod": {
      const { args } = commandFlags(words, "h");
      if (args.length !== 2 || !/^[0-7]{1,4}$/.test(args[0])) {
        return fail("You must supply a numeric argument to the chmod command.");
      }
      const mode = parseInt(args[0], 8);
      const paths = await remoteGlob(shell, args[1]);
      if (paths.length === 0) return fail(`File "${args[1]}" not found.`);
      let result: CommandResult = "ok";
      for (const path of paths) {
        if (shell.verbose) shell.out(`Changing mode on ${path}\n`);
        try {
          await sftp.setstat(path, { mode });
        } catch (e) {
          result = fail(`remote setstat "${path}": ${errorText(e)}`);
        }
      }
      return result;
    }
    case "df": {
      const { flags, args } = commandFlags(words, "hi");
      const path = args[0] === undefined ? shell.remoteDir : await remotePath(shell, args[0]);
      if (!sftp.supports("statvfs@openssh.com")) {
        return fail("Server does not support statvfs@openssh.com extension");
      }
      let s: StatVfs;
      try {
        s = await sftp.statvfs(path);
      } catch (e) {
        return fail(`remote statvfs "${path}": ${errorText(e)}`);
      }
      shell.out(dfText(s, flags.has("h"), flags.has("i")));
      return "ok";
    }
    default:
      return fail("Invalid command.");
  }
}

/**
 * `df`'s table, as OpenSSH's sftp prints it: in KiB, `-h` scaled, `-i` inodes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dfText } from "./sftp_commands.ts";
 * const s = { blockSize: 4096, fragmentSize: 4096, blocks: 1000, blocksFree: 250, blocksAvailable: 200, files: 100, filesFree: 40, filesAvailable: 40, fsid: 0n, flag: 0, nameMax: 255 };
 * assert.equal(
 *   dfText(s, false, false).split("\n")[1],
 *   "        4000         3000          800         1000          75%",
 * );
 * ```
 */
export function dfText(s: StatVfs, human: boolean, inodes: boolean): string {
  const pct = (used: number, total: number) => total === 0 ? 0 : Math.floor((100 * used) / total);
  if (inodes) {
    const used = s.files - s.filesFree;
    return `${"Inodes".padStart(11)} ${"Used".padStart(11)} ${"Avail".padStart(11)} ${
      "(root)".padStart(11)
    } ${"%Capacity".padStart(12)}\n` +
      `${String(s.files).padStart(11)} ${String(used).padStart(11)} ${
        String(s.filesAvailable).padStart(11)
      } ${String(s.filesFree).padStart(11)} ${String(pct(used, s.files)).padStart(11)}%\n`;
  }
  const bytes = (blocks: number) => blocks * s.fragmentSize;
  const total = bytes(s.blocks), used = bytes(s.blocks - s.blocksFree);
  const avail = bytes(s.blocksAvailable), root = bytes(s.blocksFree);
  const capacity = pct(s.blocks - s.blocksFree, s.blocks);
  if (human) {
    return "    Size     Used    Avail   (root)    %Capacity\n" +
      `${scaled(total).padStart(7)}B ${scaled(used).padStart(7)}B ${scaled(avail).padStart(7)}B ${
        scaled(root).padStart(7)
      }B ${String(capacity).padStart(11)}%\n`;
  }
  const k = (n: number) => String(Math.floor(n / 1024)).padStart(12);
  return `${"Size".padStart(12)} ${"Used".padStart(12)} ${"Avail".padStart(12)} ${
    "(root)".padStart(12)
  } ${"%Capacity".padStart(12)}\n` +
    `${k(total)} ${k(used)} ${k(avail)} ${k(root)} ${String(capacity).padStart(11)}%\n`;
}

/** OpenBSD's fmt_scaled: at most three digits and a unit, one decimal below 100. */
function scaled(n: number): string {
  const units = ["", "K", "M", "G", "T", "P", "E"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return String(n);
  return v >= 100
    ? `${Math.round(v)}${units[i]}`
    : `${(Math.round(v * 10) / 10).toFixed(1)}${units[i]}`;
}

async function list(shell: SftpShell, words: string[]): Promise<CommandResult> {
  const { flags, args } = commandFlags(words, "1afhlnrSt");
  const given = args[0];
  const path = given === undefined ? shell.remoteDir : await remotePath(shell, given);
  const long = flags.has("l") || flags.has("n");
  const all = flags.has("a") || flags.has("f");
  let entries: { name: string; entry: SftpDirEntry }[];
  const prefix = given === undefined ? "" : given.replace(/\/+$/, "") + "/";
  if (hasGlob(basename(path))) {
    const matches = await remoteGlob(shell, given!);
    if (matches.length === 0) {
      shell.err(`Can't ls: "${given}" not found\n`);
      return "fail";
    }
    entries = [];
    for (const m of matches) {
      const attrs = await shell.sftp.lstat(m).catch(() => undefined);
      if (attrs) entries.push({ name: m, entry: { filename: basename(m), longname: "", attrs } });
    }
  } else {
    let attrs;
    try {
      attrs = await shell.sftp.stat(path);
    } catch (e) {
      shell.err(
        e instanceof SftpError && e.statusCode === StatusCode.NO_SUCH_FILE
          ? `Can't ls: "${path}" not found\n`
          : `Can't ls: "${path}": ${errorText(e)}\n`,
      );
      return "fail";
    }
    if (!isDirectoryMode(attrs.mode)) {
      entries = [{ name: given ?? path, entry: { filename: basename(path), longname: "", attrs } }];
    } else {
      const listed = await shell.sftp.list(path, { all });
      entries = listed
        .filter((e) => all || !e.filename.startsWith("."))
        .map((e) => ({ name: prefix + e.filename, entry: e }));
    }
  }
  if (!flags.has("f")) {
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (flags.has("S")) {
      entries.sort((a, b) => (b.entry.attrs.size ?? 0) - (a.entry.attrs.size ?? 0));
    }
    if (flags.has("t")) {
      entries.sort((a, b) => (b.entry.attrs.mtime ?? 0) - (a.entry.attrs.mtime ?? 0));
    }
    if (flags.has("r")) entries.reverse();
  }
  if (long) {
    // names for the ids of lines the server did not write (users-groups-by-id, when offered)
    const bare = entries.filter((e) => !e.entry.longname || flags.has("n"));
    const uids = [...new Set(bare.map((e) => e.entry.attrs.uid ?? 0))];
    const gids = [...new Set(bare.map((e) => e.entry.attrs.gid ?? 0))];
    let names = { users: uids.map(String), groups: gids.map(String) };
    if (!flags.has("n") && bare.length && shell.sftp.supports("users-groups-by-id@openssh.com")) {
      const got = await shell.sftp.usersGroupsById(uids, gids).catch(() => names);
      names = {
        users: got.users.map((u, i) => u || String(uids[i])),
        groups: got.groups.map((g, i) => g || String(gids[i])),
      };
    }
    for (const { name, entry } of entries) {
      if (entry.longname && !flags.has("n")) {
        shell.out(entry.longname + "\n");
        continue;
      }
      const a = entry.attrs;
      const user = names.users[uids.indexOf(a.uid ?? 0)];
      const group = names.groups[gids.indexOf(a.gid ?? 0)];
      const stats = { size: a.size ?? 0, mode: a.mode ?? FileType.REGULAR, mtime: a.mtime };
      shell.out(longname(name, stats, user, group, Date.now()) + "\n");
    }
    return "ok";
  }
  if (flags.has("1")) {
    for (const { name } of entries) shell.out(name + "\n");
    return "ok";
  }
  // columns, as OpenSSH: the widest name plus two, as many as fit the terminal
  const widest = entries.reduce((m, e) => Math.max(m, e.name.length), 0);
  const columns = Math.max(1, Math.floor(shell.width / (widest + 2)));
  const colspace = Math.min(Math.floor(shell.width / columns), shell.width);
  let out = "";
  entries.forEach((e, i) => {
    out += e.name.padEnd(colspace);
    if ((i + 1) % columns === 0) out += "\n";
  });
  if (entries.length % columns !== 0) out += "\n";
  shell.out(out);
  return "ok";
}

async function get(
  shell: SftpShell,
  words: string[],
  resumeCommand: boolean,
): Promise<CommandResult> {
  const { flags, args } = commandFlags(words, "afpRr");
  if (args.length === 0) {
    shell.err(
      `You must specify at least one path after a ${resumeCommand ? "reget" : "get"} command.\n`,
    );
    return "fail";
  }
  const d = shell.defaults;
  const recursive = d.recursive || flags.has("R") || flags.has("r");
  const preserve = d.preserve || flags.has("p");
  const resume = resumeCommand || d.resume || flags.has("a");
  const sources = await remoteGlob(shell, args[0]);
  if (sources.length === 0) {
    shell.err(`File "${args[0]}" not found.\n`);
    return "fail";
  }
  const target = args[1] === undefined ? shell.localDir : localPath(shell, args[1]);
  const targetIsDir = await shell.local.stat(target).then(
    (s) => isDirectoryMode(s.mode),
    () => false,
  );
  if (sources.length > 1 && !targetIsDir) {
    shell.err(`Multiple source paths, but destination "${target}" is not a directory\n`);
    return "fail";
  }
  let result: CommandResult = "ok";
  for (const source of sources) {
    const local = args[1] === undefined || targetIsDir ? join(target, basename(source)) : target;
    let attrs;
    try {
      attrs = await shell.sftp.stat(source);
    } catch (e) {
      shell.err(
        e instanceof SftpError && e.statusCode === StatusCode.NO_SUCH_FILE
          ? `File "${source}" not found.\n`
          : `stat remote "${source}": ${errorText(e)}\n`,
      );
      result = "fail";
      continue;
    }
    const dir = isDirectoryMode(attrs.mode);
    if (dir && !recursive) {
      shell.err(`Cannot download non-regular file: ${source}\n`);
      result = "fail";
      continue;
    }
    if (!dir && !isRegularFileMode(attrs.mode)) {
      shell.err(`Cannot download non-regular file: ${source}\n`);
      result = "fail";
      continue;
    }
    if (dir) shell.out(`Retrieving ${source}\n`);
    else if (shell.verbose) {
      shell.out(`${resume ? "Resuming" : "Fetching"} ${source} to ${local}\n`);
    }
    const meter = meters(shell, basename);
    try {
      await shell.sftp.fastGet(source, local, {
        fs: shell.local,
        recursive,
        preserve,
        resume,
        chunkSize: shell.chunkSize,
        concurrency: shell.concurrency,
        onProgress: meter.onProgress,
      });
    } catch (e) {
      meter.done();
      const path = e instanceof SftpError ? e.path ?? source : source;
      shell.err(`download "${path}" to "${local}": ${errorText(e)}\n`);
      result = "fail";
      continue;
    }
    meter.done();
  }
  return result;
}

async function put(
  shell: SftpShell,
  words: string[],
  resumeCommand: boolean,
): Promise<CommandResult> {
  const { flags, args } = commandFlags(words, "afpRr");
  if (args.length === 0) {
    shell.err(
      `You must specify at least one path after a ${resumeCommand ? "reput" : "put"} command.\n`,
    );
    return "fail";
  }
  const d = shell.defaults;
  const recursive = d.recursive || flags.has("R") || flags.has("r");
  const preserve = d.preserve || flags.has("p");
  const resume = resumeCommand || d.resume || flags.has("a");
  const fsync = d.fsync || flags.has("f");
  const sources = await localGlob(shell, args[0]);
  if (sources.length === 0) {
    shell.err(`File "${args[0]}" not found.\n`);
    return "fail";
  }
  const target = args[1] === undefined ? shell.remoteDir : await remotePath(shell, args[1]);
  const targetIsDir = await shell.sftp.stat(target).then(
    (a) => isDirectoryMode(a.mode),
    () => false,
  );
  if (sources.length > 1 && !targetIsDir) {
    shell.err(`Multiple paths match, but destination "${target}" is not a directory\n`);
    return "fail";
  }
  let result: CommandResult = "ok";
  for (const source of sources) {
    const remote = args[1] === undefined || targetIsDir ? join(target, basename(source)) : target;
    let stats;
    try {
      stats = await shell.local.stat(source);
    } catch (e) {
      shell.err(`stat ${source}: ${errorText(e)}\n`);
      result = "fail";
      continue;
    }
    const dir = isDirectoryMode(stats.mode);
    if ((dir && !recursive) || (!dir && !isRegularFileMode(stats.mode))) {
      shell.err(`Skipping non-regular file ${source}\n`);
      result = "fail";
      continue;
    }
    if (shell.verbose) {
      shell.out(`${resume ? "Resuming upload of" : "Uploading"} ${source} to ${remote}\n`);
    }
    const meter = meters(shell, basename);
    try {
      await shell.sftp.fastPut(source, remote, {
        fs: shell.local,
        recursive,
        preserve,
        resume,
        fsync,
        chunkSize: shell.chunkSize,
        concurrency: shell.concurrency,
        onProgress: meter.onProgress,
      });
    } catch (e) {
      meter.done();
      shell.err(`upload "${source}" to "${remote}": ${errorText(e)}\n`);
      result = "fail";
      continue;
    }
    meter.done();
  }
  return result;
}
