/**
 * `@hush/transport`: the SSH transport layer (RFC 4253) over any Web Streams byte duplex —
 * version exchange, key exchange and rekeying, strict kex, EXT_INFO, NEWKEYS switching, and an
 * explicit state machine that disconnects on any message out of place.
 *
 * @example
 * ```ts ignore
 * import { startTransport } from "@hush/transport";
 * const t = await startTransport(socket, { role: "client", verifyHostKey: () => {} });
 * await t.requestService("ssh-userauth");
 * ```
 * @module
 */
export {
  CLOSE_FLUSH_TIMEOUT,
  CONTROL_BACKLOG_LIMIT,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_HELD_BYTES_LIMIT,
  DEFAULT_REKEY_BYTES,
  DEFAULT_REKEY_INTERVAL,
  startTransport,
  Transport,
} from "./transport.ts";
export { DisconnectError, reasonName } from "./errors.ts";
export { allowedMessage, Phase, type PhaseName, type ReceiveState } from "./state.ts";
export { DEFAULT_HOST_KEY_ALGORITHMS, DEFAULT_SERVER_SIG_ALGS } from "./algorithms.ts";
export type { ByteDuplex, HostKeyInfo, TransportOptions, TransportTimers } from "./options.ts";
export { UPSTREAM_HIGH_WATER_MARK } from "./message_queue.ts";
