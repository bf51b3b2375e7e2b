/**
 * `hush sshd`: an SSH server for the current OS user, flag-compatible with OpenSSH's `sshd`
 * where they overlap. Runs in the foreground and logs to stderr (`-d` for a debug trace).
 *
 * ```sh
 * deno run -A packages/ssh/cli/sshd.ts -d -p 0 -o ListenAddress=127.0.0.1 \
 *   -o AuthorizedKeysFile=/tmp/keys -o AllowTcpForwarding=yes
 * ```
 *
 * Options (`-o Key=Value`): ListenAddress, Port (0 picks a free port; either way
 * `listening on ADDR:PORT` is printed on stdout once bound), HostKey (same as `-h`),
 * HostCertificate (a host certificate of one of the host keys, offered as well as the key),
 * AuthorizedKeysFile (%h, %u, %% tokens; default `.ssh/authorized_keys .ssh/authorized_keys2`
 * for the current OS user), PubkeyAuthentication, PasswordAuthentication with PasswordFile
 * (`user:$scrypt$N$r$p$salt$hash` lines, see `hashPassword`), KexAlgorithms, Ciphers, MACs,
 * AllowUsers (the user names served, `*`/`?` patterns; by default the current OS user and the
 * PasswordFile's users: any other name is an "Invalid user"),
 * HostKeyAlgorithms (OpenSSH's `+`/`-`/`^` list syntax), RekeyLimit, Compression (yes, the
 * default, or its old name delayed: `zlib@openssh.com` after authentication when the client asks
 * for it, as OpenSSH's sshd; no: never), MaxAuthTries,
 * LoginGraceTime, ClientAliveInterval and ClientAliveCountMax (keepalives to a quiet client; off
 * by default; a count of 0 never drops it), MaxStartups (start:rate:full, 10:30:100),
 * MaxSessions (sessions open at once per connection, 10; 0 leaves forwarding only),
 * AllowTcpForwarding (yes/local/remote/no; no by default), AllowAgentForwarding (`ssh -A`: the
 * session's SSH_AUTH_SOCK reaches the client's agent; yes by default), GatewayPorts
 * (where `-R` listeners bind: clientspecified by default, i.e. the address the client asked
 * for; no: loopback only; yes: every interface), StateDirectory
 * (where the host key made when no `-h` is given lives; also `$HUSH_STATE_DIR`, else
 * `$XDG_STATE_HOME/hush`, else `~/.local/state/hush`), Banner, LogLevel (QUIET, FATAL, ERROR,
 * INFO, VERBOSE, DEBUG or DEBUG1, DEBUG2, DEBUG3; INFO by default, and `-d`, `-dd`, `-ddd` are
 * DEBUG1 to DEBUG3 whatever LogLevel says), Subsystem (`sftp` is served in-process as
 * OpenSSH's `internal-sftp` unless another command is given; `internal-sftp -R -u umask -d dir`),
 * ChrootDirectory (%h, %u: the root internal-sftp keeps clients in; commands and shells are then
 * refused); and two Hush extensions for browser pages: WebSocketListen (`host:port`: also take
 * SSH over WebSocket upgrades there, printing `websocket on ws://HOST:PORT/` on stdout) and
 * WebSocketOrigins (page origins allowed besides the port's own, comma-separated).
 *
 * Every login runs as the current OS user, whatever name it authenticated as.
 * @module
 */
import process from "node:process";
import { userInfo } from "node:os";
import { authorizedKeysChecker } from "@hush/auth";
import {
  certificateSigner,
  CertType,
  generateKey,
  parsePrivateKey,
  parsePublicKeyLine,
  type PrivateKey,
  type PublicKey,
  serializePrivateKey,
  type Signer,
} from "@hush/keys";
import { homeDirectory, makeDirectory, readTextFile, writeTextFile } from "../adapters/files.ts";
import { preloadLocalFileSystem } from "../adapters/local_file_system.ts";
import type { ChildProcessStreams } from "../adapters/process.ts";
import { hashPassword, parsePasswordFile, verifyPassword } from "../password_hash.ts";
import type { ServeOptions } from "../serve_options.ts";
import { serve, type SshServer } from "../server.ts";
import { tcpForwarding } from "../server_forwarding.ts";
import { UsageError } from "./ssh_args.ts";
import { parseSshdArgs } from "./sshd_args.ts";
import {
  DEFAULT_AUTHORIZED_KEYS,
  expandAuthorizedKeysPath,
  matchUserPatterns,
  type SshdSettings,
  sshdSettings,
} from "./sshd_config.ts";
import { LogLevel, sshdLog } from "./sshd_log.ts";
import { ptyAvailable, runSession } from "./sshd_session.ts";
import { internalSftpFlags } from "./sshd_sftp.ts";

/**
 * Where the generated host key lives when neither `-h` nor HostKey is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stateDirectory } from "./sshd.ts";
 * assert.equal(stateDirectory({ stateDirectory: "/var/lib/hush" }), "/var/lib/hush");
 * ```
 */
export function stateDirectory(settings: Pick<SshdSettings, "stateDirectory">): string {
  if (settings.stateDirectory) return settings.stateDirectory;
  const env = process.env;
  if (env.HUSH_STATE_DIR) return env.HUSH_STATE_DIR;
  if (env.XDG_STATE_HOME) return `${env.XDG_STATE_HOME}/hush`;
  return `${homeDirectory()}/.local/state/hush`;
}

async function loadHostKeys(
  files: string[],
  settings: SshdSettings,
  log: (line: string) => void,
): Promise<PrivateKey[]> {
  const keys: PrivateKey[] = [];
  for (const file of files) {
    const text = await readTextFile(file);
    if (text === undefined) throw new UsageError(`Unable to load host key: ${file}: not found`);
    const key = await parsePrivateKey(text).catch((e) => {
      throw new UsageError(`Unable to load host key "${file}": ${(e as Error).message}`);
    });
    log(`Loaded host key ${file}: ${key.publicKey.type} ${key.publicKey.fingerprint()}`);
    keys.push(key);
  }
  if (keys.length) return keys;
  const dir = stateDirectory(settings);
  const path = `${dir}/ssh_host_ed25519_key`;
  const existing = await readTextFile(path);
  if (existing !== undefined) {
    const key = await parsePrivateKey(existing);
    log(`Loaded host key ${path}: ${key.publicKey.type} ${key.publicKey.fingerprint()}`);
    return [key];
  }
  await makeDirectory(dir, 0o700);
  const key = await generateKey("ssh-ed25519", { comment: `hush-sshd@${userInfo().username}` });
  await writeTextFile(path, await serializePrivateKey(key), 0o600);
  await writeTextFile(`${path}.pub`, key.publicKey.toString(key.comment) + "\n", 0o644);
  log(`Generated host key ${path}: ${key.publicKey.type} ${key.publicKey.fingerprint()}`);
  return [key];
}

/**
 * Pairs each `HostCertificate` with the host key it certifies, as OpenSSH's sshd does: the
 * server then offers the certificate algorithms as well as the plain ones.
 */
async function loadHostCertificates(
  files: string[],
  keys: PrivateKey[],
  log: (line: string) => void,
): Promise<Signer[]> {
  const signers: Signer[] = [];
  for (const file of files) {
    const text = await readTextFile(file);
    if (text === undefined) {
      throw new UsageError(`Unable to load host certificate: ${file}: not found`);
    }
    let cert: PublicKey;
    try {
      cert = parsePublicKeyLine(text.trim().split("\n")[0]).key;
    } catch (e) {
      throw new UsageError(`Unable to load host certificate "${file}": ${(e as Error).message}`);
    }
    if (cert.certificate?.certType !== CertType.HOST) {
      throw new UsageError(`Host certificate "${file}" is not a host certificate`);
    }
    const key = keys.find((k) => cert.certificate!.key.equals(k.publicKey));
    if (!key) throw new UsageError(`Could not find matching private key for certificate ${file}`);
    log(
      `Loaded host certificate ${file}: ${cert.type} ${key.publicKey.fingerprint()}, ` +
        `CA ${cert.certificate.signatureKey.type} ${cert.certificate.signatureKey.fingerprint()}`,
    );
    signers.push(certificateSigner(key, cert));
  }
  return signers;
}

async function readPasswordFile(file: string): Promise<string> {
  const text = await readTextFile(file);
  if (text === undefined) throw new UsageError(`PasswordFile ${file}: not found`);
  return text;
}

/**
 * Runs `sshd` with the given arguments until SIGINT/SIGTERM; resolves the exit code.
 *
 * @example Not run here: the server runs until it is stopped
 * ```ts ignore
 * import { main } from "./sshd.ts";
 * process.exitCode = await main(["-d", "-p", "0", "-o", "ListenAddress=127.0.0.1"]);
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  let server: SshServer | undefined;
  const children = new Set<ChildProcessStreams>();
  let keys: PrivateKey[] = [];
  // Listen from the start (a signal during start-up must not kill us half-way), and with
  // `on`, not `once`: with no listener left a second signal would end us mid-shutdown.
  const terminated = new Promise<string>((resolve) => {
    process.on("SIGINT", () => resolve("SIGINT"));
    process.on("SIGTERM", () => resolve("SIGTERM"));
  });
  try {
    const args = parseSshdArgs(argv);
    const settings = sshdSettings(args);
    const { log: logAt, trace: log } = sshdLog(
      settings.logLevel,
      (text) => process.stderr.write(text),
    );
    const info = (line: string) => logAt(LogLevel.INFO, line);
    // bad internal-sftp flags: a UsageError now
    for (const command of settings.subsystems.values()) internalSftpFlags(command);
    keys = await loadHostKeys(args.hostKeyFiles, settings, info);
    const hostKeys: Signer[] = [
      ...keys,
      ...await loadHostCertificates(args.hostCertificateFiles, keys, info),
    ];
    const me = userInfo().username;
    const home = homeDirectory();

    const passwordUsers = settings.passwordFile
      ? parsePasswordFile(await readPasswordFile(settings.passwordFile))
      : undefined;
    // The names served: AllowUsers, else this OS user and the PasswordFile's users. Any
    // other name is an invalid user, refused before a file is looked up for it.
    const allow = settings.allowUsers;
    const authenticate: ServeOptions["authenticate"] = {
      trace: log,
      users: (user) =>
        allow ? matchUserPatterns(user, allow) : user === me || passwordUsers?.has(user) === true,
    };
    if (settings.pubkey) {
      const files = settings.authorizedKeysFiles;
      const source = async (user: string): Promise<string | undefined> => {
        // Without AuthorizedKeysFile only the current OS user's own files count.
        if (files === undefined && user !== me) return undefined;
        const paths = (files ?? DEFAULT_AUTHORIZED_KEYS).flatMap((p) => {
          const path = expandAuthorizedKeysPath(p, user, home);
          if (path === undefined) log(`AuthorizedKeysFile ${p}: %u cannot expand to '${user}'`);
          return path === undefined ? [] : [path];
        });
        const texts = await Promise.all(paths.map((p) => readTextFile(p).catch(() => undefined)));
        const text = texts.filter((t) => t !== undefined).join("\n");
        return text === "" ? undefined : text;
      };
      authenticate.publickey = authorizedKeysChecker(source, { trace: log });
    }
    if (settings.passwordFile && passwordUsers) {
      const file = settings.passwordFile;
      const users = passwordUsers;
      // A hash to spend the same time on for unknown users.
      const decoy = await hashPassword(crypto.randomUUID(), { N: 1024 });
      const decoyFor = users.values().next().value ?? decoy;
      authenticate.password = async (user: string, password: string) => {
        const hash = users.get(user);
        if (hash === undefined) {
          await verifyPassword(password, decoyFor).catch(() => false);
          return false;
        }
        return await verifyPassword(password, hash).catch((e) => {
          logAt(
            LogLevel.ERROR,
            `PasswordFile ${file}: bad hash for ${user}: ${(e as Error).message}`,
          );
          return false;
        });
      };
    }
    if (settings.banner) {
      const banner = await readTextFile(settings.banner);
      if (banner !== undefined) authenticate.banner = banner;
    }
    const pty = ptyAvailable();
    if (!pty) info("No util-linux script on PATH: shells run without a pty");
    const forwarding = settings.forwarding.local || settings.forwarding.remote
      ? tcpForwarding({ ...settings.forwarding, gatewayPorts: settings.gatewayPorts, trace: log })
      : undefined;

    server = await serve({
      hostname: settings.listenAddress,
      port: settings.port,
      hostKeys,
      authenticate,
      algorithms: settings.algorithms,
      limits: {
        maxAuthTries: settings.maxAuthTries,
        loginGraceTime: settings.loginGraceTime,
        clientAliveInterval: settings.clientAliveInterval,
        clientAliveCountMax: settings.clientAliveCountMax,
        maxStartups: settings.maxStartups,
        maxSessions: settings.maxSessions,
        rekeyBytes: settings.rekeyBytes,
        rekeyInterval: settings.rekeyInterval,
      },
      onSession: (session, context) =>
        runSession(session, context, {
          trace: log,
          ptyAvailable: pty,
          children,
          agentForwarding: settings.agentForwarding,
          subsystems: settings.subsystems,
          chrootDirectory: settings.chrootDirectory,
        }),
      onForward: forwarding,
      webSocket: settings.webSocket,
      trace: log,
    });
    info(`Server listening on ${server.hostname} port ${server.port}.`);
    if (server.webSocket) {
      const { hostname, port } = server.webSocket;
      info(`Server listening for WebSocket upgrades on ${hostname} port ${port}.`);
      // before the `listening on` line, which tells a waiting script that all is bound
      process.stdout.write(`websocket on ws://${hostname}:${port}/\n`);
    }
    process.stdout.write(`listening on ${server.hostname}:${server.port}\n`);
    // the internal sftp's file modules now, not in the first sftp session (60–70 ms on Deno)
    preloadLocalFileSystem();

    const signal = await terminated;
    info(`Received signal ${signal}; terminating.`);
    for (const child of children) child.kill("HUP");
    await Promise.race([server.close(), new Promise((r) => setTimeout(r, 2000))]);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof TypeError) {
      process.stderr.write(`sshd: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`sshd: ${e instanceof Error ? e.message : String(e)}\n`);
    for (const child of children) child.kill("HUP");
    await server?.close().catch(() => {});
    return 255;
  } finally {
    for (const key of keys) key.dispose(); // zero the host keys' secrets
  }
}

/**
 * Logs an error that escaped every handler, with its stack, and lets the server go on. OpenSSH
 * forks a process per connection, so a fault ends one session; here all sessions share one
 * process, and one connection's fault must not end the others.
 */
function internalError(e: unknown): void {
  const text = e instanceof Error ? e.stack ?? `${e.name}: ${e.message}` : String(e);
  process.stderr.write(`sshd: internal error, still serving: ${text}\n`);
}

if (import.meta.main) {
  process.on("uncaughtException", internalError);
  process.on("unhandledRejection", internalError);
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
