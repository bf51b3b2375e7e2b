/**
 * TCP sockets as byte duplexes, for Deno (Deno.connect/listen) and for Node and Bun (node:net).
 * TCP_NODELAY is set on every socket: SSH sends small packets that must not wait for Nagle.
 * @module
 */
import type { ByteDuplex } from "@hush/transport";
import { SshError } from "@hush/wire";
import { acceptEach, type AcceptRetryOptions } from "./accept_retry.ts";
import { acceptQueue } from "./node_listener.ts";

/** A TCP connection: the byte duplex plus its addresses and a way to close it. */
export interface TcpConnection extends ByteDuplex {
  /** The peer's address. */
  remoteAddress: string;
  /** The peer's port. */
  remotePort: number;
  /** The local address. */
  localAddress: string;
  /** The local port. */
  localPort: number;
  /** Closes the socket at once. */
  close(): void;
}

/** A listening TCP socket. */
export interface TcpListener extends AsyncIterable<TcpConnection> {
  /** The bound address. */
  hostname: string;
  /** The bound port (the one picked when 0 was asked for). */
  port: number;
  /** Stops listening. */
  close(): void;
}

// deno-lint-ignore no-explicit-any
const Deno_ = (globalThis as any).Deno;

/**
 * `node:net` on Node and Bun, through `process.getBuiltinModule` rather than an `import`, so
 * that a browser bundle of the client (which never opens TCP) holds no `node:` import that a
 * bundler or a browser would trip over.
 */
function nodeNet(): typeof import("node:net") {
  const proc = (globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
  }).process;
  const net = proc?.getBuiltinModule?.("node:net") as typeof import("node:net") | undefined;
  if (!net) {
    throw new SshError(
      "ERR_SSH_UNSUPPORTED_RUNTIME",
      "TCP needs Deno, Node or Bun: in a browser use connectWebSocket",
    );
  }
  return net;
}

/**
 * Connects to `hostname:port` with TCP_NODELAY.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectTcp, listenTcp } from "@hush/ssh/adapters";
 * const listener = await listenTcp("127.0.0.1", 0); // an echo server, for the example
 * (async () => {
 *   for await (const peer of listener) await peer.readable.pipeTo(peer.writable);
 * })();
 * const socket = await connectTcp("127.0.0.1", listener.port);
 * const w = socket.writable.getWriter();
 * await w.write(new TextEncoder().encode("hi"));
 * await w.close(); // half-close: the echo ends after "hi"
 * assert.equal(await new Response(socket.readable).text(), "hi");
 * socket.close();
 * listener.close();
 * ```
 */
export async function connectTcp(
  hostname: string,
  port: number,
  signal?: AbortSignal,
): Promise<TcpConnection> {
  if (Deno_?.connect) {
    const conn = await Deno_.connect({ hostname, port, signal });
    return fromDenoConn(conn);
  }
  const net = nodeNet();
  const socket = net.connect({ host: hostname, port, noDelay: true, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      socket.destroy();
      reject(signal?.reason ?? new DOMException("Aborted", "AbortError"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    socket.once("error", reject);
  });
  return fromNodeSocket(socket);
}

/**
 * Listens on `hostname:port` (0 picks a free port). A failed accept ("Too many open files")
 * does not end the iteration: it is reported to `options.onAcceptError` and, after a short
 * pause, accepting goes on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenTcp } from "@hush/ssh/adapters";
 * const listener = await listenTcp("127.0.0.1", 0, { onAcceptError: (e) => console.error(`accept: ${e.message}`) });
 * assert.ok(listener.port > 0); // the port picked
 * listener.close();
 * ```
 */
export async function listenTcp(
  hostname: string,
  port: number,
  options: AcceptRetryOptions = {},
): Promise<TcpListener> {
  if (Deno_?.listen) {
    const l = Deno_.listen({ hostname, port, transport: "tcp" });
    let closed = false;
    const accept = async (): Promise<TcpConnection | undefined> => {
      try {
        return fromDenoConn(await l.accept());
      } catch (e) {
        if (closed || e instanceof Deno_.errors.BadResource) return undefined;
        throw e;
      }
    };
    return {
      hostname: l.addr.hostname,
      port: l.addr.port,
      close: () => {
        closed = true;
        try {
          l.close();
        } catch { /* closed */ }
      },
      [Symbol.asyncIterator]: () => acceptEach(accept, options),
    };
  }
  const net = nodeNet();
  const server = net.createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as { address: string; port: number };
  return {
    hostname: addr.address,
    port: addr.port,
    ...acceptQueue(server, fromNodeSocket, options),
  };
}

/** Bytes asked for per read of a Deno socket (Deno's own `conn.readable` reads as much). */
const DENO_READ_SIZE = 64 * 1024;

// Deno's `conn.readable` closes the whole socket when the peer's side ends, and its `writable`
// closes it on close(): a half-closed TCP stream (the peer sent EOF and waits for our reply,
// as `ssh -L` clients do) lost the reply. These streams keep the halves apart: EOF ends only
// the readable, closing the writable sends FIN (closeWrite), and close() shuts both.
// deno-lint-ignore no-explicit-any
function fromDenoConn(conn: any): TcpConnection {
  try {
    conn.setNoDelay(true);
  } catch { /* not a TCP socket */ }
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch { /* closed */ }
  };
  // A byte stream: a reader may bring its own buffer (the transport reuses one; readers that do
  // not get a fresh DENO_READ_SIZE buffer per read, as before).
  const readable = new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: DENO_READ_SIZE,
    async pull(c) {
      const request = c.byobRequest!;
      let n: number | null;
      try {
        n = await conn.read(request.view! as Uint8Array);
      } catch (e) {
        if (closed) n = null;
        else return c.error(e);
      }
      try {
        if (n === null) {
          c.close();
          request.respond(0); // hands the reader's buffer back with the end
        } else request.respond(n);
      } catch { /* cancelled meanwhile: nobody reads any more */ }
    },
    cancel: close,
  }) as ReadableStream<Uint8Array>;
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      for (let off = 0; off < chunk.length;) off += await conn.write(chunk.subarray(off));
    },
    async close() {
      try {
        await conn.closeWrite();
      } catch { /* already closed */ }
    },
    abort: close,
  });
  return {
    readable,
    writable,
    writesAreDone: true, // each write awaits conn.write until the whole chunk is in the kernel
    remoteAddress: conn.remoteAddr.hostname,
    remotePort: conn.remoteAddr.port,
    localAddress: conn.localAddr.hostname,
    localPort: conn.localAddr.port,
    close,
  };
}

/** Wraps a node:net socket (Node, Bun) as Web Streams with backpressure both ways. */
export function fromNodeSocket(socket: import("node:net").Socket): TcpConnection {
  socket.setNoDelay(true);
  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      socket.on("data", (d: Uint8Array) => {
        c.enqueue(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        if ((c.desiredSize ?? 1) <= 0) socket.pause();
      });
      socket.once("end", () => {
        try {
          c.close();
        } catch { /* cancelled */ }
      });
      socket.once("error", (e: Error) => {
        try {
          c.error(e);
        } catch { /* cancelled */ }
      });
      // A socket we destroy (close()) never emits 'end': end the stream on 'close' too, as the
      // Deno adapter does, so that a reader waiting on it (a handshake) finishes at once.
      socket.once("close", () => {
        try {
          c.close();
        } catch { /* ended, errored or cancelled */ }
      });
      socket.resume();
    },
    pull() {
      socket.resume();
    },
    cancel() {
      socket.destroy();
    },
  }, { highWaterMark: 256 * 1024, size: (c) => c.byteLength });
  const writable = new WritableStream<Uint8Array>({
    // Settles when the chunk is flushed to the kernel (write's callback), not when Node has
    // merely queued it: the transport reuses the buffers it writes (writesAreDone).
    write(chunk) {
      return new Promise<void>((resolve, reject) => {
        socket.write(chunk, (e) => e ? reject(e) : resolve());
      });
    },
    close() {
      // end()'s callback never runs on a socket already destroyed (e.g. after the readable
      // was cancelled), so 'close' settles it too.
      if (socket.destroyed) return;
      return new Promise<void>((resolve) => {
        socket.once("close", () => resolve());
        socket.end(() => resolve());
      });
    },
    abort() {
      socket.destroy();
    },
  });
  return {
    readable,
    writable,
    writesAreDone: true,
    // Node and Bun read each chunk into a buffer of its own, sized to it, never reused
    // (tcp_reads_test.ts checks this on every runtime).
    readsAreOwned: true,
    remoteAddress: socket.remoteAddress ?? "",
    remotePort: socket.remotePort ?? 0,
    localAddress: socket.localAddress ?? "",
    localPort: socket.localPort ?? 0,
    close: () => socket.destroy(),
  };
}
