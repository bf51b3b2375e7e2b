import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerSession } from "@hush/channels";
import { generateKey } from "@hush/keys";
import { SshError } from "@hush/wire";
import { memoryDuplexPair } from "./adapters/memory.ts";
import { accept } from "./accept.ts";
import type { SshClient } from "./client.ts";
import { connect } from "./connect.ts";
import { DEFAULT_EXEC_MAX_BUFFER } from "./exec.ts";
import { ExecError } from "./exec_error.ts";

const encoder = new TextEncoder();

/** What the scripted server saw of a session: its requests, and whether it closed. */
interface SessionLog {
  requests: string[];
  closed: Promise<void>;
}

/**
 * A client connected to a server whose "commands" are scripts run on the session:
 * - `echo TEXT`: TEXT to stdout, exit 0
 * - `both`: `out` to stdout and `err` to stderr, exit 0
 * - `flood STREAM BYTES`: BYTES bytes of `x` to STREAM (stdout or stderr), exit 0
 * - `split`: `héllo ✓` to stdout, cut in the middle of each multibyte character, exit 0
 * - `fail`: two lines to stderr, exit 3
 * - `kill`: dies of signal KILL
 * - `hang`: `started` to stdout, then waits forever
 * - `cat`: copies stdin to stdout, exit 0
 */
async function scripted(): Promise<{ client: SshClient; sessions: SessionLog[] }> {
  const hostKey = await generateKey("ssh-ed25519");
  const userKey = await generateKey("ssh-ed25519");
  const sessions: SessionLog[] = [];
  const [a, b] = memoryDuplexPair();
  const server = accept(b, {
    hostKeys: [hostKey],
    authenticate: { publickey: (_user, key) => key.equals(userKey.publicKey) },
    onSession: (session) => {
      const log: SessionLog = { requests: [], closed: session.closed };
      sessions.push(log);
      session.onRequest = (req) => {
        log.requests.push(req.request === "signal" ? `signal ${req.signal}` : req.request);
        if (req.request !== "exec") return false;
        queueMicrotask(() => run(session, req.command).catch(() => {}));
        return true;
      };
    },
  });
  const client = await connect({
    hostname: "test",
    username: "me",
    identities: [userKey],
    policy: "no",
    duplex: a,
    connectTimeout: 5000,
  });
  await server;
  return { client, sessions };
}

async function run(session: ServerSession, command: string): Promise<void> {
  const out = session.writable.getWriter();
  const err = session.stderrWritable.getWriter();
  const [name, ...args] = command.split(" ");
  switch (name) {
    case "echo":
      await out.write(encoder.encode(args.join(" ")));
      return await session.exit(0);
    case "both":
      await out.write(encoder.encode("out"));
      await err.write(encoder.encode("err"));
      return await session.exit(0);
    case "flood": {
      const writer = args[0] === "stderr" ? err : out;
      let left = Number(args[1]);
      while (left > 0) {
        const n = Math.min(left, 7000);
        await writer.write(new Uint8Array(n).fill(0x78));
        left -= n;
      }
      return await session.exit(0);
    }
    case "split": {
      const bytes = encoder.encode("héllo ✓");
      for (const [from, to] of [[0, 2], [2, 9], [9, bytes.length]]) {
        await out.write(bytes.slice(from, to));
      }
      return await session.exit(0);
    }
    case "fail":
      await err.write(encoder.encode("warning: first\nfatal: no such thing\n"));
      return await session.exit(3);
    case "kill":
      return await session.exitSignal("KILL");
    case "hang":
      await out.write(encoder.encode("started\n"));
      return;
    case "cat":
      out.releaseLock();
      await session.readable.pipeTo(session.writable);
      return await session.exit(0);
  }
}

test("exec: output as bytes by default, as strings with encoding utf8", async () => {
  const { client } = await scripted();
  const bytes = await client.exec("both");
  assert.ok(bytes.stdout instanceof Uint8Array);
  assert.deepEqual(bytes.stdout, encoder.encode("out"));
  assert.deepEqual(bytes.stderr, encoder.encode("err"));
  assert.equal(bytes.code, 0);
  const text = await client.exec("both", { encoding: "utf8" });
  assert.deepEqual(text, { stdout: "out", stderr: "err", code: 0, signal: null });
  // characters cut across packets come out whole
  assert.equal((await client.exec("split", { encoding: "utf8" })).stdout, "héllo ✓");
  assert.equal((await client.exec("cat", { stdin: "ping", encoding: "utf8" })).stdout, "ping");
  await client.close();
});

test("exec: maxBuffer bounds stdout and stderr, each on its own", async () => {
  const { client, sessions } = await scripted();
  // at the bound: fine
  const at = await client.exec("flood stdout 100000", { maxBuffer: 100_000 });
  assert.equal(at.stdout.length, 100_000);
  for (const stream of ["stdout", "stderr"] as const) {
    const before = sessions.length;
    const e = await client.exec(`flood ${stream} 100001`, { maxBuffer: 100_000, encoding: "utf8" })
      .then(() => assert.fail("exec resolved past maxBuffer"), (e) => e);
    assert.ok(e instanceof ExecError && e instanceof SshError);
    assert.equal(e.code, "ERR_SSH_EXEC_MAX_BUFFER");
    assert.equal(e.stream, stream);
    assert.equal(e.maxBuffer, 100_000);
    assert.equal(
      e.message,
      `Command's ${stream} passed maxBuffer (100000 bytes): its channel was closed`,
    );
    assert.equal(e[stream], "x".repeat(100_000), "the output up to the bound");
    assert.equal(e.status, null);
    // the command was told to stop, and its channel closed
    const session = sessions[before];
    await session.closed;
    assert.deepEqual(session.requests, ["exec", "signal TERM"]);
  }
  // the other stream is bounded on its own: 100 000 bytes of each is fine
  const both = await client.exec("flood stderr 100000", { maxBuffer: 100_000 });
  assert.equal(both.stderr.length, 100_000);
  // the connection goes on
  assert.equal((await client.exec("echo still up", { encoding: "utf8" })).stdout, "still up");
  await client.close();
});

test("exec: the default maxBuffer is 16 MiB; Infinity lifts it; a bad one is a RangeError", async () => {
  assert.equal(DEFAULT_EXEC_MAX_BUFFER, 16 * 1024 * 1024);
  const { client } = await scripted();
  const big = await client.exec(`flood stdout ${DEFAULT_EXEC_MAX_BUFFER}`);
  assert.equal(big.stdout.length, DEFAULT_EXEC_MAX_BUFFER);
  await assert.rejects(
    client.exec(`flood stdout ${DEFAULT_EXEC_MAX_BUFFER + 1}`),
    (e) => e instanceof ExecError && e.maxBuffer === DEFAULT_EXEC_MAX_BUFFER,
  );
  const unbounded = await client.exec(`flood stderr ${DEFAULT_EXEC_MAX_BUFFER + 1}`, {
    maxBuffer: Infinity,
  });
  assert.equal(unbounded.stderr.length, DEFAULT_EXEC_MAX_BUFFER + 1);
  for (const maxBuffer of [-1, NaN]) {
    await assert.rejects(client.exec("echo hi", { maxBuffer }), RangeError);
  }
  await client.close();
});

test("exec: aborting the signal stops the command and rejects with the reason", async () => {
  const { client, sessions } = await scripted();
  const controller = new AbortController();
  const session = client.exec("hang", { signal: controller.signal });
  // wait until the command is running, then abort
  while (sessions.length === 0 || !sessions[0].requests.includes("exec")) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const reason = new Error("user gave up");
  controller.abort(reason);
  await assert.rejects(session, (e) => e === reason);
  await sessions[0].closed;
  assert.deepEqual(sessions[0].requests, ["exec", "signal TERM"]);
  // an aborted signal rejects at once, opening nothing
  await assert.rejects(
    client.exec("echo never", { signal: AbortSignal.abort(reason) }),
    (e) => e === reason,
  );
  assert.equal(sessions.length, 1);
  // a signal that never aborts changes nothing
  const ok = await client.exec("echo fine", { signal: new AbortController().signal });
  assert.equal(new TextDecoder().decode(ok.stdout), "fine");
  await client.close();
});

test("exec: check rejects a non-zero exit or a signal with status, stdout and stderr", async () => {
  const { client } = await scripted();
  // without check, the result reports the failure
  assert.equal((await client.exec("fail")).code, 3);
  const failed = await client.exec("fail", { check: true, encoding: "utf8" })
    .then(() => assert.fail("exec resolved"), (e) => e);
  assert.ok(failed instanceof ExecError && failed instanceof SshError);
  assert.equal(failed.name, "ExecError");
  assert.equal(failed.code, "ERR_SSH_EXEC");
  assert.equal(failed.status, 3);
  assert.equal(failed.signal, null);
  assert.equal(failed.stdout, "");
  assert.equal(failed.stderr, "warning: first\nfatal: no such thing\n");
  assert.equal(failed.message, "Command failed with exit status 3: fatal: no such thing");

  const killed = await client.exec("kill", { check: true })
    .then(() => assert.fail("exec resolved"), (e) => e);
  assert.ok(killed instanceof ExecError);
  assert.equal(killed.status, null);
  assert.equal(killed.signal, "KILL");
  assert.deepEqual(killed.stderr, new Uint8Array(0));
  assert.equal(killed.message, "Command was killed by signal KILL");

  const ok = await client.exec("echo fine", { check: true, encoding: "utf8" });
  assert.deepEqual(ok, { stdout: "fine", stderr: "", code: 0, signal: null });
  await client.close();
});

test("ExecError: a check failure's message quotes stderr's last line, escaped and cut", () => {
  const e = ExecError.failed({
    status: 1,
    signal: null,
    stdout: "",
    stderr: encoder.encode(`ok\n\x1b[31m${"y".repeat(300)}\n\n`),
  });
  assert.equal(e.message, `Command failed with exit status 1: \\x1b[31m${"y".repeat(195)}…`);
  assert.equal(
    ExecError.failed({ status: null, signal: null, stdout: "", stderr: "" }).message,
    "Command ended without an exit status",
  );
});
