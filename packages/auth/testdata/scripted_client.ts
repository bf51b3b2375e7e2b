/**
 * Test support (not published): a scripted client for the server's tests. {@linkcode start} runs
 * `authenticateServer` on one end of a `connPair()` and hands the test the other end, to send
 * requests from and read the server's replies on.
 * @module
 */
import type { Message } from "@hush/wire";
import {
  type AuthenticatedUser,
  authenticateServer,
  publickeySignedData,
  type ServerAuthOptions,
} from "../mod.ts";
import { connPair, fakeTimers, nextMessage, type TestConn, type testSigner } from "../test_peer.ts";

/** The session identifier of every scripted exchange. */
export const sessionId: Uint8Array<ArrayBuffer> = new Uint8Array(32).fill(9);

/** What {@linkcode start} hands a test. */
export interface ScriptedClient {
  /** The client's end, which the test drives. */
  c: TestConn;
  /** The server's end. */
  s: TestConn;
  /** The reader of what the server sends. */
  reader: ReadableStreamDefaultReader<Message>;
  /** The server's next message, with 60–79 decoded for `auth` when given. */
  reply: (auth?: "publickey" | "password" | "keyboard-interactive") => Promise<Message | undefined>;
  /** Sends a USERAUTH_REQUEST (alice, ssh-connection unless `m` says otherwise). */
  request: (m: Record<string, unknown>) => Promise<void>;
  /** What `authenticateServer` settles with. */
  result: Promise<AuthenticatedUser>;
}

/** Starts the server; returns the client end, a reader of what the server sends, the result. */
export function start(options: Partial<ServerAuthOptions> = {}): ScriptedClient {
  const [c, s] = connPair();
  // fake timers unless a test brings its own: a real 120 s grace timer would keep Node alive
  const result = authenticateServer(s, { sessionId, timers: fakeTimers(), ...options });
  result.catch(() => {});
  const reader = c.messages.getReader();
  const reply = (auth?: "publickey" | "password" | "keyboard-interactive") =>
    nextMessage(reader, auth);
  const request = (m: Record<string, unknown>) =>
    c.send({ type: "userauthRequest", user: "alice", service: "ssh-connection", ...m } as Message);
  return { c, s, reader, reply, request, result };
}

/** A publickey request for `signer`'s key by `user` for `service`, signed by `signWith`. */
export async function signedRequest(
  signer: ReturnType<typeof testSigner>,
  user = "alice",
  service = "ssh-connection",
  signWith = signer,
): Promise<{
  method: string;
  algorithm: string;
  publicKey: Uint8Array;
  signature: Uint8Array;
  user: string;
  service: string;
}> {
  const algorithm = "ssh-ed25519";
  const publicKey = signer.publicKey.blob;
  const signature = await signWith.sign(
    publickeySignedData({ sessionId, user, service, algorithm, publicKey }),
  );
  return { method: "publickey", algorithm, publicKey, signature, user, service };
}
