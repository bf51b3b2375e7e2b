/**
 * Web Streams over a child process's stdio pipes, with backpressure both ways.
 *
 * Not `Readable.toWeb`/`Writable.toWeb`: those destroy the Node stream *with* the cancel or
 * abort reason, and Deno's child_process, which waits for the pipes to close once the child has
 * exited, rejects a promise nobody handles when one of them errors then ("Uncaught (in
 * promise)"), ending the whole process. A server whose client disconnected while a command's
 * output was on its way (a pipe cancelled with the channel's error) died with it. Here cancel
 * and abort destroy the pipe without an error.
 * @module
 */
import type { Readable, Writable } from "node:stream";
import { ChannelError } from "@hush/channels";

/** Bytes a readable queues before it pauses the pipe. */
const QUEUE_BYTES = 64 * 1024;

/**
 * A child's stdout or stderr as a ReadableStream; cancelling it destroys the pipe quietly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawn } from "node:child_process";
 * import { readableFromPipe } from "./child_stdio.ts";
 * const child = spawn("echo", ["hi"]);
 * assert.equal(await new Response(readableFromPipe(child.stdout)).text(), "hi\n");
 * ```
 */
export function readableFromPipe(pipe: Readable): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      pipe.on("data", (d: Uint8Array) => {
        try {
          c.enqueue(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        } catch {
          return; // cancelled: the pipe is being destroyed
        }
        if ((c.desiredSize ?? 1) <= 0) pipe.pause();
      });
      const end = () => {
        try {
          c.close();
        } catch { /* ended, errored or cancelled */ }
      };
      pipe.once("end", end);
      pipe.once("close", end);
      pipe.once("error", (e: Error) => {
        try {
          c.error(e);
        } catch { /* cancelled */ }
      });
      pipe.pause();
    },
    pull() {
      pipe.resume();
    },
    cancel() {
      pipe.destroy();
    },
  }, { highWaterMark: QUEUE_BYTES, size: (chunk) => chunk.byteLength });
}

/**
 * A child's stdin as a WritableStream: writes wait for the pipe to drain, close sends EOF, and
 * abort destroys the pipe quietly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spawn } from "node:child_process";
 * import { readableFromPipe, writableToPipe } from "./child_stdio.ts";
 * const child = spawn("cat");
 * const stdin = writableToPipe(child.stdin).getWriter();
 * await stdin.write(new TextEncoder().encode("echoed"));
 * await stdin.close();
 * assert.equal(await new Response(readableFromPipe(child.stdout)).text(), "echoed");
 * ```
 */
export function writableToPipe(pipe: Writable): WritableStream<Uint8Array> {
  // A write to a pipe whose reader has gone fails with EPIPE: the write's promise says so.
  pipe.on("error", () => {});
  const settled = (
    onDone: () => void,
    onError: (e: Error) => void,
    done: "drain" | "finish",
  ): void => {
    const finish = () => {
      pipe.off("error", fail);
      pipe.off("close", closed);
      onDone();
    };
    const fail = (e: Error) => {
      pipe.off(done, finish);
      pipe.off("close", closed);
      onError(e);
    };
    const closed = () => {
      pipe.off(done, finish);
      pipe.off("error", fail);
      if (done === "finish") onDone();
      else onError(new ChannelError("The command's standard input was closed"));
    };
    pipe.once(done, finish);
    pipe.once("error", fail);
    pipe.once("close", closed);
  };
  return new WritableStream<Uint8Array>({
    write(chunk) {
      if (pipe.destroyed || pipe.writableEnded) {
        throw new ChannelError("The command's standard input was closed");
      }
      if (pipe.write(chunk)) return;
      return new Promise<void>((resolve, reject) => settled(resolve, reject, "drain"));
    },
    close() {
      if (pipe.destroyed) return;
      return new Promise<void>((resolve, reject) => {
        settled(resolve, reject, "finish");
        pipe.end();
      });
    },
    abort() {
      pipe.destroy();
    },
  });
}
