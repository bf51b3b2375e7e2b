import { test } from "node:test";
import assert from "node:assert/strict";
import { authenticateClient } from "@hush/auth";
import { Connection, type Session } from "@hush/channels";
import { generateKey } from "@hush/keys";
import { TerminalMode } from "@hush/wire";
import { startTransport } from "@hush/transport";
import { memoryDuplexPair } from "../adapters/memory.ts";
import type { ChildProcessStreams } from "../adapters/process.ts";
import { accept } from "../accept.ts";
import { ptyAvailable, runSession } from "./sshd_session.ts";

const dec = new TextDecoder();

/** A server running sessions with runSession, and a client connection to it. */
async function sessionPair(
  opts: { ptyAvailable?: boolean; keyOptions?: string; agentForwarding?: boolean } = {},
): Promise<{ client: Connection; trace: string[]; children: Set<ChildProcessStreams> }> {
  const hostKey = await generateKey("ssh-ed25519");
  const userKey = await generateKey("ssh-ed25519");
  const trace: string[] = [];
  const children = new Set<ChildProcessStreams>();
  const [c, s] = memoryDuplexPair();
  const serving = accept(s, {
    hostKeys: [hostKey],
    authenticate: {
      authorizedKeys: `${opts.keyOptions ?? ""} ${userKey.publicKey.toString()}`.trim(),
    },
    onSession: (session, ctx) =>
      runSession(session, ctx, {
        trace: (l) => trace.push(l),
        ptyAvailable: opts.ptyAvailable,
        children,
        agentForwarding: opts.agentForwarding,
      }),
  });
  const transport = await startTransport(c, { role: "client", verifyHostKey: () => {} });
  await transport.requestService("ssh-userauth");
  await authenticateClient(transport, {
    user: "alice",
    sessionId: transport.sessionId!,
    identities: [userKey],
  });
  await serving;
  return { client: new Connection(transport, { role: "client" }), trace, children };
}

async function collect(session: Session): Promise<{ out: string; err: string }> {
  let out = "", err = "";
  await Promise.all([
    (async () => {
      for await (const c of session.readable) out += dec.decode(c);
    })(),
    (async () => {
      for await (const c of session.stderr) err += dec.decode(c);
    })(),
  ]);
  return { out, err };
}

test("exec: stdin, stdout, stderr apart, exit status, SSH_CONNECTION; only LANG/LC_* env", async () => {
  const { client, children } = await sessionPair();
  const session = await client.openSession();
  assert.equal(await session.env("LANG", "C.UTF-8", { wantReply: true }), true);
  assert.equal(await session.env("LD_PRELOAD", "/x.so", { wantReply: true }), false);
  await session.exec(
    'read line; echo "got $line $LANG${LD_PRELOAD}"; echo "$SSH_CONNECTION" >&2; exit 4',
  );
  const w = session.writable.getWriter();
  await w.write(new TextEncoder().encode("hello\n"));
  await w.close();
  const { out, err } = await collect(session);
  assert.equal(out, "got hello C.UTF-8\n");
  assert.equal(err, "unknown 0 unknown 0\n"); // an in-memory peer has no address
  assert.equal(await session.exitStatus, 4);
  assert.equal(children.size, 0);
  await client.close();
});

test("a second exec on the same session is refused; a killed command reports exit-signal", async () => {
  const { client } = await sessionPair();
  const session = await client.openSession();
  await session.exec("kill -TERM $$");
  await assert.rejects(session.exec("true"));
  await collect(session);
  assert.equal(await session.exitStatus, null);
  assert.deepEqual(await session.exitSignal, { signal: "TERM", coreDumped: false, message: "" });
  await client.close();
});

test("signal request reaches the command", async () => {
  const { client } = await sessionPair();
  const session = await client.openSession();
  await session.exec("echo ready; exec sleep 30");
  const reader = session.readable.getReader();
  assert.equal(dec.decode((await reader.read()).value), "ready\n");
  reader.releaseLock();
  await session.signal("INT");
  await collect(session);
  assert.equal((await session.exitSignal)?.signal, "INT");
  await client.close();
});

test("pty-req without script: granted, then the trace says the command runs without one", async () => {
  const { client, trace } = await sessionPair({ ptyAvailable: false });
  const session = await client.openSession();
  assert.equal(await session.pty({ term: "xterm", cols: 80, rows: 24 }), true);
  await session.exec("tty || true");
  const { out } = await collect(session);
  assert.equal(out, "not a tty\n");
  assert.ok(trace.some((l) => /no pty available \(util-linux script not found\)/.test(l)));
  await client.close();
});

test("pty through script gives the command a terminal", async (t) => {
  if (!ptyAvailable()) return t.skip("util-linux script not installed");
  const { client } = await sessionPair();
  const session = await client.openSession();
  assert.equal(await session.pty({ term: "xterm", cols: 100, rows: 30 }), true);
  await session.exec('tty; echo "$TERM"');
  const w = session.writable.getWriter();
  await w.close();
  const { out } = await collect(session);
  assert.match(out, /\/dev\/pts\/\d+\r?\nxterm\r?\n/);
  assert.equal(await session.exitStatus, 0);
  await client.close();
});

test("the pty has the requested size, and window-change resizes it with SIGWINCH", async (t) => {
  if (!ptyAvailable()) return t.skip("util-linux script not installed");
  const { client, trace } = await sessionPair();
  const session = await client.openSession();
  assert.equal(await session.pty({ term: "xterm", cols: 100, rows: 30 }), true);
  // prints its size, then waits (at most 10 s) for SIGWINCH and prints the new one
  await session.exec(
    "trap 'stty size; exit 0' WINCH; stty size; i=0; " +
      "while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; echo no SIGWINCH",
  );
  const reader = session.readable.getReader();
  let out = "";
  while (!/30 100\r?\n/.test(out)) {
    const { value, done } = await reader.read();
    if (done) break;
    out += dec.decode(value);
  }
  assert.match(out, /^30 100\r?\n$/);
  await session.windowChange({ cols: 120, rows: 40 });
  for (let r = await reader.read(); !r.done; r = await reader.read()) out += dec.decode(r.value);
  assert.match(out, /^30 100\r?\n40 120\r?\n$/);
  assert.equal(await session.exitStatus, 0);
  assert.ok(trace.some((l) => /window-change 120x40$/.test(l)), trace.join("\n"));
  await client.close();
});

test("the pty starts with the pty-req's terminal modes; ones Linux lacks are left out", async (t) => {
  if (!ptyAvailable()) return t.skip("util-linux script not installed");
  const { client, trace } = await sessionPair();
  const session = await client.openSession();
  const modes = [
    { opcode: TerminalMode.ECHO, value: 0 },
    { opcode: TerminalMode.VINTR, value: 7 }, // ^G
    { opcode: TerminalMode.VERASE, value: 8 }, // ^H
    { opcode: TerminalMode.VKILL, value: 255 }, // not set
    { opcode: TerminalMode.IXON, value: 0 },
    { opcode: TerminalMode.IUTF8, value: 1 },
    { opcode: TerminalMode.VSTATUS, value: 20 }, // BSD only
    { opcode: TerminalMode.TTY_OP_ISPEED, value: 9600 },
  ];
  assert.equal(await session.pty({ term: "xterm", cols: 90, rows: 20, modes }), true);
  await session.exec("stty -a");
  await session.writable.getWriter().close();
  const { out } = await collect(session);
  assert.equal(await session.exitStatus, 0);
  assert.match(out, /rows 20; columns 90/);
  assert.match(out, /intr = \^G;/);
  assert.match(out, /erase = \^H;/);
  assert.match(out, /kill = <undef>;/);
  assert.match(out, /(^|\s)-echo(\s|$)/m);
  assert.match(out, /(^|\s)-ixon(\s|$)/m);
  assert.match(out, /(^|\s)iutf8(\s|$)/m);
  assert.ok(trace.some((l) => /pty-req xterm 90x20, 8 modes$/.test(l)), trace.join("\n"));
  await client.close();
});

test("no-pty and command= from authorized_keys", async () => {
  const { client } = await sessionPair({
    keyOptions: 'no-pty,command="echo forced $SSH_ORIGINAL_COMMAND"',
  });
  const session = await client.openSession();
  assert.equal(await session.pty({ term: "xterm", cols: 80, rows: 24 }), false);
  await session.exec("whoami");
  const { out } = await collect(session);
  assert.equal(out, "forced whoami\n");
  await client.close();
});

const AGENT_REQUEST = {
  request: "other",
  name: "auth-agent-req@openssh.com",
  data: new Uint8Array(0),
} as const;
const SHOW_AGENT = 'echo "[$SSH_AUTH_SOCK]"; test -S "$SSH_AUTH_SOCK" && echo socket';

test("auth-agent-req@openssh.com: the command gets an SSH_AUTH_SOCK socket; a second ask is refused", async () => {
  const { client, trace } = await sessionPair();
  const session = await client.openSession();
  assert.equal(await session.request(AGENT_REQUEST), true);
  assert.equal(await session.request(AGENT_REQUEST), false);
  await session.exec(SHOW_AGENT);
  await session.writable.getWriter().close();
  const { out } = await collect(session);
  assert.match(out, /^\[\/.+\/agent\.\d+\]\nsocket\n$/);
  assert.ok(trace.some((l) => /agent forwarding to /.test(l)), trace.join("\n"));
  await client.close();
});

for (
  const [name, opts, why] of [
    ["no-agent-forwarding", { keyOptions: "no-agent-forwarding" }, /no-agent-forwarding in auth/],
    ["AllowAgentForwarding no", { agentForwarding: false }, /AllowAgentForwarding no/],
  ] as const
) {
  test(`auth-agent-req@openssh.com refused by ${name}: no SSH_AUTH_SOCK`, async () => {
    const { client, trace } = await sessionPair(opts);
    const session = await client.openSession();
    assert.equal(await session.request(AGENT_REQUEST), false);
    await session.exec(SHOW_AGENT);
    await session.writable.getWriter().close();
    assert.equal((await collect(session)).out, "[]\n");
    assert.ok(trace.some((l) => why.test(l)), trace.join("\n"));
    await client.close();
  });
}
