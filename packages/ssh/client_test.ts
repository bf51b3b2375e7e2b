import { test } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect, createServer, type Server } from "node:net";
import { generateKey, type PrivateKey } from "@hush/keys";
import { DisconnectReason, type GlobalRequestBody } from "@hush/wire";
import { memoryDuplexPair } from "./adapters/memory.ts";
import { accept } from "./accept.ts";
import type { SshClient } from "./client.ts";
import { connect } from "./connect.ts";
import { freezable } from "./testdata/freezable_duplex.ts";
import { manualClock } from "./testdata/manual_clock.ts";
import type { ServeOptions } from "./serve_options.ts";
import type { TcpipForwardRequest } from "./server_forward_handlers.ts";

async function pair(
  serve: Partial<ServeOptions> = {},
): Promise<{ client: SshClient; userKey: PrivateKey }> {
  const hostKey = await generateKey("ssh-ed25519");
  const userKey = await generateKey("ssh-ed25519");
  const [a, b] = memoryDuplexPair();
  const server = accept(b, {
    hostKeys: [hostKey],
    authenticate: { publickey: (_user, key) => key.equals(userKey.publicKey) },
    ...serve,
  });
  const client = await connect({
    hostname: "test",
    username: "me",
    identities: [userKey],
    policy: "no",
    duplex: a,
    connectTimeout: 3000,
  });
  await server;
  return { client, userKey };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port))
  );
}

/** Sends `text` over a fresh TCP connection, half-closes, and returns all that came back. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: "127.0.0.1", port }, () => s.end(text));
    let got = "";
    s.on("data", (d) => (got += d.toString()));
    s.on("end", () => resolve(got));
    s.on("close", () => resolve(got));
    s.on("error", reject);
  });
}

test("forwardIn: connections of a granted forward reach its handler; cancel forgets it", async () => {
  let request!: TcpipForwardRequest;
  let cancelled = 0;
  const { client } = await pair({
    onForward: {
      tcpipForward: (r) => {
        request = r;
        return { port: 4242, close: () => void cancelled++ };
      },
    },
  });
  const seen: string[] = [];
  const port = await client.forwardIn("localhost", 0, (channel, info) => {
    seen.push(`${info.address}:${info.port} from ${info.originatorAddress}:${info.originatorPort}`);
    void channel.readable.pipeTo(channel.writable);
  });
  assert.equal(port, 4242);
  for (const n of [1, 2]) {
    const [near, far] = memoryDuplexPair();
    await request.forward(far, "192.0.2.1", 5000 + n);
    const w = near.writable.getWriter();
    await w.write(new TextEncoder().encode(`echo ${n}`));
    await w.close();
    assert.equal(await new Response(near.readable).text(), `echo ${n}`);
  }
  assert.deepEqual(seen, [
    "localhost:4242 from 192.0.2.1:5001",
    "localhost:4242 from 192.0.2.1:5002",
  ]);
  await client.cancelForwardIn("localhost", 4242);
  assert.equal(cancelled, 1);
  // a connection for a forward the client no longer knows is refused
  const [, far] = memoryDuplexPair();
  await assert.rejects(request.forward(far, "192.0.2.1", 6000));
  await client.close();
});

test("forwardLocal: each local connection goes through its own direct-tcpip channel", async () => {
  const echo = createServer((s) => void s.on("error", () => {}).pipe(s));
  const echoPort = await listen(echo);
  const targets: string[] = [];
  const { client } = await pair({
    onForward: {
      directTcpip: async (r) => {
        targets.push(`${r.host}:${r.port}`);
        if (r.port !== echoPort) return false;
        const { connectTcp } = await import("./adapters/tcp.ts");
        return await connectTcp("127.0.0.1", r.port);
      },
    },
  });
  const errors: unknown[] = [];
  const forward = await client.forwardLocal({
    host: "127.0.0.1",
    port: echoPort,
    onError: (e) => errors.push(e),
  });
  try {
    const big = "x".repeat(3 * 1024 * 1024);
    const results = await Promise.all([
      roundTrip(forward.port, "one"),
      roundTrip(forward.port, "two"),
      roundTrip(forward.port, big),
    ]);
    assert.deepEqual(results.slice(0, 2), ["one", "two"]);
    assert.equal(results[2].length, big.length);
    assert.equal(targets.length, 3);
    const refused = await client.forwardLocal({ host: "127.0.0.1", port: 1 });
    assert.equal(await roundTrip(refused.port, "nobody"), "");
    await refused.close();
    assert.equal(errors.length, 0);
  } finally {
    await forward.close();
    await client.close();
    await new Promise((r) => echo.close(r));
  }
});

test("connect: connectTimeout bounds the handshake only, not the connection", async () => {
  const { client } = await pair({
    onSession: (session) => {
      session.onRequest = (req) => {
        if (req.request !== "exec") return false;
        queueMicrotask(async () => {
          const w = session.writable.getWriter();
          await w.write(new TextEncoder().encode(req.command));
          await w.close();
          await session.exit(0);
        });
        return true;
      };
    },
  });
  await new Promise((r) => setTimeout(r, 3300)); // past connectTimeout (3000)
  const r = await client.exec("still here");
  assert.equal(new TextDecoder().decode(r.stdout), "still here");
  await client.close();
});

test("connect: connectTimeout fails a server that never answers", async () => {
  const silent = createServer((s) => void s.resume().on("error", () => {}));
  const port = await listen(silent);
  const started = Date.now();
  await assert.rejects(
    connect({ hostname: "127.0.0.1", port, username: "me", policy: "no", connectTimeout: 300 }),
  );
  assert.ok(Date.now() - started < 3000);
  await new Promise((r) => silent.close(r));
});

test("connect: password (string or callback) when the server asks for one", async () => {
  for (const password of ["s3cret", () => Promise.resolve("s3cret")]) {
    const hostKey = await generateKey("ssh-ed25519");
    const [a, b] = memoryDuplexPair();
    const server = accept(b, {
      hostKeys: [hostKey],
      authenticate: { password: (user, pw) => user === "me" && pw === "s3cret" },
    });
    const client = await connect({
      hostname: "test",
      username: "me",
      password,
      policy: "no",
      duplex: a,
    });
    await server;
    await client.close();
  }
  const [a, b] = memoryDuplexPair();
  accept(b, {
    hostKeys: [await generateKey("ssh-ed25519")],
    authenticate: { password: () => false },
  }).catch(() => {});
  await assert.rejects(
    connect({ hostname: "test", username: "me", password: "wrong", policy: "no", duplex: a }),
    (e: Error) => e.name === "AuthError",
  );
});

test("connect: keepalives keep a quiet connection, then give up on a silent server", async () => {
  const hostKey = await generateKey("ssh-ed25519");
  const userKey = await generateKey("ssh-ed25519");
  const [a, b] = memoryDuplexPair();
  const line = freezable(a);
  const server = accept(b, {
    hostKeys: [hostKey],
    authenticate: { publickey: (_user, key) => key.equals(userKey.publicKey) },
    onSession: (session) => {
      session.onRequest = (req) => {
        if (req.request !== "exec") return false;
        queueMicrotask(async () => {
          await session.writable.close();
          await session.exit(0);
        });
        return true;
      };
    },
  });
  // The keepalive clock is ours: each tick() is one ServerAliveInterval, however loaded the host.
  const { timers, ticks, interval } = manualClock();
  const trace: string[] = [];
  const client = await connect({
    hostname: "test",
    username: "me",
    identities: [userKey],
    policy: "no",
    duplex: line.duplex,
    keepaliveInterval: 15_000,
    keepaliveCountMax: 2,
    keepaliveTimers: timers,
    trace: (l) => trace.push(l),
  });
  const ctx = await server;
  assert.equal(interval(), 15_000);
  assert.equal(ticks.length, 1);
  const tick = ticks[0];
  const keepalives = () => trace.filter((l) => l === "global request keepalive@openssh.com").length;
  // Replies come in order (RFC 4254 §4): once a probe is answered, so is every keepalive before it.
  const answered = () =>
    client.connection.globalRequest({
      request: "other",
      name: "probe@hush.test",
      data: new Uint8Array(0),
    } as GlobalRequestBody);

  // Quiet but answered: ten silent intervals, a keepalive each, the connection stays.
  for (let i = 0; i < 10; i++) {
    tick(); // the interval saw the last reply: nothing is sent
    tick(); // a silent interval: a keepalive
    assert.equal(await answered(), false);
  }
  assert.ok(keepalives() >= 10, `keepalives sent: ${keepalives()}`);
  assert.equal((await client.exec("true")).code, 0);
  assert.equal(client.connection.error, undefined);
  assert.ok(!trace.includes("Timeout, server not responding."));

  // Silent: countMax keepalives go unanswered, the next interval gives up.
  line.freeze();
  tick(); // the exec's replies were seen in this interval
  tick();
  tick();
  assert.equal(client.connection.error, undefined, "still waiting after countMax keepalives");
  tick();
  await client.transport.closed;
  const error = client.connection.error as Error & { reason?: number } | undefined;
  assert.equal(error?.message, "Timeout, peer not responding");
  assert.equal(error?.reason, DisconnectReason.CONNECTION_LOST);
  assert.equal(trace.filter((l) => l === "Timeout, server not responding.").length, 1);
  assert.equal(ticks.length, 0, "the keepalive timer is stopped");
  await assert.rejects(client.exec("true"));
  await client.close();
  await ctx.closed;
});
