/**
 * `@hush/ssh`: the Hush facade. `connect()` gives an SSH client (exec, shell, port forwarding)
 * and `serve()`/`accept()` an SSH server, wiring together the transport, host key checking,
 * authentication and the connection layer; plus the runtime adapters (TCP, files, processes)
 * for Deno, Node and Bun.
 *
 * @example A server and a client over an in-memory pipe (a TCP socket in real use)
 * ```ts
 * import assert from "node:assert/strict";
 * import { accept, connect, generateKey } from "@hush/ssh";
 * import { memoryDuplexPair } from "@hush/ssh/adapters";
 * const hostKey = await generateKey("ssh-ed25519");
 * const [a, b] = memoryDuplexPair();
 * accept(b, {
 *   hostKeys: [hostKey],
 *   authenticate: { password: (user, password) => user === "me" && password === "secret" },
 *   onSession: (session) => {
 *     session.onExec = async (command) => {
 *       await session.writable.getWriter().write(new TextEncoder().encode(`ran ${command}\n`));
 *       return 0;
 *     };
 *   },
 * });
 * await using client = await connect({
 *   hostname: "example.org",
 *   username: "me",
 *   password: "secret",
 *   hostVerifier: ({ key }) => key.equals(hostKey.publicKey),
 *   duplex: a,
 * });
 * const { stdout } = await client.exec("echo hello", { encoding: "utf8", check: true });
 * assert.equal(stdout, "ran echo hello\n");
 * ```
 *
 * Against a real server (these need one, so they are not run here):
 *
 * @example
 * ```ts ignore
 * import { connect, fileKnownHosts } from "@hush/ssh";
 * await using client = await connect({
 *   hostname: "127.0.0.1",
 *   port: 2222,
 *   username: "me",
 *   privateKey: await Deno.readTextFile("/home/me/.ssh/id_ed25519"), // OpenSSH, PEM or PuTTY
 *   passphrase: "correct horse",
 *   knownHosts: fileKnownHosts(),
 *   policy: "accept-new",
 * });
 * const { stdout } = await client.exec("echo hello", { encoding: "utf8", check: true });
 * console.log(stdout); // hello
 * ```
 *
 * Coming from ssh2: `hostVerifier` decides the host key instead of known_hosts, and `exec()`
 * takes `maxBuffer` (16 MiB per stream by default) and an `AbortSignal`:
 *
 * @example Needs a server, so not run here
 * ```ts ignore
 * import { connect, ExecError } from "@hush/ssh";
 * await using client = await connect({
 *   hostname: "example.org",
 *   username: "me",
 *   privateKey,
 *   hostVerifier: ({ fingerprint }) => fingerprint === "SHA256:o0lcqNd7p5MHvS3JxGmh1Hk2Mz4BDqYyVvXmqzQvQ6I",
 * });
 * try {
 *   await client.exec("make test", { check: true, signal: AbortSignal.timeout(60_000) });
 * } catch (e) {
 *   if (e instanceof ExecError) console.error(`exit status ${e.status}`, e.stderr);
 * }
 * ```
 *
 * OpenSSH's client configuration (`~/.ssh/config`, ssh_config(5)) resolves a host the way `ssh`
 * does, jump hosts included; `sshConfigConnectOptions` makes `connect()`'s options of it:
 *
 * @example Needs ~/.ssh/config and a server, so not run here
 * ```ts ignore
 * import { connect, expandSshConfigPath, loadIdentityFile, readSshConfig, sshConfigConnectOptions } from "@hush/ssh";
 * const config = await readSshConfig("db"); // Host db … in ~/.ssh/config
 * const key = await loadIdentityFile(expandSshConfigPath(config.identityFile[0], config));
 * const client = await connect({ ...sshConfigConnectOptions(config), identities: [key], knownHosts });
 * const socks = await client.forwardDynamic({ bindPort: 1080 }); // ssh -D 1080
 * ```
 * @module
 */
export { connect } from "./connect.ts";
export type { ConnectOptions, JumpHostOptions } from "./connect_options.ts";
export { type PtyOptions, SshClient } from "./client.ts";
export { DEFAULT_EXEC_MAX_BUFFER, type ExecOptions, type ExecResult } from "./exec.ts";
export type { ExecErrorCode, ExecErrorDetails } from "./exec_error.ts";
export type { HostVerifier, HostVerifierInfo } from "./host_verifier.ts";
export { accept } from "./accept.ts";
export { serve, type SshServer } from "./server.ts";
export type { ServeOptions, ServerLimits } from "./serve_options.ts";
export type { MaxStartups } from "./max_startups.ts";
export type { PeerInfo, ServerContext } from "./server_context.ts";
// Errors: every one extends SshError and carries a stable `code`.
export { SshError } from "@hush/wire";
export { AuthError } from "@hush/auth";
export { ChannelError } from "@hush/channels";
export { HostKeyError } from "@hush/hostkeys";
export { KeyError } from "@hush/keys";
export { DisconnectError } from "@hush/transport";
export { SftpError } from "@hush/sftp";
export { ProxyJumpError } from "./proxy_jump.ts";
export { ExecError } from "./exec_error.ts";
export { SshConfigError, type SshConfigLocation } from "./ssh_config_error.ts";
// Keys: load, parse, generate.
export { loadIdentityFile, type LoadIdentityOptions } from "./adapters/identity_file.ts";
export { generateKey, parsePrivateKey, parsePublicKey, parsePublicKeyLine } from "@hush/keys";
// known_hosts: the store `connect()` checks host keys against.
export { KnownHosts, MemoryStorage } from "@hush/hostkeys";
export { DEFAULT_KNOWN_HOSTS_FILES, fileKnownHosts } from "./adapters/known_hosts_file.ts";
// ssh-agent.
export { connectAgent } from "./adapters/unix.ts";
export { createAgentClient } from "@hush/auth";
// Forwarding, client side (ssh -L, -R, -D) and server side.
export type {
  DirectTcpipRequest,
  ForwardHandlers,
  ForwardSocket,
  RemoteForward,
  TcpipForwardRequest,
} from "./server_forward_handlers.ts";
export {
  forwardBindAddress,
  tcpForwarding,
  type TcpForwardingOptions,
} from "./server_forwarding.ts";
export {
  type DirectTcpipOpener,
  type ForwardedConnectionHandler,
  type ForwardedConnectionInfo,
  forwardLocal,
  type LocalForward,
  type LocalForwardOptions,
  type RemoteForwardEntry,
} from "./client_forward.ts";
export { type DynamicForwardOptions, forwardDynamic } from "./dynamic_forward.ts";
export type { SocksRequest } from "./socks.ts";
// SSH over WebSocket (browsers, and the relay that bridges them to TCP).
export {
  connectWebSocket,
  type WebSocketCloseInfo,
  type WebSocketConnection,
  type WebSocketLike,
  type WebSocketOptions,
} from "./adapters/websocket.ts";
export {
  type AcceptedWebSocket,
  listenWebSocket,
  type WebSocketListener,
  type WebSocketListenOptions,
} from "./adapters/websocket_server.ts";
export {
  parseRelayTarget,
  startWebSocketRelay,
  type WebSocketRelay,
  type WebSocketRelayOptions,
} from "./websocket_relay.ts";
// The server's files: users' passwords, the sftp subsystem's file system.
export {
  hashPassword,
  parsePasswordFile,
  type ScryptParams,
  verifyPassword,
} from "./password_hash.ts";
export { localFileSystem, preloadLocalFileSystem } from "./adapters/local_file_system.ts";
// OpenSSH's client configuration (ssh_config(5)).
export {
  parseSshConfig,
  type ParseSshConfigOptions,
  type SshConfigEntry,
  type SshConfigFile,
  type SshConfigHostEntry,
  type SshConfigIncludeEntry,
  type SshConfigMatchEntry,
  type SshConfigOptionEntry,
} from "./ssh_config_parse.ts";
export type {
  LogLevel,
  PubkeyAuthentication,
  RequestTty,
  SshConfigLineValues,
  StrictHostKeyChecking,
} from "./ssh_config_values.ts";
export type { SshConfigKeyword, SshConfigKeywordStatus } from "./ssh_config_keywords.ts";
export type { MatchAttribute, MatchCriterion } from "./ssh_config_match.ts";
export type { SshForward } from "./ssh_config_forward.ts";
export { type JumpHostSpec, parseProxyJump } from "./proxy_jump_spec.ts";
export type { SshConfigTokens } from "./ssh_config_tokens.ts";
export {
  loadSshConfig,
  type LoadSshConfigOptions,
  type SshConfigReader,
} from "./ssh_config_load.ts";
export {
  expandSshConfigPath,
  resolveSshConfig,
  type ResolveSshConfigOptions,
  type SshConfig,
} from "./ssh_config_resolve.ts";
export { formatSshConfig } from "./ssh_config_format.ts";
export { resolveJumpConfigs, sshConfigConnectOptions } from "./ssh_config_connect.ts";
export {
  readSshConfig,
  type ReadSshConfigFilesOptions,
  type ReadSshConfigOptions,
} from "./adapters/ssh_config_file.ts";
// The types of the packages below that this API names, re-exported so that its documentation
// is complete (deno doc --lint).
export type * from "@hush/auth";
export type * from "@hush/channels";
export type * from "@hush/hostkeys";
export type * from "@hush/kex";
export type * from "@hush/keys";
export type * from "@hush/transport";
export type * from "@hush/sftp";
