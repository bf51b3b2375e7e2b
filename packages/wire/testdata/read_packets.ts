/**
 * Test helper (not published): drives a `PacketReader` over given chunks and collects what it
 * yields. Used by `property_stream_test.ts` and `property_linear_test.ts`.
 * @module
 */
import { NoneOpener, type Packet, PacketReader } from "../mod.ts";

/** Feeds `chunks` to a fresh PacketReader; returns the packets or the error. */
export async function readPackets(
  chunks: Uint8Array[],
): Promise<{ packets: Packet[]; error?: unknown }> {
  const reader = new PacketReader();
  const packets: Packet[] = [];
  const writing = (async () => {
    const w = reader.writable.getWriter();
    for (const c of chunks) await w.write(c);
    await w.close();
  })();
  let error: unknown;
  try {
    for await (const p of reader.readable) {
      packets.push(p);
      // Keep going past a NEWKEYS that random bytes may produce.
      if (p.payload[0] === 21) reader.nextOpener(new NoneOpener());
    }
  } catch (e) {
    error = e;
  }
  try {
    await writing;
  } catch (e) {
    error ??= e;
  }
  return { packets, error };
}
