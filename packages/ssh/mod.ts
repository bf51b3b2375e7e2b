/**
 * `@hush/ssh`: the Hush facade. `connect()` gives an SSH client (exec, shell, port forwarding)
 * and `serve()`/`accept()` an SSH server, wiring together the transport, host key checking,
 * authentication and the connection layer; plus the runtime adapters (TCP, files, processes)
 * for Deno, Node and Bun.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@hush/ssh";
 * const client = await connect({ hostname: "127.0.0.1", port: 2222, username: "me", identities: [key] });
 * const { stdout, code } = await client.exec("echo hello");
 * await client.close();
 * ```
 *
 * OpenSSH's client configuration (`~/.ssh/config`, ssh_config(5)) resolves a host the way `ssh`
 * does, jump hosts included; `sshConfigConnectOptions` makes `connect()`'s options of it:
 *
 * @example
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
export { SshError } from "@hush/wire";
export type { ConnectOptions, JumpHostOptions } from "./connect_options.ts";
export { ProxyJumpError } from "./proxy_jump.ts";
export { type ExecResult, type PtyOptions, SshClient } from "./client.ts";
export { accept } from "./accept.ts";
export { serve, type SshServer } from "./server.ts";
export type { ServeOptions, ServerLimits } from "./serve_options.ts";
export type { MaxStartups } from "./max_startups.ts";
export { DEFAULT_MAX_SESSIONS, MAX_SESSIONS_REFUSAL } from "./max_sessions.ts";
export type { PeerInfo, ServerContext } from "./server_context.ts";
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
  relayDuplexes,
  type RemoteForwardEntry,
  RemoteForwardTable,
} from "./client_forward.ts";
export { type DynamicForwardOptions, forwardDynamic } from "./dynamic_forward.ts";
export {
  Socks5Reply,
  type Socks5ReplyCode,
  SOCKS_HANDSHAKE_LIMIT,
  SOCKS_NAME_LIMIT,
  SocksHandshake,
  socksReply,
  socksReplyForOpenFailure,
  type SocksRequest,
  type SocksStep,
} from "./socks.ts";
export { memoryDuplexPair } from "./adapters/memory.ts";
export { ACCEPT_RETRY_DELAY, type AcceptRetryOptions } from "./adapters/accept_retry.ts";
export {
  connectWebSocket,
  fromWebSocket,
  WEBSOCKET_HIGH_WATER_MARK,
  WEBSOCKET_MESSAGE_LIMIT,
  WEBSOCKET_READ_QUEUE_LIMIT,
  WEBSOCKET_SEND_MESSAGE_BYTES,
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
  RELAY_CONNECT_TIMEOUT,
  RELAY_MAX_CONNECTIONS,
  startWebSocketRelay,
  type WebSocketRelay,
  type WebSocketRelayOptions,
} from "./websocket_relay.ts";
export {
  connectTcp,
  fromNodeSocket,
  listenTcp,
  type TcpConnection,
  type TcpListener,
} from "./adapters/tcp.ts";
export { defaultCipherBackends } from "./adapters/crypto_backends.ts";
export { defaultX25519, installDefaultEd25519 } from "./adapters/curve_backends.ts";
export {
  environmentVariable,
  environmentVariables,
  expandHome,
  type FileInfo,
  homeDirectory,
  listDirectory,
  makeDirectory,
  readBytesFile,
  readTextFile,
  removeFile,
  renameFile,
  statFile,
  writeBytesFile,
  type WriteFileOptions,
  writeTextFile,
} from "./adapters/files.ts";
export {
  DEFAULT_KNOWN_HOSTS_FILES,
  fileKnownHosts,
  knownHostsFs,
} from "./adapters/known_hosts_file.ts";
export { loadIdentityFile, type LoadIdentityOptions } from "./adapters/identity_file.ts";
export { localFileSystem } from "./adapters/local_file_system.ts";
export {
  connectAgent,
  connectUnix,
  listenUnix,
  type UnixConnection,
  type UnixListener,
} from "./adapters/unix.ts";
export { type ForwardedAgent, listenForwardedAgent } from "./adapters/agent_listener.ts";
export {
  type ChildProcessStreams,
  type ProcessExit,
  spawnCommand,
  type SpawnOptions,
} from "./adapters/process.ts";
export {
  hashPassword,
  parsePasswordFile,
  SCRYPT_LIMITS,
  type ScryptParams,
  verifyPassword,
} from "./password_hash.ts";
export { SshConfigError, type SshConfigLocation } from "./ssh_config_error.ts";
export type { SshConfigKeyword, SshConfigKeywordStatus } from "./ssh_config_keywords.ts";
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
  fileSshConfigReader,
  localSshIdentity,
  readSshConfig,
  readSshConfigFiles,
  type ReadSshConfigFilesOptions,
  type ReadSshConfigOptions,
  shellMatchExec,
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
