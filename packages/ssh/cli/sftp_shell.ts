/**
 * What `sftp`'s commands share: the session and working directories they run in (`SftpShell`),
 * what a command gives back, its flags, and errors in OpenSSH's words.
 * @module
 */
import { type SftpClient, SftpError, type SftpFileSystem } from "@hush/sftp";
import { SshError } from "@hush/wire";
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
export const ERRNO_TEXT: Record<string, string> = {
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

/** Parses `-x` flags of a command from `flags`; the rest are its operands. */
export function commandFlags(
  words: string[],
  allowed: string,
): { flags: Set<string>; args: string[] } {
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
