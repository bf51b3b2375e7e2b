import { test } from "node:test";
import assert from "node:assert/strict";
import {
  connectWebSocket,
  fromWebSocket,
  truncateReason,
  WEBSOCKET_SEND_MESSAGE_BYTES,
  type WebSocketLike,
} from "./websocket.ts";

/** A scripted WebSocket: the test opens it, feeds it messages and closes it as a peer would. */
class FakeSocket extends EventTarget implements WebSocketLike {
  static last: FakeSocket | undefined;
  readyState = 0;
  bufferedAmount = 0;
  binaryType = "blob";
  protocol = "";
  sent: Uint8Array[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;

  constructor(readonly url: string, readonly protocols?: string | string[]) {
    super();
    FakeSocket.last = this;
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(data.slice());
  }

  close(code?: number, reason?: string): void {
    this.closedWith ??= [code, reason];
    if (this.readyState < 2) this.readyState = 2;
  }

  open(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }

  receive(data: unknown): void {
    const event = new Event("message") as Event & { data: unknown };
    event.data = data;
    this.dispatchEvent(event);
  }

  peerClose(code: number, reason = ""): void {
    this.readyState = 3;
    const event = new Event("close") as Event & { code: number; reason: string };
    event.code = code;
    event.reason = reason;
    this.dispatchEvent(event);
  }
}

const bytes = (...b: number[]) => new Uint8Array(b);

async function opened(url = "ws://relay.test/?target=h:22") {
  const connecting = connectWebSocket(url, { WebSocket: FakeSocket });
  const socket = FakeSocket.last!;
  socket.open();
  return { connection: await connecting, socket };
}

test("connectWebSocket: resolves once open; writes go as binary messages, messages come out as bytes", async () => {
  const { connection, socket } = await opened();
  assert.equal(socket.url, "ws://relay.test/?target=h:22");
  assert.equal(socket.binaryType, "arraybuffer");
  assert.equal(connection.url, "ws://relay.test/?target=h:22");
  const w = connection.writable.getWriter();
  await w.write(bytes(1, 2, 3));
  assert.deepEqual(socket.sent, [bytes(1, 2, 3)]);
  const r = connection.readable.getReader();
  socket.receive(bytes(9, 8).buffer);
  socket.receive(new Uint8Array(0).buffer); // empty messages are skipped
  socket.receive(bytes(7).buffer);
  assert.deepEqual((await r.read()).value, bytes(9, 8));
  assert.deepEqual((await r.read()).value, bytes(7));
  await w.close();
  assert.deepEqual(socket.closedWith, [1000, ""]);
  socket.peerClose(1000);
  assert.equal((await r.read()).done, true);
  assert.deepEqual(await connection.closed, { code: 1000, reason: "", error: undefined });
});

test("connectWebSocket: a write bigger than one message is cut at 256 KiB", async () => {
  const { connection, socket } = await opened();
  const big = new Uint8Array(WEBSOCKET_SEND_MESSAGE_BYTES * 2 + 10).map((_, i) => i);
  await connection.writable.getWriter().write(big);
  assert.deepEqual(socket.sent.map((m) => m.byteLength), [
    WEBSOCKET_SEND_MESSAGE_BYTES,
    WEBSOCKET_SEND_MESSAGE_BYTES,
    10,
  ]);
  const joined = new Uint8Array(big.length);
  let o = 0;
  for (const m of socket.sent) joined.set(m, (o += m.length) - m.length);
  assert.deepEqual(joined, big);
});

test("connectWebSocket: a write waits while bufferedAmount is over the high-water mark", async () => {
  const connecting = connectWebSocket("ws://x.test/", {
    WebSocket: FakeSocket,
    highWaterMark: 100,
  });
  const socket = FakeSocket.last!;
  socket.open();
  const connection = await connecting;
  const w = connection.writable.getWriter();
  socket.bufferedAmount = 500;
  let done = false;
  const writing = w.write(bytes(1)).then(() => (done = true));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(done, false, "the write waits for the buffer to drain");
  assert.equal(socket.sent.length, 1);
  socket.bufferedAmount = 0;
  await writing;
  assert.equal(done, true);
});

test("connectWebSocket: a write made before the socket opens waits for it", async () => {
  const socket = new FakeSocket("ws://x.test/");
  const connection = fromWebSocket(socket);
  const writing = connection.writable.getWriter().write(bytes(5));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(socket.sent.length, 0);
  socket.open();
  await writing;
  assert.deepEqual(socket.sent, [bytes(5)]);
});

test("connectWebSocket: a text message ends the connection with an error and close code 1003", async () => {
  const { connection, socket } = await opened();
  const r = connection.readable.getReader();
  socket.receive("SSH-2.0-OpenSSH_9.2\r\n");
  await assert.rejects(r.read(), {
    message: "The peer sent a text message: SSH over WebSocket takes binary messages only",
  });
  assert.deepEqual(socket.closedWith, [1003, "Binary messages only"]);
  await assert.rejects(connection.writable.getWriter().write(bytes(1)), /text message/);
  socket.peerClose(1003, "Binary messages only");
  assert.match((await connection.closed).error!.message, /text message/);
});

test("connectWebSocket: a message over the limit ends the connection (1009), one at the limit passes", async () => {
  const connecting = connectWebSocket("ws://x.test/", {
    WebSocket: FakeSocket,
    maxMessageBytes: 16,
  });
  FakeSocket.last!.open();
  const connection = await connecting;
  const socket = FakeSocket.last!;
  const r = connection.readable.getReader();
  socket.receive(new Uint8Array(16).buffer);
  assert.equal((await r.read()).value?.length, 16);
  socket.receive(new Uint8Array(17).buffer);
  await assert.rejects(r.read(), {
    message: "The peer sent a 17-byte message, over the limit of 16 bytes",
  });
  assert.deepEqual(socket.closedWith, [1009, "Message too big"]);
});

test("connectWebSocket: unread bytes past the read queue limit end the connection (1008)", async () => {
  const connecting = connectWebSocket("ws://x.test/", {
    WebSocket: FakeSocket,
    readQueueLimit: 10,
  });
  FakeSocket.last!.open();
  const connection = await connecting;
  const socket = FakeSocket.last!;
  socket.receive(new Uint8Array(10).buffer); // at the limit: kept
  assert.equal(socket.closedWith, undefined);
  socket.receive(new Uint8Array(1).buffer); // one past it
  assert.deepEqual(socket.closedWith, [1008, "Too much unread data"]);
  const r = connection.readable.getReader();
  await assert.rejects(r.read(), {
    message: "The peer sent more than 10 bytes that were not read yet",
  });
});

test("connectWebSocket: a close with an error code errors the readable with the peer's reason", async () => {
  const { connection, socket } = await opened("ws://relay.test/?target=10.0.0.1:22");
  const r = connection.readable.getReader();
  socket.peerClose(4003, "Target 10.0.0.1:22 is not on the relay's allow-list");
  await assert.rejects(r.read(), {
    message:
      "WebSocket to ws://relay.test/?target=10.0.0.1:22 closed by the peer (code 4003): Target 10.0.0.1:22 is not on the relay's allow-list",
  });
  await assert.rejects(connection.writable.getWriter().write(bytes(1)), /code 4003/);
});

test("connectWebSocket: a dropped connection (1006) mid-stream errors the readable after the bytes that came", async () => {
  const { connection, socket } = await opened("ws://relay.test/");
  const r = connection.readable.getReader();
  socket.receive(bytes(1, 2).buffer);
  socket.peerClose(1006);
  assert.deepEqual((await r.read()).value, bytes(1, 2));
  await assert.rejects(r.read(), {
    message: "WebSocket connection to ws://relay.test/ was lost (code 1006, no close frame)",
  });
});

test("connectWebSocket: a failed handshake rejects with the URL and the code", async () => {
  const connecting = connectWebSocket("ws://127.0.0.1:9/", { WebSocket: FakeSocket });
  FakeSocket.last!.peerClose(1006);
  await assert.rejects(connecting, {
    message: "Cannot connect to ws://127.0.0.1:9/: the WebSocket handshake failed (code 1006)",
  });
});

test("connectWebSocket: aborting while connecting closes the socket and rejects with the reason", async () => {
  const controller = new AbortController();
  const connecting = connectWebSocket("ws://x.test/", {
    WebSocket: FakeSocket,
    signal: controller.signal,
  });
  controller.abort(new Error("gave up"));
  await assert.rejects(connecting, { message: "gave up" });
  assert.deepEqual(FakeSocket.last!.closedWith, [1000, undefined]);
});

test("connectWebSocket: cancelling the readable or close() closes the socket", async () => {
  const a = await opened();
  await a.connection.readable.cancel();
  assert.deepEqual(a.socket.closedWith, [1000, ""]);
  const b = await opened();
  b.connection.close(4000, "done");
  assert.deepEqual(b.socket.closedWith, [4000, "done"]);
});

test("truncateReason: at most 123 bytes of UTF-8, never half a character", () => {
  assert.equal(truncateReason("short"), "short");
  assert.equal(new TextEncoder().encode(truncateReason("x".repeat(200))).length, 123);
  const cut = truncateReason("é".repeat(100)); // 2 bytes each
  assert.equal(cut, "é".repeat(61));
});
