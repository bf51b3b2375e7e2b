/**
 * One measured run of Hush's library as a client (`bench/e2e/run.ts` starts it on Deno, and
 * bundled on Node and Bun): connect and authenticate, then move `bytes` through one exec
 * channel, up (`wc -c`) or down (`head -c`), and print one JSON line with the times in ms.
 *
 * Usage: `deno run -A bench/e2e/hush_client.ts '{"port":22,"key":"/tmp/id","cipher":…}'`
 * @module
 */
import process from "node:process";
import { connect, loadIdentityFile } from "@hush/ssh";

interface Job {
  host?: string;
  port: number;
  user: string;
  key: string;
  cipher: string;
  mac?: string;
  kex?: string;
  direction: "up" | "down" | "handshake" | "keystrokes";
  bytes: number;
  /** keystrokes: how many 1-byte round trips. */
  count?: number;
}

const job = JSON.parse(process.argv[2]) as Job;
const t0 = performance.now();
const client = await connect({
  hostname: job.host ?? "127.0.0.1",
  port: job.port,
  username: job.user,
  identities: [await loadIdentityFile(job.key)],
  policy: "no",
  algorithms: {
    ciphers: [job.cipher],
    ...(job.mac ? { macs: [job.mac] } : {}),
    ...(job.kex ? { kex: [job.kex] } : {}),
  },
});
const handshakeMs = performance.now() - t0;
const result: Record<string, number> = { handshakeMs };

if (job.direction === "up") {
  const t1 = performance.now();
  const session = await client.execStream("wc -c");
  const writer = session.writable.getWriter();
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  for (let sent = 0; sent < job.bytes; sent += chunk.length) {
    // The same chunk each time, as ssh2's run writes it: a write resolves once it is sent.
    await writer.write(chunk.subarray(0, Math.min(chunk.length, job.bytes - sent)));
  }
  await writer.close();
  const out = await new Response(session.readable).text();
  await session.exitStatus;
  result.transferMs = performance.now() - t1;
  if (Number(out.trim()) !== job.bytes) throw new Error(`wc -c said ${out.trim()}`);
} else if (job.direction === "down") {
  const t1 = performance.now();
  const session = await client.execStream(`head -c ${job.bytes} /dev/zero`);
  session.writable.close().catch(() => {});
  let got = 0;
  for await (const chunk of session.readable) got += chunk.length;
  await session.exitStatus;
  result.transferMs = performance.now() - t1;
  if (got !== job.bytes) throw new Error(`got ${got} of ${job.bytes} bytes`);
} else if (job.direction === "keystrokes") {
  // One byte at a time through `cat`, each sent only after the previous one came back.
  const session = await client.execStream("cat");
  const writer = session.writable.getWriter();
  const reader = session.readable.getReader();
  const count = job.count ?? 200;
  const rtts: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await writer.write(new Uint8Array([0x61 + (i % 26)]));
    let got = 0;
    while (got < 1) {
      const { value, done } = await reader.read();
      if (done) throw new Error("cat ended");
      got += value.length;
    }
    rtts.push(performance.now() - t);
  }
  await writer.close();
  reader.releaseLock();
  rtts.sort((a, b) => a - b);
  result.rttMedianMs = rtts[rtts.length >> 1];
}
await client.close();
console.log(JSON.stringify(result));
process.exit(0);
