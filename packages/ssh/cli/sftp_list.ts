/**
 * `sftp`'s `ls`: names in columns, `-1`, or long lines (the server's, or made here with names
 * for ids from `users-groups-by-id@openssh.com`), sorted as OpenSSH's `sftp` sorts them.
 * @module
 */
import {
  FileType,
  isDirectoryMode,
  longname,
  type SftpDirEntry,
  SftpError,
  StatusCode,
} from "@hush/sftp";
import { commandFlags, type CommandResult, errorText, type SftpShell } from "./sftp_shell.ts";
import { basename, hasGlob, remoteGlob, remotePath } from "./sftp_paths.ts";

/** `ls [-1afhlnrSt] [path]`. */
export async function list(shell: SftpShell, words: string[]): Promise<CommandResult> {
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
