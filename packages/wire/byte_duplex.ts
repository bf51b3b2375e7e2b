/**
 * The byte duplex every layer runs over: a pair of Web Streams of bytes.
 * @module
 */

/**
 * A byte duplex: a TCP or Unix socket (a `Deno.Conn`, a Node socket through `Duplex.toWeb`), a
 * WebSocket stream, an agent connection, a channel, or an in-memory pair in tests. The SSH
 * transport, the agent client and port forwarding all take one.
 *
 * @example
 * ```ts
 * import type { ByteDuplex } from "@hush/wire";
 * const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
 * const loopback: ByteDuplex = { readable, writable };
 * const writer = loopback.writable.getWriter();
 * void writer.write(new Uint8Array([1, 2]));
 * const { value } = await loopback.readable.getReader().read();
 * console.log(value); // Uint8Array(2) [ 1, 2 ]
 * ```
 */
export interface ByteDuplex {
  /** Bytes from the peer. */
  readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer; closing it ends the connection's sending side. */
  writable: WritableStream<Uint8Array>;
  /**
   * True when a write to `writable` settles only once the sink is done with the chunk (a
   * `Deno.Conn`'s write has copied it into the kernel): the SSH transport then reuses the
   * buffers it writes. Leave it unset when the sink may still read a chunk after its write
   * settled (Node's `socket.write` keeps what it could not send at once).
   */
  readonly writesAreDone?: boolean;
  /**
   * True when each chunk read from `readable` is memory nobody else holds or touches again (a
   * fresh buffer per read, as Node's and Bun's sockets give): the SSH transport then decrypts
   * packets where they arrived and hands their payloads on as views of the chunk. Leave it
   * unset when the source may reuse or keep a chunk it enqueued.
   */
  readonly readsAreOwned?: boolean;
}
