/**
 * `sftp`: the Hush SFTP client on the command line, taking OpenSSH's `sftp(1)` flags and
 * commands where they overlap:
 *
 * ```sh
 * deno task sftp -- -P 2222 me@host            # interactive: ls, cd, get, put, …
 * deno task sftp -- -b cmds.txt me@host:/srv   # batch: stops at the first failing command
 * deno task sftp -- me@host:/srv/report.pdf     # fetch one file
 * ```
 *
 * The progress meter is drawn on a terminal only (not in batch mode, not with `-q`). Exit status:
 * 0, 1 when a batch command (or the file of `host:file`) failed, 255 when the connection could not
 * be made or was lost, as OpenSSH's sftp.
 * @module
 */
import { isDirectoryMode, SftpError, StatusCode } from "@hush/sftp";
import { homeDirectory } from "../adapters/files.ts";
import { localFileSystem } from "../adapters/local_file_system.ts";
import { parseSftpArgs, type SftpArgs } from "./sftp_args.ts";
import { runSftpCommand, type SftpShell } from "./sftp_commands.ts";
import { openSftp, sftpSettings } from "./sftp_connection.ts";
import { SshConfigError } from "../ssh_config_error.ts";
import { UsageError } from "./ssh_args.ts";
import { err } from "./ssh_io.ts";

const encoder = new TextEncoder();

/** Writes all of `text` to stdout, synchronously (it interleaves with the meter). */
function out(text: string): void {
  const bytes = encoder.encode(text);
  for (let off = 0; off < bytes.length;) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/** Lines of a stream, without their newline (a last line without one too). */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, nl).replace(/\r$/, "");
      buffered = buffered.slice(nl + 1);
    }
  }
  buffered += decoder.decode();
  if (buffered) yield buffered;
}

/**
 * Runs `sftp` with these arguments and resolves with its exit status.
 *
 * @example Not run here: it needs an SSH server
 * ```ts ignore
 * import { sftpMain } from "./sftp.ts";
 * Deno.exit(await sftpMain(["-b", "cmds.txt", "me@127.0.0.1"]));
 * ```
 */
export async function sftpMain(argv: string[]): Promise<number> {
  let args: SftpArgs;
  try {
    args = parseSftpArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
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
  const batch = args.batchFile !== undefined;
  const quiet = args.ssh.quiet || batch;
  const connection = await openSftp(args.ssh, settings, args.subsystem, "Connection closed");
  if (!connection) return 255;
  const { sftp } = connection;
  let lost = false;
  sftp.closed.then(() => (lost = true));
  try {
    const home = await sftp.realpath(".");
    let width = 80;
    try {
      if (Deno.stdout.isTerminal()) width = Deno.consoleSize().columns || 80;
    } catch { /* not a terminal */ }
    const shell: SftpShell = {
      sftp,
      local: localFileSystem(),
      remoteDir: home,
      remoteHome: home,
      localDir: Deno.cwd(),
      localHome: homeDirectory(),
      defaults: {
        recursive: args.recursive,
        preserve: args.preserve,
        resume: args.resume,
        fsync: args.fsync,
      },
      chunkSize: args.bufferSize,
      concurrency: args.requests,
      progress: !quiet && Deno.stdout.isTerminal(),
      verbose: !quiet,
      width,
      out,
      err,
    };
    if (!quiet) err(`Connected to ${settings.settings.host}.\n`);
    // host:path: a directory to start in, or a file to fetch (then exit)
    if (args.path !== undefined) {
      const path = args.path;
      const attrs = await sftp.stat(
        path.startsWith("~")
          ? await sftp.expandPath(path)
          : path.startsWith("/")
          ? path
          : `${home}/${path}`,
      ).catch(() => undefined);
      if (attrs && isDirectoryMode(attrs.mode)) {
        if (await runSftpCommand(shell, `cd "${path.replace(/(["\\])/g, "\\$1")}"`) !== "ok") {
          return 1;
        }
      } else {
        const quoted = `"${path.replace(/(["\\])/g, "\\$1")}"`;
        const result = await runSftpCommand(shell, `get ${args.recursive ? "-r " : ""}${quoted}`);
        return result === "ok" ? 0 : 1;
      }
    }
    const interactive = !batch && Deno.stdin.isTerminal();
    const source = batch
      ? args.batchFile === "-" ? Deno.stdin.readable : (await Deno.open(args.batchFile!)).readable
      : Deno.stdin.readable;
    if (interactive) out("sftp> ");
    for await (const raw of lines(source)) {
      let line = raw.trim();
      if (line === "" && interactive) {
        out("sftp> ");
        continue;
      }
      if (!interactive) {
        if (line === "" || line.startsWith("#")) continue;
        out(`sftp> ${line}\n`);
      }
      const ignoreErrors = line.startsWith("-");
      if (ignoreErrors) line = line.slice(1);
      const result = await runSftpCommand(shell, line);
      if (lost) {
        err("Connection closed\n");
        return 255;
      }
      if (result === "quit") return 0;
      if (result === "fail" && batch && !ignoreErrors) return 1;
      if (interactive) out("sftp> ");
    }
    if (interactive) out("\n");
    return 0;
  } catch (e) {
    if (lost || (e instanceof SftpError && e.statusCode === StatusCode.CONNECTION_LOST)) {
      err("Connection closed\n");
      return 255;
    }
    err(`sftp: ${(e as Error)?.message ?? e}\n`);
    return 1;
  } finally {
    await connection.close();
  }
}

if (import.meta.main) {
  // `deno task sftp -- …` passes the `--` through
  const argv = Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args;
  const status = await sftpMain(argv).catch((e) => {
    err(`sftp: ${(e as Error)?.message ?? e}\n`);
    return 255;
  });
  Deno.exit(status);
}
