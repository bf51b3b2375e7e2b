/**
 * What {@linkcode connect} is told: where to connect, who to log in as and how, the host key
 * policy, keepalives, timeouts, and the server's channel opens.
 * @module
 */
import type { AgentClient } from "@hush/auth";
import type {
  Channel,
  ChannelOpenHandler,
  ChannelOpenRequest,
  ConnectionTimers,
} from "@hush/channels";
import type { HostKeyPolicy, KnownHosts } from "@hush/hostkeys";
import type { CipherBackends } from "@hush/cipher";
import type { AlgorithmPreferences, Sntrup761Backend, X25519Backend } from "@hush/kex";
import type { Signer } from "@hush/keys";
import type { ByteDuplex } from "@hush/transport";
import type { HostVerifier } from "./host_verifier.ts";
import type { ForwardSocket } from "./server_forward_handlers.ts";

/**
 * Options for {@linkcode connect}.
 *
 * @example
 * ```ts
 * import type { ConnectOptions } from "@hush/ssh";
 * const options: ConnectOptions = {
 *   hostname: "127.0.0.1",
 *   port: 2222,
 *   username: "me",
 *   password: "secret",
 *   policy: "accept-new",
 *   keepaliveInterval: 15_000,
 * };
 * ```
 */
export interface ConnectOptions {
  /** Host to connect to (also the name looked up in known_hosts). */
  hostname: string;
  /** TCP port (22). */
  port?: number;
  /** User to log in as. */
  username: string;
  /** Keys to offer, in order (in memory, loaded from files, or WebCrypto keys). */
  identities?: Signer[];
  /**
   * A private key as its file's text or bytes (OpenSSH, PKCS#8, PKCS#1, SEC1 or legacy
   * encrypted PEM, PuTTY `.ppk`), offered after `identities`. It is parsed before anything
   * connects: a bad key, or a wrong or missing `passphrase`, rejects with the `KeyError` of
   * `@hush/keys` (its `passphrase` field is `"wrong"` or `"required"`). The parsed key is
   * disposed of (zeroed) once `connect()` settles. Jump hosts without `identities` of their
   * own offer it too.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { serializePrivateKey } from "@hush/keys";
   * import { accept, connect, generateKey } from "@hush/ssh";
   * import { memoryDuplexPair } from "@hush/ssh/adapters";
   * const [hostKey, key] = await Promise.all([generateKey("ssh-ed25519"), generateKey("ssh-ed25519")]);
   * // the text of ~/.ssh/id_ed25519, however it was read
   * const privateKey = await serializePrivateKey(key, { passphrase: "correct horse", rounds: 2 });
   * const [a, b] = memoryDuplexPair();
   * accept(b, { hostKeys: [hostKey], authenticate: { publickey: (_user, k) => k.equals(key.publicKey) } });
   * const client = await connect({
   *   hostname: "example.org", username: "me", privateKey, passphrase: "correct horse", policy: "no", duplex: a,
   * });
   * await client.close();
   * const wrong = { hostname: "example.org", username: "me", privateKey, passphrase: "wrong" };
   * await assert.rejects(connect(wrong), { name: "KeyError", passphrase: "wrong" }); // before connecting
   * ```
   */
  privateKey?: string | Uint8Array;
  /** The passphrase of an encrypted `privateKey` (ignored when it is not encrypted). */
  passphrase?: string;
  /**
   * Signature algorithms the client may use for user keys (`PubkeyAcceptedAlgorithms`), e.g.
   * `["rsa-sha2-256"]` to sign with SHA-256 rather than SHA-512 for an RSA key; all by default.
   */
  publicKeyAlgorithms?: string[];
  /** An ssh-agent to take keys and signatures from. */
  agent?: AgentClient;
  /** Password, or a callback asked when the server wants one. */
  password?: string | (() => Promise<string | undefined>);
  /** Answers keyboard-interactive prompts. */
  keyboardInteractive?: (
    req: { name: string; instruction: string; prompts: { prompt: string; echo: boolean }[] },
  ) => Promise<string[]>;
  /**
   * Decides the server's host key instead of known_hosts (for users of ssh2's option of that
   * name): given the key, its type and its `SHA256:` fingerprint, `true` trusts it and `false`
   * refuses it, ending the connection with HOST_KEY_NOT_VERIFIABLE and rejecting with a
   * `HostKeyError` whose message says the hostVerifier refused it. When it is set, `knownHosts`,
   * `policy`, `ask` and `hashKnownHosts` are not consulted and nothing is recorded: it
   * replaces the known_hosts check for this host, and for the jump hosts that inherit it
   * (`info.host` and `info.port` say which one is asking). It is asked again if the host key
   * changes at a rekey.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { accept, connect, generateKey } from "@hush/ssh";
   * import { memoryDuplexPair } from "@hush/ssh/adapters";
   * const hostKey = await generateKey("ssh-ed25519");
   * const pinned = hostKey.publicKey.fingerprint(); // "SHA256:…", as `ssh-keygen -lf` prints it
   * const [a, b] = memoryDuplexPair();
   * accept(b, { hostKeys: [hostKey], authenticate: { password: () => true } });
   * const client = await connect({
   *   hostname: "example.org",
   *   username: "me",
   *   password: "",
   *   hostVerifier: ({ fingerprint }) => fingerprint === pinned,
   *   duplex: a,
   * });
   * assert.equal(pinned.startsWith("SHA256:"), true);
   * await client.close();
   * ```
   */
  hostVerifier?: HostVerifier;
  /** The known_hosts store; without one the policy must be `no`. */
  knownHosts?: KnownHosts;
  /** StrictHostKeyChecking: `yes`, `accept-new`, `ask` or `no` (default `yes`). */
  policy?: HostKeyPolicy;
  /** Record new hosts hashed (`HashKnownHosts yes`), as `|1|salt|hash`. */
  hashKnownHosts?: boolean;
  /** Decides about an unknown host key under the `ask` policy. */
  ask?: (
    info: { host: string; port: number; keyType: string; fingerprint: string; randomart: string },
  ) => Promise<boolean>;
  /** Algorithm preferences (OpenSSH 10's defaults otherwise). */
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
  /** `ssh -v` style trace lines. */
  trace?: (line: string) => void;
  /** Banners from the server. */
  onBanner?: (message: string) => void;
  /** Aborts connecting and closes the connection. */
  signal?: AbortSignal;
  /** Use this byte duplex instead of opening a TCP connection. */
  duplex?: ByteDuplex;
  /** Rekey after this many bytes in either direction (`RekeyLimit`; 1 GiB). */
  rekeyBytes?: number;
  /** Rekey after this many milliseconds (`RekeyLimit`'s second value; one hour). */
  rekeyInterval?: number;
  /**
   * Send keepalive@openssh.com after this many milliseconds without a message from the server
   * (`ServerAliveInterval`; 0: never).
   */
  keepaliveInterval?: number;
  /**
   * Give up after this many keepalives in a row found the server silent (`ServerAliveCountMax`;
   * 3): the connection ends with CONNECTION_LOST and `trace` gets
   * "Timeout, server not responding.".
   */
  keepaliveCountMax?: number;
  /**
   * The clock behind keepalives (default: `setInterval` timers that never keep the process
   * alive by themselves). Inject fake ones to test keepalives without waiting.
   */
  keepaliveTimers?: ConnectionTimers;
  /**
   * Milliseconds allowed for the TCP connect, key exchange and authentication together
   * (`ConnectTimeout`); the connection is not limited once it is up.
   */
  connectTimeout?: number;
  /**
   * Decides the server's channel opens (`forwarded-tcpip` for {@linkcode SshClient.forwardIn});
   * without it every open is refused.
   */
  onChannelOpen?: ChannelOpenHandler;
  /** Receives each channel accepted by `onChannelOpen`, with its open request. */
  onChannel?: (channel: Channel, open: ChannelOpenRequest) => void;
  /**
   * Forward an ssh-agent to the sessions this client starts (`ssh -A`): each one asks for
   * agent forwarding, and each `auth-agent@openssh.com` channel the server then opens is relayed
   * to a fresh connection from this function, e.g. `() => connectUnix(agentSocketPath)`. Only
   * forward an agent to servers you trust: their root can use its keys while you are connected.
   */
  forwardAgent?: () => Promise<ForwardSocket>;
  /**
   * Jump hosts to go through (`ProxyJump`, `ssh -J`), outermost first: the first is reached
   * over TCP (or `duplex`), each opens a `direct-tcpip` channel to the next, and the last one
   * to this host. Every hop's host key is checked under its own name and port. A hop takes
   * from these options what it does not set itself: the user name, keys (`privateKey`
   * included), agent, known_hosts store and policy, `ask`, `hostVerifier`, algorithms,
   * timeouts, keepalives and `trace`; never the password or keyboard-interactive answers,
   * which are this host's alone. A hop's own `privateKey` is added to its `identities` (its
   * own, or those it inherits). The hops are closed with the connection
   * ({@linkcode SshClient.jumps}).
   */
  proxyJump?: JumpHostOptions[];
}

/**
 * One jump host of {@linkcode ConnectOptions.proxyJump}: where it is, and whatever it needs
 * unlike the destination (its own user, keys or policy).
 *
 * @example
 * ```ts
 * import type { JumpHostOptions } from "@hush/ssh";
 * const hop: JumpHostOptions = { hostname: "bastion.example.org", port: 2222, username: "jump" };
 * ```
 */
export interface JumpHostOptions
  extends Partial<Omit<ConnectOptions, "hostname" | "proxyJump" | "duplex">> {
  /** The jump host's name or address (also the name looked up in known_hosts). */
  hostname: string;
}
