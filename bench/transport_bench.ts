/**
 * In-memory throughput of the transport and connection layers together: one channel, a Hush
 * client and server over a socket-like memory duplex, data one way, for each suite.
 *
 * `deno bench -A bench/transport_bench.ts` runs it as a bench; `deno run -A
 * bench/transport_bench.ts [MiB] [--max-packet=N] [cipher[,mac]]…` prints MB/s for a bigger
 * transfer (the server announces max packet N, 32 KiB by default).
 * @module
 */
import { generateKey } from "@hush/keys";
import { Connection } from "@hush/channels";
import type { Message } from "@hush/wire";
import { startTransport, type Transport } from "@hush/transport";
import { memoryDuplexPair } from "@hush/transport/testing";

const SUITES: [string, string | undefined][] = [
  ["chacha20-poly1305@openssh.com", undefined],
  ["aes128-gcm@openssh.com", undefined],
  ["aes128-ctr", "hmac-sha2-256-etm@openssh.com"],
];

async function read(t: Transport): Promise<Message> {
  const r = t.messages.getReader();
  const { value } = await r.read();
  r.releaseLock();
  return value!;
}

/** Sends `bytes` through one channel with `cipher`/`mac`; resolves with the seconds it took. */
export async function transfer(
  bytes: number,
  cipher: string,
  mac?: string,
  maxPacket = 32 * 1024,
): Promise<number> {
  const key = await generateKey("ssh-ed25519");
  const [a, b] = memoryDuplexPair();
  const algorithms = { ciphers: [cipher], ...(mac ? { macs: [mac] } : {}) };
  const [client, server] = await Promise.all([
    startTransport(a, { role: "client", algorithms, verifyHostKey: () => {} }),
    startTransport(b, { role: "server", algorithms, hostKeys: [key] }),
  ]);
  await client.requestService("ssh-userauth");
  await client.send({
    type: "userauthRequest",
    user: "u",
    service: "ssh-connection",
    method: "none",
  });
  await read(server);
  await server.send({ type: "userauthSuccess" });
  await read(client);
  let received!: Promise<number>;
  new Connection(server, {
    role: "server",
    maxPacket,
    onChannelOpen: () => true,
    onChannel: (ch) => {
      received = (async () => {
        let n = 0;
        for await (const chunk of ch.readable) n += chunk.length;
        return n;
      })();
    },
  });
  const c = new Connection(client, { role: "client" });
  const start = performance.now();
  const ch = await c.openDirectTcpip({
    host: "h",
    port: 1,
    originatorAddress: "127.0.0.1",
    originatorPort: 2,
  });
  const w = ch.writable.getWriter();
  const chunk = new Uint8Array(256 * 1024).fill(7);
  for (let off = 0; off < bytes; off += chunk.length) await w.write(chunk);
  await w.close();
  const got = await received;
  const seconds = (performance.now() - start) / 1000;
  if (got < bytes) throw new Error(`lost ${bytes - got} bytes`);
  await c.close();
  return seconds;
}

if (import.meta.main) {
  const flags = Deno.args.filter((a) => a.startsWith("--"));
  const args = Deno.args.filter((a) => !a.startsWith("--"));
  const maxPacketFlag = flags.find((f) => f.startsWith("--max-packet="));
  const maxPacket = maxPacketFlag ? Number(maxPacketFlag.split("=")[1]) : 32 * 1024;
  const mib = Number(args[0] ?? 256);
  const suites = args.length > 1
    ? args.slice(1).map((s) => s.split(",") as [string, string | undefined])
    : SUITES;
  for (const [cipher, mac] of suites) {
    const s = await transfer(mib * 1024 * 1024, cipher, mac, maxPacket);
    console.log(
      `${cipher}${mac ? " " + mac : ""}, max packet ${maxPacket}: ${mib} MiB in ${
        s.toFixed(2)
      } s = ${(mib * 1.048576 / s).toFixed(0)} MB/s`,
    );
  }
} else {
  for (const [cipher, mac] of SUITES) {
    Deno.bench({
      name: `transport+channels 16 MiB ${cipher}${mac ? " " + mac : ""}`,
      n: 5,
      warmup: 1,
    }, async (b) => {
      b.start();
      await transfer(16 * 1024 * 1024, cipher, mac);
      b.end();
    });
  }
}
