/**
 * `@hush/ssh/browser`: the SSH client for web pages. Everything a page needs to log in to an
 * SSH server over a WebSocket (through `deno task ws-relay`, or to a Hush server taking
 * WebSocket upgrades): `connect()` with `connectWebSocket()`, keys (a WebCrypto key pair kept
 * non-extractable, or a pasted OpenSSH private key) and a known_hosts store over any storage
 * (`KnownHosts` with a {@linkcode KnownHostsStorage}, e.g. one kept in IndexedDB).
 *
 * Nothing here imports a runtime module (`node:*`, `Deno`, `Bun`): crypto runs on what every
 * browser has, WebCrypto for AES-GCM, AES-CTR, HMAC and (where the browser has it) Ed25519,
 * and the audited pure-JavaScript noble libraries for ChaCha20-Poly1305, curve25519, ML-KEM
 * and the rest. `deno task build:browser` bundles this module into one file.
 *
 * @example Not run here: it needs a browser, a WebSocket relay and an SSH server
 * ```ts ignore
 * import { connect, connectWebSocket, KnownHosts, MemoryStorage, webCryptoSigner } from "@hush/ssh/browser";
 * const keys = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
 * const client = await connect({
 *   hostname: "127.0.0.1",
 *   port: 22,
 *   username: "me",
 *   identities: [await webCryptoSigner(keys)],
 *   knownHosts: new KnownHosts([new MemoryStorage()]),
 *   policy: "ask",
 *   ask: async ({ fingerprint, randomart }) => confirm(`${fingerprint}\n${randomart}`),
 *   duplex: await connectWebSocket("ws://127.0.0.1:8022/?target=127.0.0.1:22"),
 * });
 * const shell = await client.shell({ pty: { cols: 80, rows: 24 } });
 * ```
 * @module
 */
export { connect } from "./connect.ts";
export type { ConnectOptions, JumpHostOptions } from "./connect_options.ts";
export type { DynamicForwardOptions } from "./dynamic_forward.ts";
export type { SocksRequest } from "./socks.ts";
export { type PtyOptions, SshClient } from "./client.ts";
export { DEFAULT_EXEC_MAX_BUFFER, type ExecOptions, type ExecResult } from "./exec.ts";
export { ExecError, type ExecErrorCode, type ExecErrorDetails } from "./exec_error.ts";
export type { HostVerifier, HostVerifierInfo } from "./host_verifier.ts";
export type {
  ForwardedConnectionHandler,
  ForwardedConnectionInfo,
  LocalForward,
  LocalForwardOptions,
} from "./client_forward.ts";
export type { ForwardSocket } from "./server_forward_handlers.ts";
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
  fingerprintOf,
  KeyError,
  parsePrivateKey,
  parsePublicKeyLine,
  type PrivateKey,
  type PublicKey,
  randomart,
  type Signer,
  webCryptoSigner,
} from "@hush/keys";
export {
  checkHostKey,
  HostKeyError,
  type HostKeyPolicy,
  type HostKeyPrompt,
  KnownHosts,
  type KnownHostsStorage,
  MemoryStorage,
} from "@hush/hostkeys";
export { AuthError } from "@hush/auth";
export { ChannelError, type Session } from "@hush/channels";
export { DisconnectError } from "@hush/transport";
// The types of the packages below that this API names, re-exported so that its documentation
// is complete (deno doc --lint); types only, nothing of them reaches the bundle.
export type * from "@hush/auth";
export type * from "@hush/channels";
export type * from "@hush/hostkeys";
export type * from "@hush/kex";
export type * from "@hush/keys";
export type * from "@hush/transport";
