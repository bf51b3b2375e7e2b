/**
 * `@hush/transport`: the SSH transport layer (RFC 4253) over any Web Streams byte duplex —
 * version exchange, key exchange and rekeying, strict kex, EXT_INFO, NEWKEYS switching, and an
 * explicit state machine that disconnects on any message out of place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKey } from "@hush/keys";
 * import { startTransport } from "@hush/transport";
 * import { memoryDuplexPair } from "@hush/transport/testing";
 * const [a, b] = memoryDuplexPair();
 * const hostKey = await generateKey("ssh-ed25519");
 * const [client] = await Promise.all([
 *   startTransport(a, { role: "client", verifyHostKey: () => {} }),
 *   startTransport(b, { role: "server", hostKeys: [hostKey] }),
 * ]);
 * assert.ok(client.sessionId); // the first exchange's hash
 * await client.requestService("ssh-userauth");
 * await client.disconnect();
 * ```
 * @module
 */
export { CLOSE_FLUSH_TIMEOUT, Transport } from "./transport.ts";
export { startTransport } from "./start.ts";
export { DEFAULT_HANDSHAKE_TIMEOUT } from "./handshake_timeout.ts";
export { CONTROL_BACKLOG_LIMIT, DEFAULT_HELD_BYTES_LIMIT } from "./outbound.ts";
export { DEFAULT_REKEY_BYTES, DEFAULT_REKEY_INTERVAL } from "./rekey.ts";
export { DisconnectError, reasonName } from "./errors.ts";
export {
  Phase,
  PhaseEvent,
  type PhaseEventName,
  type PhaseName,
  type ReceiveState,
} from "./state.ts";
export { DEFAULT_HOST_KEY_ALGORITHMS, DEFAULT_SERVER_SIG_ALGS } from "./algorithms.ts";
export type { ByteDuplex, HostKeyInfo, TransportOptions, TransportTimers } from "./options.ts";
export { UPSTREAM_HIGH_WATER_MARK } from "./message_queue.ts";
export {
  COMPRESSION_METHODS,
  COMPRESSION_PREFERRED,
  type CompressionMethod,
  compressionMethod,
  CompressionStart,
  type CompressionStartName,
  DEFAULT_CLIENT_COMPRESSION,
  DEFAULT_SERVER_COMPRESSION,
} from "./compression.ts";
export { ZLIB_LEVEL, ZlibCompressor } from "./zlib_compressor.ts";
export { ZlibDecompressor } from "./zlib_decompressor.ts";
