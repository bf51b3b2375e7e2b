/**
 * Transport options and the trace hook.
 * @module
 */
import type { AlgorithmPreferences } from "@hush/kex";
import type { Signer } from "@hush/keys";
import type { RandomSource } from "@hush/wire";

/** A byte duplex: a TCP socket, a WebSocket stream, or an in-memory pair. */
export interface ByteDuplex {
  /** Bytes from the peer. */
  readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  writable: WritableStream<Uint8Array>;
}

/** What a client learns about the server's host key before trusting it. */
export interface HostKeyInfo {
  /** The host key blob (K_S). */
  hostKey: Uint8Array;
  /** The negotiated host key algorithm it signed with. */
  algorithm: string;
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
  /** Server: the public key algorithms announced in EXT_INFO `server-sig-algs`. */
  serverSigAlgs?: string[];
  /** Steps of the handshake as `ssh -v` style lines; never secrets. */
  trace?: (line: string) => void;
  /** Random source (cookies, padding, ephemeral keys); for deterministic tests. */
  random?: RandomSource;
  /** Aborts the connection. */
  signal?: AbortSignal;
}
