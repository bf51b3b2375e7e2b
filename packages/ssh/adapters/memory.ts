/**
 * An in-memory byte duplex pair, for tests and for running client and server in one process.
 * @module
 */
import type { ByteDuplex } from "@hush/transport";

/**
 * Two byte duplexes wired back to back: what one writes, the other reads. Each direction holds
 * at most `highWaterMark` bytes before the writer waits (real backpressure).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryDuplexPair } from "@hush/ssh/adapters";
 * const [a, b] = memoryDuplexPair();
 * const w = a.writable.getWriter();
 * w.write(new Uint8Array([1, 2, 3]));
 * const { value } = await b.readable.getReader().read();
 * assert.deepEqual(value, new Uint8Array([1, 2, 3]));
 * ```
 */
export function memoryDuplexPair(highWaterMark = 256 * 1024): [ByteDuplex, ByteDuplex] {
  const strategy = { highWaterMark, size: (c: Uint8Array) => c.byteLength };
  const ab = new TransformStream<Uint8Array, Uint8Array>({}, strategy, strategy);
  const ba = new TransformStream<Uint8Array, Uint8Array>({}, strategy, strategy);
  return [
    { readable: ba.readable, writable: ab.writable },
    { readable: ab.readable, writable: ba.writable },
  ];
}
