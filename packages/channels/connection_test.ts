import { test } from "node:test";
import assert from "node:assert/strict";
import { ChannelOpenFailureReason, DisconnectReason } from "@hush/wire";
import { ChannelError, Connection, type ConnectionOptions } from "./mod.ts";
import { memoryConnPair } from "./testing.ts";

function pair(server: Partial<ConnectionOptions>, client: Partial<ConnectionOptions> = {}) {
  const [a, b] = memoryConnPair();
  const s = new Connection(b, { role: "server", ...server });
  const c = new Connection(a, { role: "client", ...client });
  return { c, s, a, b };
}

const tcpip = {
  host: "db.internal",
  port: 5432,
  originatorAddress: "127.0.0.1",
  originatorPort: 40000,
};

test("open failure carries the peer's reason", async () => {
  const { c } = pair({
    onChannelOpen: (open) =>
      open.channelType === "direct-tcpip"
        ? { reason: ChannelOpenFailureReason.CONNECT_FAILED, description: "Connection refused" }
        : false,
  });
  await assert.rejects(c.openDirectTcpip(tcpip), (e: unknown) => {
    assert.ok(e instanceof ChannelError);
    assert.equal(e.message, "Cannot open channel: peer refused with reason 2 (connect failed)");
    assert.equal(e.openFailure, 2);
    return true;
  });
  assert.equal(c.channelCount, 0);
  await c.close();
});

test("unknown channel types are refused as UNKNOWN_CHANNEL_TYPE, known ones as prohibited", async () => {
  const { c } = pair({});
  await assert.rejects(
    c.openChannel({ channelType: "other", name: "frobnicate@example.com", data: new Uint8Array() }),
    (e: unknown) =>
      e instanceof ChannelError && e.openFailure === ChannelOpenFailureReason.UNKNOWN_CHANNEL_TYPE,
  );
  await assert.rejects(
    c.openSession(),
    (e: unknown) =>
      e instanceof ChannelError &&
      e.openFailure === ChannelOpenFailureReason.ADMINISTRATIVELY_PROHIBITED,
  );
  await c.close();
});

test("a throwing onChannelOpen refuses the open", async () => {
  const { c } = pair({
    onChannelOpen: () => {
      throw new Error("app bug");
    },
  });
  await assert.rejects(c.openSession(), ChannelError);
  await c.close();
});

test("direct-tcpip channel carries its open arguments and data both ways", async () => {
  const opens: unknown[] = [];
  const { c } = pair({
    onChannelOpen: (open) => {
      opens.push(open);
      return true;
    },
    onChannel: (ch) => ch.readable.pipeTo(ch.writable),
  });
  const ch = await c.openDirectTcpip(tcpip);
  assert.equal(ch.channelType, "direct-tcpip");
  assert.equal(ch.remoteId, 0);
  assert.deepEqual(opens, [{
    channelType: "direct-tcpip",
    ...tcpip,
    initialWindow: 2 * 1024 * 1024,
    maxPacket: 32 * 1024,
  }]);
  const w = ch.writable.getWriter();
  await w.write(new Uint8Array([1, 2, 3]));
  await w.close();
  const got: number[] = [];
  for await (const chunk of ch.readable) got.push(...chunk);
  assert.deepEqual(got, [1, 2, 3]);
  await ch.closed;
  await c.close();
});

test("forwarded-tcpip goes from server to client, which decides it", async () => {
  const seen: string[] = [];
  const { c, s } = pair({}, {
    onChannelOpen: (open) => {
      seen.push(open.channelType);
      return open.channelType === "forwarded-tcpip" && open.port === 8080;
    },
    onChannel: (ch) => ch.close(),
  });
  const ch = await s.openForwardedTcpip({
    address: "0.0.0.0",
    port: 8080,
    originatorAddress: "10.0.0.9",
    originatorPort: 5555,
  });
  await ch.closed;
  await assert.rejects(
    s.openForwardedTcpip({ address: "", port: 1, originatorAddress: "", originatorPort: 0 }),
    ChannelError,
  );
  assert.throws(
    () => c.openForwardedTcpip({ address: "", port: 1, originatorAddress: "", originatorPort: 0 }),
    TypeError,
  );
  assert.deepEqual(seen, ["forwarded-tcpip", "forwarded-tcpip"]);
  await c.close();
});

test("tcpip-forward to port 0 replies with the bound port; cancel works", async () => {
  const { c } = pair({
    onGlobalRequest: (req) => {
      if (req.request === "tcpip-forward") {
        if (req.port !== 0) return true;
        const reply = new Uint8Array(4);
        new DataView(reply.buffer).setUint32(0, 40123);
        return reply;
      }
      return req.request === "cancel-tcpip-forward";
    },
  });
  const reply = await c.globalRequest({ request: "tcpip-forward", address: "localhost", port: 0 });
  assert.ok(reply instanceof Uint8Array);
  assert.equal(new DataView(reply.buffer, reply.byteOffset).getUint32(0), 40123);
  assert.deepEqual(
    await c.globalRequest({ request: "tcpip-forward", address: "", port: 22 }),
    new Uint8Array(),
  );
  assert.deepEqual(
    await c.globalRequest({ request: "cancel-tcpip-forward", address: "localhost", port: 40123 }),
    new Uint8Array(),
  );
  await c.close();
});

test("global request replies are matched in order, even when the handler answers out of order", async () => {
  const delays = [30, 0, 15, 5];
  let n = 0;
  const { c } = pair({
    onGlobalRequest: async (req) => {
      const i = n++;
      await new Promise((r) => setTimeout(r, delays[i]));
      return req.request === "other" && req.name.startsWith("ok") ? new Uint8Array([i]) : false;
    },
  });
  const names = ["ok-0", "no-1", "ok-2", "ok-3"];
  const replies = await Promise.all(
    names.map((name) => c.globalRequest({ request: "other", name, data: new Uint8Array() })),
  );
  assert.deepEqual(replies, [new Uint8Array([0]), false, new Uint8Array([2]), new Uint8Array([3])]);
  await c.close();
});

test("keepalive and hostkeys global requests without a handler fail politely", async () => {
  const { c, b } = pair({});
  const none = new Uint8Array();
  assert.equal(
    await c.globalRequest({ request: "other", name: "keepalive@openssh.com", data: none }),
    false,
  );
  await c.globalRequest({ request: "other", name: "hostkeys-00@openssh.com", data: none }, {
    wantReply: false,
  });
  assert.equal(
    await c.globalRequest({ request: "other", name: "keepalive@openssh.com", data: none }),
    false,
  );
  assert.equal(b.sent.get("requestFailure"), 2);
  assert.equal(b.disconnected, undefined);
  await c.close();
});

test("close() disconnects BY_APPLICATION and ends every channel", async () => {
  const { c, s, a } = pair({ onChannelOpen: () => true, onSession: () => {} });
  const session = await c.openSession();
  const pending = c.globalRequest({ request: "other", name: "slow", data: new Uint8Array() });
  await c.close();
  assert.equal(a.disconnected?.reason, DisconnectReason.BY_APPLICATION);
  await session.closed;
  assert.equal(await session.exitStatus, null);
  assert.equal(await pending, false);
  await s.closed;
  assert.ok(s.error instanceof ChannelError);
  assert.equal(s.error.reason, DisconnectReason.CONNECTION_LOST);
  await assert.rejects(c.openSession(), ChannelError);
});

test("maxChannels bounds the peer's opens with RESOURCE_SHORTAGE", async () => {
  const { c } = pair({ onChannelOpen: () => true, onChannel: () => {}, maxChannels: 2 });
  await c.openDirectTcpip(tcpip);
  await c.openDirectTcpip(tcpip);
  await assert.rejects(
    c.openDirectTcpip(tcpip),
    (e: unknown) =>
      e instanceof ChannelError && e.openFailure === ChannelOpenFailureReason.RESOURCE_SHORTAGE,
  );
  await c.close();
});

test("constructor rejects bad window and packet options", () => {
  const [a] = memoryConnPair();
  assert.throws(() => new Connection(a, { role: "client", maxPacket: 8 }), RangeError);
  assert.throws(() => new Connection(a, { role: "client", initialWindow: 2 ** 32 }), RangeError);
});
