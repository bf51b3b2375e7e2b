/**
 * The Hush sshd's `internal-sftp`: the `sftp` subsystem served in-process over the session
 * channel, from the runtime's own files, as OpenSSH's `internal-sftp` does (its `-R`, `-u` and
 * `-d` flags, and `ChrootDirectory` as the root nothing escapes).
 * @module
 */
import type { ServerSession } from "@hush/channels";
import { serveSftp } from "@hush/sftp";
import { homeDirectory } from "../adapters/files.ts";
import { localFileSystem } from "../adapters/local_file_system.ts";
import type { ServerContext } from "../server_context.ts";
import { UsageError } from "./ssh_args.ts";
import { expandAuthorizedKeysPath } from "./sshd_config.ts";

/**
 * What an `internal-sftp` command line asks for.
 *
 * @example
 * ```ts
 * import type { InternalSftpFlags } from "./sshd_sftp.ts";
 * const flags: InternalSftpFlags = { readOnly: true, umask: 0o077 };
 * ```
 */
export interface InternalSftpFlags {
  /** `-R`: refuse every change. */
  readOnly?: boolean;
  /** `-u umask` (octal). */
  umask?: number;
  /** `-d dir`: the starting directory (%h, %u), instead of the home directory. */
  startDirectory?: string;
}

/**
 * The flags of a Subsystem command when it is `internal-sftp`, else `undefined` (a command to
 * run). Logging flags (`-e`, `-f`, `-l`) are taken and ignored; others are a UsageError.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { internalSftpFlags } from "./sshd_sftp.ts";
 * assert.deepEqual(internalSftpFlags("internal-sftp -R -u 027"), { readOnly: true, umask: 23 });
 * assert.equal(internalSftpFlags("/usr/lib/openssh/sftp-server"), undefined);
 * ```
 */
export function internalSftpFlags(command: string): InternalSftpFlags | undefined {
  const [program, ...words] = command.trim().split(/\s+/);
  if (program !== "internal-sftp") return undefined;
  const flags: InternalSftpFlags = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const value = () => {
      if (i + 1 >= words.length) throw new UsageError(`internal-sftp: ${w} needs a value`);
      return words[++i];
    };
    if (w === "-R") flags.readOnly = true;
    else if (w === "-e") continue;
    else if (w === "-f" || w === "-l") value();
    else if (w === "-u") {
      const u = value();
      if (!/^[0-7]{1,4}$/.test(u)) throw new UsageError(`internal-sftp: bad umask '${u}'`);
      flags.umask = parseInt(u, 8);
    } else if (w === "-d") flags.startDirectory = value();
    else throw new UsageError(`internal-sftp: unsupported flag ${w}`);
  }
  return flags;
}

/**
 * Serves the `sftp` subsystem on `session` until the client ends it, then sends exit status 0
 * and closes the channel. Paths start at the home directory (or `-d`); under `chroot` the
 * client sees that directory as `/` and nothing outside it.
 *
 * @example Not run here: it needs a server session and the user's files
 * ```ts ignore
 * session.canStart = (start) => start.request === "subsystem" && start.name === "sftp";
 * session.onSubsystem = () => serveInternalSftp(session, context, {}, undefined, console.error);
 * ```
 */
export async function serveInternalSftp(
  session: ServerSession,
  context: ServerContext,
  flags: InternalSftpFlags,
  chroot: string | undefined,
  trace: (line: string) => void,
): Promise<void> {
  const home = homeDirectory();
  const user = context.user.user;
  const expand = (p: string) => expandAuthorizedKeysPath(p, user, home);
  const root = chroot === undefined ? undefined : expand(chroot);
  const start = flags.startDirectory === undefined ? undefined : expand(flags.startDirectory);
  const id = session.id;
  if (chroot !== undefined && root === undefined) {
    trace(`session ${id}: ChrootDirectory ${chroot} cannot expand for user '${user}'`);
    await session.exit(1).catch(() => {});
    return;
  }
  trace(
    `session ${id}: subsystem sftp (internal${root ? `, chroot ${root}` : ""}${
      flags.readOnly ? ", read-only" : ""
    })`,
  );
  try {
    await serveSftp(session, {
      fs: localFileSystem(),
      root,
      home: start ?? (root === undefined ? home : "/"),
      user,
      readOnly: flags.readOnly,
      umask: flags.umask,
      trace: (line) => trace(`session ${id}: sftp: ${line}`),
    });
  } finally {
    trace(`session ${id}: sftp session ended`);
    await session.exit(0).catch(() => {});
  }
}
