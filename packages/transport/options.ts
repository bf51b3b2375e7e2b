/**
 * Transport options and the trace hook.
 * @module
 */
import type { CipherBackends } from "@hush/cipher";
import type { AlgorithmPreferences, Sntrup761Backend, X25519Backend } from "@hush/kex";
import type { Signer } from "@hush/keys";
import type { ByteDuplex, RandomSource } from "@hush/wire";

export type { ByteDuplex };

/** What a client learns about the server's host key before trusting it. */
export interface HostKeyInfo {
  /** The host key blob (K_S). */
  hostKey: Uint8Array;
  /** The negotiated host key algorithm it signed with. */
  algorithm: string;
}

/**
 * The timers the transport uses (handshake timeout, timed rekey). Inject fake ones to test
 * timeouts without waiting; the defaults are the global `setTimeout`/`clearTimeout`, unref'd
 * where the runtime can.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TransportTimers } from "@hush/transport";
 * const due: (() => void)[] = [];
 * const timers: TransportTimers = {
 *   setTimeout: (fn) => due.push(fn),
 *   clearTimeout: () => {},
 * };
 * let fired = false;
 * timers.setTimeout(() => (fired = true), 3_600_000);
 * due[0](); // an hour passes at once
 * assert.equal(fired, true);
 * ```
 */
export interface TransportTimers {
  /** Calls `fn` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer (a handle from `setTimeout`, or `undefined`). */
  clearTimeout(handle: unknown): void;
}

/** Options for {@linkcode startTransport}. */
export interface TransportOptions {
  /** Which end we are. */
  role: "client" | "server";
  /** Algorithm preferences, most preferred first; defaults are OpenSSH 10's. */
  algorithms?: Partial<AlgorithmPreferences>;
  /** Server: the host keys to offer and sign with. */
  hostKeys?: Signer[];
  /**
   * Client: decides whether to trust the server's host key (known_hosts policy). Throw to refuse;
   * the transport disconnects with HOST_KEY_NOT_VERIFIABLE. Called before NEWKEYS is sent.
   */
  verifyHostKey?: (info: HostKeyInfo) => Promise<void> | void;
  /** Software version in our identification line (default `Hush_0.1.0`). */
  softwareVersion?: string;
  /** Rekey after this many bytes in either direction (default 1 GiB). */
  rekeyBytes?: number;
  /** Rekey after this many milliseconds (default one hour). */
  rekeyInterval?: number;
  /** The first key exchange must finish within this many milliseconds (default 120 000). */
  handshakeTimeout?: number;
  /**
   * Encoded application bytes held while a key exchange runs (default 4 MiB); a `send()` past
   * it waits without being encoded until the exchange is over.
   */
  heldBytesLimit?: number;
  /** Timers for the handshake timeout and the timed rekey (for tests). */
  timers?: TransportTimers;
  /** Server: the public key algorithms announced in EXT_INFO `server-sig-algs`. */
  serverSigAlgs?: string[];
  /** Steps of the handshake as `ssh -v` style lines; never secrets. */
  trace?: (line: string) => void;
  /**
   * Random source (cookies, padding, ephemeral keys); for deterministic tests. Without it,
   * padding comes from a pool refilled 4 KiB at a time.
   */
  random?: RandomSource;
  /**
   * What the cipher suites run on (`node:crypto`, WebCrypto, WebAssembly) and in which order;
   * `@hush/ssh` measures and picks per runtime. Default: noble alone (pure JavaScript). A
   * promise is awaited only when the first keys are made, so finding them (compiling WebAssembly,
   * trying WebCrypto) overlaps the version exchange.
   */
  cipherBackends?: CipherBackends | Promise<CipherBackends>;
  /**
   * Where X25519 runs (curve25519 and the hybrids' X25519 half): `@hush/kex`'s
   * `webCryptoX25519(crypto.subtle)`, which `@hush/ssh` hands in, or noble (the default). A
   * promise is awaited once the peer's KEXINIT is in.
   */
  x25519?: X25519Backend | Promise<X25519Backend>;
  /**
   * Where sntrup761's ring arithmetic runs: `@hush/kex`'s `loadSntrup761Wasm()`, which
   * `@hush/ssh` hands in, or TypeScript (the default). A promise is awaited as `x25519` is.
   */
  sntrup761?: Sntrup761Backend | Promise<Sntrup761Backend>;
  /** Aborts the connection. */
  signal?: AbortSignal;
}
