/**
 * The same run as `hush_client.ts` with ssh2 (npm, with its native addon) on Node, for the
 * side-by-side table. `run.ts` installs ssh2 into a cache folder (never a project dependency)
 * and passes its path as the second argument.
 *
 * Usage: `node bench/e2e/ssh2_client.mjs '{"port":22,…}' ~/.cache/hush/bench-npm/node_modules/ssh2`
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import process from "node:process";

const job = JSON.parse(process.argv[2]);
const require = createRequire(import.meta.url);
const { Client } = require(process.argv[3]);

const t0 = performance.now();
const client = new Client();
await new Promise((resolve, reject) => {
  client.on("ready", resolve).on("error", reject).connect({
    host: job.host ?? "127.0.0.1",
    port: job.port,
    username: job.user,
    privateKey: readFileSync(job.key),
    algorithms: {
      cipher: [job.cipher],
      ...(job.mac ? { hmac: [job.mac] } : {}),
      ...(job.kex ? { kex: [job.kex] } : {}),
    },
  });
});
const result = { handshakeMs: performance.now() - t0 };

const exec = (command) =>
  new Promise((resolve, reject) =>
    client.exec(command, (err, stream) => (err ? reject(err) : resolve(stream)))
  );

if (job.direction === "up") {
  const t1 = performance.now();
  const stream = await exec("wc -c");
  let out = "";
  stream.on("data", (d) => (out += d));
  const closed = new Promise((resolve) => stream.on("close", resolve));
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let sent = 0; sent < job.bytes; sent += chunk.length) {
    const piece = chunk.subarray(0, Math.min(chunk.length, job.bytes - sent));
    if (!stream.write(piece)) await new Promise((resolve) => stream.once("drain", resolve));
  }
  stream.end();
  await closed;
  result.transferMs = performance.now() - t1;
  if (Number(out.trim()) !== job.bytes) throw new Error(`wc -c said ${out.trim()}`);
} else if (job.direction === "down") {
  const t1 = performance.now();
  const stream = await exec(`head -c ${job.bytes} /dev/zero`);
  let got = 0;
  stream.on("data", (d) => (got += d.length));
  await new Promise((resolve) => stream.on("close", resolve));
  result.transferMs = performance.now() - t1;
  if (got !== job.bytes) throw new Error(`got ${got} of ${job.bytes} bytes`);
} else if (job.direction === "keystrokes") {
  const stream = await exec("cat");
  const rtts = [];
  let waiting;
  stream.on("data", () => waiting?.());
  for (let i = 0; i < (job.count ?? 200); i++) {
    const t = performance.now();
    const back = new Promise((resolve) => (waiting = resolve));
    stream.write(Buffer.from([0x61 + (i % 26)]));
    await back;
    rtts.push(performance.now() - t);
  }
  stream.end();
  rtts.sort((a, b) => a - b);
  result.rttMedianMs = rtts[rtts.length >> 1];
}
client.end();
console.log(JSON.stringify(result));
process.exit(0);
