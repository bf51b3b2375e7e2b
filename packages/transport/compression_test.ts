/**
 * Compression through two real transports (and the connection layer for bulk data): when each
 * method starts, that a rekey starts fresh streams, what the defaults negotiate, and that a
 * decompression bomb ends the connection with COMPRESSION_ERROR.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DisconnectReason, type Message, PACKET_LENGTH_LIMIT, SshError } from "@hush/wire";
import { DisconnectError, startTransport } from "./mod.ts";
import { memoryDuplexPair } from "./testing.ts";
import { connectedPair } from "./testdata/connected_pair.ts";
import { MiB } from "./testdata/byte_streams.ts";
import { scriptedAndVictim } from "./testdata/scripted_peer.ts";
import { authenticated, hostKey, pair, read } from "./testdata/transport_pair.ts";

const off = { in: false, out: false };
const on = { in: true, out: true };

test("defaults: a client offers none first (OpenSSH's Compression no), a server none and zlib@openssh.com", async () => {
  const [c, s] = await pair();
  assert.equal(c.negotiated!.compressionClientToServer, "none");
  assert.equal(c.negotiated!.compressionServerToClient, "none");
  assert.deepEqual(c.compressing, off);
  assert.deepEqual(s.compressing, off);
  await c.disconnect();
});

test("zlib@openssh.com starts right after USERAUTH_SUCCESS, both ways, on both ends", async () => {
  const lines: string[] = [];
  const compression = ["zlib@openssh.com", "none"];
  const [c, s] = await pair(
    { algorithms: { compression }, trace: (l) => lines.push(`client: ${l}`) },
    { algorithms: { compression }, trace: (l) => lines.push(`server: ${l}`) },
  );
  assert.equal(c.negotiated!.compressionClientToServer, "zlib@openssh.com");
  assert.equal(s.negotiated!.compressionServerToClient, "zlib@openssh.com");
  assert.deepEqual(c.compressing, off, "not before authentication");
  assert.deepEqual(s.compressing, off);
  await c.requestService("ssh-userauth");
  await c.send({ type: "userauthRequest", user: "u", service: "ssh-connection", method: "none" });
  await read(s);
  await s.authenticated();
  assert.deepEqual(s.compressing, on, "the server: as soon as USERAUTH_SUCCESS is written");
  assert.equal((await read(c)).type, "userauthSuccess");
  assert.deepEqual(c.compressing, on, "the client: as soon as USERAUTH_SUCCESS is read");
  assert.ok(lines.includes("server: Enabling compression at level 6 (zlib@openssh.com, out)"));
  assert.ok(lines.includes("client: Enabling compression at level 6 (zlib@openssh.com, in)"));
  // messages flow both ways, compressed
  await c.send({
    type: "globalRequest",
    request: "other",
    name: "x@example.com",
    wantReply: false,
    data: NONE,
  });
  assert.equal((await read(s)).type, "globalRequest");
  await s.send({
    type: "globalRequest",
    request: "other",
    name: "y@example.com",
    wantReply: false,
    data: NONE,
  });
  assert.equal((await read(c)).type, "globalRequest");
  await c.disconnect();
});

const NONE = new Uint8Array(0);

test("zlib starts at the first NEWKEYS; a rekey starts fresh streams each way (RFC 4253 §6.2)", async () => {
  const lines: string[] = [];
  const compression = ["zlib"];
  const [c, s] = await authenticated(
    { algorithms: { compression }, trace: (l) => lines.push(l) },
    { algorithms: { compression, kex: ["curve25519-sha256"] } },
  );
  assert.deepEqual(c.compressing, on);
  assert.deepEqual(s.compressing, on);
  const before = lines.filter((l) => l.startsWith("Enabling compression")).length;
  assert.equal(before, 2, "in and out, at the first NEWKEYS");
  for (let round = 0; round < 3; round++) {
    c.rekey();
    await c.send({ type: "ignore", data: new Uint8Array(1000).fill(round) });
    await s.send({ type: "debug", alwaysDisplay: false, message: `after ${round}`, language: "" });
    await eventuallyKex(() => c.kexCount === 2 + round && s.kexCount === 2 + round);
  }
  assert.equal(lines.filter((l) => l.startsWith("Enabling compression")).length, 2 + 3 * 2);
  await c.send({
    type: "globalRequest",
    request: "other",
    name: "z@example.com",
    wantReply: false,
    data: NONE,
  });
  assert.equal((await read(s)).type, "globalRequest");
  await c.disconnect();
});

async function eventuallyKex(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), "key exchange did not finish");
}

test("zlib@openssh.com after authentication: a rekey starts fresh streams at NEWKEYS", async () => {
  const compression = ["zlib@openssh.com"];
  const [c, s] = await authenticated({ algorithms: { compression } }, {
    algorithms: { compression },
  });
  c.rekey();
  await c.send({ type: "ignore", data: new Uint8Array(10) });
  await eventuallyKex(() => c.kexCount === 2 && s.kexCount === 2);
  assert.deepEqual(c.compressing, on);
  assert.deepEqual(s.compressing, on);
  await s.send({
    type: "globalRequest",
    request: "other",
    name: "y@example.com",
    wantReply: false,
    data: NONE,
  });
  assert.equal((await read(c)).type, "globalRequest");
  await c.disconnect();
});

test("compressible data crosses in fewer bytes; 8 MiB each way with rekeys arrive intact", async () => {
  const total = 8 * MiB;
  const compression = ["zlib@openssh.com"];
  let serverSide!: Promise<{ sent: string; got: string }>;
  const p = await connectedPair({
    client: { algorithms: { compression }, rekeyBytes: MiB / 4 },
    server: { algorithms: { compression }, rekeyBytes: MiB / 4 },
    serverConnection: {
      onChannelOpen: () => true,
      onChannel: (ch) => {
        serverSide = Promise.all([writeText(ch.writable, total, 2), hashOf(ch.readable)])
          .then(([sent, got]) => ({ sent, got }));
      },
    },
  });
  const ch = await p.c.openDirectTcpip({
    host: "h",
    port: 1,
    originatorAddress: "127.0.0.1",
    originatorPort: 2,
  });
  const [sent, got] = await Promise.all([writeText(ch.writable, total, 1), hashOf(ch.readable)]);
  const server = await serverSide;
  assert.equal(server.got, sent);
  assert.equal(got, server.sent);
  assert.ok(p.client.kexCount >= 3, `${p.client.kexCount} key exchanges`);
  const { in: bytesIn, out: bytesOut } = p.client.bytes;
  assert.ok(bytesOut < total / 2, `${bytesOut} bytes on the wire for ${total}`);
  assert.ok(bytesIn < total / 2, `${bytesIn} bytes on the wire for ${total}`);
  await p.c.close();
});

/** Writes `total` bytes of log-like text; returns their SHA-256. */
async function writeText(w: WritableStream<Uint8Array>, total: number, seed: number) {
  const h = createHash("sha256");
  const writer = w.getWriter();
  const enc = new TextEncoder();
  let line = 0;
  for (let off = 0; off < total;) {
    let s = "";
    while (s.length < 32 * 1024) {
      s += `${seed}:${line++} GET /index.html?id=${(line * 7919) % 100000} 200 ${line % 977}\n`;
    }
    const chunk = enc.encode(s).subarray(0, Math.min(32 * 1024, total - off));
    h.update(chunk);
    await writer.write(chunk);
    off += chunk.length;
  }
  await writer.close();
  return h.digest("hex");
}

async function hashOf(r: ReadableStream<Uint8Array>): Promise<string> {
  const h = createHash("sha256");
  for await (const c of r) h.update(c);
  return h.digest("hex");
}

test("bomb: a payload inflating to the packet limit passes, one byte more ends with COMPRESSION_ERROR", async () => {
  const { victim, peer } = await scriptedAndVictim(
    { algorithms: { compression: ["zlib", "none"] } },
    ["zlib"],
  );
  assert.deepEqual(victim.compressing, on);
  const ignore = (payloadLength: number): Message => ({
    type: "ignore",
    data: new Uint8Array(payloadLength - 5), // byte 2, uint32 length, data
  });
  await peer.send(ignore(PACKET_LENGTH_LIMIT));
  await peer.send({ type: "ping", data: new Uint8Array([1]) });
  assert.deepEqual((await peer.expect("pong")).data, new Uint8Array([1]), "at the bound: read");

  await peer.send(ignore(PACKET_LENGTH_LIMIT + 1));
  const sent = await peer.expect("disconnect");
  assert.equal(sent.reason, DisconnectReason.COMPRESSION_ERROR);
  const e = await victim.closed;
  assert.ok(e instanceof DisconnectError);
  assert.ok(e instanceof SshError);
  assert.equal(e.code, "ERR_SSH_DISCONNECT");
  assert.equal(e.reason, DisconnectReason.COMPRESSION_ERROR);
  assert.match(e.message, /Decompressed payload is over the limit of 262144 bytes/);
});

test("an unknown compression name is the caller's error", async () => {
  const [a] = memoryDuplexPair();
  await assert.rejects(
    startTransport(a, {
      role: "server",
      hostKeys: [await hostKey()],
      algorithms: { compression: ["lz4"] },
    }),
    /Unknown compression method: lz4/,
  );
});
