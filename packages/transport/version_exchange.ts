/**
 * The identification-line exchange (RFC 4253 §4.2) on a byte duplex.
 * @module
 */
import { readVersionLine } from "@hush/wire";
import { DisconnectError } from "./errors.ts";

/** Writes `line` + CR LF and releases the writable for the packet stream. */
export async function writeVersionLine(
  writable: WritableStream<Uint8Array>,
  line: string,
): Promise<void> {
  const w = writable.getWriter();
  try {
    await w.write(new TextEncoder().encode(line + "\r\n"));
  } finally {
    w.releaseLock();
  }
}

/** Reads the peer's identification line; returns it and the bytes after it. */
export async function readPeerVersion(
  readable: ReadableStream<Uint8Array>,
  role: "client" | "server",
): Promise<{ peerVersion: string; rest: ReadableStream<Uint8Array> }> {
  try {
    const v = await readVersionLine(readable, { role });
    return { peerVersion: v.version, rest: v.rest };
  } catch (e) {
    const reason = (e as { reason?: number }).reason ?? 8;
    throw new DisconnectError(reason, e instanceof Error ? e.message : "Bad version line", {
      cause: e,
    });
  }
}
