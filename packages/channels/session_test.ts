import { test } from "node:test";
import assert from "node:assert/strict";
import { ChannelError, Connection, type ConnectionOptions, type ServerSession } from "./mod.ts";
import { memoryConnPair } from "./testing.ts";

const text = (s: string) => new TextEncoder().encode(s);

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let out = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) out += decoder.decode(chunk, { stream: true });
  return out;
}

function pair(server: Partial<ConnectionOptions>, client: Partial<ConnectionOptions> = {}) {
  const [a, b] = memoryConnPair();
  const s = new Connection(b, { role: "server", ...server });
  const c = new Connection(a, { role: "client", ...client });
  return { c, s, a, b };
}

/** A server that runs "commands": echo ARGS, fail N (stderr + status N), kill SIG. */
function commandServer(seen: string[] = []): Partial<ConnectionOptions> {
  return {
    onChannelOpen: (open) => open.channelType === "session",
    onSession: (session: ServerSession) => {
      session.onRequest = (req) => {
        seen.push(req.request === "other" ? req.name : req.request);
        if (req.request === "env") return req.name === "LANG";
        if (req.request === "pty-req") return req.term === "xterm";
        if (req.request !== "exec") return false;
        run(session, req.command);
        return true;
      };
    },
  };
}

async function run(session: ServerSession, command: string): Promise<void> {
  await Promise.resolve();
  const [name, arg = ""] = command.split(" ", 2);
  const out = session.writable.getWriter();
  const err = session.stderrWritable.getWriter();
  if (name === "echo") {
    // Read stdin to the end first, then answer.
    const input = await collect(session.readable);
    await out.write(text(`${arg}${input}\n`));
    await session.exit(0);
  } else if (name === "fail") {
    await err.write(text("boom\n"));
    await session.exit(Number(arg));
  } else if (name === "kill") {
    await out.write(text("dying"));
    await session.exitSignal({ signal: arg, coreDumped: true, message: "killed" });
  }
}

test("exec returns stdout, stderr and exit status", async () => {
  const { c } = pair(commandServer());
  const session = await c.openSession();
  await session.exec("echo hello");
  const w = session.writable.getWriter();
  await w.write(text(" world"));
  await w.close();
  const [stdout, stderr] = await Promise.all([collect(session.readable), collect(session.stderr)]);
  assert.equal(stdout, "hello world\n");
  assert.equal(stderr, "");
  assert.equal(await session.exitStatus, 0);
  assert.equal(await session.exitSignal, null);
  await session.closed;
  assert.equal(c.channelCount, 0);
  await c.close();
});

test("exec with a failing command gives stderr and its status", async () => {
  const { c } = pair(commandServer());
  const session = await c.openSession();
  await session.exec("fail 3");
  const [stdout, stderr] = await Promise.all([collect(session.readable), collect(session.stderr)]);
  assert.equal(stdout, "");
  assert.equal(stderr, "boom\n");
  assert.equal(await session.exitStatus, 3);
  await c.close();
});

test("exit-signal reaches the client", async () => {
  const { c } = pair(commandServer());
  const session = await c.openSession();
  await session.exec("kill TERM");
  assert.equal(await collect(session.readable), "dying");
  assert.deepEqual(await session.exitSignal, {
    signal: "TERM",
    coreDumped: true,
    message: "killed",
  });
  assert.equal(await session.exitStatus, null);
  await c.close();
});

test("session requests are decided by the server's callback", async () => {
  const seen: string[] = [];
  const { c } = pair(commandServer(seen));
  const session = await c.openSession();
  assert.equal(await session.env("LANG", "C", { wantReply: true }), true);
  assert.equal(await session.env("SECRET", "x", { wantReply: true }), false);
  await session.env("LC_ALL", "C"); // no reply wanted
  assert.equal(await session.pty({ term: "vt100", cols: 80, rows: 24 }), false);
  assert.equal(await session.pty({ term: "xterm", cols: 80, rows: 24 }), true);
  await session.windowChange({ cols: 100, rows: 40 });
  await session.signal("INT");
  await assert.rejects(
    session.shell(),
    (e: unknown) => e instanceof ChannelError && /shell/.test(e.message),
  );
  await assert.rejects(session.subsystem("sftp"), ChannelError);
  // keepalive@openssh.com never reaches the application and is refused.
  assert.equal(
    await session.request({
      request: "other",
      name: "keepalive@openssh.com",
      data: new Uint8Array(),
    }),
    false,
  );
  assert.deepEqual(seen, [
    "env",
    "env",
    "env",
    "pty-req",
    "pty-req",
    "window-change",
    "signal",
    "shell",
    "subsystem",
  ]);
  await session.close();
  assert.equal(await session.exitStatus, null);
  await c.close();
});

test("a server session without onRequest refuses every request", async () => {
  const { c } = pair({ onChannelOpen: () => true, onSession: () => {} });
  const session = await c.openSession();
  await assert.rejects(session.exec("ls"), ChannelError);
  await c.close();
});
