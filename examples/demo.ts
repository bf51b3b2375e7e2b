/**
 * The Hush demo: a Hush server and a Hush client on 127.0.0.1, narrated the way `ssh -v` does.
 *
 * 1. A server starts on a random port with a fresh ed25519 host key.
 * 2. The client connects with an empty known_hosts in a temp dir (accept-new): versions,
 *    algorithms, key exchange, the host key's fingerprint and randomart, "adding" it, then user
 *    key authentication and a real command with its output and exit status.
 * 3. A second connection finds the host key in known_hosts line 1.
 * 4. 64 MiB go through one channel; the server hashes what it got and the client checks it.
 *
 * Run: `deno task demo` (or `npx -y deno task demo`). It uses no Deno-only API, so the same
 * file runs on Node and Bun once bundled: `deno bundle --platform=node -o demo.mjs
 * examples/demo.ts && node demo.mjs` (or `bun demo.mjs`).
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import process from "node:process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { DEFAULT_CIPHERS, DEFAULT_MACS } from "@hush/cipher";
import type { ServerSession } from "@hush/channels";
import { DEFAULT_KEX } from "@hush/kex";
import { generateKey, parsePublicKey, randomart } from "@hush/keys";
import { connect, fileKnownHosts, serve } from "@hush/ssh";
import { spawnCommand } from "@hush/ssh/adapters";

const TRANSFER_BYTES = 64 * 1024 * 1024;
const SINK = "hush-demo-sink";

const tty = process.stdout.isTTY === true;
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const step = (s: string) => console.log(`\n${bold(`== ${s}`)}`);
const debug = (who: string) => (line: string) => console.log(dim(`${who}: ${line}`));

/** The demo server's session handler: runs commands with `sh -c`, and a hashing sink. */
function onSession(session: ServerSession): void {
  session.onEnv = () => true;
  // runs after the SUCCESS reply; a failure ends the session with status 1
  session.onExec = (command) => command === SINK ? sink(session) : run(session, command);
}

async function run(session: ServerSession, command: string): Promise<void> {
  const child = spawnCommand(command);
  await Promise.all([
    session.readable.pipeTo(child.stdin).catch(() => {}),
    child.stdout.pipeTo(session.writable, { preventClose: true }),
    child.stderr.pipeTo(session.stderrWritable, { preventClose: true }),
  ]);
  const exit = await child.exit;
  if (exit.signal) await session.exitSignal(exit.signal);
  else await session.exit(exit.code ?? 255);
}

/** Reads everything the client sends and answers with its length and SHA-256. */
async function sink(session: ServerSession): Promise<void> {
  const hash = sha256.create();
  let n = 0;
  for await (const chunk of session.readable) {
    hash.update(chunk);
    n += chunk.length;
  }
  const hex = Array.from(hash.digest(), (b) => b.toString(16).padStart(2, "0")).join("");
  const w = session.writable.getWriter();
  await w.write(new TextEncoder().encode(`${n} ${hex}`));
  w.releaseLock();
  await session.exit(0);
}

const dir = await mkdtemp(join(tmpdir(), "hush-demo-"));
const knownHostsPath = join(dir, "known_hosts");
try {
  step("Server: fresh ed25519 host key, listening on 127.0.0.1, random port");
  const hostKey = await generateKey("ssh-ed25519", { comment: "demo-host" });
  const userKey = await generateKey("ssh-ed25519", { comment: "demo-user" });
  const server = await serve({
    hostname: "127.0.0.1",
    port: 0,
    hostKeys: [hostKey],
    authenticate: { publickey: (_user, key) => key.equals(userKey.publicKey) },
    onSession,
  });
  console.log(`listening on ${server.hostname}:${server.port}`);
  console.log(`host key ${hostKey.publicKey.fingerprint()}`);

  step("Client offers (OpenSSH 10's order)");
  console.log(`kex:     ${DEFAULT_KEX.join(",")}`);
  console.log(`ciphers: ${DEFAULT_CIPHERS.join(",")}`);
  console.log(`macs:    ${DEFAULT_MACS.join(",")}`);

  const options = {
    hostname: "127.0.0.1",
    port: server.port,
    username: "demo",
    identities: [userKey],
    knownHosts: fileKnownHosts(knownHostsPath),
    policy: "accept-new" as const,
  };

  step(`First connection (known_hosts is empty: ${knownHostsPath})`);
  let started = performance.now();
  const first = await connect({ ...options, trace: debug("debug1") });
  console.log(`connected and authenticated in ${(performance.now() - started).toFixed(0)} ms`);
  const serverKey = parsePublicKey(first.transport.hostKey!);
  console.log(`Server host key: ${serverKey.type} ${serverKey.fingerprint()}`);
  console.log(randomart(serverKey));
  const result = await first.exec(
    'echo "hello from $(uname -s) over SSH"; echo to stderr >&2; exit 3',
  );
  console.log(`stdout: ${new TextDecoder().decode(result.stdout).trimEnd()}`);
  console.log(`stderr: ${new TextDecoder().decode(result.stderr).trimEnd()}`);
  console.log(`exit status: ${result.code}`);
  await first.close();

  step("Second connection (the key is in known_hosts now)");
  started = performance.now();
  const second = await connect({
    ...options,
    policy: "yes",
    trace: (line) => {
      if (/known|Found|host key|Authenticat|kex: algorithm/i.test(line)) debug("debug1")(line);
    },
  });
  console.log(`connected and authenticated in ${(performance.now() - started).toFixed(0)} ms`);

  step(`Transfer: ${TRANSFER_BYTES / 1048576} MiB through one channel`);
  const negotiated = second.transport.negotiated!;
  console.log(`cipher ${negotiated.cipherClientToServer}, kex ${negotiated.kex}`);
  const session = await second.execStream(SINK);
  const reply = new Response(session.readable).text();
  // One random MiB, sent 64 times: views of it are safe to hand over, it never changes.
  const block = new Uint8Array(1024 * 1024);
  for (let i = 0; i < block.length; i += 65536) {
    crypto.getRandomValues(block.subarray(i, i + 65536));
  }
  const chunk = 256 * 1024;
  const local = sha256.create();
  started = performance.now();
  const writer = session.writable.getWriter();
  for (let sent = 0; sent < TRANSFER_BYTES; sent += chunk) {
    const view = block.subarray(sent % block.length, (sent % block.length) + chunk);
    local.update(view);
    await writer.write(view);
  }
  await writer.close();
  const [count, remoteHex] = (await reply).split(" ");
  const seconds = (performance.now() - started) / 1000;
  const localHex = Array.from(local.digest(), (b) => b.toString(16).padStart(2, "0")).join("");
  console.log(`server got ${count} bytes, SHA-256 ${remoteHex}`);
  console.log(`client sent SHA-256 ${localHex}: ${remoteHex === localHex ? "match" : "MISMATCH"}`);
  console.log(`${(TRANSFER_BYTES / 1e6 / seconds).toFixed(1)} MB/s (${seconds.toFixed(2)} s)`);
  console.log(dim("(client and server share one thread here, and both hash every byte)"));
  await second.close();
  await server.close();
  if (remoteHex !== localHex || result.code !== 3) process.exitCode = 1;
  step("Done");
} finally {
  await rm(dir, { recursive: true, force: true });
}
