import { test } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect, createServer, type Server, type Socket } from "node:net";
import { generateKey } from "@hush/keys";
import { memoryDuplexPair } from "./adapters/memory.ts";
import { accept } from "./accept.ts";
import { connect } from "./connect.ts";
import type { SshClient } from "./client.ts";
import type { DirectTcpipRequest } from "./server_forward_handlers.ts";

/** A client connected to an in-memory server whose direct-tcpip opens reach 127.0.0.1. */
async function pair(opens: DirectTcpipRequest[]): Promise<SshClient> {
  const hostKey = await generateKey("ssh-ed25519");
  const userKey = await generateKey("ssh-ed25519");
  const [a, b] = memoryDuplexPair();
  const server = accept(b, {
    hostKeys: [hostKey],
    authenticate: { publickey: () => true },
    onForward: {
      directTcpip: async (r) => {
        opens.push(r);
        if (r.host !== "127.0.0.1" && r.host !== "localhost") {
          return { reason: 2, description: "connect failed: Connection refused" };
        }
        const { connectTcp } = await import("./adapters/tcp.ts");
        try {
          return await connectTcp("127.0.0.1", r.port);
        } catch {
          return { reason: 2, description: "connect failed: Connection refused" };
        }
      },
    },
  });
  const client = await connect({
    hostname: "test",
    username: "me",
    identities: [userKey],
    policy: "no",
    duplex: a,
  });
  await server;
  return client;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port))
  );
}

/** A raw SOCKS client: sends `hello`, collects everything until the server closes. */
function socksExchange(port: number, hello: Uint8Array, then?: (s: Socket) => void) {
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = netConnect({ host: "127.0.0.1", port }, () => {
      s.write(hello);
      then?.(s);
    });
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("close", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    s.on("error", reject);
  });
}

const ascii = (s: string) => new TextEncoder().encode(s);

test("forwardDynamic: SOCKS5 and SOCKS4a CONNECT go out through direct-tcpip, data both ways", async () => {
  const echo = createServer((s) => void s.on("error", () => {}).pipe(s));
  const echoPort = await listen(echo);
  const opens: DirectTcpipRequest[] = [];
  const client = await pair(opens);
  const seen: string[] = [];
  const socks = await client.forwardDynamic({
    onRequest: (r) => seen.push(`socks${r.version} ${r.host}:${r.port}`),
  });
  try {
    const name = ascii("localhost");
    // the request and the first data in one write, then EOF: the echo comes back after the reply
    const v5 = await socksExchange(
      socks.port,
      Uint8Array.of(5, 1, 0, 5, 1, 0, 3, name.length, ...name, echoPort >> 8, echoPort & 255),
      (s) => s.end("ping"),
    );
    assert.deepEqual([...v5.subarray(0, 12)], [5, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert.equal(new TextDecoder().decode(v5.subarray(12)), "ping");
    const v4a = await socksExchange(
      socks.port,
      Uint8Array.of(4, 1, echoPort >> 8, echoPort & 255, 0, 0, 0, 1, 0, ...name, 0, ...ascii("hi")),
      (s) => s.end(),
    );
    assert.deepEqual([...v4a.subarray(0, 8)], [0, 0x5a, 0, 0, 0, 0, 0, 0]);
    assert.equal(new TextDecoder().decode(v4a.subarray(8)), "hi");
    assert.deepEqual(seen, [`socks5 localhost:${echoPort}`, `socks4 localhost:${echoPort}`]);
    assert.deepEqual(opens.map((o) => `${o.host}:${o.port} from ${o.originatorAddress}`), [
      `localhost:${echoPort} from 127.0.0.1`,
      `localhost:${echoPort} from 127.0.0.1`,
    ]);
  } finally {
    await socks.close();
    await client.close();
    await new Promise((r) => echo.close(r));
  }
});

test("forwardDynamic: a refused open and a malformed request get an error reply and a close", async () => {
  const opens: DirectTcpipRequest[] = [];
  const client = await pair(opens);
  const errors: string[] = [];
  const socks = await client.forwardDynamic({
    onError: (e) => errors.push((e as Error).message),
  });
  try {
    const name = ascii("unreachable.example");
    const refused = await socksExchange(
      socks.port,
      Uint8Array.of(5, 1, 0, 5, 1, 0, 3, name.length, ...name, 0, 80),
    );
    assert.deepEqual([...refused], [5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
    const bind = await socksExchange(socks.port, Uint8Array.of(4, 2, 0, 80, 1, 2, 3, 4, 0));
    assert.deepEqual([...bind], [0, 0x5b, 0, 0, 0, 0, 0, 0]);
    const http = await socksExchange(socks.port, ascii("GET / HTTP/1.1\r\n\r\n"));
    assert.deepEqual([...http], []);
    assert.equal(opens.length, 1, "only the well-formed request opened a channel");
    assert.equal(errors.length, 3);
    assert.match(errors[0], /Cannot open a channel to unreachable\.example port 80/);
    assert.match(errors[1], /SOCKS4 command 2/);
    assert.match(errors[2], /Not a SOCKS request/);
  } finally {
    await socks.close();
    await client.close();
  }
});
