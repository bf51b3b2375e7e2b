import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKey } from "@hush/keys";
import { connect } from "../connect.ts";
import { serve } from "../server.ts";
import { connectWebSocket } from "./websocket.ts";
import { listenWebSocket, originAllowed } from "./websocket_server.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Why these tests cannot run here: Node has no WebSocket server (and Node 20 no WebSocket
 * client); Deno and Bun have both.
 */
const noWebSocketServer = (globalThis as { Deno?: unknown; Bun?: unknown }).Deno ||
    (globalThis as { Bun?: unknown }).Bun
  ? undefined
  : "Node has no WebSocket server built in (listenWebSocket runs on Deno and Bun)" +
    (typeof WebSocket === "undefined"
      ? ", and Node 20 no global WebSocket (Node 22 and later have one)"
      : "");

/** A WebSocket that sends an `Origin` header, as a browser does (Deno and Bun take `headers`). */
function webSocketFrom(origin: string) {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { origin } } as unknown as string[]);
    }
  };
}

async function readAll(stream: ReadableStream<Uint8Array>, bytes: number): Promise<Uint8Array> {
  const out = new Uint8Array(bytes);
  let n = 0;
  const reader = stream.getReader();
  while (n < bytes) {
    const { value, done } = await reader.read();
    if (done) break;
    out.set(value, n);
    n += value.length;
  }
  reader.releaseLock();
  return out.subarray(0, n);
}

test("listenWebSocket + connectWebSocket: 8 MiB each way through an echo, in order", {
  skip: noWebSocketServer,
}, async () => {
  const listener = await listenWebSocket({ port: 0 });
  (async () => {
    for await (const socket of listener) socket.readable.pipeTo(socket.writable).catch(() => {});
  })();
  try {
    const socket = await connectWebSocket(`ws://127.0.0.1:${listener.port}/echo`);
    const data = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 7 + (i >> 12)) & 0xff);
    const writer = socket.writable.getWriter();
    const writing = (async () => {
      for (let o = 0; o < data.length; o += 100_000) {
        await writer.write(data.subarray(o, o + 100_000));
      }
    })();
    const echoed = await readAll(socket.readable, data.length);
    await writing;
    assert.equal(echoed.length, data.length);
    assert.ok(echoed.every((b, i) => b === data[i]), "the bytes come back unchanged and in order");
    socket.close();
    assert.equal((await socket.closed).code, 1000);
  } finally {
    await listener.close();
  }
});

test(
  "listenWebSocket: Origin allowed when absent, same-origin or listed; any other gets 403 and a trace line",
  {
    skip: noWebSocketServer,
  },
  async () => {
    const lines: string[] = [];
    const listener = await listenWebSocket({
      port: 0,
      origins: ["https://app.example"],
      trace: (l) => lines.push(l),
    });
    const accepted: string[] = [];
    (async () => {
      for await (const socket of listener) {
        accepted.push(socket.origin ?? "(none)");
        socket.close();
      }
    })();
    const url = `ws://127.0.0.1:${listener.port}/`;
    try {
      await (await connectWebSocket(url)).closed;
      await (await connectWebSocket(url, {
        WebSocket: webSocketFrom(`http://127.0.0.1:${listener.port}`),
      })).closed;
      await (await connectWebSocket(url, { WebSocket: webSocketFrom("https://app.example") }))
        .closed;
      await assert.rejects(
        connectWebSocket(url, { WebSocket: webSocketFrom("https://evil.example") }),
        /Cannot connect to ws:\/\/127\.0\.0\.1:\d+\/: /,
      );
      assert.deepEqual(accepted, [
        "(none)",
        `http://127.0.0.1:${listener.port}`,
        "https://app.example",
      ]);
      assert.equal(lines.length, 1);
      assert.match(
        lines[0],
        /^refused WebSocket from 127\.0\.0\.1:\d+: Origin https:\/\/evil\.example is not allowed$/,
      );
    } finally {
      await listener.close();
    }
  },
);

test("originAllowed: none, same host, listed, '*'; a bad Origin is refused", () => {
  assert.equal(originAllowed(null, "h:1"), true);
  assert.equal(originAllowed("http://h:1", "h:1"), true);
  assert.equal(originAllowed("http://h:2", "h:1"), false);
  assert.equal(originAllowed("http://h:2", "h:1", ["http://h:2"]), true);
  assert.equal(originAllowed("https://x.example", "h:1", ["*"]), true);
  assert.equal(originAllowed("null", "h:1"), false);
});

test("listenWebSocket: plain HTTP requests go to onRequest, other paths are not upgraded", {
  skip: noWebSocketServer,
}, async () => {
  const listener = await listenWebSocket({
    port: 0,
    path: "/ssh",
    onRequest: () => new Response("page"),
  });
  try {
    const page = await fetch(`http://127.0.0.1:${listener.port}/`);
    assert.equal(await page.text(), "page");
    await assert.rejects(connectWebSocket(`ws://127.0.0.1:${listener.port}/other`));
  } finally {
    await listener.close();
  }
});

test("serve({ tcp: false, webSocket }): SSH over WebSocket, password login, exec", {
  skip: noWebSocketServer,
}, async () => {
  const lines: string[] = [];
  const server = await serve({
    tcp: false,
    webSocket: { port: 0, path: "/ssh" },
    hostKeys: [await generateKey("ssh-ed25519")],
    authenticate: { password: (user, password) => user === "alice" && password === "pw" },
    trace: (l) => lines.push(l),
    onSession: (session) => {
      session.onRequest = (req) => {
        if (req.request !== "exec") return false;
        queueMicrotask(async () => {
          const w = session.writable.getWriter();
          await w.write(enc.encode(`${req.command.replace(/^echo /, "")}\n`));
          w.releaseLock();
          await session.exit(0);
        });
        return true;
      };
    },
  });
  try {
    assert.equal(server.webSocket?.port, server.port);
    const duplex = await connectWebSocket(`ws://127.0.0.1:${server.webSocket!.port}/ssh`);
    const client = await connect({
      hostname: "127.0.0.1",
      username: "alice",
      password: "pw",
      policy: "no",
      duplex,
    });
    const { stdout, code } = await client.exec("echo hello over websocket");
    assert.equal(dec.decode(stdout), "hello over websocket\n");
    assert.equal(code, 0);
    await client.close();
    assert.ok(lines.some((l) => /^Connection from 127\.0\.0\.1 port \d+ .*\(WebSocket\)$/.test(l)));
  } finally {
    await server.close();
  }
});

test(
  "serve({ webSocket }) also listens on TCP; a text message from a client ends only that connection",
  {
    skip: noWebSocketServer,
  },
  async () => {
    const lines: string[] = [];
    const server = await serve({
      port: 0,
      webSocket: { port: 0 },
      hostKeys: [await generateKey("ssh-ed25519")],
      authenticate: { password: () => true },
      trace: (l) => lines.push(l),
    });
    try {
      assert.notEqual(server.port, server.webSocket!.port);
      const ws = new WebSocket(`ws://127.0.0.1:${server.webSocket!.port}/`);
      const closed = new Promise<CloseEvent>((r) => ws.addEventListener("close", (e) => r(e)));
      ws.addEventListener("open", () => ws.send("SSH-2.0-Text\r\n"));
      const event = await closed;
      assert.equal(event.code, 1003);
      assert.equal(event.reason, "Binary messages only");
      for (let i = 0; i < 100 && !lines.some((l) => l.includes("text message")); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(
        lines.some((l) =>
          /^WebSocket from 127\.0\.0\.1 port \d+: The peer sent a text message: SSH over WebSocket takes binary messages only$/
            .test(l)
        ),
        lines.join("\n"),
      );
      // the server still serves: TCP and WebSocket
      const client = await connect({
        hostname: "127.0.0.1",
        port: server.port,
        username: "u",
        password: "x",
        policy: "no",
      });
      await client.close();
      const viaWs = await connect({
        hostname: "127.0.0.1",
        username: "u",
        password: "x",
        policy: "no",
        duplex: await connectWebSocket(`ws://127.0.0.1:${server.webSocket!.port}/`),
      });
      await viaWs.close();
    } finally {
      await server.close();
    }
  },
);
