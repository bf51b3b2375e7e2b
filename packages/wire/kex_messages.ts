/**
 * The method-specific key exchange messages (numbers 30–34: RFC 4253 §8, RFC 4419, RFC 5656), as
 * typed values. The same numbers mean different messages under different methods, so these decode
 * only with a `DecodeContext` that names the method.
 * @module
 */

/** SSH_MSG_KEX_ECDH_INIT (RFC 5656; also curve25519 and the ML-KEM hybrid's C_INIT). */
export interface KexEcdhInit {
  /** The message tag. */
  type: "kexEcdhInit";
  /** Q_C, the client's ephemeral public value, as a string. */
  publicKey: Uint8Array;
}
/** SSH_MSG_KEX_ECDH_REPLY (RFC 5656; also curve25519 and the ML-KEM hybrid's S_REPLY). */
export interface KexEcdhReply {
  /** The message tag. */
  type: "kexEcdhReply";
  /** K_S, the server's host key blob. */
  hostKey: Uint8Array;
  /** Q_S, the server's ephemeral public value (or ciphertext), as a string. */
  publicKey: Uint8Array;
  /** The signature blob over H. */
  signature: Uint8Array;
}
/** SSH_MSG_KEXDH_INIT (RFC 4253 §8). */
export interface KexDhInit {
  /** The message tag. */
  type: "kexDhInit";
  /** The client's public value e. */
  e: bigint;
}
/** SSH_MSG_KEXDH_REPLY (RFC 4253 §8). */
export interface KexDhReply {
  /** The message tag. */
  type: "kexDhReply";
  /** K_S, the server's host key blob. */
  hostKey: Uint8Array;
  /** The server's public value f. */
  f: bigint;
  /** The signature blob over the exchange hash H. */
  signature: Uint8Array;
}
/** SSH_MSG_KEX_DH_GEX_REQUEST_OLD (RFC 4419). */
export interface KexDhGexRequestOld {
  /** The message tag. */
  type: "kexDhGexRequestOld";
  /** Preferred group size in bits. */
  n: number;
}
/** SSH_MSG_KEX_DH_GEX_REQUEST (RFC 4419). */
export interface KexDhGexRequest {
  /** The message tag. */
  type: "kexDhGexRequest";
  /** Smallest acceptable group size in bits. */
  min: number;
  /** Preferred group size in bits. */
  n: number;
  /** Largest acceptable group size in bits. */
  max: number;
}
/** SSH_MSG_KEX_DH_GEX_GROUP (RFC 4419). */
export interface KexDhGexGroup {
  /** The message tag. */
  type: "kexDhGexGroup";
  /** The safe prime p. */
  p: bigint;
  /** The generator g. */
  g: bigint;
}
/** SSH_MSG_KEX_DH_GEX_INIT (RFC 4419). */
export interface KexDhGexInit {
  /** The message tag. */
  type: "kexDhGexInit";
  /** The client's public value e. */
  e: bigint;
}
/** SSH_MSG_KEX_DH_GEX_REPLY (RFC 4419). */
export interface KexDhGexReply {
  /** The message tag. */
  type: "kexDhGexReply";
  /** K_S, the server's host key blob. */
  hostKey: Uint8Array;
  /** The server's public value f. */
  f: bigint;
  /** The signature blob over the exchange hash H. */
  signature: Uint8Array;
}

/** The method-specific key exchange messages (30–34), one layer of `Message`. */
export type KexMessage =
  | KexEcdhInit
  | KexEcdhReply
  | KexDhInit
  | KexDhReply
  | KexDhGexRequestOld
  | KexDhGexRequest
  | KexDhGexGroup
  | KexDhGexInit
  | KexDhGexReply;
