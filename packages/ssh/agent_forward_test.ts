import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import type { ServerSession } from "@hush/channels";
import { generateKey } from "@hush/keys";
import { type ForwardedAgent, listenForwardedAgent } from "./adapters/agent_listener.ts";
import { memoryDuplexPair } from "./adapters/memory.ts";
import { connectUnix } from "./adapters/unix.ts";
import { accept } from "./accept.ts";
import { AGENT_CHANNEL_TYPE, AGENT_FORWARD_REQUEST } from "./agent_forward.ts";
import { connect } from "./connect.ts";
import type { ConnectOptions } from "./connect_options.ts";
import type { ServerContext } from "./server_context.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** An "agent" that answers each line with the line reversed, as a fresh duplex per connection. */
function reversingAgent(): {
  connect: () => Promise<
    { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }
  >;
  connections: () => number;
} {
  let connections = 0;
  return {
    connections: () => connections,
    connect: () => {
      connections++;
      const [mine, theirs] = memoryDuplexPair();
      void mine.readable.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform: (chunk, out) =>
            out.enqueue(enc.encode([...dec.decode(chunk)].reverse().join(""))),
        }),
      ).pipeTo(mine.writable).catch(() => {});
      return Promise.resolve(theirs);
    },
  };
}

/**
 * A client and a server over memory; the server answers `auth-agent-req@openssh.com` with
 * listenForwardedAgent, as the sshd command does, and hands back what it made.
 */
async function agentPair(client: Partial<ConnectOptions>) {
  const hostKey = await generateKey("ssh-ed25519");
  const userKey = await generateKey("ssh-ed25519");
  const [a, b] = memoryDuplexPair();
  const requests: string[] = [];
  let agent: Promise<ForwardedAgent> | undefined;
  let context!: ServerContext;
  const serving = accept(b, {
    hostKeys: [hostKey],
    authenticate: { publickey: (_u, key) => key.equals(userKey.publicKey) },
    onSession: (session: ServerSession, ctx) => {
      context = ctx;
      session.onRequest = async (req) => {
        requests.push(req.request === "other" ? req.name : req.request);
        if (req.request === "other" && req.name === AGENT_FORWARD_REQUEST) {
          agent = listenForwardedAgent(ctx.connection);
          await agent;
          return true;
        }
        if (req.request === "exec") {
          queueMicrotask(() => void session.exit(0).then(() => session.close()));
          return true;
        }
        return false;
      };
    },
  });
  const ssh = await connect({
    hostname: "test",
    username: "me",
    identities: [userKey],
    policy: "no",
    duplex: a,
    ...client,
  });
  await serving;
  return { ssh, requests, agent: () => agent, context: () => context };
}

/** Writes `text` to the Unix socket at `path`; reads as many characters back, or until it ends. */
async function askAgent(path: string, text: string): Promise<string> {
  const socket = await connectUnix(path);
  let got = "";
  try {
    await socket.writable.getWriter().write(enc.encode(text));
    const r = socket.readable.getReader();
    while (got.length < text.length) {
      const { value, done } = await r.read();
      if (done) break;
      got += dec.decode(value);
    }
  } catch { /* EPIPE or reset: the server closed the connection */ }
  socket.close();
  return got;
}

test("agent forwarding: a session asks for it; the server's agent socket reaches the client's agent", async () => {
  const local = reversingAgent();
  const { ssh, requests, agent } = await agentPair({ forwardAgent: local.connect });
  const session = await ssh.execStream("ssh-add -l");
  assert.deepEqual(requests, [AGENT_FORWARD_REQUEST, "exec"], "asked before the command");
  const forwarded = await agent()!;
  assert.match(forwarded.path, /agent\.\d+$/);
  assert.equal(await askAgent(forwarded.path, "ping"), "gnip");
  assert.equal(await askAgent(forwarded.path, "hush"), "hsuh");
  assert.equal(local.connections(), 2, "one connection to the local agent per channel");
  await session.exitStatus;
  await ssh.close();
  // the socket's directory goes with the connection
  for (let i = 0; i < 50 && existsSync(dirname(forwarded.path)); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(existsSync(dirname(forwarded.path)), false);
});

test("without forwardAgent nothing is asked, and an agent channel from the server is refused", async () => {
  const { ssh, requests, context } = await agentPair({});
  const session = await ssh.execStream("true");
  await session.exitStatus;
  assert.deepEqual(requests, ["exec"]);
  await assert.rejects(
    context().connection.openChannel({
      channelType: "other",
      name: AGENT_CHANNEL_TYPE,
      data: new Uint8Array(0),
    }),
  );
  await ssh.close();
});

test("a forwarded agent that cannot be reached: the connection to the server's socket ends", async () => {
  const { ssh, agent } = await agentPair({
    forwardAgent: () => Promise.reject(new Error("no agent here")),
  });
  const session = await ssh.execStream("true");
  const forwarded = await agent()!;
  assert.equal(await askAgent(forwarded.path, "ping"), "");
  await session.exitStatus;
  await ssh.close();
});
