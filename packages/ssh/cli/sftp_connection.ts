/**
 * How `sftp` and `scp` get their SFTP session: the ssh settings from their command line (with
 * OpenSSH's defaults), the connection through `-J` hops as `ssh` makes it, then a session
 * channel running the `sftp` subsystem.
 * @module
 */
import { SftpClient } from "@hush/sftp";
import { localFileSystem, preloadLocalFileSystem } from "../adapters/local_file_system.ts";
import type { SshClient } from "../client.ts";
import type { SshArgs } from "./ssh_args.ts";
import { resolveSshSettings, type SshSettings, type SshSettingsContext } from "./ssh_config.ts";
import { connectDestination, sshContext, traceConfig } from "./ssh_connection.ts";
import { err, type Io } from "./ssh_io.ts";

/** An open SFTP session and what it runs over. */
export interface SftpConnection {
  sftp: SftpClient;
  client: SshClient;
  settings: SshSettings;
  /** Ends the session, the connection and the jump hosts. */
  close(): Promise<void>;
}

/** The settings `ssh` would use for these arguments (configuration files included). */
export async function sftpSettings(
  args: SshArgs,
): Promise<{ settings: SshSettings; context: SshSettingsContext }> {
  const context = await sshContext(args);
  return { settings: resolveSshSettings(args, context), context };
}

/**
 * Connects and starts the subsystem; on failure prints OpenSSH's words (the ssh failure, then
 * `closedMessage`) and resolves `undefined` (the caller exits 255).
 *
 * @example Not run here: it needs an SSH server
 * ```ts ignore
 * const c = await openSftp(args.ssh, settings, "sftp", "Connection closed");
 * if (!c) Deno.exit(255);
 * ```
 */
export async function openSftp(
  args: SshArgs,
  { settings: s, context }: { settings: SshSettings; context: SshSettingsContext },
  subsystem: string,
  closedMessage: string,
): Promise<SftpConnection | undefined> {
  const io: Io = {
    verbose: args.verbose > 0,
    trace: (line) => {
      if (line === "Connection established.") io.connected = true;
      if (args.verbose > 0) err(`debug1: ${line}\n`);
      else if (!s.quiet && line.startsWith("Warning:")) err(`${line}\n`);
    },
  };
  traceConfig(s, context, io);
  const connected = await connectDestination(s, context, io, args.verbose);
  if (!connected) {
    err(`${closedMessage}\n`);
    return undefined;
  }
  const { client } = connected;
  const closeAll = () => connected.close();
  try {
    const opening = client.connection.openSession();
    opening.catch(() => {}); // awaited below
    // The server sets the session up meanwhile (tens of ms): load the local file modules in that
    // wait, once the request is on its way, rather than on the first get or put.
    await new Promise((r) => setTimeout(r, 0));
    preloadLocalFileSystem();
    const session = await opening;
    await session.subsystem(subsystem);
    io.trace(`Sending subsystem: ${subsystem}`);
    const sftp = await SftpClient.start(session, {
      local: localFileSystem(),
      trace: args.verbose > 1 ? (l) => err(`debug2: ${l}\n`) : undefined,
    });
    return {
      sftp,
      client,
      settings: s,
      close: async () => {
        await sftp.close().catch(() => {});
        await session.close().catch(() => {});
        await closeAll();
      },
    };
  } catch (e) {
    io.trace(`sftp: ${(e as Error).message}`);
    err(`subsystem request failed on channel 0\n${closedMessage}\n`);
    await closeAll();
    return undefined;
  }
}
