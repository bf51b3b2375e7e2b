/**
 * `sftp`'s `get`/`reget` and `put`/`reput`: globs, directories with `-r`, `-p`, resume, fsync,
 * and a progress meter per file.
 * @module
 */
import {
  isDirectoryMode,
  isRegularFileMode,
  SftpError,
  StatusCode,
  type TransferProgress,
} from "@hush/sftp";
import { ProgressMeter } from "./progress_meter.ts";
import { commandFlags, type CommandResult, errorText, type SftpShell } from "./sftp_shell.ts";
import { basename, join, localGlob, localPath, remoteGlob, remotePath } from "./sftp_paths.ts";

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
 * The paths and options of a get or put line (`-a`, `-f`, `-p`, `-R`/`-r`, over the command
 * line's defaults; `reget`/`reput` resume); undefined, said on `err`, without a path.
 */
function transferOptions(shell: SftpShell, words: string[], command: string) {
  const { flags, args } = commandFlags(words, "afpRr");
  if (args.length === 0) {
    shell.err(`You must specify at least one path after a ${command} command.\n`);
    return undefined;
  }
  const d = shell.defaults;
  return {
    args,
    recursive: d.recursive || flags.has("R") || flags.has("r"),
    preserve: d.preserve || flags.has("p"),
    resume: command.startsWith("re") || d.resume || flags.has("a"),
    fsync: d.fsync || flags.has("f"),
  };
}

/** `get`, or `reget` (resume) when `resumeCommand`. */
export async function get(
  shell: SftpShell,
  words: string[],
  resumeCommand: boolean,
): Promise<CommandResult> {
  const options = transferOptions(shell, words, resumeCommand ? "reget" : "get");
  if (!options) return "fail";
  const { args, recursive, preserve, resume } = options;
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

/** `put`, or `reput` (resume) when `resumeCommand`. */
export async function put(
  shell: SftpShell,
  words: string[],
  resumeCommand: boolean,
): Promise<CommandResult> {
  const options = transferOptions(shell, words, resumeCommand ? "reput" : "put");
  if (!options) return "fail";
  const { args, recursive, preserve, resume, fsync } = options;
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
