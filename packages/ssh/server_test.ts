import { test } from "node:test";
import assert from "node:assert/strict";
import { authenticateClient } from "@hush/auth";
import { type Channel, ChannelError, Connection } from "@hush/channels";
import { generateKey, type PrivateKey } from "@hush/keys";
import { type ByteDuplex, startTransport } from "@hush/transport";
import type { GlobalRequestBody } from "@hush/wire";
import { memoryDuplexPair } from "./adapters/memory.ts";
import { accept } from "./accept.ts";
import type { ServeOptions } from "./serve_options.ts";
import type { ServerContext } from "./server_context.ts";
import type { ForwardSocket, TcpipForwardRequest } from "./server_forward_handlers.ts";
import { freezable } from "./testdata/freezable_duplex.ts";
import { manualClock } from "./testdata/manual_clock.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

let hostKey: PrivateKey | undefined;
let userKey: PrivateKey | undefined;

/** A Hush server (accept) and a hand-assembled client over an in-memory duplex. */
async function connectPair(
  options: Partial<ServeOptions>,
  keyOptions = "",
  clientChannels: { onChannel?: (channel: Channel) => void } = {},
  clientLine: (duplex: ByteDuplex) => ByteDuplex = (duplex) => duplex,
): Promise<{ client: Connection; ctx: ServerContext }> {
  hostKey ??= await generateKey("ssh-ed25519");
  userKey ??= await generateKey("ssh-ed25519");
  const [c, s] = memoryDuplexPair();
  const serving = accept(s, {
    hostKeys: [hostKey],
    authenticate: { authorizedKeys: `${keyOptions} ${userKey.publicKey.toString()}`.trim() },
    ...options,
  }, { remoteAddress: "192.0.2.1", remotePort: 5555, localAddress: "192.0.2.2", localPort: 22 });
  const transport = await startTransport(clientLine(c), {
    role: "client",
    verifyHostKey: () => {},
  });
  await transport.requestService("ssh-userauth");
  await authenticateClient(transport, {
    user: "alice",
    sessionId: transport.sessionId!,
    identities: [userKey],
  });
  const ctx = await serving;
  const client = new Connection(transport, {
    role: "client",
    onChannelOpen: (open) => open.channelType === "forwarded-tcpip",
    onChannel: (channel) => clientChannels.onChannel?.(channel),
  });
  return { client, ctx };
}

/** One end of an in-memory socket whose far end echoes what it reads. */
function echoSocket(): ForwardSocket & { closed: boolean } {
  const [near, far] = memoryDuplexPair();
  far.readable.pipeTo(far.writable).catch(() => {});
  const socket = { ...near, closed: false, close: () => (socket.closed = true) };
  return socket;
}

async function roundTrip(channel: Channel, text: string): Promise<string> {
  const w = channel.writable.getWriter();
  await w.write(enc.encode(text));
  await w.close();
  let got = "";
  for await (const chunk of channel.readable) got += dec.decode(chunk);
  return got;
}

test("accept: a session sees the user, the peer and gets its exit status through", async () => {
  let seen: ServerContext | undefined;
  const { client } = await connectPair({
    onSession: (session, ctx) => {
      seen = ctx;
      session.onRequest = (req) => {
        if (req.request !== "exec") return false;
        queueMicrotask(async () => {
          const w = session.writable.getWriter();
          await w.write(enc.encode(`ran ${req.command}`));
          w.releaseLock();
          await session.exit(3);
        });
        return true;
      };
    },
  });
  const session = await client.openSession();
  await session.exec("true");
  let out = "";
  for await (const chunk of session.readable) out += dec.decode(chunk);
  assert.equal(out, "ran true");
  assert.equal(await session.exitStatus, 3);
  assert.equal(seen?.user.user, "alice");
  assert.equal(seen?.user.method, "publickey");
  assert.equal(seen?.remoteAddress, "192.0.2.1");
  assert.equal(seen?.localPort, 22);
  await client.close();
});

test("direct-tcpip: the application's socket is piped both ways, with half-close", async () => {
  const socket = echoSocket();
  let asked: unknown;
  const { client, ctx } = await connectPair({
    onForward: {
      directTcpip: (request) => {
        asked = request;
        return socket;
      },
    },
  });
  const channel = await client.openDirectTcpip({
    host: "db.internal",
    port: 5432,
    originatorAddress: "127.0.0.1",
    originatorPort: 40000,
  });
  assert.equal(await roundTrip(channel, "select 1"), "select 1");
  await channel.closed;
  assert.deepEqual(asked, {
    host: "db.internal",
    port: 5432,
    originatorAddress: "127.0.0.1",
    originatorPort: 40000,
  });
  assert.equal(socket.closed, true);
  await client.close();
  await ctx.closed;
});

test("direct-tcpip: a refusal reaches the client with its reason; no handler means prohibited", async () => {
  const { client } = await connectPair({
    onForward: { directTcpip: () => ({ reason: 2, description: "Connect failed" }) },
  });
  const open = { host: "h", port: 1, originatorAddress: "127.0.0.1", originatorPort: 1 };
  await assert.rejects(
    client.openDirectTcpip(open),
    (e: unknown) => e instanceof ChannelError && e.openFailure === 2,
  );
  await client.close();
  const bare = await connectPair({});
  await assert.rejects(
    bare.client.openDirectTcpip(open),
    (e: unknown) => e instanceof ChannelError && e.openFailure === 1,
  );
  await bare.client.close();
});

test("MaxSessions: 10 sessions at once by default, the 11th refused as OpenSSH's sshd does", async () => {
  const traced: string[] = [];
  const { client, ctx } = await connectPair({
    onSession: () => {},
    trace: (line) => traced.push(line),
  });
  const sessions = [];
  for (let i = 0; i < 10; i++) sessions.push(await client.openSession());
  await assert.rejects(client.openSession(), (e: unknown) => {
    assert.ok(e instanceof ChannelError);
    assert.equal(e.openFailure, 2);
    assert.equal(e.message, "Cannot open channel: peer refused with reason 2 (connect failed)");
    return true;
  });
  assert.ok(traced.includes("no more sessions"), traced.join("\n"));
  // A closed session frees its place.
  await sessions[3].close();
  sessions[3] = await client.openSession();
  await assert.rejects(client.openSession(), (e: unknown) => e instanceof ChannelError);
  await client.close();
  await ctx.closed;
});

test("MaxSessions: limits.maxSessions at the bound and one past it; 0 leaves forwarding only", async () => {
  for (const max of [1, 3]) {
    const { client } = await connectPair({ onSession: () => {}, limits: { maxSessions: max } });
    for (let i = 0; i < max; i++) await client.openSession();
    await assert.rejects(
      client.openSession(),
      (e: unknown) => e instanceof ChannelError && e.openFailure === 2,
    );
    await client.close();
  }
  const socket = echoSocket();
  const { client } = await connectPair({
    onSession: () => {},
    onForward: { directTcpip: () => socket },
    limits: { maxSessions: 0 },
  });
  await assert.rejects(
    client.openSession(),
    (e: unknown) => e instanceof ChannelError && e.openFailure === 2,
  );
  const channel = await client.openDirectTcpip({
    host: "h",
    port: 1,
    originatorAddress: "127.0.0.1",
    originatorPort: 1,
  });
  assert.equal(await roundTrip(channel, "still forwarding"), "still forwarding");
  await client.close();
  const [, s] = memoryDuplexPair();
  await assert.rejects(
    accept(s, { hostKeys: [hostKey!], authenticate: {}, limits: { maxSessions: -1 } }),
    /limits\.maxSessions must be an integer >= 0, got -1/,
  );
});

test("tcpip-forward to port 0: bound port replied, connections come back, cancel and disconnect close listeners", async () => {
  const requests: TcpipForwardRequest[] = [];
  const closed: number[] = [];
  let nextPort = 4321;
  const incoming: Channel[] = [];
  let onIncoming: (() => void) | undefined;
  const { client, ctx } = await connectPair(
    {
      onForward: {
        tcpipForward: (request) => {
          requests.push(request);
          const port = request.port || nextPort++;
          return { port, close: () => closed.push(port) };
        },
      },
    },
    "",
    {
      onChannel: (channel) => {
        incoming.push(channel);
        onIncoming?.();
      },
    },
  );
  let closedAtEnd: Promise<void> | undefined;
  try {
    const reply = await client.globalRequest({
      request: "tcpip-forward",
      address: "localhost",
      port: 0,
    });
    assert.deepEqual(reply, new Uint8Array([0, 0, 0x10, 0xe1])); // 4321
    const fixed = await client.globalRequest({ request: "tcpip-forward", address: "", port: 8022 });
    assert.deepEqual(fixed, new Uint8Array(0));

    // A connection to the first listener: the client gets a forwarded-tcpip channel for it.
    const arrived = new Promise<void>((r) => (onIncoming = r));
    const [socket, accepted] = memoryDuplexPair(); // the listener's peer, and what it accepted
    await requests[0].forward({ ...accepted, close: () => {} }, "198.51.100.7", 999);
    await arrived;
    // The client side echoes what the listener's peer sends.
    const back = incoming[0];
    const echoed = back.readable.pipeTo(back.writable).catch(() => {});
    const w = socket.writable.getWriter();
    await w.write(enc.encode("ping"));
    await w.close();
    let got = "";
    for await (const chunk of socket.readable) got += dec.decode(chunk);
    assert.equal(got, "ping");
    await echoed;

    assert.deepEqual(
      await client.globalRequest({
        request: "cancel-tcpip-forward",
        address: "localhost",
        port: 4321,
      }),
      new Uint8Array(0),
    );
    assert.deepEqual(closed, [4321]);
    assert.equal(
      await client.globalRequest({
        request: "cancel-tcpip-forward",
        address: "localhost",
        port: 4321,
      }),
      false,
    );
    closedAtEnd = ctx.closed;
  } finally {
    await client.close();
  }
  await closedAtEnd;
  assert.deepEqual(closed, [4321, 8022]);
});

test("no-port-forwarding in authorized_keys refuses both kinds without asking the application", async () => {
  let asked = 0;
  const { client } = await connectPair({
    onForward: {
      directTcpip: () => (asked++, echoSocket()),
      tcpipForward: () => (asked++, { port: 1, close: () => {} }),
    },
  }, "no-port-forwarding");
  await assert.rejects(
    client.openDirectTcpip({
      host: "h",
      port: 1,
      originatorAddress: "127.0.0.1",
      originatorPort: 1,
    }),
    (e: unknown) => e instanceof ChannelError && e.openFailure === 1,
  );
  assert.equal(
    await client.globalRequest({ request: "tcpip-forward", address: "", port: 0 }),
    false,
  );
  assert.equal(asked, 0);
  await client.close();
});

test("onClose runs once the connection has ended", async () => {
  let closedFor: string | undefined;
  const { client, ctx } = await connectPair({ onClose: (c) => (closedFor = c.user.user) });
  await client.close();
  await ctx.closed;
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(closedFor, "alice");
});

test("clientAliveInterval: keepalives keep an answering client, then drop a silent one", async () => {
  // The keepalive clock is ours: each tick() is one ClientAliveInterval, however loaded the host.
  const { timers, ticks, interval } = manualClock();
  const trace: string[] = [];
  let line!: ReturnType<typeof freezable>;
  const { client, ctx } = await connectPair(
    {
      limits: { clientAliveInterval: 60_000, clientAliveCountMax: 2 },
      keepaliveTimers: timers,
      trace: (l) => trace.push(l),
    },
    "",
    {},
    (duplex) => (line = freezable(duplex)).duplex,
  );
  assert.equal(interval(), 60_000);
  assert.equal(ticks.length, 1);
  const tick = ticks[0];
  const keepalives = () => trace.filter((l) => l === "global request keepalive@openssh.com").length;
  // Replies come in order (RFC 4254 §4): once a probe is answered, so is every keepalive before it.
  const answered = () =>
    ctx.connection.globalRequest({
      request: "other",
      name: "probe@hush.test",
      data: new Uint8Array(0),
    } as GlobalRequestBody);

  // Quiet but answered (OpenSSH's client answers with REQUEST_FAILURE): the client stays.
  for (let i = 0; i < 5; i++) {
    tick(); // the interval saw the last reply: nothing is sent
    tick(); // a silent interval: a keepalive
    assert.equal(await answered(), false);
  }
  assert.ok(keepalives() >= 5, `keepalives sent: ${keepalives()}`);
  assert.equal(ctx.connection.error, undefined);

  // Silent: countMax keepalives go unanswered, the next interval drops the client.
  line.freeze();
  tick(); // the probe's reply was seen in this interval
  tick();
  tick();
  assert.equal(ctx.connection.error, undefined, "still waiting after countMax keepalives");
  tick();
  await ctx.closed;
  assert.ok(
    trace.includes("Timeout, client not responding from user alice 192.0.2.1 port 5555"),
    trace.join("\n"),
  );
  assert.equal(ticks.length, 0, "the keepalive timer is stopped");
  await client.close();
});

test("clientAliveCountMax 0: keepalives go on, a silent client is never dropped (OpenSSH's 0)", async () => {
  const { timers, ticks } = manualClock();
  const trace: string[] = [];
  let line!: ReturnType<typeof freezable>;
  const { client, ctx } = await connectPair(
    {
      limits: { clientAliveInterval: 60_000, clientAliveCountMax: 0 },
      keepaliveTimers: timers,
      trace: (l) => trace.push(l),
    },
    "",
    {},
    (duplex) => (line = freezable(duplex)).duplex,
  );
  line.freeze();
  for (let i = 0; i < 20; i++) ticks[0]();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(ctx.connection.error, undefined);
  assert.equal(ticks.length, 1, "the keepalive timer still runs");
  assert.ok(trace.includes("keepalive 20"), trace.join("\n"));
  assert.ok(!trace.some((l) => /Timeout/.test(l)));
  await client.close();
});
