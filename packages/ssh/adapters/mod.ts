/**
 * `@hush/ssh/adapters`: the runtime adapters under `@hush/ssh` (Deno, Node, Bun), for programs
 * that wire their own pieces: TCP and Unix sockets, WebSocket byte streams, child processes, the
 * files the CLI reads, the default crypto backends, and an in-memory socket pair for tests.
 * `connect()` and `serve()` pick these for you; import them only to replace or reuse one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryDuplexPair } from "@hush/ssh/adapters";
 * const [a, b] = memoryDuplexPair();
 * const writer = a.writable.getWriter();
 * await writer.write(new TextEncoder().encode("hi"));
 * const { value } = await b.readable.getReader().read();
 * assert.equal(new TextDecoder().decode(value), "hi");
 * ```
 * @module
 */
export { memoryDuplexPair } from "./memory.ts";
export { ACCEPT_RETRY_DELAY, type AcceptRetryOptions } from "./accept_retry.ts";
export {
  connectTcp,
  fromNodeSocket,
  listenTcp,
  type TcpConnection,
  type TcpListener,
} from "./tcp.ts";
export { connectUnix, listenUnix, type UnixConnection, type UnixListener } from "./unix.ts";
export {
  fromWebSocket,
  WEBSOCKET_HIGH_WATER_MARK,
  WEBSOCKET_MESSAGE_LIMIT,
  WEBSOCKET_READ_QUEUE_LIMIT,
  WEBSOCKET_SEND_MESSAGE_BYTES,
  type WebSocketConnection,
  type WebSocketLike,
  type WebSocketOptions,
} from "./websocket.ts";
export { defaultCipherBackends } from "./crypto_backends.ts";
export { defaultSntrup761, defaultX25519, installDefaultEd25519 } from "./curve_backends.ts";
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
} from "./files.ts";
export { knownHostsFs } from "./known_hosts_file.ts";
export { type ForwardedAgent, listenForwardedAgent } from "./agent_listener.ts";
export {
  type ChildProcessStreams,
  type ProcessExit,
  spawnCommand,
  type SpawnOptions,
} from "./process.ts";
export {
  fileSshConfigReader,
  localSshIdentity,
  readSshConfigFiles,
  type ReadSshConfigFilesOptions,
  shellMatchExec,
} from "./ssh_config_file.ts";
// The types of `@hush/ssh` that these name.
export type * from "../mod.ts";
