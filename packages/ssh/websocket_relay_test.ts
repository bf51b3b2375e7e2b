import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { generateKey } from "@hush/keys";
import { connectWebSocket, type WebSocketConnection } from "./adapters/websocket.ts";
import { connect } from "./connect.ts";
import { serve, type SshServer } from "./server.ts";
import { parseRelayTarget, startWebSocketRelay, type WebSocketRelay } from "./websocket_relay.ts";
import { rawWebSocket } from "./testdata/raw_websocket.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Node has no WebSocket server built in: the relay runs on Deno and Bun. */
const noRelay = (globalThis as { Deno?: unknown; Bun?: unknown }).Deno ||
    (globalThis as { Bun?: unknown }).Bun
  ? undefined
  : "Node has no WebSocket server built in (the relay runs on Deno and Bun)" +
    (typeof WebSocket === "undefined"
      ? ", and Node 20 no global WebSocket (Node 22 and later have one)"
      : "");

/** A Hush SSH server on TCP whose exec echoes its command's arguments. */
async function echoSshServer(): Promise<SshServer> {
  return await serve({
    port: 0,
    hostKeys: [await generateKey("ssh-ed25519")],
    authenticate: { password: (user, password) => user === "alice" && password === "pw" },
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
}

/** A TCP server whose connections the test holds: it accepts, and says nothing. */
async function silentServer(): Promise<{ port: number; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    s.on("error", () => {});
    sockets.push(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as { port: number }).port, server, sockets };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = await silentServer();
  await new Promise((r) => s.server.close(r));
  return s.port;
}

/** Waits until a log line matches (the relay logs after it closed the socket). */
async function logged(lines: string[], pattern: RegExp): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`no log line matches ${pattern}:\n${lines.join("\n")}`);
}

async function sshOver(duplex: WebSocketConnection): Promise<string> {
  const client = await connect({
    hostname: "127.0.0.1",
    username: "alice",
    password: "pw",
    policy: "no",
    duplex,
  });
  const { stdout } = await client.exec("echo through the relay");
  await client.close();
  return dec.decode(stdout);
}

async function withRelay(
  options: { allow: string[]; maxConnections?: number },
  fn: (relay: WebSocketRelay, url: string, lines: string[]) => Promise<void>,
): Promise<void> {
  const lines: string[] = [];
  const relay = await startWebSocketRelay({ port: 0, ...options, log: (l) => lines.push(l) });
  try {
    await fn(relay, `ws://127.0.0.1:${relay.port}/`, lines);
  } finally {
    await relay.close();
  }
}

test("parseRelayTarget: host:port and [v6]:port; anything else is not a target", () => {
  assert.deepEqual(parseRelayTarget("127.0.0.1:22"), {
    host: "127.0.0.1",
    port: 22,
    name: "127.0.0.1:22",
  });
  assert.equal(parseRelayTarget("[::1]:2222")?.name, "[::1]:2222");
  assert.equal(parseRelayTarget("Example.ORG:22")?.name, "example.org:22");
  for (const bad of ["example.org", "h:0", "h:65536", "::1:22", "h:22/x", "user@h:22", ""]) {
    assert.equal(parseRelayTarget(bad), undefined, bad);
  }
});

test(
  "relay: SSH to an allowed target, logged when it opens and ends",
  { skip: noRelay },
  async () => {
    const server = await echoSshServer();
    try {
      const target = `127.0.0.1:${server.port}`;
      await withRelay({ allow: [target] }, async (_relay, url, lines) => {
        const out = await sshOver(await connectWebSocket(`${url}?target=${target}`));
        assert.equal(out, "through the relay\n");
        // one target allowed: it may be left out
        assert.equal(await sshOver(await connectWebSocket(url)), "through the relay\n");
        await logged(
          lines,
          new RegExp(`^relay: #1 from 127\\.0\\.0\\.1:\\d+ connected to ${target}$`),
        );
        const end = await logged(lines, /^relay: #1 .* ended/);
        assert.match(end, /ended \((page|target) closed\): \d+ bytes up, \d+ bytes down$/);
      });
    } finally {
      await server.close();
    }
  },
);

test("relay: a target off the allow-list is refused (4003) and logged; the relay keeps serving", {
  skip: noRelay,
}, async () => {
  const server = await echoSshServer();
  try {
    const target = `127.0.0.1:${server.port}`;
    await withRelay({ allow: [target, "127.0.0.1:1"] }, async (_relay, url, lines) => {
      const socket = await connectWebSocket(`${url}?target=127.0.0.1:22`);
      const info = await socket.closed;
      assert.equal(info.code, 4003);
      assert.equal(info.reason, "Relay refused: 127.0.0.1:22 is not on the relay's allow-list");
      await assert.rejects(
        socket.readable.getReader().read(),
        /closed by the peer \(code 4003\): Relay refused: 127\.0\.0\.1:22 is not on the relay's allow-list/,
      );
      await logged(
        lines,
        /^relay: refused #1 from 127\.0\.0\.1:\d+: target 127\.0\.0\.1:22 is not on the allow-list$/,
      );
      const none = await (await connectWebSocket(url)).closed;
      assert.deepEqual([none.code, none.reason], [
        4000,
        "Relay refused: no target given (add ?target=host:port)",
      ]);
      const junk = await (await connectWebSocket(`${url}?target=${encodeURIComponent("a b")}`))
        .closed;
      assert.equal(junk.reason, 'Relay refused: target "a b" is not host:port');
      assert.equal(
        await sshOver(await connectWebSocket(`${url}?target=${target}`)),
        "through the relay\n",
      );
    });
  } finally {
    await server.close();
  }
});

test("relay: past the connection limit a page is refused (1013) until one ends", {
  skip: noRelay,
}, async () => {
  const silent = await silentServer();
  const target = `127.0.0.1:${silent.port}`;
  try {
    await withRelay({ allow: [target], maxConnections: 1 }, async (relay, url, lines) => {
      const first = await connectWebSocket(url);
      await logged(lines, /connected to/);
      assert.equal(relay.connections, 1);
      const second = await (await connectWebSocket(url)).closed;
      assert.deepEqual([second.code, second.reason], [1013, "Relay is full: try again later"]);
      await logged(
        lines,
        /^relay: refused #2 from .* to 127\.0\.0\.1:\d+: 1 connections open \(the limit\)$/,
      );
      first.close();
      await logged(lines, /^relay: #1 .* ended/);
      assert.equal(relay.connections, 0);
      const third = await connectWebSocket(url);
      await logged(lines, /^relay: #3 .* connected to/);
      third.close();
    });
  } finally {
    for (const s of silent.sockets) s.destroy();
    await new Promise((r) => silent.server.close(r));
  }
});

test("relay: a target that refuses the connection closes the page's socket with why (1011)", {
  skip: noRelay,
}, async () => {
  const port = await closedPort();
  await withRelay({ allow: [`127.0.0.1:${port}`] }, async (_relay, url, lines) => {
    const socket = await connectWebSocket(url);
    const info = await socket.closed;
    assert.equal(info.code, 1011);
    assert.match(
      info.reason,
      new RegExp(`^Relay cannot reach 127\\.0\\.0\\.1:${port}: .*refused`, "i"),
    );
    await logged(
      lines,
      new RegExp(`^relay: #1 from .* cannot reach 127\\.0\\.0\\.1:${port}: .*refused`, "i"),
    );
    // and the page's SSH connect says so
    await assert.rejects(
      connect({
        hostname: "127.0.0.1",
        username: "u",
        policy: "no",
        duplex: await connectWebSocket(url),
      }),
      (e: Error) => {
        let text = e.message;
        for (let c = e.cause as Error | undefined; c; c = c.cause as Error | undefined) {
          text += ` / ${c.message}`;
        }
        return /code 1011\): Relay cannot reach/.test(text);
      },
    );
  });
});

test(
  "relay: a target that accepts but never answers ends with the client's timeout; the relay logs the end",
  {
    skip: noRelay,
  },
  async () => {
    const silent = await silentServer();
    try {
      await withRelay({ allow: [`127.0.0.1:${silent.port}`] }, async (relay, url, lines) => {
        await assert.rejects(
          connect({
            hostname: "127.0.0.1",
            username: "u",
            policy: "no",
            connectTimeout: 300,
            duplex: await connectWebSocket(url),
          }),
          /timed out/,
        );
        await logged(lines, /^relay: #1 .* ended \(page closed\): \d+ bytes up, 0 bytes down$/);
        assert.equal(relay.connections, 0);
      });
    } finally {
      for (const s of silent.sockets) s.destroy();
      await new Promise((r) => silent.server.close(r));
    }
  },
);

test(
  "relay: a page's text message, oversized message or dropped socket ends only its own connection",
  {
    skip: noRelay,
  },
  async () => {
    const server = await echoSshServer();
    const target = `127.0.0.1:${server.port}`;
    try {
      await withRelay({ allow: [target] }, async (_relay, url, lines) => {
        // a text message: closed with 1003, logged
        const ws = new WebSocket(url);
        const closed = new Promise<CloseEvent>((r) => ws.addEventListener("close", (e) => r(e)));
        ws.addEventListener("open", () => ws.send("SSH-2.0-Text\r\n"));
        const event = await closed;
        assert.deepEqual([event.code, event.reason], [1003, "Binary messages only"]);
        await logged(
          lines,
          /^relay: #1 .* ended \(page: The peer sent a text message: SSH over WebSocket takes binary messages only\)/,
        );
        // a binary message over 1 MiB: 1009
        const big = new WebSocket(url);
        const bigClosed = new Promise<CloseEvent>((r) =>
          big.addEventListener("close", (e) => r(e))
        );
        big.addEventListener("open", () => big.send(new Uint8Array(1024 * 1024 + 1)));
        assert.equal((await bigClosed).code, 1009);
        await logged(
          lines,
          /^relay: #2 .* ended \(page: The peer sent a 1048577-byte message, over the limit of 1048576 bytes\)/,
        );
        // half a frame, then the TCP connection drops without a close frame
        const raw = await rawWebSocket(relayPort(url), "/");
        raw.sendFrame(2, enc.encode("SSH-2.0-Half\r\n"), 6);
        await logged(lines, /^relay: #3 .* connected to/);
        raw.destroy();
        await logged(
          lines,
          /^relay: #3 .* ended \(page: WebSocket connection to .* was lost \(code 1006/,
        );
        // others are still served
        assert.equal(await sshOver(await connectWebSocket(url)), "through the relay\n");
      });
    } finally {
      await server.close();
    }
  },
);

function relayPort(url: string): number {
  return Number(new URL(url).port);
}
