/**
 * What {@linkcode serve} and {@linkcode accept} are told: host keys, authentication, the
 * application's callbacks, limits, and where to listen.
 * @module
 */
import type { ServerAuthOptions } from "@hush/auth";
import type { ConnectionTimers } from "@hush/channels";
import type { ServerSession } from "@hush/channels";
import type { CipherBackends } from "@hush/cipher";
import type { AlgorithmPreferences, Sntrup761Backend, X25519Backend } from "@hush/kex";
import type { Signer } from "@hush/keys";
import type { WebSocketListenOptions } from "./adapters/websocket_server.ts";
import type { MaxStartups } from "./max_startups.ts";
import type { ServerContext } from "./server_context.ts";
import type { ForwardHandlers } from "./server_forward_handlers.ts";

/**
 * Limits a server enforces per connection.
 *
 * @example
 * ```ts
 * import type { ServerLimits } from "@hush/ssh";
 * const limits: ServerLimits = { maxAuthTries: 3, loginGraceTime: 30_000, clientAliveInterval: 60_000 };
 * ```
 */
export interface ServerLimits {
  /** Failed authentication attempts allowed (6). */
  maxAuthTries?: number;
  /** Milliseconds allowed from connect to successful login (120 000; 0: no limit). */
  loginGraceTime?: number;
  /** Rekey after this many bytes each way (RekeyLimit; transport default 1 GiB). */
  rekeyBytes?: number;
  /** Rekey after this many milliseconds (RekeyLimit's second field; transport default 1 h). */
  rekeyInterval?: number;
  /**
   * After this many milliseconds without a word from an authenticated client, ask it for one
   * (a `keepalive@openssh.com` global request, as OpenSSH's ClientAliveInterval); 0 or unset:
   * never.
   */
  clientAliveInterval?: number;
  /**
   * Drop a client once this many keepalives in a row went unanswered (ClientAliveCountMax, 3);
   * the trace then says "Timeout, client not responding from …". 0 never drops one (keepalives
   * are still sent), as with OpenSSH.
   */
  clientAliveCountMax?: number;
  /**
   * Connections not yet authenticated that {@linkcode serve} admits (MaxStartups; OpenSSH's
   * 10:30:100): past `start`, new ones are dropped at `rate`% rising to all at `full`.
   */
  maxStartups?: MaxStartups;
  /**
   * `session` channels one connection may have open at once (MaxSessions, 10): past it a
   * session open is refused as OpenSSH's sshd refuses it ({@linkcode MAX_SESSIONS_REFUSAL})
   * and traced as "no more sessions". 0 refuses every session while forwarding still works,
   * as with OpenSSH.
   */
  maxSessions?: number;
}

/**
 * Options for {@linkcode serve} and {@linkcode accept}.
 *
 * @example
 * ```ts
 * import type { ServeOptions } from "@hush/ssh";
 * import { generateKey } from "@hush/keys";
 * const options: ServeOptions = {
 *   hostKeys: [await generateKey("ssh-ed25519")],
 *   authenticate: { password: (user, password) => user === "demo" && password === "demo" },
 *   onSession: (session) => {
 *     session.onShell = async () => {
 *       await session.writable.getWriter().write(new TextEncoder().encode("Hello\n"));
 *       return 0; // the exit status
 *     };
 *   },
 *   port: 0,
 * };
 * ```
 */
export interface ServeOptions {
  /** Host keys to offer (at least one). */
  hostKeys: Signer[];
  /** How users authenticate (callbacks per method). */
  authenticate: Omit<ServerAuthOptions, "sessionId">;
  /**
   * A session channel was opened: set its typed handlers (`onExec`, `onShell`, `onPty`,
   * `onEnv`, …) synchronously here.
   */
  onSession?: (session: ServerSession, context: ServerContext) => void;
  /** `direct-tcpip` (ssh -L) and `tcpip-forward` (ssh -R); refused when absent. */
  onForward?: ForwardHandlers;
  /** Called once a connection has ended (after its forwards are closed). */
  onClose?: (context: ServerContext) => void;
  /** Algorithm preferences. */
  algorithms?: Partial<AlgorithmPreferences>;
  /**
   * What the cipher suites run on (`node:crypto`, WebCrypto, WebAssembly) and in which order;
   * by default the fastest measured on this runtime (`defaultCipherBackends()`).
   */
  cipherBackends?: CipherBackends;
  /**
   * Where X25519 runs (curve25519 and the post-quantum hybrids): by default the runtime's
   * WebCrypto where it has X25519, else noble (`defaultX25519()`).
   */
  x25519?: X25519Backend;
  /**
   * Where sntrup761's ring arithmetic runs (the post-quantum half of sntrup761x25519): by
   * default WebAssembly where the runtime has it, else TypeScript (`defaultSntrup761()`).
   */
  sntrup761?: Sntrup761Backend;
  /** Limits. */
  limits?: ServerLimits;
  /** Timers for the client-alive keepalives (default: the global ones); fake ones in tests. */
  keepaliveTimers?: ConnectionTimers;
  /** Software version in our identification line (`Hush_0.1.0`). */
  softwareVersion?: string;
  /** Trace lines (`sshd -d` style). */
  trace?: (line: string) => void;
  /** Interface to listen on (`127.0.0.1`). */
  hostname?: string;
  /** Port to listen on (22; 0 picks a free one). */
  port?: number;
  /** Listen on TCP (`hostname`, `port`); `false` serves only WebSocket (default true). */
  tcp?: boolean;
  /**
   * Also take SSH over WebSocket upgrades on an HTTP port (Deno and Bun): binary messages
   * carry the bytes; `Origin` is checked (same origin, none, or `origins`).
   */
  webSocket?: WebSocketListenOptions;
}
