/**
 * A byte duplex behind a switch, for keepalive tests: once frozen, bytes stop flowing both ways
 * while the connection stays up, as when the peer's process is stopped.
 * @module
 */
import type { ByteDuplex } from "@hush/transport";

/** `duplex` behind a switch: while `frozen`, bytes stop flowing both ways (the TCP stays up). */
export function freezable(duplex: ByteDuplex): { duplex: ByteDuplex; freeze: () => void } {
  let frozen = false;
  const gate = () =>
    new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, out) => void (frozen || out.enqueue(chunk)),
    });
  const outgoing = gate();
  void outgoing.readable.pipeTo(duplex.writable).catch(() => {});
  return {
    duplex: { readable: duplex.readable.pipeThrough(gate()), writable: outgoing.writable },
    freeze: () => void (frozen = true),
  };
}
