/**
 * What `SshClient.exec()` does once its command runs: send stdin, collect stdout and stderr up
 * to a bound, and settle with the exit status, or stop on an abort.
 * @module
 */
import type { Session } from "@hush/channels";
import { ExecError } from "./exec_error.ts";

/**
 * How many bytes `exec()` collects of each of stdout and stderr unless told otherwise
 * (`maxBuffer`): 16 MiB. Past it the command's channel is closed and `exec()` rejects with an
 * `ExecError` (`ERR_SSH_EXEC_MAX_BUFFER`). Node's `child_process.exec` bounds at 1 MiB, which
 * ordinary command output (a log, a listing) often passes; ssh2 does not bound at all, which
 * lets a runaway or hostile server fill the client's memory. Pass `maxBuffer: Infinity` to
 * collect without a bound, or stream the output with `execStream()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_EXEC_MAX_BUFFER } from "@hush/ssh";
 * assert.equal(DEFAULT_EXEC_MAX_BUFFER, 16777216);
 * ```
 */
export const DEFAULT_EXEC_MAX_BUFFER = 16 * 1024 * 1024;

/**
 * Options of `SshClient.exec()`.
 *
 * @example
 * ```ts
 * import type { ExecOptions } from "@hush/ssh";
 * const options: ExecOptions = {
 *   stdin: "hello\n",
 *   encoding: "utf8",
 *   maxBuffer: 64 * 1024,
 *   signal: AbortSignal.timeout(10_000),
 *   check: true,
 * };
 * ```
 */
export interface ExecOptions {
  /** Sent to the command's stdin, followed by EOF (only EOF when absent). */
  stdin?: Uint8Array | string;
  /** `"utf8"`: stdout and stderr come back as strings (bytes by default). */
  encoding?: "utf8";
  /**
   * The most bytes collected of each of stdout and stderr ({@linkcode DEFAULT_EXEC_MAX_BUFFER},
   * 16 MiB; `Infinity` for no bound). Past it the command is sent `TERM`, its channel is closed,
   * and `exec()` rejects with an `ExecError` (`ERR_SSH_EXEC_MAX_BUFFER`) naming the stream and
   * the bound, holding the output up to it.
   */
  maxBuffer?: number;
  /**
   * Aborting it stops the command: it is sent `TERM`, its channel is closed, and `exec()`
   * rejects with the signal's reason. The `TERM` is a request the server may refuse (OpenSSH's
   * sshd honours it since 7.9, but not for root logins, which it runs without post-auth
   * privilege separation); the closed channel then ends the command at its next write, as
   * killing `ssh host cmd` (without `-t`) does.
   */
  signal?: AbortSignal;
  /**
   * Reject unless the command exits with status 0: with an `ExecError` (`ERR_SSH_EXEC`)
   * carrying `status`, `signal`, `stdout` and `stderr` when it exits non-zero, dies of a signal
   * or ends without a status. Off by default: the result reports the status.
   */
  check?: boolean;
}

/**
 * What `exec` returns once the command has finished: its output as bytes, or as strings under
 * `encoding: "utf8"`.
 *
 * @example
 * ```ts
 * import type { ExecResult } from "@hush/ssh";
 * const describe = ({ code, signal, stdout }: ExecResult) =>
 *   `${code ?? signal}: ${new TextDecoder().decode(stdout)}`;
 * const text = ({ stdout }: ExecResult<string>) => stdout.trim();
 * ```
 */
export interface ExecResult<Output extends Uint8Array | string = Uint8Array> {
  /** Everything the command wrote to stdout. */
  stdout: Output;
  /** Everything it wrote to stderr (extended data type 1). */
  stderr: Output;
  /** Exit status, or null when the command died of a signal or sent none. */
  code: number | null;
  /** The signal that killed it, if any. */
  signal: string | null;
}

/**
 * The bytes of one output stream, up to a bound: `drain` reads the stream into it and calls
 * `overflow` (once) when a chunk would pass the bound, keeping the bytes up to it.
 */
class OutputBuffer {
  #parts: Uint8Array[] = [];
  #length = 0;
  #reader?: ReadableStreamDefaultReader<Uint8Array>;

  constructor(readonly limit: number) {}

  async drain(stream: ReadableStream<Uint8Array>, overflow: () => void): Promise<void> {
    const reader = this.#reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const room = this.limit - this.#length;
      if (value.length > room) {
        if (room > 0) this.#push(value.subarray(0, room));
        overflow();
        return;
      }
      this.#push(value);
    }
  }

  /** Stops reading (the channel is being closed). */
  cancel(): void {
    this.#reader?.cancel().catch(() => {});
  }

  #push(chunk: Uint8Array): void {
    this.#parts.push(chunk);
    this.#length += chunk.length;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let o = 0;
    for (const p of this.#parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  output(encoding: "utf8" | undefined): Uint8Array | string {
    return encoding === "utf8" ? new TextDecoder().decode(this.bytes()) : this.bytes();
  }
}

/**
 * The `maxBuffer` of `options`, checked: a number of bytes from 0 up, or `Infinity`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { execMaxBuffer } from "./exec.ts";
 * assert.equal(execMaxBuffer({}), 16777216);
 * assert.equal(execMaxBuffer({ maxBuffer: 1024 }), 1024);
 * ```
 */
export function execMaxBuffer(options: ExecOptions): number {
  const max = options.maxBuffer ?? DEFAULT_EXEC_MAX_BUFFER;
  if (typeof max !== "number" || !(max >= 0)) {
    throw new RangeError(`maxBuffer must be a number of bytes (0 or more): ${max}`);
  }
  return max;
}

/**
 * Runs a started command's session to its end as `exec()` does: sends `stdin` then EOF,
 * collects stdout and stderr up to `maxBuffer`, and resolves with the output and exit status;
 * rejects on overflow, on abort, and (with `check`) on a failed command. The session is closed
 * when it stops it early.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection } from "@hush/channels";
 * import { memoryConnPair } from "@hush/channels/testing";
 * import { collectExec } from "./exec.ts";
 * const [a, b] = memoryConnPair();
 * new Connection(b, {
 *   role: "server",
 *   onChannelOpen: (open) => open.channelType === "session",
 *   onSession: (session) => {
 *     session.onExec = async (command) => {
 *       await session.writable.getWriter().write(new TextEncoder().encode(`ran ${command}\n`));
 *       return 0;
 *     };
 *   },
 * });
 * const client = new Connection(a, { role: "client" });
 * const session = await client.openSession();
 * await session.exec("uname -a"); // as `client.execStream("uname -a")` does
 * const { stdout, code } = await collectExec(session, { encoding: "utf8" });
 * assert.equal(stdout, "ran uname -a\n");
 * assert.equal(code, 0);
 * await client.close();
 * ```
 */
export async function collectExec(
  session: Session,
  options: ExecOptions,
): Promise<ExecResult<Uint8Array | string>> {
  const { signal, encoding } = options;
  const maxBuffer = execMaxBuffer(options);
  const out = new OutputBuffer(maxBuffer);
  const err = new OutputBuffer(maxBuffer);
  let stopped = false;
  let reject!: (e: unknown) => void;
  const stop = new Promise<never>((_, r) => (reject = r));
  stop.catch(() => {}); // observed by the races below; this keeps a late one from going unhandled
  const halt = (error: unknown) => {
    if (stopped) return;
    stopped = true;
    reject(error);
    out.cancel();
    err.cancel();
    // TERM first (a command without a pty lives on past its channel's close otherwise).
    (async () => {
      await session.signal("TERM").catch(() => {});
      await session.close().catch(() => {});
    })();
  };
  const overflow = (stream: "stdout" | "stderr") => () =>
    halt(ExecError.overflowed(stream, maxBuffer, out.output(encoding), err.output(encoding)));
  const onAbort = () => halt(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (signal?.aborted) onAbort();
    const writer = session.writable.getWriter();
    const input = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    // A command may exit without reading all its input (as `ssh host true < big` does): the
    // channel closes under the write, which is not an error of the command.
    const writing = (async () => {
      if (input?.length) await writer.write(input);
      await writer.close();
    })().catch(() => {});
    await Promise.race([
      Promise.all([
        out.drain(session.readable, overflow("stdout")),
        err.drain(session.stderr, overflow("stderr")),
        writing,
      ]),
      stop,
    ]);
    const [code, exit] = await Promise.race([
      Promise.all([session.exitStatus, session.exitSignal]),
      stop,
    ]);
    stopped = true;
    const result = {
      stdout: out.output(encoding),
      stderr: err.output(encoding),
      code,
      signal: exit?.signal ?? null,
    };
    if (options.check && (code !== 0 || result.signal !== null)) {
      throw ExecError.failed({
        status: code,
        signal: result.signal,
        stdout: result.stdout,
        stderr: result.stderr,
      });
    }
    return result;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
