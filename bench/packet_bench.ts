/**
 * The packet path of `@hush/wire` on its own: payloads through a `PacketWriter`, its output
 * pushed into a `PacketDeframer`, with the `none` suite, so that nothing but framing, queueing
 * and delivery is timed (a cipher's cost hides a per-packet overhead there). It guards the hot
 * path against stages that cost when unused, such as compression (RFC 4253 §6.2) when the
 * method is `none`.
 *
 * Run: `deno bench -A bench/packet_bench.ts`. Each iteration moves 16 MiB in 32 KiB payloads,
 * or 1 MiB in 64-byte payloads (16 384 packets).
 * @module
 */
import { PacketDeframer, PacketWriter } from "@hush/wire";

const MiB = 1024 * 1024;
const zeroPadding = (n: number) => new Uint8Array(n);

async function moveThrough(payload: Uint8Array, count: number): Promise<void> {
  const writer = new PacketWriter({ random: zeroPadding });
  let delivered = 0;
  const deframer = new PacketDeframer((p) => {
    delivered += p.payload.length;
  });
  const reading = (async () => {
    for await (const chunk of writer.readable) await deframer.push(chunk);
    await deframer.end();
  })();
  for (let i = 0; i < count; i++) await writer.write(payload);
  writer.close();
  await reading;
  if (delivered !== payload.length * count) throw new Error(`${delivered} bytes delivered`);
}

for (const [size, total] of [[32 * 1024, 16 * MiB], [64, MiB]]) {
  const payload = new Uint8Array(size).fill(0x61);
  payload[0] = 94; // CHANNEL_DATA, as the bulk of a session's packets
  Deno.bench({
    name: `writer → deframer, none suite, ${size} B payloads, ${total / MiB} MiB`,
    group: `packet path ${size} B`,
    n: 100,
    warmup: 10,
  }, async () => {
    await moveThrough(payload, total / size);
  });
}
