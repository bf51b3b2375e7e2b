/**
 * `scp`: copies files over SFTP with OpenSSH's `scp(1)` syntax (as OpenSSH's own scp does since
 * 9.0), `-r` for directories, `-p` for modes and times:
 *
 * ```sh
 * deno task scp -- -P 2222 report.pdf me@host:/srv/reports/
 * deno task scp -- -rp me@host:photos ./backup/
 * ```
 *
 * The progress meter is drawn on a terminal only (not with `-q`). Exit status: 0, 1 when a file
 * could not be copied (the others still are), 255 when the connection failed, as OpenSSH's scp.
 * @module
 */
import {
  isDirectoryMode,
  isRegularFileMode,
  normalizePath,
  type SftpClient,
  SftpError,
  StatusCode,
} from "@hush/sftp";
import { localFileSystem } from "../adapters/local_file_system.ts";
import { errorText } from "./sftp_commands.ts";
import {
  parseRemote,
  parseScpArgs,
  type RemoteSpec,
  type ScpArgs,
  setDestination,
} from "./sftp_args.ts";
import { openSftp, sftpSettings } from "./sftp_connection.ts";
import { ProgressMeter } from "./progress_meter.ts";
import { SshConfigError } from "../ssh_config_error.ts";
import { UsageError } from "./ssh_args.ts";
import { err } from "./ssh_io.ts";

const encoder = new TextEncoder();

function out(text: string): void {
  const bytes = encoder.encode(text);
  for (let off = 0; off < bytes.length;) off += Deno.stdout.writeSync(bytes.subarray(off));
}

function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1) || trimmed;
}

function join(dir: string, name: string): string {
  return dir === "" ? name : dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** A remote path as the server takes it: `~` expanded, empty meaning the home directory. */
async function remotePath(sftp: SftpClient, path: string): Promise<string> {
  if (path === "" || path === "~") return await sftp.realpath(".");
  if (path.startsWith("~")) return await sftp.expandPath(path);
  return path;
}

/**
 * Runs `scp` with these arguments and resolves with its exit status.
 *
 * @example Not run here: it needs an SSH server
 * ```ts ignore
 * import { scpMain } from "./scp.ts";
 * Deno.exit(await scpMain(["-r", "dir", "me@127.0.0.1:/tmp/"]));
 * ```
 */
export async function scpMain(argv: string[]): Promise<number> {
  let args: ScpArgs;
  try {
    args = parseScpArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const target = parseRemote(args.target);
  const sources = args.sources.map((s) => ({ operand: s, remote: parseRemote(s) }));
  let upload: boolean;
  let host: RemoteSpec;
  if (target && sources.every((s) => !s.remote)) {
    upload = true;
    host = target;
  } else if (!target && sources.every((s) => s.remote)) {
    upload = false;
    host = sources[0].remote!;
    const other = sources.find((s) =>
      s.remote!.host !== host.host || s.remote!.user !== host.user || s.remote!.port !== host.port
    );
    if (other) {
      err("scp: copies from more than one host are not supported by Hush\n");
      return 1;
    }
  } else {
    err(
      target
        ? "scp: copies between two remote hosts are not supported by Hush\n"
        : "scp: local to local copies are not supported by Hush (use cp)\n",
    );
    return 1;
  }
  setDestination(args.ssh, host);
  let settings;
  try {
    settings = await sftpSettings(args.ssh);
  } catch (e) {
    if (e instanceof UsageError || e instanceof SshConfigError) {
      err(`${e.message}\n`);
      return 255;
    }
    throw e;
  }
  const connection = await openSftp(args.ssh, settings, "sftp", "scp: Connection closed");
  if (!connection) return 255;
  const { sftp } = connection;
  const local = localFileSystem();
  const cwd = Deno.cwd();
  const progress = !args.quiet && Deno.stdout.isTerminal();
  let width = 80;
  try {
    if (progress) width = Deno.consoleSize().columns || 80;
  } catch { /* not a terminal */ }
  const meter = () => {
    let current: { path: string; meter: ProgressMeter } | undefined;
    return {
      onProgress: progress
        ? (p: { path: string; transferred: number; total: number }) => {
          if (current?.path !== p.path) {
            current?.meter.finish();
            current = {
              path: p.path,
              meter: new ProgressMeter(basename(p.path), 0, p.total, { write: out, width }),
            };
          }
          current.meter.update(p.transferred);
        }
        : undefined,
      done: () => current?.meter.finish(),
    };
  };
  const transfer = {
    recursive: args.recursive,
    preserve: args.preserve,
    fs: local,
    chunkSize: args.bufferSize,
    concurrency: args.requests,
  };
  let status = 0;
  try {
    if (upload) {
      const dest = await remotePath(sftp, target!.path);
      const destIsDir = await sftp.stat(dest).then((a) => isDirectoryMode(a.mode), () => false);
      if (sources.length > 1 && !destIsDir) {
        err(`scp: target directory "${dest}" does not exist\n`);
        return 1;
      }
      for (const { operand } of sources) {
        const path = normalizePath(operand, cwd);
        const remote = destIsDir ? join(dest, basename(path)) : dest;
        const stats = await local.stat(path).catch((e) => e as Error);
        if (stats instanceof Error) {
          err(`scp: stat local "${operand}": ${errorText(stats)}\n`);
          status = 1;
          continue;
        }
        if (!isRegularFileMode(stats.mode) && !(isDirectoryMode(stats.mode) && args.recursive)) {
          err(`scp: local "${operand}" is not a regular file\n`);
          err(
            `scp: failed to upload ${
              isDirectoryMode(stats.mode) ? "directory" : "file"
            } ${operand} to ${remote}\n`,
          );
          status = 1;
          continue;
        }
        const m = meter();
        try {
          await sftp.fastPut(path, remote, { ...transfer, onProgress: m.onProgress });
        } catch (e) {
          m.done();
          err(`scp: dest open "${remote}": ${errorText(e)}\n`);
          err(
            `scp: failed to upload ${
              isDirectoryMode(stats.mode) ? "directory" : "file"
            } ${operand} to ${remote}\n`,
          );
          status = 1;
          continue;
        }
        m.done();
      }
    } else {
      const dest = normalizePath(args.target, cwd);
      const destIsDir = await local.stat(dest).then((s) => isDirectoryMode(s.mode), () => false);
      if (sources.length > 1 && !destIsDir) {
        err(`scp: target directory "${args.target}" does not exist\n`);
        return 1;
      }
      for (const { remote: spec } of sources) {
        const path = await remotePath(sftp, spec!.path);
        const attrs = await sftp.stat(path).catch((e) => e as SftpError);
        if (attrs instanceof Error) {
          err(`scp: ${path}: ${errorText(attrs)}\n`);
          status = 1;
          continue;
        }
        if (!isRegularFileMode(attrs.mode) && !(isDirectoryMode(attrs.mode) && args.recursive)) {
          err(`scp: download ${path}: not a regular file\n`);
          status = 1;
          continue;
        }
        const localPath = destIsDir ? join(dest, basename(path)) : dest;
        const m = meter();
        try {
          await sftp.fastGet(path, localPath, { ...transfer, onProgress: m.onProgress });
        } catch (e) {
          m.done();
          const failed = e instanceof SftpError && e.path ? e.path : path;
          err(`scp: ${failed}: ${errorText(e)}\n`);
          status = 1;
          continue;
        }
        m.done();
      }
    }
    return status;
  } catch (e) {
    if (e instanceof SftpError && e.statusCode === StatusCode.CONNECTION_LOST) {
      err("scp: Connection closed\n");
      return 255;
    }
    err(`scp: ${(e as Error)?.message ?? e}\n`);
    return 1;
  } finally {
    await connection.close();
  }
}

if (import.meta.main) {
  const argv = Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args;
  const status = await scpMain(argv).catch((e) => {
    err(`scp: ${(e as Error)?.message ?? e}\n`);
    return 255;
  });
  Deno.exit(status);
}
