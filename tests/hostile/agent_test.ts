/**
 * A hostile ssh-agent (PROTOCOL.agent) against Hush's agent client: replies longer than
 * AGENT_FRAME_LIMIT (256 KiB), endless replies, counts that promise more keys than the frame
 * holds, and the same agent behind `connect({ agent })`, where a broken agent must cost the
 * user nothing but its keys: the login goes on with the next method.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AGENT_FRAME_LIMIT, AuthError, createAgentClient } from "@hush/auth";
import { accept, connect } from "@hush/ssh";
import { memoryDuplexPair } from "@hush/ssh/adapters";
import { SshWriter } from "@hush/wire";
import { testKey } from "./peer.ts";
import { PASSWORD, serverOptions, USER } from "./victim.ts";

const IDENTITIES_ANSWER = 12;
const REQUEST_IDENTITIES = 11;

/** What a scripted agent answers to one request frame (the request's type byte is given). */
type Answer = (requestType: number) => ReadableStream<Uint8Array> | Uint8Array;

/** An agent socket that answers each request with `answer`, counting every byte it sends. */
function scriptedAgent(answer: Answer) {
  let sent = 0;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let pending = new Uint8Array(0);
  let current: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    // A streamed answer is pulled only as the client reads: what the client never asks for is
    // never produced, so `sent` shows how far the client read.
    async pull(c) {
      if (!current) return;
      const { done, value } = await current.read();
      if (done) current = undefined;
      else {
        sent += value.length;
        c.enqueue(value);
      }
    },
    cancel() {
      current?.cancel().catch(() => {});
    },
  }, { highWaterMark: 0 });
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      pending = joined;
      while (pending.length >= 4) {
        const length = new DataView(pending.buffer, pending.byteOffset).getUint32(0);
        if (pending.length < 4 + length) break;
        const type = pending[4];
        pending = pending.slice(4 + length);
        const reply = answer(type);
        if (reply instanceof Uint8Array) {
          sent += reply.length;
          controller.enqueue(reply);
        } else current = reply.getReader();
      }
    },
  });
  return { duplex: { readable, writable }, sent: () => sent };
}

/** A frame: uint32 length, then `body`. */
function frame(body: Uint8Array): Uint8Array {
  return new SshWriter().string(body).finish();
}

/** A header claiming `length` bytes, then garbage for as long as anyone reads. */
function endless(length: number): ReadableStream<Uint8Array> {
  let first = true;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (first) {
        first = false;
        const header = new Uint8Array(4);
        new DataView(header.buffer).setUint32(0, length);
        c.enqueue(header);
      } else c.enqueue(new Uint8Array(64 * 1024).fill(0x41));
    },
  }, { highWaterMark: 0 });
}

for (const length of [AGENT_FRAME_LIMIT + 1, 0x7fffffff, 0xffffffff]) {
  test(`agent: a reply claiming ${length} bytes is refused after its 4-byte header`, async () => {
    const agent = scriptedAgent(() => endless(length));
    const client = createAgentClient(agent.duplex);
    await assert.rejects(client.identities(), (e: unknown) => {
      assert.ok(e instanceof AuthError, String(e));
      assert.match(
        e.message,
        new RegExp(`frame of ${length} bytes \\(limit ${AGENT_FRAME_LIMIT}\\)`),
      );
      return true;
    });
    // the header and at most the one chunk the stream had ready: never the claimed length
    assert.ok(agent.sent() <= 4 + 64 * 1024, `the client read ${agent.sent()} bytes`);
    // the framing is lost, so the connection is broken for good, with the same error
    await assert.rejects(client.identities(), /frame of/);
    await client.close();
  });
}

test("agent: an identities answer of exactly 256 KiB is read; one byte more is refused", async () => {
  const key = await testKey("ssh-ed25519", "alice");
  const answerOf = (size: number) => {
    const head = new SshWriter().byte(IDENTITIES_ANSWER).uint32(1).string(key.publicKey.blob)
      .finish();
    const comment = new Uint8Array(size - head.length - 4).fill(0x63);
    return frame(new SshWriter().raw(head).string(comment).finish());
  };
  const atLimit = scriptedAgent(() => answerOf(AGENT_FRAME_LIMIT));
  const listed = await createAgentClient(atLimit.duplex).identities();
  assert.equal(listed.length, 1);
  assert.equal(
    listed[0].comment.length,
    AGENT_FRAME_LIMIT - 1 - 4 - 4 - key.publicKey.blob.length - 4,
  );
  const over = scriptedAgent(() => answerOf(AGENT_FRAME_LIMIT + 1));
  await assert.rejects(createAgentClient(over.duplex).identities(), AuthError);
});

test("agent: an identities answer counting 2^32-1 keys in 9 bytes is refused before any is read", async () => {
  const agent = scriptedAgent(() =>
    frame(new SshWriter().byte(IDENTITIES_ANSWER).uint32(0xffffffff).finish())
  );
  await assert.rejects(createAgentClient(agent.duplex).identities(), AuthError);
});

test("agent: a signature reply over 256 KiB is refused, and connect() logs in by password instead", async () => {
  const key = await testKey("ssh-ed25519", "alice");
  const agent = scriptedAgent((type) =>
    type === REQUEST_IDENTITIES
      ? frame(
        new SshWriter().byte(IDENTITIES_ANSWER).uint32(1).string(key.publicKey.blob).string("k")
          .finish(),
      )
      : endless(AGENT_FRAME_LIMIT + 1)
  );
  const [c, s] = memoryDuplexPair();
  // the server accepts alice's key, so the client gets PK_OK and asks the agent to sign
  const serving = accept(
    s,
    await serverOptions({
      authenticate: {
        authorizedKeys: key.publicKey.toString(),
        password: (user, password) => user === USER && password === PASSWORD,
      },
    }),
  );
  serving.catch(() => {});
  const traced: string[] = [];
  const client = await connect({
    hostname: "victim.test",
    username: USER,
    password: PASSWORD,
    policy: "no",
    duplex: c,
    agent: createAgentClient(agent.duplex),
    trace: (line) => traced.push(line),
  });
  const { stdout } = await client.exec("true");
  assert.equal(new TextDecoder().decode(stdout), "ran true");
  assert.ok(
    traced.some((l) => /Signing failed for ssh-ed25519 .*frame of 262145 bytes/.test(l)),
    traced.join("\n"),
  );
  assert.ok(traced.includes("Authentication succeeded (password)."), traced.join("\n"));
  assert.ok(agent.sent() <= 4 + 64 * 1024 + 200, `the client read ${agent.sent()} agent bytes`);
  await client.close();
  await (await serving).closed;
});

test("agent: an identities reply that never ends costs connect() only the agent's keys", async () => {
  const agent = scriptedAgent(() => endless(0xffffffff));
  const [c, s] = memoryDuplexPair();
  // publickey offered first (for a key the agent never gets to list), then password
  const other = await testKey("ssh-ed25519", "mallory");
  const serving = accept(
    s,
    await serverOptions({
      authenticate: {
        authorizedKeys: other.publicKey.toString(),
        password: (user, password) => user === USER && password === PASSWORD,
      },
    }),
  );
  serving.catch(() => {});
  const traced: string[] = [];
  const client = await connect({
    hostname: "victim.test",
    username: USER,
    password: PASSWORD,
    policy: "no",
    duplex: c,
    agent: createAgentClient(agent.duplex),
    trace: (line) => traced.push(line),
  });
  assert.ok(
    traced.some((l) => /Cannot list agent keys: .*frame of 4294967295 bytes/.test(l)),
    traced.join("\n"),
  );
  await client.close();
  await (await serving).closed;
});
