/**
 * Test support: floods from a peer that never reads. A victim that keeps answering must stop
 * reading once its answers are not taken (its buffers are bounded), so the peer's writes stall;
 * {@linkcode floodUnread} measures how far they got.
 * @module
 */
import type { Message } from "@hush/wire";
import type { HostilePeer } from "./peer.ts";

/** What a flood achieved before the victim stopped reading. */
export interface Flood {
  /** Messages whose write completed. */
  sent: number;
  /** A write waited past the idle time: the victim had stopped reading. */
  stalled: boolean;
  /** Bytes written to the socket (sealed). */
  bytes: number;
}

/** Messages sealed into one socket write. */
const BATCH = 128;

/**
 * Sends `make(i)` for i = 0, 1, … up to `max` messages (sealed in batches of 128 per socket
 * write) while nobody reads the victim's answers; stops once one write has waited `idleMs`
 * (the victim stopped reading us: its socket buffer and ours are full). The idle time only ends
 * the loop; tests assert on the counts.
 */
export async function floodUnread(
  peer: HostilePeer,
  make: (i: number) => Message | Uint8Array,
  max: number,
  idleMs = 250,
): Promise<Flood> {
  const start = peer.written;
  let sent = 0;
  while (sent < max && !peer.ended) {
    const n = Math.min(BATCH, max - sent);
    const sealed: Uint8Array[] = [];
    for (let k = 0; k < n; k++) sealed.push(peer.seal(make(sent + k)));
    const bytes = new Uint8Array(sealed.reduce((t, s) => t + s.length, 0));
    let at = 0;
    for (const s of sealed) {
      bytes.set(s, at);
      at += s.length;
    }
    const pending = peer.write(bytes);
    pending.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<"idle">((r) => (timer = setTimeout(() => r("idle"), idleMs)));
    const outcome = await Promise.race([
      pending.then(() => "done" as const, () => "done" as const),
      idle,
    ]);
    clearTimeout(timer);
    if (outcome === "idle") return { sent, stalled: true, bytes: peer.written - start };
    sent += n;
  }
  return { sent, stalled: false, bytes: peer.written - start };
}
