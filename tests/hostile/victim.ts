/**
 * Test support: the victims of the hostile suite — a real Hush server (`accept()` from
 * `@hush/ssh`, as `serve()` runs it for every socket) and a real Hush client (`connect()`),
 * each over an in-memory socket pair with a {@linkcode HostilePeer} on the other end — and what
 * every test asserts afterwards: how the victim ended (its error and reason code), what the
 * peer read, that no more was kept in memory than the bounds allow, and that a well-behaved
 * client still logs in.
 * @module
 */
import assert from "node:assert/strict";
import { memoryUsage } from "node:process";
import {
  accept,
  connect,
  type ConnectOptions,
  type ServeOptions,
  type ServerContext,
  type SshClient,
} from "@hush/ssh";
import {
  type MemoryDuplex,
  type MemoryDuplexOptions,
  memoryDuplexPair,
} from "@hush/transport/testing";
import { HostilePeer, type PeerAlgorithms, testKey } from "./peer.ts";

/** The one user the victim server serves, and its password. */
export const USER = "alice";
/** The password of {@linkcode USER}. */
export const PASSWORD = "correct horse battery staple";

/** A Hush server's options: password login for {@linkcode USER}, `exec` echoes its command. */
export async function serverOptions(extra: Partial<ServeOptions> = {}): Promise<ServeOptions> {
  return {
    hostKeys: [await testKey("ssh-ed25519", "victim")],
    authenticate: { password: (user, password) => user === USER && password === PASSWORD },
    onSession: (session) => {
      session.onRequest = (req) => {
        if (req.request !== "exec") return false;
        queueMicrotask(async () => {
          const w = session.writable.getWriter();
          await w.write(new TextEncoder().encode(`ran ${req.command}`)).catch(() => {});
          w.releaseLock();
          await session.exit(0).catch(() => {});
        });
        return true;
      };
    },
    ...extra,
  };
}

/** An error that carries an SSH disconnect reason (DisconnectError, AuthError, …). */
export type ReasonError = Error & { reason?: number };

/** How a victim's connection ended. */
export interface Outcome {
  /** Why it ended; `undefined` for a clean close. */
  error?: ReasonError;
  /** Server: the context, when authentication succeeded. */
  ctx?: ServerContext;
  /** Server: the connection layer's error, when authentication succeeded. */
  connectionError?: ReasonError;
}

/** A Hush server over an in-memory socket, a hostile client on the other end. */
export interface ServerVictim {
  peer: HostilePeer;
  /** Settles once the server's side of the connection has ended (never rejects). */
  outcome: Promise<Outcome>;
  /** The server's end of the socket (`buffered`: what it wrote that the peer has not read). */
  server: MemoryDuplex;
  /** The peer's end of the socket. */
  client: MemoryDuplex;
  /** Server: the context once authenticated. */
  context: Promise<ServerContext | undefined>;
}

/** Starts `accept()` on one end of a socket pair and a {@linkcode HostilePeer} client on the other. */
export async function attackServer(
  extra: Partial<ServeOptions> = {},
  algorithms: PeerAlgorithms = {},
  duplex: MemoryDuplexOptions = {},
): Promise<ServerVictim> {
  const [client, server] = memoryDuplexPair(duplex);
  const accepting = accept(server, await serverOptions(extra), { remoteAddress: "192.0.2.7" });
  const context = accepting.then((ctx) => ctx, () => undefined);
  const outcome = accepting.then(
    async (ctx): Promise<Outcome> => {
      await ctx.closed;
      // the transport's error names the cause; the connection layer reports any end it did not
      // ask for as "Connection lost"
      return { ctx, error: await ctx.transport.closed, connectionError: ctx.connection.error };
    },
    (error) => ({ error }),
  );
  return { peer: new HostilePeer(client, "client", algorithms), outcome, server, client, context };
}

/** Hostile client: handshake, `ssh-userauth`, and a correct password login. */
export async function logIn(peer: HostilePeer): Promise<void> {
  await peer.handshake();
  await peer.send({ type: "serviceRequest", service: "ssh-userauth" });
  await peer.expect("serviceAccept");
  await peer.send({
    type: "userauthRequest",
    user: USER,
    service: "ssh-connection",
    method: "password",
    password: PASSWORD,
  });
  await peer.expect("userauthSuccess");
}

/**
 * Asserts that the victim ended with `reason` (and a message matching `pattern`), and, when
 * `received` is given, that the DISCONNECT it sent said the same.
 */
export function assertEnded(
  outcome: Outcome,
  reason: number,
  pattern?: RegExp,
): void {
  const e = outcome.error;
  assert.ok(e, "the victim's connection ended cleanly; expected an error");
  assert.equal(e.reason, reason, `reason ${e.reason}, expected ${reason}: ${e.message}`);
  if (pattern) assert.match(e.message, pattern);
}

/**
 * The end of a hostile connection, seen from both sides: the victim's error has `reason`
 * (its message matching `pattern`) and the DISCONNECT it sent to the peer carries the same
 * reason. Returns the victim's outcome.
 */
export async function assertDisconnect(
  v: { peer: HostilePeer; outcome: Promise<Outcome> },
  reason: number,
  pattern?: RegExp,
): Promise<Outcome> {
  const [received, outcome] = await Promise.all([v.peer.disconnect(), v.outcome]);
  assertEnded(outcome, reason, pattern);
  assert.ok(received, `the victim closed without DISCONNECT (${outcome.error?.message})`);
  assert.equal(
    received.reason,
    reason,
    `DISCONNECT reason ${received.reason}: ${received.description}`,
  );
  return outcome;
}

/** A well-behaved Hush client logs in to a server with `extra` options and runs a command. */
export async function assertServerServes(extra: Partial<ServeOptions> = {}): Promise<void> {
  const [c, s] = memoryDuplexPair();
  const serving = accept(s, await serverOptions(extra));
  serving.catch(() => {});
  const client = await connect({
    hostname: "victim.test",
    username: USER,
    password: PASSWORD,
    policy: "no",
    duplex: c,
  });
  const { stdout, code } = await client.exec("true");
  assert.equal(new TextDecoder().decode(stdout), "ran true");
  assert.equal(code, 0);
  await client.close();
  const ctx = await serving;
  await ctx.closed;
}

/** A Hush client (`connect()`) over an in-memory socket, a hostile server on the other end. */
export interface ClientVictim {
  peer: HostilePeer;
  /** `connect()`'s promise (rejects when the hostile server breaks the handshake or login). */
  connecting: Promise<SshClient>;
  /** The client's end of the socket. */
  client: MemoryDuplex;
  /** The peer's end. */
  server: MemoryDuplex;
}

/** Starts `connect()` on one end of a socket pair and a {@linkcode HostilePeer} server on the other. */
export function attackClient(
  extra: Partial<ConnectOptions> = {},
  algorithms: PeerAlgorithms = {},
  duplex: MemoryDuplexOptions = {},
): ClientVictim {
  const [client, server] = memoryDuplexPair(duplex);
  const connecting = connect({
    hostname: "hostile.test",
    username: USER,
    password: PASSWORD,
    policy: "no",
    duplex: client,
    ...extra,
  });
  connecting.catch(() => {});
  return { peer: new HostilePeer(server, "server", algorithms), connecting, client, server };
}

/** Hostile server: handshake, and `ssh-userauth` accepted. */
export async function acceptService(peer: HostilePeer): Promise<void> {
  await peer.handshake();
  await peer.expect("serviceRequest");
  await peer.send({ type: "serviceAccept", service: "ssh-userauth" });
}

/**
 * Hostile server: lets the victim client in (its first request, whatever the method,
 * succeeds) and returns the connected client.
 */
export async function letIn(v: ClientVictim): Promise<SshClient> {
  await acceptService(v.peer);
  await v.peer.expect("userauthRequest");
  await v.peer.send({ type: "userauthSuccess" });
  return await v.connecting;
}

/** Asserts that `p` rejects with an error of `reason` whose message matches `pattern`. */
export async function assertRejects(
  p: Promise<unknown>,
  reason: number,
  pattern?: RegExp,
): Promise<ReasonError> {
  let caught: ReasonError | undefined;
  await assert.rejects(p, (e: unknown) => {
    caught = e as ReasonError;
    assert.ok(e instanceof Error, String(e));
    assert.equal(
      (e as ReasonError).reason,
      reason,
      `reason ${(e as ReasonError).reason}: ${e.message}`,
    );
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
  return caught!;
}

/** Bytes of JavaScript heap in use now, after a collection where the runtime allows one. */
export function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return memoryUsage().heapUsed;
}

/** One mebibyte. */
export const MiB = 1024 * 1024;
