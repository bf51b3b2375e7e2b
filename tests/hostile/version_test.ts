/**
 * Hostile identification lines (RFC 4253 §4.2): too long, with NUL or control bytes, the wrong
 * protocol version, lines from a client before its version, endless banners from a server, and
 * a peer that never sends one. Every line is bounded (255 bytes, 1024 banner lines): a peer's
 * megabytes without a line end are refused after the first 255.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BANNER_LINES_LIMIT, DisconnectReason, VERSION_LINE_LIMIT } from "@hush/wire";
import {
  assertDisconnect,
  assertRejects,
  assertServerServes,
  attackClient,
  attackServer,
  MiB,
} from "./victim.ts";
import type { HostilePeer } from "./peer.ts";

const { PROTOCOL_ERROR, PROTOCOL_VERSION_NOT_SUPPORTED } = DisconnectReason;

/** A version line of exactly `total` bytes, CR LF included. */
function lineOf(total: number): string {
  const head = "SSH-2.0-Hostile_";
  return head + "x".repeat(total - head.length - 2);
}

/** Writes `total` bytes of `byte` in 64 KiB writes until done or the victim stops taking them. */
async function flood(peer: HostilePeer, total: number, byte = 0x41): Promise<number> {
  const chunk = new Uint8Array(64 * 1024).fill(byte);
  let sent = 0;
  try {
    while (sent < total) {
      await peer.write(chunk);
      sent += chunk.length;
    }
  } catch { /* the victim went away */ }
  return sent;
}

// --- a client's line, read by the server ---------------------------------------------------

test("server: a version line of exactly 255 bytes is accepted", async () => {
  const v = await attackServer();
  v.peer.version = lineOf(VERSION_LINE_LIMIT);
  await v.peer.handshake();
  await v.peer.send({ type: "serviceRequest", service: "ssh-userauth" });
  await v.peer.expect("serviceAccept");
});

test("server: a version line of 256 bytes is refused", async () => {
  const v = await attackServer();
  await v.peer.sendVersion(lineOf(VERSION_LINE_LIMIT + 1));
  await v.peer.readVersion();
  await assertDisconnect(v, PROTOCOL_ERROR, /longer than 255 bytes/);
});

test("server: 10 MiB without a line end is refused after the first 255 bytes, never buffered", async () => {
  const v = await attackServer();
  const reading = v.peer.readVersion();
  const sent = flood(v.peer, 10 * MiB);
  await reading;
  await assertDisconnect(v, PROTOCOL_ERROR, /longer than 255 bytes/);
  // the victim stopped reading at once: our writes stalled on the socket's buffer, then failed
  assert.ok(await sent < 2 * MiB, `the victim read ${await sent} bytes`);
});

for (
  const [name, line, reason, pattern] of [
    ["a NUL byte", "SSH-2.0-Hostile\x001.0", PROTOCOL_ERROR, /NUL byte/],
    ["a control byte", "SSH-2.0-Hostile\x071.0", PROTOCOL_ERROR, /not printable/],
    ["a byte over 0x7e", "SSH-2.0-Hostile\xe91.0", PROTOCOL_ERROR, /not printable/],
    ["protocol 1.5", "SSH-1.5-Hostile_1.0", PROTOCOL_VERSION_NOT_SUPPORTED, /Unsupported protocol/],
    [
      "protocol 1.99 from a client",
      "SSH-1.99-Hostile_1.0",
      PROTOCOL_VERSION_NOT_SUPPORTED,
      /1\.99/,
    ],
    ["protocol 3.0", "SSH-3.0-Hostile_1.0", PROTOCOL_VERSION_NOT_SUPPORTED, /Unsupported/],
    ["an empty software version", "SSH-2.0-", PROTOCOL_ERROR, /software version/],
    ["no software version", "SSH-2.0", PROTOCOL_ERROR, /software version/],
  ] as const
) {
  test(`server: a version line with ${name} is refused`, async () => {
    const v = await attackServer();
    await v.peer.sendVersion(new Uint8Array([...line].map((c) => c.charCodeAt(0)).concat(13, 10)));
    await v.peer.readVersion();
    await assertDisconnect(v, reason, pattern);
  });
}

test("server: a line from a client before its version line is refused", async () => {
  const v = await attackServer();
  await v.peer.sendVersion("Hello, I am a client\r\nSSH-2.0-Hostile_1.0");
  await v.peer.readVersion();
  await assertDisconnect(v, PROTOCOL_ERROR, /not its identification line/);
});

test("server: an empty line from a client before its version line is refused", async () => {
  const v = await attackServer();
  await v.peer.sendVersion("\r\nSSH-2.0-Hostile_1.0");
  await v.peer.readVersion();
  await assertDisconnect(v, PROTOCOL_ERROR, /not its identification line/);
});

test("server: a client that never sends its version line is dropped at the login grace time", async () => {
  const v = await attackServer({ limits: { loginGraceTime: 200 } });
  await v.peer.readVersion();
  const { error } = await v.outcome;
  assert.ok(error, "the connection did not end");
  assert.match(error.message, /timed out|time/i);
});

test("server: a version line sent one byte per write is read", async () => {
  const v = await attackServer();
  const reading = v.peer.readVersion();
  for (const b of new TextEncoder().encode(v.peer.version + "\r\n")) {
    await v.peer.write(new Uint8Array([b]));
  }
  await reading;
  await v.peer.sendKexInit();
  await v.peer.readKexInit();
  await v.peer.exchange();
  await v.peer.sendNewKeys();
  await v.peer.readNewKeys();
});

// --- a server's lines, read by the client -------------------------------------------------

test(`client: ${BANNER_LINES_LIMIT} lines before the server's version line are read`, async () => {
  const v = attackClient();
  const lines = Array.from({ length: BANNER_LINES_LIMIT }, (_, i) => `banner line ${i}\r\n`);
  await v.peer.write(lines.join(""));
  await v.peer.sendVersion();
  await v.peer.readVersion();
  await v.peer.sendKexInit();
  await v.peer.readKexInit();
  await v.peer.exchange();
  await v.peer.sendNewKeys();
  await v.peer.readNewKeys();
  await v.peer.expect("serviceRequest");
});

test(`client: ${BANNER_LINES_LIMIT + 1} lines before the server's version line are refused`, async () => {
  const v = attackClient();
  await v.peer.readVersion().catch(() => {});
  const lines = Array.from({ length: BANNER_LINES_LIMIT + 1 }, (_, i) => `banner line ${i}\r\n`);
  await v.peer.write(lines.join("")).catch(() => {});
  await assertRejects(v.connecting, PROTOCOL_ERROR, /More than 1024 lines/);
});

test("client: an endless banner line (10 MiB, no line end) is refused after 255 bytes", async () => {
  const v = attackClient();
  await v.peer.readVersion();
  const sent = flood(v.peer, 10 * MiB);
  await assertRejects(v.connecting, PROTOCOL_ERROR, /longer than 255 bytes/);
  assert.ok(await sent < 2 * MiB, `the victim read ${await sent} bytes`);
});

test("client: endless short banner lines are refused after 1024 of them", async () => {
  const v = attackClient();
  await v.peer.readVersion();
  const sent = flood(v.peer, 10 * MiB, 0x0a); // empty lines
  await assertRejects(v.connecting, PROTOCOL_ERROR, /More than 1024 lines/);
  assert.ok(await sent < 2 * MiB, `the victim read ${await sent} bytes`);
});

for (
  const [name, line, reason, pattern] of [
    ["a NUL byte", "SSH-2.0-Hostile\x001.0", PROTOCOL_ERROR, /NUL byte/],
    ["protocol 1.5", "SSH-1.5-Hostile_1.0", PROTOCOL_VERSION_NOT_SUPPORTED, /Unsupported protocol/],
    ["256 bytes", lineOf(VERSION_LINE_LIMIT + 1), PROTOCOL_ERROR, /longer than 255/],
  ] as const
) {
  test(`client: a server version line with ${name} is refused`, async () => {
    const v = attackClient();
    await v.peer.readVersion();
    await v.peer.sendVersion(line);
    await assertRejects(v.connecting, reason, pattern);
  });
}

test("client: a server's version 1.99 (SSH-2 with SSH-1 compatibility) is accepted", async () => {
  const v = attackClient();
  v.peer.version = "SSH-1.99-Hostile_1.0";
  await v.peer.handshake();
  await v.peer.expect("serviceRequest");
});

test("after all of the above, a well-behaved client still logs in", async () => {
  await assertServerServes();
});
