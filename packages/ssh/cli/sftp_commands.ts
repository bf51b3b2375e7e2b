/**
 * The commands of interactive and batch `sftp`, as OpenSSH's `sftp(1)` has them: `ls`, `cd`,
 * `lcd`, `pwd`, `lpwd`, `get`/`reget`, `put`/`reput`, `mkdir`, `lmkdir`, `rmdir`, `rm`,
 * `rename`, `ln [-s]`/`symlink`, `chmod`, `df`, `version`, `progress`, `help`, `exit`; their
 * messages worded as OpenSSH words them.
 * @module
 */
import { isDirectoryMode, type StatVfs } from "@hush/sftp";
import { UsageError } from "./ssh_args.ts";
import { list } from "./sftp_list.ts";
import { localPath, remoteGlob, remotePath } from "./sftp_paths.ts";
import {
  commandFlags,
  type CommandResult,
  ERRNO_TEXT,
  errorText,
  type SftpShell,
} from "./sftp_shell.ts";
import { get, put } from "./sftp_transfer_commands.ts";

export { type CommandResult, errorText, type SftpShell } from "./sftp_shell.ts";

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
