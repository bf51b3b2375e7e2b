import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BANNER_LINES_LIMIT,
  DisconnectReason,
  parseVersionLine,
  readVersionLine,
  VERSION_LINE_LIMIT,
  type VersionLineOptions,
  WireError,
} from "./mod.ts";

const enc = new TextEncoder();

/** A stream that yields `chunks` one by one. */
function streamOf(...chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const queue = chunks.map((c) => typeof c === "string" ? enc.encode(c) : c);
  return new ReadableStream({
    pull(controller) {
      const next = queue.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function rejectsWith(reason: number, pattern?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof WireError, `expected WireError, got ${e}`);
    assert.equal(e.reason, reason);
    if (pattern) assert.match(e.message, pattern);
    return true;
  };
}

const client: VersionLineOptions = { role: "client" };
const server: VersionLineOptions = { role: "server" };

test("version line with CR LF: parts, and the bytes after it are kept", async () => {
  const v = await readVersionLine(
    streamOf("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n\x00\x00\x04"),
    client,
  );
  assert.equal(v.version, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10");
  assert.equal(v.protoVersion, "2.0");
  assert.equal(v.softwareVersion, "OpenSSH_9.2p1");
  assert.equal(v.comments, "Debian-2+deb12u10");
  assert.deepEqual(v.banner, []);
  assert.deepEqual(await drain(v.rest), new Uint8Array([0, 0, 4]));
});

test("bare LF ends a line too", async () => {
  const v = await readVersionLine(streamOf("SSH-2.0-Hush_0.1\n", "abc"), server);
  assert.equal(v.version, "SSH-2.0-Hush_0.1");
  assert.equal(v.comments, undefined);
  assert.deepEqual(await drain(v.rest), enc.encode("abc"));
});

test("bytes after the line are preserved across later chunks, in order", async () => {
  const v = await readVersionLine(
    streamOf("SS", "H-2.0-x\r", "\nAB", "", "CD", new Uint8Array([0, 255])),
    client,
  );
  assert.equal(v.version, "SSH-2.0-x");
  assert.deepEqual(await drain(v.rest), new Uint8Array([65, 66, 67, 68, 0, 255]));
});

test("one byte at a time", async () => {
  const text = "banner one\r\nbanner two\nSSH-2.0-OpenSSH_9.2\r\nXY";
  const v = await readVersionLine(streamOf(...[...text]), client);
  assert.deepEqual(v.banner, ["banner one", "banner two"]);
  assert.equal(v.version, "SSH-2.0-OpenSSH_9.2");
  assert.deepEqual(await drain(v.rest), enc.encode("XY"));
});

test("a client accepts banner lines before SSH-, a server does not", async () => {
  // Any line starting "SSH-" is taken as the identification line (banner lines must not).
  await assert.rejects(readVersionLine(streamOf("Welcome\r\nSSH-bogus\r\n"), client), WireError);
  const v = await readVersionLine(streamOf("Welcome\r\n\r\nSSH-2.0-s\r\n"), client);
  assert.deepEqual(v.banner, ["Welcome", ""]);
  await assert.rejects(
    readVersionLine(streamOf("Welcome\r\nSSH-2.0-c\r\n"), server),
    rejectsWith(DisconnectReason.PROTOCOL_ERROR, /not its identification/),
  );
});

test("banner lines are bounded: the limit is accepted, one more is refused", async () => {
  const lines = (n: number) => "x\r\n".repeat(n) + "SSH-2.0-s\r\n";
  const ok = await readVersionLine(streamOf(lines(BANNER_LINES_LIMIT)), client);
  assert.equal(ok.banner.length, BANNER_LINES_LIMIT);
  await assert.rejects(
    readVersionLine(streamOf(lines(BANNER_LINES_LIMIT + 1)), client),
    rejectsWith(DisconnectReason.PROTOCOL_ERROR, /More than 1024 lines/),
  );
  const few = { role: "client", maxBannerLines: 2 } as const;
  assert.equal((await readVersionLine(streamOf(lines(2)), few)).banner.length, 2);
  await assert.rejects(readVersionLine(streamOf(lines(3)), few), WireError);
  const noBanner = { role: "client", maxBannerLines: 0 } as const;
  assert.deepEqual((await readVersionLine(streamOf(lines(0)), noBanner)).banner, []);
  await assert.rejects(readVersionLine(streamOf(lines(1)), noBanner), WireError);
  for (const bad of [-1, NaN, 1.5]) {
    await assert.rejects(
      readVersionLine(streamOf(lines(0)), { role: "client", maxBannerLines: bad }),
      RangeError,
    );
  }
});

test("255 bytes per line including CR LF, at the bound and one past", async () => {
  assert.equal(VERSION_LINE_LIMIT, 255);
  const version = (n: number) => "SSH-2.0-" + "v".repeat(n - 8);
  const at = version(253); // + CR LF = 255
  assert.equal((await readVersionLine(streamOf(at + "\r\n"), client)).version, at);
  await assert.rejects(
    readVersionLine(streamOf(version(254) + "\r\n"), client),
    rejectsWith(DisconnectReason.PROTOCOL_ERROR, /longer than 255/),
  );
  // With a bare LF the identification string itself is still limited to 253 characters.
  await assert.rejects(readVersionLine(streamOf(version(254) + "\n"), client), WireError);
  // Banner lines: 253 + CR LF accepted, 254 + CR LF refused.
  const v = await readVersionLine(streamOf("b".repeat(253) + "\r\nSSH-2.0-s\r\n"), client);
  assert.equal(v.banner[0].length, 253);
  await assert.rejects(
    readVersionLine(streamOf("b".repeat(254) + "\r\nSSH-2.0-s\r\n"), client),
    rejectsWith(DisconnectReason.PROTOCOL_ERROR, /longer than 255/),
  );
});

test("an endless line fails after 255 bytes without reading the rest", async () => {
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(100).fill(0x61));
    },
  });
  await assert.rejects(readVersionLine(endless, client), /longer than 255/);
  assert.ok(pulled <= 4, `pulled ${pulled} chunks`);
});

test("protocol versions: 2.0, and 1.99 from a server only", async () => {
  assert.equal((await readVersionLine(streamOf("SSH-1.99-old\r\n"), client)).protoVersion, "1.99");
  await assert.rejects(
    readVersionLine(streamOf("SSH-1.99-old\r\n"), server),
    rejectsWith(DisconnectReason.PROTOCOL_VERSION_NOT_SUPPORTED),
  );
  await assert.rejects(
    readVersionLine(streamOf("SSH-1.5-old\r\n"), client),
    rejectsWith(DisconnectReason.PROTOCOL_VERSION_NOT_SUPPORTED, /"1.5"/),
  );
});

test("malformed identification lines", () => {
  for (
    const bad of [
      "SSH-2.0",
      "SSH-2.0-",
      "SSH-2.0- comment",
      "SSH-2.0-caf\u00e9",
      "SSH-2.0-tab\there",
      "SSH-",
    ]
  ) {
    assert.throws(() => parseVersionLine(bad, "client"), WireError, bad);
  }
  assert.deepEqual(parseVersionLine("SSH-2.0-Cisco-1.25", "client"), {
    protoVersion: "2.0",
    softwareVersion: "Cisco-1.25",
  });
  assert.deepEqual(parseVersionLine("SSH-2.0-x a b", "server"), {
    protoVersion: "2.0",
    softwareVersion: "x",
    comments: "a b",
  });
});

test("NUL bytes and early end of stream", async () => {
  await assert.rejects(readVersionLine(streamOf("SSH-2.0-a\x00b\r\n"), client), /NUL/);
  await assert.rejects(readVersionLine(streamOf("ban\x00ner\r\nSSH-2.0-a\r\n"), client), /NUL/);
  await assert.rejects(
    readVersionLine(streamOf("SSH-2.0-a"), client),
    rejectsWith(DisconnectReason.CONNECTION_LOST),
  );
  await assert.rejects(
    readVersionLine(streamOf(), server),
    rejectsWith(DisconnectReason.CONNECTION_LOST),
  );
});

test("a failing source becomes a WireError and the lock is released", async () => {
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new Error("reset by peer"));
    },
  });
  await assert.rejects(readVersionLine(source, client), (e) => {
    assert.ok(e instanceof WireError);
    assert.equal(e.reason, DisconnectReason.CONNECTION_LOST);
    assert.equal((e.cause as Error).message, "reset by peer");
    return true;
  });
  assert.equal(source.locked, false);
  const bad = streamOf("nope\r\n");
  await assert.rejects(readVersionLine(bad, server), WireError);
  assert.equal(bad.locked, false);
});

test("cancelling rest cancels the source", async () => {
  let cancelled: unknown;
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode("SSH-2.0-a\r\n"));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const v = await readVersionLine(source, server);
  await v.rest.cancel("done");
  assert.equal(cancelled, "done");
});
