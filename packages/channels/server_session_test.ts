import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChannelRequestBody, Message } from "@hush/wire";
import {
  ChannelError,
  Connection,
  type ConnectionOptions,
  HANDLER_FAILURE_STATUS,
  type ServerSession,
} from "./mod.ts";
import { memoryConnPair } from "./testing.ts";

const text = (s: string) => new TextEncoder().encode(s);

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let out = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) out += decoder.decode(chunk, { stream: true });
  return out;
}

/** A server connection whose sessions get `setup`, and a client connection to it. */
function pair(setup: (session: ServerSession) => void, options: Partial<ConnectionOptions> = {}) {
  const [a, b] = memoryConnPair();
  const server = new Connection(b, {
    role: "server",
    onChannelOpen: (open) => open.channelType === "session",
    onSession: setup,
    ...options,
  });
  const client = new Connection(a, { role: "client" });
  return { client, server };
}

/** One message as a short line: its type, a request's name, data as text. */
function describe(m: Message): string {
  switch (m.type) {
    case "channelRequest": {
      const body = m as ChannelRequestBody;
      if (body.request === "exit-status") return `exit-status ${body.status}`;
      if (body.request === "exit-signal") return `exit-signal ${body.signal}`;
      return `request ${body.request}`;
    }
    case "channelData":
      return `data ${new TextDecoder().decode(m.data)}`;
    case "channelExtendedData":
      return `stderr ${new TextDecoder().decode(m.data)}`;
    default:
      return m.type;
  }
}

/**
 * A server session driven by scripted messages from a raw peer: `request` sends a
 * CHANNEL_REQUEST, `until` reads the server's messages up to and including CLOSE (or `count`).
 */
async function scripted(setup: (session: ServerSession) => void) {
  const [b, raw] = memoryConnPair();
  const trace: string[] = [];
  const server = new Connection(b, {
    role: "server",
    onChannelOpen: () => true,
    onSession: setup,
    trace: (line) => trace.push(line),
  });
  const reader = raw.messages.getReader();
  await raw.send({
    type: "channelOpen",
    channelType: "session",
    sender: 7,
    initialWindow: 1 << 20,
    maxPacket: 32768,
  } as Message);
  const confirm = (await reader.read()).value!;
  assert.equal(confirm.type, "channelOpenConfirmation");
  const recipient = (confirm as { sender: number }).sender;
  return {
    server,
    trace,
    /** How many of each message type the server has sent so far. */
    sent: b.sent,
    request: (body: ChannelRequestBody, wantReply = true) =>
      raw.send({ type: "channelRequest", recipient, wantReply, ...body } as Message),
    close: () => raw.send({ type: "channelClose", recipient }),
    /** The server's messages up to CLOSE, or `count` of them. */
    async until(count = Infinity): Promise<string[]> {
      const seen: string[] = [];
      while (seen.length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        seen.push(describe(value));
        if (value.type === "channelClose") break;
      }
      return seen;
    },
  };
}

test("each typed handler gets its request's fields", async () => {
  const calls: unknown[] = [];
  const { client, server } = pair((session) => {
    session.onPty = (pty) => (calls.push(["pty", pty]), pty.term === "xterm");
    session.onEnv = (name, value) => (calls.push(["env", name, value]), name === "LANG");
    session.onWindowChange = (size) => (calls.push(["window-change", size]), true);
    session.onSignal = (signal) => (calls.push(["signal", signal]), true);
    session.onExec = (command) => void calls.push(["exec", command]);
    session.onShell = () => void calls.push(["shell"]);
    session.onSubsystem = (name) => void calls.push(["subsystem", name]);
  });
  const session = await client.openSession();
  const modes = [{ opcode: 53, value: 1 }];
  assert.equal(
    await session.pty({ term: "xterm", cols: 80, rows: 24, widthPx: 640, heightPx: 480, modes }),
    true,
  );
  assert.equal(await session.pty({ term: "vt100", cols: 1, rows: 2 }), false);
  assert.equal(await session.env("LANG", "C.UTF-8", { wantReply: true }), true);
  assert.equal(await session.env("SECRET", "x", { wantReply: true }), false);
  await session.windowChange({ cols: 100, rows: 40 });
  await session.signal("INT");
  await session.exec("uname -a");
  assert.equal(await session.exitStatus, 0);
  const shell = await client.openSession();
  await shell.shell();
  assert.equal(await shell.exitStatus, 0);
  const sftp = await client.openSession();
  await sftp.subsystem("sftp");
  assert.equal(await sftp.exitStatus, 0);
  assert.deepEqual(calls, [
    ["pty", { term: "xterm", cols: 80, rows: 24, widthPx: 640, heightPx: 480, modes }],
    ["pty", { term: "vt100", cols: 1, rows: 2, widthPx: 0, heightPx: 0, modes: [] }],
    ["env", "LANG", "C.UTF-8"],
    ["env", "SECRET", "x"],
    ["window-change", { cols: 100, rows: 40, widthPx: 0, heightPx: 0 }],
    ["signal", "INT"],
    ["exec", "uname -a"],
    ["shell"],
    ["subsystem", "sftp"],
  ]);
  await client.close();
  await server.close();
});

test("exec's handler runs after SUCCESS is sent, and its status ends the session", async () => {
  const order: string[] = [];
  const s = await scripted((session) => {
    session.onExec = async (command) => {
      order.push(`handler ${command} after ${s.sent.get("channelSuccess")} SUCCESS`);
      const out = session.writable.getWriter();
      const err = session.stderrWritable.getWriter();
      // written at once, before any await: still after the reply on the wire
      const writes = [out.write(text("out")), err.write(text("err"))];
      await Promise.all(writes);
      return 42;
    };
  });
  await s.request({ request: "exec", command: "make" });
  assert.deepEqual(await s.until(), [
    "channelSuccess",
    "data out",
    "stderr err",
    "channelEof",
    "exit-status 42",
    "channelClose",
  ]);
  assert.deepEqual(order, ["handler make after 1 SUCCESS"]);
  await s.close();
  await s.server.close();
});

test("a shell's output follows SUCCESS even when the handler is synchronous", async () => {
  const s = await scripted((session) => {
    session.onShell = () => {
      void session.writable.getWriter().write(text("$ "));
      return 0;
    };
  });
  await s.request({ request: "shell" });
  const seen = await s.until();
  assert.equal(seen[0], "channelSuccess");
  assert.ok(seen.indexOf("data $ ") > 0);
  assert.equal(seen.at(-2), "exit-status 0");
  await s.close();
  await s.server.close();
});

test("requests without a typed handler are refused, as with no handler at all", async () => {
  const s = await scripted((session) => {
    session.onEnv = () => true;
  });
  await s.request({
    request: "pty-req",
    term: "xterm",
    cols: 80,
    rows: 24,
    widthPx: 0,
    heightPx: 0,
    modes: [],
  });
  await s.request({ request: "env", name: "LANG", value: "C" });
  await s.request({ request: "exec", command: "ls" });
  await s.request({ request: "subsystem", name: "sftp" });
  await s.request({ request: "signal", signal: "INT" });
  assert.deepEqual(await s.until(5), [
    "channelFailure",
    "channelSuccess",
    "channelFailure",
    "channelFailure",
    "channelFailure",
  ]);
  await s.close();
  await s.server.close();
});

test("typed handlers take precedence; onRequest gets only the requests without one", async () => {
  const low: string[] = [];
  const { client, server } = pair((session) => {
    session.onRequest = (req) => {
      low.push(req.request === "other" ? req.name : req.request);
      return true;
    };
    session.onEnv = (name) => name === "LANG";
    session.onExec = () => 0;
  });
  const session = await client.openSession();
  assert.equal(await session.env("LANG", "C", { wantReply: true }), true);
  assert.equal(await session.env("OTHER", "C", { wantReply: true }), false); // not onRequest's
  assert.equal(await session.pty({ term: "xterm", cols: 80, rows: 24 }), true);
  assert.equal(
    await session.request({ request: "other", name: "x@example.com", data: new Uint8Array() }),
    true,
  );
  await session.exec("true");
  assert.equal(await session.exitStatus, 0);
  assert.deepEqual(low, ["pty-req", "x@example.com"]);
  await client.close();
  await server.close();
});

test("only the first start request succeeds, and canStart may refuse one", async () => {
  const ran: string[] = [];
  const asked: string[] = [];
  const { client, server } = pair((session) => {
    session.canStart = (start) => {
      asked.push(start.request);
      return start.request !== "subsystem" || start.name === "sftp";
    };
    session.onSubsystem = (name) => void ran.push(name);
    session.onExec = async (command) => {
      ran.push(command);
      await session.closed; // runs until the client closes
    };
  });
  const session = await client.openSession();
  await assert.rejects(session.subsystem("nope"), ChannelError);
  await session.exec("first");
  await assert.rejects(session.exec("second"), ChannelError);
  await assert.rejects(session.subsystem("sftp"), ChannelError);
  await session.close();
  assert.deepEqual(ran, ["first"]);
  assert.deepEqual(asked, ["subsystem", "exec"]); // a second start is refused before canStart
  await client.close();
  await server.close();
});

test("a throwing start handler ends the session with status 1 and is reported", async () => {
  const errors: [string, string][] = [];
  const setup = (session: ServerSession) => {
    session.onError = (e, request) => errors.push([(e as Error).message, request]);
    session.onExec = (command) => {
      if (command === "sync") throw new Error("sync failure");
      return Promise.reject(new Error("async failure"));
    };
  };
  const { client, server } = pair(setup);
  for (const command of ["sync", "async"]) {
    const session = await client.openSession();
    await session.exec(command);
    assert.equal(await collect(session.readable), "");
    assert.equal(await session.exitStatus, HANDLER_FAILURE_STATUS);
    await session.closed;
  }
  assert.deepEqual(errors, [["sync failure", "exec"], ["async failure", "exec"]]);
  assert.equal(client.channelCount, 0);
  await client.close();
  await server.close();
});

test("without onError a handler's failure goes to the trace hook", async () => {
  const s = await scripted((session) => {
    session.onShell = async () => {
      await session.writable.getWriter().write(text("partial"));
      throw new Error("lost the pty");
    };
    session.onPty = () => {
      throw new Error("no ptys left");
    };
  });
  await s.request({
    request: "pty-req",
    term: "xterm",
    cols: 80,
    rows: 24,
    widthPx: 0,
    heightPx: 0,
    modes: [],
  });
  await s.request({ request: "shell" });
  assert.deepEqual(await s.until(), [
    "channelFailure",
    "channelSuccess",
    "data partial",
    "channelEof",
    "exit-status 1",
    "channelClose",
  ]);
  assert.ok(s.trace.some((l) => /pty-req handler failed: no ptys left/.test(l)), s.trace.join());
  assert.ok(s.trace.some((l) => /shell handler failed: lost the pty/.test(l)), s.trace.join());
  await s.close();
  await s.server.close();
});

test("a status out of range is reported and sent as 1", async () => {
  const errors: unknown[] = [];
  const { client, server } = pair((session) => {
    session.onError = (e) => errors.push(e);
    session.onExec = () => -1;
  });
  const session = await client.openSession();
  await session.exec("x");
  assert.equal(await session.exitStatus, 1);
  assert.ok(errors[0] instanceof RangeError);
  await client.close();
  await server.close();
});

test("want-reply false: no reply is sent, and the handler still runs", async () => {
  const env: string[] = [];
  const s = await scripted((session) => {
    session.onEnv = (name, value) => (env.push(`${name}=${value}`), true);
    session.onExec = async (command) => {
      await session.writable.getWriter().write(text(command));
    };
  });
  await s.request({ request: "env", name: "LANG", value: "C" }, false);
  await s.request({ request: "env", name: "TZ", value: "UTC" }, false);
  await s.request({ request: "exec", command: "quiet" }, false);
  assert.deepEqual(await s.until(), ["data quiet", "channelEof", "exit-status 0", "channelClose"]);
  assert.deepEqual(env, ["LANG=C", "TZ=UTC"]);
  await s.close();
  await s.server.close();
});

test("a handler that ends the session itself gets no second exit status", async () => {
  const s = await scripted((session) => {
    session.onExec = async () => {
      await session.exitSignal("KILL");
      return 0;
    };
  });
  await s.request({ request: "exec", command: "x" });
  assert.deepEqual(await s.until(), [
    "channelSuccess",
    "channelEof",
    "exit-signal KILL",
    "channelClose",
  ]);
  await s.close();
  await new Promise((r) => setTimeout(r, 10)); // the handler's promise has settled
  await s.server.close();
});

test("a handler still running when the client closes ends quietly", async () => {
  let release!: () => void;
  const finished = new Promise<void>((resolve) => (release = resolve));
  const errors: unknown[] = [];
  const { client, server } = pair((session) => {
    session.onError = (e) => errors.push(e);
    session.onExec = async () => {
      await session.closed;
      release();
      return 0;
    };
  });
  const session = await client.openSession();
  await session.exec("sleep");
  await session.close();
  await finished;
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(errors, []);
  assert.equal(await session.exitStatus, null);
  await client.close();
  await server.close();
});
