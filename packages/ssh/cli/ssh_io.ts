/**
 * What the parts of the `ssh` command share for talking to the user: `err` writes ssh's own
 * messages to stderr, and `Io` carries the `-v` trace and what it has told of the connection.
 * @module
 */

const encoder = new TextEncoder();

/** Writes ssh's own message to stderr, all of it, synchronously. */
export function err(text: string): void {
  const bytes = encoder.encode(text);
  let off = 0;
  while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
}

/** The trace sink and what it has seen of the connection, shared by the parts of `ssh`. */
export interface Io {
  trace: (line: string) => void;
  verbose: boolean;
  /** Set once the TCP connection is up (its trace line went by). */
  connected?: boolean;
  /** Set when ServerAliveCountMax ran out (the connection was given up on). */
  timedOut?: boolean;
}
